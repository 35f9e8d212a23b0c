"""JSON API: the project dictionary, its stopwords and the segmentation they drive (owners edit)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from policies import access
from policies.models import Role
from policies.services.segmentation import (
    dictionary_import,
    dictionary_term_add,
    dictionary_term_remove,
    segmentation_restart,
    stopwords_set,
)
from policies.services.workers import work_recover
from policies.text import segment


class DictionaryApi(APIView):
    """The project dictionary: the researchers' words on top of the built-in policy lexicon (owners edit)."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        word = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
        frequency = serializers.IntegerField(required=False, allow_null=True)
        tag = serializers.CharField(required=False, allow_blank=True)
        file = serializers.FileField(required=False, help_text="a UTF-8 user dictionary: word [frequency] [tag]")

    class TermSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        word = serializers.CharField()
        frequency = serializers.IntegerField()
        tag = serializers.CharField()
        suggested = serializers.BooleanField()

    @extend_schema(responses=TermSerializer(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id)
        return Response(self.TermSerializer(project.dictionary_terms.all(), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: TermSerializer(many=True)})
    def post(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id, need=Role.OWNER)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if data.get("file"):
            dictionary_import(project=project, data=data["file"].read())
        else:
            dictionary_term_add(
                project=project, word=data.get("word", ""), frequency=data.get("frequency"), tag=data.get("tag", "")
            )
        return Response(self.TermSerializer(project.dictionary_terms.all(), many=True).data, status=201)


class DictionaryTermApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, project_id: int, term_id: int) -> Response:
        project = access.project_for(request.user, project_id, need=Role.OWNER)
        get_object_or_404(project.dictionary_terms, pk=term_id)
        dictionary_term_remove(project=project, term_id=term_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StopwordsApi(APIView):
    """The project's own stopwords (the built-in list always applies unless stopwords are included)."""

    class InputSerializer(serializers.Serializer):
        words = serializers.CharField(allow_blank=True, help_text="separated by spaces, commas or line breaks")

    @extend_schema(responses=inline_serializer("Stopwords", {"words": serializers.ListField()}))
    def get(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id)
        return Response({"words": list(project.stopwords.values_list("word", flat=True))})

    @extend_schema(
        request=InputSerializer, responses=inline_serializer("StopwordsSet", {"words": serializers.ListField()})
    )
    def put(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id, need=Role.OWNER)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        stopwords_set(project=project, text=incoming.validated_data["words"])
        return Response({"words": list(project.stopwords.values_list("word", flat=True))})


class SegmentationStateSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="the project dictionary's version the segmentation follows")
    status = serializers.CharField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    segmented = serializers.IntegerField(help_text="documents segmented with this version")
    documents = serializers.IntegerField()
    error = serializers.CharField()
    worker_alive = serializers.BooleanField(help_text="false when no background worker is running")


class SegmentationApi(APIView):
    """Segmentation progress; POST re-segments every document (owners)."""

    @extend_schema(responses=SegmentationStateSerializer)
    def get(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id)
        work_recover(project=project)  # a segmentation its dead worker left running is queued again
        return Response(segment.segmentation_state(project))

    @extend_schema(request=None, responses={202: SegmentationStateSerializer})
    def post(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id, need=Role.OWNER)
        segmentation_restart(project=project)
        return Response(segment.segmentation_state(project), status=status.HTTP_202_ACCEPTED)
