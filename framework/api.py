"""JSON API for the codebook: parse, call services, answer."""

from dataclasses import asdict

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from framework import access as node_access
from framework import downloads, exchange, services, tree
from framework.models import Node
from policies import access, hooks, queries
from policies.models import Project, Role
from policies.openapi import LAYER_PARAMETER, LayerSerializer


class NodeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    parent = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    path = serializers.CharField()
    description = serializers.CharField()
    color = serializers.CharField()
    order = serializers.IntegerField()
    guid = serializers.CharField()
    documents = serializers.IntegerField(help_text="distinct documents coded here or at any node below")
    references = serializers.IntegerField(help_text="codings here and at every node below")
    coders = serializers.IntegerField(
        help_text="distinct coders in the layer who coded here or below (共识 is never one)"
    )
    layer = LayerSerializer(help_text="the coding layer the counts are computed on")


class ImportReportSerializer(serializers.Serializer):
    class SkippedSerializer(serializers.Serializer):
        path = serializers.CharField()
        reason = serializers.CharField()

    class NoteSerializer(serializers.Serializer):
        path = serializers.CharField()
        note = serializers.CharField()

    detail = serializers.CharField()
    added = serializers.ListField(child=serializers.CharField(), help_text="paths of the nodes added")
    skipped = SkippedSerializer(many=True)
    notes = NoteSerializer(many=True)


def node_list(project: Project, user, coders: tuple[str, ...] = ()) -> list[dict]:
    """The tree as a flat list in display order, with paths and the counts of the codings `user` may see, on the
    layer the `coders` name (the default layer without names)."""
    layer, per_node = hooks.call("node_counts", project, user, coders)
    shown = layer.as_json()
    return [_node_dict(n, per_node.get(n.row.id, (0, 0, 0)), shown) for n in tree.walk(tree.rows_for(project))]


def _node_dict(node: tree.TreeNode, numbers: tuple[int, int, int], layer: dict) -> dict:
    row = node.row
    return {
        "id": row.id,
        "parent": row.parent_id,
        "name": row.name,
        "path": node.path,
        "description": row.description,
        "color": row.color,
        "order": row.order,
        "guid": row.guid,
        "documents": numbers[0],
        "references": numbers[1],
        "coders": numbers[2],
        "layer": layer,  # the coding layer the three counts are computed on
    }


def node_payload(node: Node, user) -> dict:
    """One node as the list shows it to `user`."""
    entry = next(n for n in tree.walk(tree.rows_for(node.project)) if n.row.id == node.pk)
    layer, numbers = hooks.call("node_counts_for", [node.pk], node.project, user)
    return _node_dict(entry, numbers.get(node.pk, (0, 0, 0)), layer.as_json())


def _parent(project_id: int, parent_id: int | None) -> Node | None:
    if parent_id is None:
        return None
    try:
        return Node.objects.get(pk=parent_id, project_id=project_id)
    except Node.DoesNotExist:
        raise serializers.ValidationError({"parent": [_("There is no such node in this project.")]}) from None


class NodeListApi(APIView):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200, allow_blank=True)
        parent = serializers.IntegerField(required=False, allow_null=True, default=None)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        color = serializers.CharField(required=False, allow_blank=True, default="")
        position = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)

    @extend_schema(
        parameters=[OpenApiParameter("coders", str, description=LAYER_PARAMETER)],
        responses=NodeOutputSerializer(many=True),
    )
    def get(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id)
        return Response(node_list(project, request.user, queries.names(request.query_params, "coders", "coder")))

    @extend_schema(request=InputSerializer, responses={201: NodeOutputSerializer})
    def post(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id, need=Role.OWNER)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        node = services.node_create(
            project=project,
            parent=_parent(project.pk, data["parent"]),
            name=data["name"],
            description=data["description"],
            color=data["color"] or None,
            position=data["position"],
        )
        return Response(node_payload(node, request.user), status=status.HTTP_201_CREATED)


