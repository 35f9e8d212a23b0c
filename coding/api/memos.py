"""JSON API for memos: document, node and journal memos, their search and revision history."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coding import memos, services
from coding.models import Memo, MemoKind, MemoRevision
from policies import access
from policies.models import Role


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
