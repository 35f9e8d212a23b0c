"""JSON API for projects, members and documents: parse, call services, answer."""

import json

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from policies import access, attribute_sheet, corpus, downloads, hooks, openapi, queries, uploads
from policies.models import Document, Membership, Project, Role
from policies.services.attributes import ATTRIBUTE_FIELDS, document_update
from policies.services.documents import (
    DocumentRefused,
    document_delete,
    document_import,
    document_replace_file,
    size_message,
)
from policies.services.projects import member_add, member_remove, member_set_role, project_create


class ProjectSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()
    document_count = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "name", "description", "created_at", "role", "document_count"]

    def get_role(self, project) -> str | None:
        user = self.context["request"].user
        return next((m.role for m in project.memberships.all() if m.user_id == user.pk), None)

    def get_document_count(self, project) -> int:
        counted = getattr(project, "document_count", None)  # annotated on the list, counted here elsewhere
        return project.documents.count() if counted is None else counted


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")

    class Meta:
        model = Membership
        fields = ["id", "username", "role"]


class SectionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = [
            "id",
            "project",
            "title",
            "province",
            "issuer",
            "issuer_type",
            "issue_date",
            "doc_number",
            "policy_type",
            "attributes",
            "char_count",
            "original_name",
            "file_format",
            "created_at",
        ]


class DocumentDetailSerializer(DocumentSerializer):
    sections = SectionSerializer(many=True, read_only=True)

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "text", "sections"]


class RefusedFileSerializer(serializers.Serializer):
    file = serializers.CharField()
    detail = serializers.CharField()
    status = serializers.IntegerField()


class UploadReportSerializer(serializers.Serializer):
    """The answer to several files (or a .zip): 201 when any was imported, else the refusals' common status."""

    detail = serializers.CharField()
    documents = DocumentSerializer(many=True)
    refused = RefusedFileSerializer(many=True)


UPLOADED = PolymorphicProxySerializer(
    component_name="DocumentUploaded",
    serializers=[DocumentSerializer, UploadReportSerializer],
    resource_type_field_name=None,
    many=False,
)
# The original upload is served with the type of its extension.
ORIGINAL_TYPES = [
    "text/plain",
    "text/html",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/octet-stream",
]


class AttributesInputSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True)
    province = serializers.CharField(required=False, allow_blank=True)
    issuer = serializers.CharField(required=False, allow_blank=True)
    issuer_type = serializers.CharField(required=False, allow_blank=True)
    issue_date = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    doc_number = serializers.CharField(required=False, allow_blank=True)
    policy_type = serializers.CharField(required=False, allow_blank=True)
    attributes = serializers.JSONField(required=False)


class ProjectListApi(APIView):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        templates = serializers.ListField(
            child=serializers.ChoiceField(choices=hooks.call("codebook_templates")),
            required=False,
            default=list,
            help_text="Built-in codebooks to start from: lifecycle, stakeholders.",
        )

    @extend_schema(responses=ProjectSerializer(many=True))
    def get(self, request: Request) -> Response:
        projects = (
            Project.objects.for_user(request.user)
            .annotate(document_count=Count("documents", distinct=True))
            .prefetch_related("memberships")
        )
        return Response(ProjectSerializer(projects, many=True, context={"request": request}).data)

    @extend_schema(request=InputSerializer, responses={201: ProjectSerializer})
    def post(self, request: Request) -> Response:
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        project = project_create(user=request.user, **incoming.validated_data)
        return Response(ProjectSerializer(project, context={"request": request}).data, status=status.HTTP_201_CREATED)


class ProjectDetailApi(APIView):
    @extend_schema(responses=ProjectSerializer)
    def get(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id)
        return Response(ProjectSerializer(project, context={"request": request}).data)


