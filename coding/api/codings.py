"""JSON API for codings: list (with its ETag), create, change, remove, undo, the audit trail, and accepting codings
into the consensus layer."""

import hashlib

from django.db.models import Count, Max, Sum, TextField
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coding import layers, localtime, lookup, services
from coding.models import Coding, CodingEvent
from framework.models import Node
from policies import access, queries
from policies.models import Project, Role


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
    found, named = lookup.passage_and_node(project, data["document"], start, end, data["node"])
    if found is None:
        raise ValidationError({"detail": _("Document %(id)s is not in this project.") % {"id": data["document"]}})
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
                if not queries.is_number(value):
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
        return Response(services.codings_undo(project=project, actor=request.user))


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
