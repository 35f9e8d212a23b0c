"""JSON API for codings, the audit trail, undo, memos and the coded-segment export."""

import hashlib

from django.conf import settings
from django.db.models import Count, Max, Sum, TextField
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coding import export, layers, localtime, lookup, memos, query_params, services
from coding.analysis import matrix, reliability, reports
from coding.analysis import query_params as analysis_params
from coding.exchange import qdpx
from coding.exchange import services as exchange_services
from coding.models import Coding, CodingEvent, Memo, MemoKind, MemoRevision
from framework.models import Node
from policies import access, openapi
from policies.models import Project, Role
from policies.openapi import LAYER_PARAMETER, LayerSerializer


class CodingSerializer(serializers.ModelSerializer):
    coder = serializers.CharField(source="coder.username", read_only=True)

    class Meta:
        model = Coding
        fields = ["id", "document", "node", "coder", "start", "end", "text", "memo", "created_at"]


class CodingInputSerializer(serializers.Serializer):
    document = serializers.IntegerField()
    node = serializers.IntegerField()
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=1)
    memo = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)


class CodingListItemSerializer(serializers.Serializer):
    """A coding as the list answers it: with ?compact=1 (the coding page's refresh) without document and text."""

    id = serializers.IntegerField()
    document = serializers.IntegerField(required=False, help_text="left out with ?compact=1")
    node = serializers.IntegerField()
    coder = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    text = serializers.CharField(required=False, help_text="left out with ?compact=1")
    memo = serializers.CharField()
    created_at = serializers.DateTimeField()


def _one_or_many(name: str, serializer: type[serializers.Serializer]) -> PolymorphicProxySerializer:
    """An object, or a non-empty list of them (the bulk form)."""
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[serializer(), serializer(many=True, allow_empty=False)],
        resource_type_field_name=None,
        many=False,
    )


CODINGS_IN = _one_or_many("NewCodings", CodingInputSerializer)
CODINGS_OUT = _one_or_many("Codings", CodingSerializer)
BULK_DESCRIPTION = (
    "One coding (an object) or several in one transaction (a non-empty list); the answer has the same form. "
    "201 when anything was new; 200 when every coding existed already (repeats are answered, not doubled)."
)


def _incoming_codings(data) -> CodingInputSerializer:
    """The request's coding or codings, validated; an empty list is refused."""
    many = isinstance(data, list)
    incoming = (
        CodingInputSerializer(data=data, many=many, allow_empty=False) if many else CodingInputSerializer(data=data)
    )
    incoming.is_valid(raise_exception=True)
    return incoming


WRITE_CONFLICT = OpenApiResponse(
    description="Another request wrote the same codings at the same moment, twice: try again."
)


def _resolve(project: Project, data: dict) -> services.CodingRequest:
    """The document and node a coding names, and its passage: only that much of the document's text is read."""
    start, end = data["start"], data["end"]
    found = lookup.passage(project, data["document"], start, end)
    if found is None:
        raise ValidationError({"detail": _("Document %(id)s is not in this project.") % {"id": data["document"]}})
    named = lookup.node_with_path(project, data["node"])
    if named is None:  # the same answer for another project's node as for none, so that ids cannot be probed
        raise ValidationError({"detail": _("Node %(id)s is not in this project's codebook.") % {"id": data["node"]}})
    (document, passage), (node, path) = found, named
    return services.CodingRequest(document, node, start, end, data["memo"], passage=passage, path=path)


LIST_COLUMNS = ("id", "document_id", "node_id", "coder__username", "start", "end", "text", "memo")


def _drf_time(moment, zone) -> str:
    """A time as DRF's DateTimeField gives it: ISO 8601 with microseconds in the current time zone, UTC written Z."""
    text = moment.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def coding_list_rows(codings) -> list[dict]:
    """The codings as CodingSerializer(many=True) answers them, straight from one values_list: no model instances,
    no per-object serializer work, no per-row datetime converter (the time is read as text and written by
    localtime.LocalTimes; 2,000 codings are the codings of one heavily coded document)."""
    local = localtime.LocalTimes(timezone.get_current_timezone(), seconds=False)
    rows = codings.values_list(*LIST_COLUMNS, Cast("created_at", TextField()))
    return [
        {
            "id": i,
            "document": d,
            "node": n,
            "coder": c,
            "start": s,
            "end": e,
            "text": x,
            "memo": m,
            "created_at": local(t),
        }
        for i, d, n, c, s, e, x, m, t in rows
    ]