class NodeDetailApi(APIView):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200, required=False, allow_blank=True)
        description = serializers.CharField(required=False, allow_blank=True)
        color = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(responses=NodeOutputSerializer)
    def get(self, request: Request, node_id: int) -> Response:
        return Response(node_payload(node_access.node_for(request.user, node_id), request.user))

    @extend_schema(request=InputSerializer, responses=NodeOutputSerializer)
    def patch(self, request: Request, node_id: int) -> Response:
        node = node_access.node_for(request.user, node_id, need=Role.OWNER)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        node = services.node_update(node=node, **incoming.validated_data)
        return Response(node_payload(node, request.user))

    @extend_schema(
        responses={
            204: None,
            409: inline_serializer(
                "NodeDeleteConfirm",
                {
                    "detail": serializers.CharField(),
                    "references": serializers.IntegerField(),
                    "documents": serializers.IntegerField(),
                    "coders": serializers.IntegerField(),
                },
            ),
        },
        description="A node with codings answers 409 with what would be removed; repeat with ?confirm=true.",
    )
    def delete(self, request: Request, node_id: int) -> Response:
        node = node_access.node_for(request.user, node_id, need=Role.OWNER)
        confirm = request.query_params.get("confirm", "").lower() in ("1", "true", "yes")
        try:
            services.node_delete(node=node, actor=request.user, confirm=confirm)
        except services.ConfirmationNeeded as needed:
            return Response({"detail": needed.messages[0], **asdict(needed.totals)}, status=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NodeMoveApi(APIView):
    class InputSerializer(serializers.Serializer):
        parent = serializers.IntegerField(allow_null=True)
        position = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)

    @extend_schema(request=InputSerializer, responses=NodeOutputSerializer)
    def post(self, request: Request, node_id: int) -> Response:
        node = node_access.node_for(request.user, node_id, need=Role.OWNER)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        parent = _parent(node.project_id, incoming.validated_data["parent"])
        node = services.node_move(node=node, parent=parent, position=incoming.validated_data["position"])
        return Response(node_payload(node, request.user))


class NodeMergeApi(APIView):
    class InputSerializer(serializers.Serializer):
        target = serializers.IntegerField()

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer(
            "NodeMergeResult",
            {
                "target": NodeOutputSerializer(),
                "codings_moved": serializers.IntegerField(),
                "duplicates_dropped": serializers.IntegerField(),
                "children_moved": serializers.IntegerField(),
                "nodes_merged": serializers.IntegerField(),
            },
        ),
    )
    def post(self, request: Request, node_id: int) -> Response:
        node = node_access.node_for(request.user, node_id, need=Role.OWNER)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            target = Node.objects.get(pk=incoming.validated_data["target"], project_id=node.project_id)
        except Node.DoesNotExist:
            raise serializers.ValidationError({"target": [_("There is no such node in this project.")]}) from None
        report = services.node_merge(source=node, target=target, actor=request.user)
        return Response({"target": node_payload(target, request.user), **report})


class TemplateApplyApi(APIView):
    class InputSerializer(serializers.Serializer):
        template = serializers.CharField()

    @extend_schema(
        request=InputSerializer,
        responses={201: ImportReportSerializer, 200: ImportReportSerializer},
        description="201 when nodes were added; 200 when every node was there already.",
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id, need=Role.OWNER)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        report = services.apply_template(project=project, template=incoming.validated_data["template"])
        return Response(report, status=status.HTTP_201_CREATED if report["added"] else status.HTTP_200_OK)


class CodebookImportApi(APIView):
    """Merge a .csv, .json or .qdc codebook into the project by path; answers what was added and skipped."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": inline_serializer("CodebookUpload", {"file": serializers.FileField()})},
        responses={201: ImportReportSerializer, 200: ImportReportSerializer},
        description="201 when nodes were added; 200 when every node was there already.",
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id, need=Role.OWNER)
        files = request.FILES.getlist("file")
        if len(files) != 1:
            return Response(
                {"detail": _("Send one codebook file (form field “file”): .csv, .json or .qdc.")}, status=400
            )
        report = services.codebook_import_file(project=project, filename=files[0].name, data=files[0].read())
        return Response(report.as_dict(), status=status.HTTP_201_CREATED if report.added else status.HTTP_200_OK)


class CodebookExportApi(APIView):
    @extend_schema(
        responses={
            (200, exchange.FORMATS["csv"][0].split(";")[0]): OpenApiTypes.STR,
            (200, exchange.FORMATS["json"][0]): OpenApiTypes.OBJECT,
            (200, exchange.FORMATS["qdc"][0]): OpenApiTypes.STR,
        }
    )
    def get(self, request: Request, project_id: int, fmt: str) -> HttpResponse:
        return downloads.export_response(access.project_for(request.user, project_id), fmt)


class CodebookFigureApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("counts", str, description="documents, references or coders after every node's name"),
            OpenApiParameter("coders", str, description=LAYER_PARAMETER),
            OpenApiParameter("depth", int),
            OpenApiParameter("download", bool),
        ],
        responses={(200, "image/svg+xml"): OpenApiTypes.STR},
    )
    def get(self, request: Request, project_id: int) -> HttpResponse:
        project = access.project_for(request.user, project_id)
        return downloads.figure_response(project, downloads.figure_request(request.query_params), request.user)
