"""JSON API for files that leave or enter a project: the coded-segment export (CSV, .xlsx) and the REFI-QDA
.qdpx project export and import."""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coding import downloads, query_params
from coding.exchange import qdpx
from coding.exchange import services as exchange_services
from policies import access, openapi
from policies.models import Role
from policies.openapi import LAYER_PARAMETER


class ExportCsvApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("coders", str, description=LAYER_PARAMETER),
            *(OpenApiParameter(n, str) for n in ("node", "coder", "province", "issuer_type", "policy_type", "bom")),
        ],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request: Request, project_id: int):
        project = access.project_for(request.user, project_id)
        return downloads.csv_response(project, query_params.export_selection(request.query_params), request.user)


class ExportXlsxApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("coders", str, description=LAYER_PARAMETER),
            *(OpenApiParameter(n, str) for n in ("node", "coder", "province", "issuer_type", "policy_type")),
        ],
        responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, project_id: int):
        project = access.project_for(request.user, project_id)
        return downloads.xlsx_response(project, query_params.export_selection(request.query_params), request.user)


class ProjectExportApi(APIView):
    """The whole project as a REFI-QDA .qdpx (project.qde, sources/, policycoder/): owners only."""

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request: Request, project_id: int):
        project = access.project_for(request.user, project_id, need=Role.OWNER)
        return qdpx.download(project, request.user)


class ProjectImportApi(APIView):
    """A REFI-QDA project (.qdpx, .qde) or codebook (.qdc) from any tool, imported as a new project you own."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "ProjectUpload",
                {"file": serializers.FileField(), "match_users": serializers.BooleanField(required=False)},
            )
        },
        responses={201: OpenApiTypes.OBJECT, 400: openapi.error(400), 413: openapi.error(413)},
        description="201 with the new project's id and the import report (what was skipped or changed, and why).",
    )
    def post(self, request: Request):
        files = request.FILES.getlist("file")
        if getattr(request._request, "oversized_uploads", []):
            return Response(
                {"detail": _("The file is larger than %(mb)d MB.") % {"mb": settings.QDPX_MAX_MB}}, status=413
            )
        if len(files) != 1:
            return Response({"detail": _("Send one .qdpx, .qde or .qdc file (form field “file”).")}, status=400)
        match_users = str(request.data.get("match_users", "")).lower() in ("1", "true", "on", "yes")
        report = exchange_services.project_import(
            user=request.user, filename=files[0].name, data=files[0].read(), match_users=match_users
        )
        return Response(report.as_dict(), status=status.HTTP_201_CREATED)