class MemberListApi(APIView):
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField()
        role = serializers.CharField(default=Role.CODER)

    @extend_schema(responses=MemberSerializer(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id)
        return Response(MemberSerializer(project.memberships.select_related("user"), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: MemberSerializer})
    def post(self, request: Request, project_id: int) -> Response:
        """Add a user by username; an unknown or inactive account is refused in the same words."""
        project = access.project_for(request.user, project_id, need=Role.OWNER)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        membership = member_add(project=project, **incoming.validated_data)
        return Response(MemberSerializer(membership).data, status=status.HTTP_201_CREATED)


class MemberDetailApi(APIView):
    class InputSerializer(serializers.Serializer):
        role = serializers.CharField()

    def _membership(self, request: Request, project_id: int, member_id: int) -> Membership:
        project = access.project_for(request.user, project_id, need=Role.OWNER)
        return get_object_or_404(project.memberships.select_related("user"), pk=member_id)

    @extend_schema(request=InputSerializer, responses=MemberSerializer)
    def patch(self, request: Request, project_id: int, member_id: int) -> Response:
        membership = self._membership(request, project_id, member_id)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        member_set_role(membership=membership, role=incoming.validated_data["role"])
        return Response(MemberSerializer(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, project_id: int, member_id: int) -> Response:
        member_remove(membership=self._membership(request, project_id, member_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


def outcome_payload(outcomes) -> tuple[dict, int]:
    """The answer to an upload of several files: what was created, what was refused and why."""
    created = [DocumentSerializer(o.document).data for o in outcomes if o.document]
    refused = [{"file": o.name, "detail": o.error, "status": o.status} for o in outcomes if o.error]
    if created:
        code = status.HTTP_201_CREATED
    else:
        codes = {o.status for o in outcomes}
        code = codes.pop() if len(codes) == 1 else status.HTTP_400_BAD_REQUEST
    detail = _("%(created)d imported, %(refused)d refused.") % {"created": len(created), "refused": len(refused)}
    if refused:
        detail += " " + " ".join(f"{r['file']}: {r['detail']}" for r in refused)
    return {"detail": detail, "documents": created, "refused": refused}, code


def uploaded_files(request) -> tuple[list[str], list]:
    """Names of files the size-limiting upload handler dropped, and the files that arrived.

    Raises RequestTooLarge when the handler refused the request as a whole (too many files, or too many MB)."""
    files = request.FILES.getlist("file")  # parses the body, which fills oversized_uploads and upload_refused
    if refused := uploads.refusal(request._request):
        raise RequestTooLarge(refused)
    return getattr(request._request, "oversized_uploads", []), files


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


SORT_VALUES = [prefix + field for field in corpus.SORT_FIELDS for prefix in ("", "-")]


def page_links(request: Request, page) -> str:
    """An RFC 8288 Link header for a page of a list: absolute first, prev, next and last URLs that keep the request's
    other parameters (percent-encoded, so no value can break the header)."""

    def url(number: int) -> str:
        params = request.query_params.copy()
        params["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

    pages = [("first", 1)]
    if page.has_previous():
        pages.append(("prev", page.previous_page_number()))
    if page.has_next():
        pages.append(("next", page.next_page_number()))
    pages.append(("last", page.paginator.num_pages))
    return ", ".join(f'<{url(number)}>; rel="{rel}"' for rel, number in pages)


class DocumentListApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        parameters=[
            OpenApiParameter("province", str),
            OpenApiParameter("issuer_type", str),
            OpenApiParameter("policy_type", str),
            OpenApiParameter(
                "sort", str, enum=SORT_VALUES, description="a column, with a leading - for descending; default id"
            ),
            OpenApiParameter(
                "page",
                {"type": "integer", "minimum": 1},
                description="1-based; a page past the last answers 404 (“Invalid page: …”)",
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": corpus.API_MAX_PAGE_SIZE},
                description=f"documents per page, default {corpus.API_PAGE_SIZE}",
            ),
            OpenApiParameter(
                "X-Total-Count",
                int,
                location=OpenApiParameter.HEADER,
                response=[200],
                description="how many documents match the filters, on all pages",
            ),
            OpenApiParameter(
                "Link",
                str,
                location=OpenApiParameter.HEADER,
                response=[200],
                description='RFC 8288 links to the first, prev, next and last pages (rel="first" …), absolute URLs '
                "keeping the other parameters",
            ),
        ],
        responses={200: DocumentSerializer(many=True), 404: openapi.error(404)},
        description="One page of the project's documents (without their text), as a JSON array; X-Total-Count and "
        "Link tell the rest.",
    )
    def get(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id)
        query = queries.document_query(request.query_params, lenient=False)
        page = corpus.documents_page(project, query)
        if page.number != query.page:  # past the end: get_page gave the last page (nothing fetched yet)
            message = _("Invalid page: page %(page)d is past the last page, %(last)d.")
            raise exceptions.NotFound(message % {"page": query.page, "last": page.number})
        response = Response(DocumentSerializer(page.object_list, many=True).data)
        response["X-Total-Count"] = str(page.paginator.count)
        response["Link"] = page_links(request, page)
        return response

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "DocumentUpload",
                {
                    "file": serializers.FileField(),
                    **AttributesInputSerializer().get_fields(),
                    "attributes": serializers.CharField(required=False, help_text="JSON object"),
                },
            )
        },
        responses={201: UPLOADED, 409: openapi.error(409)},
        description="One file answers the document (or its refusal as an error); several files or a .zip answer "
        "what was imported and what was refused, with 201 when anything was imported.",
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id, need=Role.OWNER)
        oversized, files = uploaded_files(request)
        if oversized:
            return Response({"detail": size_message(oversized[0])}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        if not files:
            return Response({"detail": _("Choose a file to upload (form field “file”).")}, status=400)
        attributes = parse_attribute_fields(request.data)
        outcomes = []
        for upload in files:
            outcomes += document_import(
                project=project, user=request.user, filename=upload.name, data=upload.read(), attributes=attributes
            )
        single = len(files) == 1 and not files[0].name.lower().endswith(".zip")
        if single:
            outcome = outcomes[0]
            if outcome.error:
                body = {"detail": outcome.error}
                return Response(body, status=outcome.status)
            return Response(DocumentSerializer(outcome.document).data, status=status.HTTP_201_CREATED)
        body, code = outcome_payload(outcomes)
        return Response(body, status=code)


def parse_attribute_fields(data) -> dict:
    """Attribute fields sent beside an upload (attributes may arrive as a JSON string in a form)."""
    attributes = {key: data.get(key) for key in ATTRIBUTE_FIELDS if key in data}
    custom = data.get("attributes")
    if isinstance(custom, str) and custom.strip():
        try:
            custom = json.loads(custom)
        except json.JSONDecodeError:
            raise ValidationError(_('“attributes” must be a JSON object, e.g. {"城市": "苏州"}.')) from None
    if custom not in (None, ""):
        attributes["attributes"] = custom
    return attributes


class DocumentDetailApi(APIView):
    @extend_schema(responses=DocumentDetailSerializer)
    def get(self, request: Request, document_id: int) -> Response:
        document = access.document_for(request.user, document_id)
        return Response(DocumentDetailSerializer(document).data)

    @extend_schema(request=AttributesInputSerializer, responses=DocumentDetailSerializer)
    def patch(self, request: Request, document_id: int) -> Response:
        document = access.document_for(request.user, document_id, need=Role.OWNER)
        incoming = AttributesInputSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        document_update(document=document, data=incoming.validated_data)
        return Response(DocumentDetailSerializer(document).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, document_id: int) -> Response:
        document_delete(document=access.document_for(request.user, document_id, need=Role.OWNER))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentFileApi(APIView):
    """The original upload (GET) or a re-import of the file over the document (PUT), refused once coded."""

    parser_classes = [MultiPartParser]

    @extend_schema(responses={(200, media): OpenApiTypes.BINARY for media in ORIGINAL_TYPES})
    def get(self, request: Request, document_id: int) -> HttpResponse:
        document = access.document_for(request.user, document_id, defer_text=True)
        return downloads.original_response(document)

    @extend_schema(
        request={"multipart/form-data": inline_serializer("DocumentReplace", {"file": serializers.FileField()})},
        responses={200: DocumentDetailSerializer, 409: openapi.error(409)},
    )
    def put(self, request: Request, document_id: int) -> Response:
        document = access.document_for(request.user, document_id, need=Role.OWNER)
        oversized, files = uploaded_files(request)
        if oversized:
            return Response({"detail": size_message(oversized[0])}, status=413)
        if len(files) != 1:
            return Response({"detail": _("Send exactly one file (form field “file”).")}, status=400)
        try:
            document = document_replace_file(document=document, filename=files[0].name, data=files[0].read())
        except DocumentRefused as refused:
            return Response({"detail": refused.message}, status=refused.status)
        return Response(DocumentDetailSerializer(document).data)


class AttributeSheetApi(APIView):
    """The attribute sheet: one row per document, as CSV (GET), or applied from a CSV upload (POST)."""

    parser_classes = [MultiPartParser]

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request: Request, project_id: int) -> HttpResponse:
        project = access.project_for(request.user, project_id)
        return attribute_sheet.csv_response(project)

    @extend_schema(
        request={"multipart/form-data": inline_serializer("AttributeSheet", {"file": serializers.FileField()})},
        responses={
            200: inline_serializer(
                "AttributeSheetResult", {"detail": serializers.CharField(), "updated": serializers.IntegerField()}
            )
        },
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id, need=Role.OWNER)
        oversized, files = uploaded_files(request)
        if oversized or len(files) != 1:
            return Response(
                {"detail": _("Send one CSV file (form field “file”), at most the upload limit.")}, status=400
            )
        updated = attribute_sheet.apply_csv(project=project, data=files[0].read())
        return Response({"detail": _("%(count)d documents updated.") % {"count": updated}, "updated": updated})