def coding_json(coding: Coding) -> dict:
    """One coding as CodingSerializer answers it, without building a ModelSerializer for every save."""
    return {
        "id": coding.pk,
        "document": coding.document_id,
        "node": coding.node_id,
        "coder": coding.coder.username,
        "start": coding.start,
        "end": coding.end,
        "text": coding.text,
        "memo": coding.memo,
        "created_at": _drf_time(coding.created_at, timezone.get_current_timezone()),
    }


def _list_etag(codings, compact: bool) -> str:
    """A cheap validator of the list's answer: one aggregate over the visible, filtered codings (how many, which
    ids, which nodes, the last change) and the query itself, which names who may see what (a blind coder's own
    codings only) and the filters. It changes when anyone visible to the user codes, removes, moves or undoes."""
    stamp = codings.order_by().aggregate(
        n=Count("id"), top=Max("id"), ids=Sum("id"), nodes=Sum("node_id"), changed=Max("updated_at")
    )
    key = f"{int(compact)}|{codings.query}|{sorted(stamp.items())}"
    return '"' + hashlib.blake2b(key.encode(), digest_size=16).hexdigest() + '"'


class CodingListApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("document", int),
            OpenApiParameter("node", int),
            OpenApiParameter("coder", str),
            OpenApiParameter("compact", str, description="1: without passage text"),
            OpenApiParameter(
                "If-None-Match",
                str,
                OpenApiParameter.HEADER,
                description="the ETag of an earlier answer: 304 while the visible codings are unchanged",
            ),
        ],
        responses={
            200: CodingListItemSerializer(many=True),
            304: OpenApiResponse(description="Not modified: the codings are as in the answer with this ETag."),
        },
    )
    def get(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id)
        codings = layers.visible_codings(project, request.user)
        for field in ("document", "node"):
            value = request.query_params.get(field)
            if value:
                if not value.isdigit():
                    raise ValidationError({"detail": _("“%(field)s” must be a number.") % {"field": field}})
                codings = codings.filter(**{f"{field}_id": int(value)})
        if request.query_params.get("coder"):
            codings = codings.filter(coder__username__in=request.query_params["coder"].split(","))
        compact = request.query_params.get("compact") == "1"
        etag = _list_etag(codings, compact)
        headers = {"ETag": etag, "Cache-Control": "no-cache, private"}
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        if compact:  # the coding page's refresh: no passage text
            return Response(layers.coding_rows(codings), headers=headers)
        return Response(coding_list_rows(codings), headers=headers)

    @extend_schema(
        request=CODINGS_IN,
        responses={201: CODINGS_OUT, 200: CODINGS_OUT, 503: WRITE_CONFLICT},
        description=BULK_DESCRIPTION,
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id, need=Role.CODER)
        many = isinstance(request.data, list)
        incoming = _incoming_codings(request.data)
        items = [_resolve(project, data) for data in (incoming.validated_data if many else [incoming.validated_data])]
        results = services.codings_create(coder=request.user, project=project, items=items)
        created = any(new for _coding, new in results)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        codings = [coding for coding, _new in results]
        answer = [coding_json(coding) for coding in codings]
        return Response(answer if many else answer[0], status=code)


