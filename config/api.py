"""The JSON data API: one route table and one error format ({"detail": …} with a 4xx, or a logged 500)."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from accounts import api as accounts_api
from coding import autocode_views
from coding import services as coding_services
from coding.analysis import cooccurrence_views, report_views
from coding.api import analysis as coding_analysis_api
from coding.api import codings as codings_api
from coding.api import exchange as exchange_api
from coding.api import memos as memos_api
from coding.suggest import api as suggest_api
from config import api_docs, errors, storage
from framework import api as framework_api
from policies import api as policies_api
from policies.text_api import dictionary as dictionary_api
from policies.text_api import frequency as frequency_api
from policies.text_api import search as search_api
from policies.text_api import word_groups as word_groups_api

logger = logging.getLogger(__name__)

app_name = "api"
urlpatterns = [
    path("auth/token/", accounts_api.TokenObtainApi.as_view(), name="token"),
    path("projects/", policies_api.ProjectListApi.as_view(), name="projects"),
    path("projects/import/", exchange_api.ProjectImportApi.as_view(), name="project-import"),
    path("projects/<int:project_id>/", policies_api.ProjectDetailApi.as_view(), name="project"),
    path("projects/<int:project_id>/export.qdpx", exchange_api.ProjectExportApi.as_view(), name="project-export"),
    path("projects/<int:project_id>/members/", policies_api.MemberListApi.as_view(), name="members"),
    path("projects/<int:project_id>/members/<int:member_id>/", policies_api.MemberDetailApi.as_view(), name="member"),
    path("projects/<int:project_id>/documents/", policies_api.DocumentListApi.as_view(), name="documents"),
    path(
        "projects/<int:project_id>/documents/attributes.csv",
        policies_api.AttributeSheetApi.as_view(),
        name="attribute-sheet",
    ),
    path("documents/<int:document_id>/", policies_api.DocumentDetailApi.as_view(), name="document"),
    path("documents/<int:document_id>/file/", policies_api.DocumentFileApi.as_view(), name="document-file"),
    path("projects/<int:project_id>/nodes/", framework_api.NodeListApi.as_view(), name="nodes"),
    path(
        "projects/<int:project_id>/nodes/apply-template/",
        framework_api.TemplateApplyApi.as_view(),
        name="nodes-apply-template",
    ),
    path("projects/<int:project_id>/nodes/import/", framework_api.CodebookImportApi.as_view(), name="nodes-import"),
    re_path(
        r"^projects/(?P<project_id>[0-9]+)/nodes/export\.(?P<fmt>csv|json|qdc)$",
        framework_api.CodebookExportApi.as_view(),
        name="nodes-export",
    ),
    path("projects/<int:project_id>/nodes/figure.svg", framework_api.CodebookFigureApi.as_view(), name="nodes-figure"),
    path("nodes/<int:node_id>/", framework_api.NodeDetailApi.as_view(), name="node"),
    path("nodes/<int:node_id>/move/", framework_api.NodeMoveApi.as_view(), name="node-move"),
    path("nodes/<int:node_id>/merge/", framework_api.NodeMergeApi.as_view(), name="node-merge"),
    path("projects/<int:project_id>/codings/", codings_api.CodingListApi.as_view(), name="codings"),
    path("projects/<int:project_id>/codings/undo/", codings_api.UndoApi.as_view(), name="codings-undo"),
    path("projects/<int:project_id>/codings/export.csv", exchange_api.ExportCsvApi.as_view(), name="codings-csv"),
    path("projects/<int:project_id>/codings/export.xlsx", exchange_api.ExportXlsxApi.as_view(), name="codings-xlsx"),
    path("codings/<int:coding_id>/", codings_api.CodingDetailApi.as_view(), name="coding"),
    path("documents/<int:document_id>/audit/", codings_api.AuditApi.as_view(), name="document-audit"),
    path("projects/<int:project_id>/memos/", memos_api.MemoListApi.as_view(), name="memos"),
    path("projects/<int:project_id>/matrix/", coding_analysis_api.MatrixApi.as_view(), name="matrix"),
    path("projects/<int:project_id>/cooccurrence/", cooccurrence_views.CooccurrenceApi.as_view(), name="cooccurrence"),
    path("projects/<int:project_id>/agreement/", coding_analysis_api.AgreementApi.as_view(), name="agreement"),
    path(
        "projects/<int:project_id>/report.docx", report_views.ReportApi.as_view(), {"fmt": "docx"}, name="report-docx"
    ),
    path(
        "projects/<int:project_id>/report.html", report_views.ReportApi.as_view(), {"fmt": "html"}, name="report-html"
    ),
    re_path(
        r"^projects/(?P<project_id>[0-9]+)/agreement/export\.(?P<fmt>csv|xlsx)$",
        coding_analysis_api.AgreementExportApi.as_view(),
        name="agreement-export",
    ),
    path("projects/<int:project_id>/consensus/", codings_api.ConsensusApi.as_view(), name="consensus"),
    path("projects/<int:project_id>/suggestions/", suggest_api.SuggestionListApi.as_view(), name="suggestions"),
    path(
        "projects/<int:project_id>/suggestions/train/",
        suggest_api.SuggestionTrainApi.as_view(),
        name="suggestions-train",
    ),
    path(
        "projects/<int:project_id>/suggestions/accept/",
        suggest_api.SuggestionAcceptAboveApi.as_view(),
        name="suggestions-accept",
    ),
    path(
        "projects/<int:project_id>/suggestions/evaluation/",
        suggest_api.SuggestionEvaluationApi.as_view(),
        name="suggestions-evaluation",
    ),
    path(
        "suggestions/<int:suggestion_id>/accept/", suggest_api.SuggestionAcceptApi.as_view(), name="suggestion-accept"
    ),
    path(
        "suggestions/<int:suggestion_id>/reject/", suggest_api.SuggestionRejectApi.as_view(), name="suggestion-reject"
    ),
    path("memos/<int:memo_id>/", memos_api.MemoDetailApi.as_view(), name="memo"),
    path("memos/<int:memo_id>/history/", memos_api.MemoHistoryApi.as_view(), name="memo-history"),
    path("projects/<int:project_id>/word-frequency/", frequency_api.WordFrequencyApi.as_view(), name="word-frequency"),
    path("projects/<int:project_id>/text-search/", search_api.TextSearchApi.as_view(), name="text-search"),
    path("projects/<int:project_id>/text-search/auto-code/", autocode_views.AutoCodeApi.as_view(), name="auto-code"),
    path("projects/<int:project_id>/dictionary/", dictionary_api.DictionaryApi.as_view(), name="dictionary"),
    path("projects/<int:project_id>/word-groups/", word_groups_api.WordGroupsApi.as_view(), name="word-groups"),
    path(
        "projects/<int:project_id>/word-groups/<int:group_id>/",
        word_groups_api.WordGroupApi.as_view(),
        name="word-group",
    ),
    path(
        "projects/<int:project_id>/dictionary/<int:term_id>/",
        dictionary_api.DictionaryTermApi.as_view(),
        name="dictionary-term",
    ),
    path("projects/<int:project_id>/stopwords/", dictionary_api.StopwordsApi.as_view(), name="stopwords"),
    path("projects/<int:project_id>/segmentation/", dictionary_api.SegmentationApi.as_view(), name="segmentation"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", api_docs.swagger_ui, name="docs"),
    path("redoc/", api_docs.redoc, name="redoc"),
    path("redoc/redoc.standalone.js", api_docs.redoc_bundle, name="redoc-bundle"),
]


def _flatten(detail, prefix: str = "") -> list[str]:
    if isinstance(detail, dict):
        return [
            m
            for key, value in detail.items()
            for m in _flatten(value, "" if key in ("non_field_errors", "detail") else f"{key}: ")
        ]
    if isinstance(detail, list):
        return [m for item in detail for m in _flatten(item, prefix)]
    return [f"{prefix}{detail}"]


class WriteConflict(exceptions.APIException):
    status_code = 503
    default_code = "write_conflict"


def exception_handler(exc, context):
    """DRF's handler, with service ValidationErrors as 400, every error body carrying a readable `detail`, and any
    other exception logged and answered as a JSON 500."""
    if isinstance(exc, coding_services.ConcurrentWrite):  # a ValidationError too, so it comes first
        exc = WriteConflict(exc.messages[0])
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError({"detail": exc.messages})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(errors.not_found_message())
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None and storage.is_unavailable(exc):
        logger.error("Object storage failed: %s", exc, exc_info=exc)
        set_rollback()
        return Response({"detail": storage.unavailable_message()}, status=503)
    if response is None:
        request = context.get("request")
        logger.error("Unexpected error answering %s", request.path if request else "?", exc_info=exc)
        set_rollback()
        return Response({"detail": errors.server_error_message()}, status=500)
    if isinstance(response.data, dict | list):
        data = response.data
        if not (isinstance(data, dict) and set(data) == {"detail"} and isinstance(data["detail"], str)):
            response.data = {"detail": " ".join(_flatten(data))}
            if isinstance(data, dict) and set(data) - {"detail", "non_field_errors"}:
                response.data["errors"] = data
    if isinstance(exc, WriteConflict) and response is not None:
        response["Retry-After"] = "1"
    return response
