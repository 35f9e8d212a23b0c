"""JSON API: the project's word groups counted over a scope (owners add and remove them)."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from policies import access, writers
from policies.models import Role
from policies.openapi import SCOPE_PARAMETERS, LayerSerializer
from policies.services.segmentation import word_group_remove, word_group_save
from policies.text import query_params as text_params
from policies.text import search, word_groups


class WordCountSerializer(serializers.Serializer):
    word = serializers.CharField()
    count = serializers.IntegerField()
    documents = serializers.IntegerField(help_text="documents containing the word")


class WordGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="subjects, actions, focus or data")
    kind_label = serializers.CharField()
    name = serializers.CharField()
    words = WordCountSerializer(many=True)
    count = serializers.IntegerField(help_text="occurrences of all the group's words")
    documents = serializers.IntegerField(help_text="documents holding at least one of the group's words")


class WordGroupsApi(APIView):
    """The project's word groups (subjects, actions, focus, data activities) counted over a scope; owners add them."""

    class InputSerializer(serializers.Serializer):
        kind = serializers.CharField(help_text="subjects, actions, focus or data")
        name = serializers.CharField(allow_blank=True, trim_whitespace=False)
        words = serializers.CharField(allow_blank=True, help_text="separated by spaces, commas or line breaks")

    @extend_schema(
        parameters=SCOPE_PARAMETERS,
        responses=inline_serializer(
            "WordGroupsResult",
            {
                "layer": LayerSerializer(
                    allow_null=True, help_text="the coding layer a node or coder scope reads; null for whole documents"
                ),
                "pending": serializers.IntegerField(help_text="documents in scope not segmented yet (not counted)"),
                "groups": WordGroupSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id)
        try:
            scope = text_params.scope(request.query_params)
            groups, pending = word_groups.project_word_groups(project, request.user, scope=scope)
            layer = search.scope_layer(project, request.user, scope)
        except search.SearchError as error:
            raise ValidationError(str(error)) from None
        body = {
            "layer": layer.as_json() if layer is not None else None,
            "pending": pending,
            "groups": WordGroupSerializer(groups, many=True).data,
        }
        response = Response(body)
        if layer is not None:
            response[writers.LAYER_HEADER] = layer.header()
        return response

    @extend_schema(request=InputSerializer, responses={201: WordGroupSerializer})
    def post(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id, need=Role.OWNER)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        group = word_group_save(project=project, **incoming.validated_data)
        (counted,) = word_groups.group_counts([group], [])  # a new group: its counts come with GET
        return Response(WordGroupSerializer(counted).data, status=201)


class WordGroupApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, project_id: int, group_id: int) -> Response:
        project = access.project_for(request.user, project_id, need=Role.OWNER)
        get_object_or_404(project.word_groups, pk=group_id)
        word_group_remove(project=project, group_id=group_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