class CodingDetailApi(APIView):
    class InputSerializer(serializers.Serializer):
        node = serializers.IntegerField(required=False)
        memo = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)

    def _coding(self, request: Request, coding_id: int, need: str) -> tuple[Coding, str]:
        coding = get_object_or_404(Coding.objects.select_related("document__project", "coder"), pk=coding_id)
        membership = access.membership_for(request.user, coding.document.project_id)
        if not layers.may_see(coding, request.user):
            raise Http404  # under blind coding another coder's coding does not exist for this user
        membership = access.membership_for(request.user, coding.document.project_id, need=need)
        return coding, membership.role

    @extend_schema(responses=CodingSerializer)
    def get(self, request: Request, coding_id: int) -> Response:
        return Response(CodingSerializer(self._coding(request, coding_id, Role.VIEWER)[0]).data)

    @extend_schema(request=InputSerializer, responses=CodingSerializer)
    def patch(self, request: Request, coding_id: int) -> Response:
        coding, role = self._coding(request, coding_id, Role.CODER)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        node = None
        if "node" in incoming.validated_data:
            node_id = incoming.validated_data["node"]
            node = Node.objects.filter(pk=node_id, project_id=coding.document.project_id).first()
            if node is None:
                raise ValidationError({"detail": _("Node %(id)s is not in this project's codebook.") % {"id": node_id}})
        coding = services.coding_update(
            coding=coding, actor=request.user, role=role, node=node, memo=incoming.validated_data.get("memo")
        )
        return Response(CodingSerializer(coding).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, coding_id: int) -> Response:
        coding, role = self._coding(request, coding_id, Role.CODER)
        services.coding_delete(coding=coding, actor=request.user, role=role)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UndoApi(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer(
            "UndoResult",
            {
                "action": serializers.CharField(help_text="what was undone: created, changed or deleted"),
                "reverted": serializers.IntegerField(help_text="codings restored or removed"),
                "documents": serializers.ListField(child=serializers.IntegerField()),
            },
        ),
        description="Reverse your latest coding action here (one batch: a coding, a bulk create, a removal).",
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id, need=Role.CODER)
        return Response(services.undo_last(project=project, actor=request.user))


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username")
    coder = serializers.CharField(source="coder.username")

    class Meta:
        model = CodingEvent
        fields = [
            "id",
            "created_at",
            "actor",
            "action",
            "coding_id",
            "coder",
            "node_id",
            "node_path",
            "start",
            "end",
            "memo",
            "before",
            "undone",
            "batch",
            "origin",
        ]


class AuditApi(APIView):
    @extend_schema(responses=EventSerializer(many=True))
    def get(self, request: Request, document_id: int) -> Response:
        """The audit trail of one document (owners)."""
        document = access.document_for(request.user, document_id, need=Role.OWNER, defer_text=True)
        events = document.coding_events.select_related("actor", "coder")
        return Response(EventSerializer(events, many=True).data)


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
        return export.csv_response(project, query_params.export_selection(request.query_params), request.user)


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
        return export.xlsx_response(project, query_params.export_selection(request.query_params), request.user)


class MemoSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = Memo
        fields = ["id", "kind", "document", "node", "author", "title", "body", "created_at", "updated_at"]
        read_only_fields = ["kind", "document", "node"]


class MemoListApi(APIView):
    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=MemoKind.choices)
        document = serializers.IntegerField(required=False)
        node = serializers.IntegerField(required=False)
        title = serializers.CharField(required=False, allow_blank=True, default="")
        body = serializers.CharField(trim_whitespace=False)

    @extend_schema(
        parameters=[OpenApiParameter("q", str), OpenApiParameter("kind", str)], responses=MemoSerializer(many=True)
    )
    def get(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id)
        found = memos.search(
            project=project, query=request.query_params.get("q", ""), kind=request.query_params.get("kind", "")
        )
        return Response(MemoSerializer(found, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: MemoSerializer})
    def post(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id, need=Role.CODER)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        document = project.documents.filter(pk=data.get("document")).first() if data.get("document") else None
        node = project.nodes.filter(pk=data.get("node")).first() if data.get("node") else None
        if (data["kind"] == MemoKind.DOCUMENT and document is None) or (data["kind"] == MemoKind.NODE and node is None):
            raise ValidationError({"detail": _("Name a document or node of this project for the memo.")})
        memo = services.memo_save(
            project=project,
            author=request.user,
            kind=data["kind"],
            body=data["body"],
            title=data["title"],
            document=document,
            node=node,
        )
        return Response(MemoSerializer(memo).data, status=status.HTTP_201_CREATED)


