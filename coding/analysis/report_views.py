"""The methods report as a page (with the layer to choose, print and Word buttons), as Word and as a printable HTML
document; the API's two routes answer the same files (views: parse, call, render)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from coding import team
from coding.analysis import methods_report, query_params
from policies import access, error_pages, queries, writers
from policies.openapi import LAYER_PARAMETER


def docx_response(project, report: methods_report.Report) -> HttpResponse:
    body = writers.docx_bytes(report.title, report.blocks_for_docx())
    response = writers.file_response(body, f"{project.name}-report-{report.layer.file_tag()}.docx", writers.DOCX_TYPE)
    response[writers.LAYER_HEADER] = report.layer.header()
    return response


def html_response(request, project, report: methods_report.Report) -> HttpResponse:
    response = render(request, "coding/report_document.html", {"project": project, "report": report})
    response[writers.LAYER_HEADER] = report.layer.header()
    return response


@login_required
@require_GET
def report_page(request: HttpRequest, project_id: int) -> HttpResponse:
    """The report in the app's layout: choose the layer, read it, print it or download it as Word."""
    membership = access.membership_for(request.user, project_id)
    project = membership.project
    context = {
        "project": project,
        "membership": membership,
        "coder_choices": team.coder_choices(project),
        "chosen_coders": queries.names(request.GET, "coders", "coder"),
        "query": request.GET.urlencode(),
        "docx_url": reverse("analysis:report-docx", args=[project.pk]),
    }
    try:
        context["report"] = methods_report.build(project, request.user, query_params.report_query(request.GET))
    except ValidationError as invalid:
        return error_pages.bad_request(request, invalid, project=project)
    return render(request, "coding/report.html", context)


@login_required
@require_GET
def report_docx(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id)
    try:
        report = methods_report.build(project, request.user, query_params.report_query(request.GET))
    except ValidationError as invalid:
        return error_pages.bad_request(request, invalid, project=project)
    return docx_response(project, report)


class ReportApi(APIView):
    """The methods report of a project for one layer (`coders=`, default layer without): .docx or printable .html."""

    @extend_schema(
        parameters=[
            OpenApiParameter("coders", str, description=LAYER_PARAMETER),
            OpenApiParameter("top", int, description="how many words in the word-frequency table (default 30)"),
        ],
        responses={(200, writers.DOCX_TYPE): OpenApiTypes.BINARY, (200, "text/html"): OpenApiTypes.STR},
    )
    def get(self, request: Request, project_id: int, fmt: str) -> HttpResponse:
        project = access.project_for(request.user, project_id)
        report = methods_report.build(
            project, request.user, query_params.report_query(request.query_params)
        )  # a ValidationError: 400
        return docx_response(project, report) if fmt == "docx" else html_response(request, project, report)