class MemoDetailApi(APIView):
    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(required=False, allow_blank=True, help_text="left out: the title stays")
        body = serializers.CharField(trim_whitespace=False)

    def _memo(self, request: Request, memo_id: int, need: str) -> tuple[Memo, str]:
        memo = get_object_or_404(Memo.objects.select_related("author"), pk=memo_id)
        return memo, access.membership_for(request.user, memo.project_id, need=need).role

    @extend_schema(
        request=InputSerializer,
        responses=MemoSerializer,
        description="A journal entry is edited by its author or an owner, a document or node memo by any coder; "
        "the previous text is kept in the memo's history.",
    )
    def patch(self, request: Request, memo_id: int) -> Response:
        memo, role = self._memo(request, memo_id, Role.CODER)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        memo = services.memo_update(memo=memo, actor=request.user, role=role, **incoming.validated_data)
        return Response(MemoSerializer(memo).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, memo_id: int) -> Response:
        memo, role = self._memo(request, memo_id, Role.CODER)
        services.memo_delete(memo=memo, actor=request.user, role=role)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemoRevisionSerializer(serializers.ModelSerializer):
    editor = serializers.CharField(source="editor.username")

    class Meta:
        model = MemoRevision
        fields = ["id", "editor", "edited_at", "previous_title", "previous_body"]


class MemoHistoryApi(APIView):
    @extend_schema(
        responses=MemoRevisionSerializer(many=True),
        description="Every edit of the memo, newest first: who changed it, when, and what it said before "
        "(owners and the memo's author).",
    )
    def get(self, request: Request, memo_id: int) -> Response:
        memo = get_object_or_404(Memo, pk=memo_id)
        membership = access.membership_for(request.user, memo.project_id)
        if not memos.may_read_history(memo, request.user, membership.role):
            raise PermissionDenied(_("Only project owners and the memo's author can read its history."))
        return Response(MemoRevisionSerializer(memos.history(memo), many=True).data)


class MatrixSerializer(serializers.Serializer):
    class ColumnSummarySerializer(serializers.Serializer):
        count = serializers.IntegerField(help_text="rows with any coding in the column")
        rows = serializers.ListField(child=serializers.CharField())

    class RowDetailSerializer(serializers.Serializer):
        key = serializers.CharField()
        label = serializers.CharField()
        documents = serializers.ListField(child=serializers.IntegerField())
        characters = serializers.IntegerField()

    class ColumnNodeSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        path = serializers.CharField()

    value = serializers.CharField()
    rows_by = serializers.CharField()
    coders = serializers.ListField(child=serializers.CharField(), help_text="the layer's coders (as layer.coders)")
    layer = LayerSerializer()
    provinces_only = serializers.BooleanField(help_text="rows by province: 全国 and documents without one left out")
    rows = serializers.ListField(child=serializers.CharField())
    columns = serializers.ListField(child=serializers.CharField())
    cells = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField()), help_text="[row][column]"
    )
    column_summary = ColumnSummarySerializer(many=True)
    row_totals = serializers.ListField(child=serializers.FloatField())
    column_totals = serializers.ListField(child=serializers.FloatField())
    total = serializers.FloatField()
    row_details = RowDetailSerializer(many=True)
    column_nodes = ColumnNodeSerializer(many=True)


class MatrixApi(APIView):
    """Matrix coding query: rows are document groups, columns are nodes (each rolling up its descendants)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "rows",
                str,
                description="province, issuer_type, issuer, policy_type, year, document, or attr:<custom attribute>",
            ),
            OpenApiParameter("value", str, description="documents, references, characters, coverage or presence"),
            OpenApiParameter("level", int, description="1 for the categories, 2 for subcategories …"),
            OpenApiParameter("nodes", str, description="comma-separated node ids instead of a level"),
            OpenApiParameter("parent", int, description="the children of this node as the columns"),
            OpenApiParameter("coders", str, description=LAYER_PARAMETER),
            OpenApiParameter("all", bool, description="with rows=province, show provinces without documents too"),
            OpenApiParameter(
                "provinces_only", bool, description="rows=province without 全国 and documents without a province"
            ),
            OpenApiParameter("province", str),
            OpenApiParameter("issuer_type", str),
            OpenApiParameter("policy_type", str),
        ],
        responses=MatrixSerializer,
    )
    def get(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id)
        query = analysis_params.matrix_query(project, request.query_params)
        result = matrix.load_query(project, request.user, query)
        return Response(matrix.as_json(result))


# --- inter-coder agreement and the consensus layer ---------------------------------------------------

AGREEMENT_PARAMETERS = [
    OpenApiParameter("coders", str, description="usernames to compare, e.g. alice,bob; consensus (共识) is the layer"),
    OpenApiParameter("unit", str, description="character (default), article or document"),
    OpenApiParameter("nodes", str, description="comma-separated node ids (default: every node)"),
    OpenApiParameter("branch", int, description="a node and everything below it"),
    OpenApiParameter("rollup", bool, description="1: each node also counts its descendants' codings"),
    OpenApiParameter("documents", str, description="comma-separated document ids (default: every document)"),
    OpenApiParameter("scope", str, description="assigned: only documents assigned to every compared coder"),
    OpenApiParameter("assume_all_reviewed", bool, description="1: nobody is missing (NVivo's behaviour)"),
    OpenApiParameter("all", bool, description="1: every coder (alpha and the pairwise kappa matrix)"),
    OpenApiParameter("group_a", str, description="usernames of group A (a group coded what any member coded)"),
    OpenApiParameter("group_b", str, description="usernames of group B"),
    OpenApiParameter("province", str),
    OpenApiParameter("issuer_type", str),
    OpenApiParameter("policy_type", str),
]


class PairLayersSerializer(serializers.Serializer):
    a = LayerSerializer(help_text="pair[0]: a coder, 共识 (the consensus layer) or a group's union")
    b = LayerSerializer(help_text="pair[1]")


class AgreementSerializer(serializers.Serializer):
    """The report's outline; each summary is an object of counts and coefficients (null where undefined)."""

    coders = serializers.ListField(child=serializers.CharField())
    pair = serializers.ListField(child=serializers.CharField())
    unit = serializers.CharField()
    overall = serializers.DictField()
    categories = serializers.ListField(child=serializers.DictField())
    matrix = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(allow_null=True)),
        help_text="pooled kappa, coders × coders",
    )
    nodes = serializers.ListField(child=serializers.DictField())
    rule = serializers.CharField()
    rule_description = serializers.CharField()
    assume_all_reviewed = serializers.BooleanField()
    labels = serializers.DictField(child=serializers.CharField())
    nodes_compared = serializers.IntegerField(help_text="nodes that either side coded in the compared documents")
    layers = PairLayersSerializer(help_text="the coding layer of each side of the pair")
    coder_layers = LayerSerializer(many=True, help_text="the coding layer of each compared label, in `coders` order")
    groups = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class AgreementApi(APIView):
    """The coding comparison report: per node pooled, weighted and mean kappa, alpha and percent agreement."""

    @extend_schema(parameters=AGREEMENT_PARAMETERS, responses=AgreementSerializer)
    def get(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id)
        query = reliability.resolve(project, analysis_params.agreement_query(request.query_params))
        result = reliability.run(project, request.user, query)
        return Response(reliability.as_json(result))


class AgreementExportApi(APIView):
    """The comparison report as CSV (UTF-8 with BOM) or .xlsx: every count and coefficient, unit and rule per row."""

    @extend_schema(
        parameters=AGREEMENT_PARAMETERS,
        responses={(200, "text/csv"): OpenApiTypes.STR, (200, reports.XLSX): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, project_id: int, fmt: str):
        project = access.project_for(request.user, project_id)
        query = reliability.resolve(project, analysis_params.agreement_query(request.query_params))
        result = reliability.run(project, request.user, query)
        return reports.file_response(fmt, f"{project.name}-agreement", reliability.lines(result))


class ConsensusApi(APIView):
    """Write codings into the project's consensus layer (共识): owners and designated adjudicators."""

    @extend_schema(
        request=CODINGS_IN,
        responses={201: CODINGS_OUT, 200: CODINGS_OUT, 503: WRITE_CONFLICT},
        description=BULK_DESCRIPTION,
    )
    def post(self, request: Request, project_id: int) -> Response:
        membership = access.membership_for(request.user, project_id)
        project = membership.project
        many = isinstance(request.data, list)
        incoming = _incoming_codings(request.data)
        items = [_resolve(project, data) for data in (incoming.validated_data if many else [incoming.validated_data])]
        results = services.adjudicate(project=project, actor=request.user, role=membership.role, items=items)
        code = status.HTTP_201_CREATED if any(new for _coding, new in results) else status.HTTP_200_OK
        codings = [coding for coding, _new in results]
        answer = [coding_json(coding) for coding in codings]
        return Response(answer if many else answer[0], status=code)


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
