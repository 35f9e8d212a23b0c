"""JSON API for text analytics: word frequency, text search, the project dictionary (auto-coding from a search is
coding.autocode_views)."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from policies import access, writers
from policies.models import Role
from policies.openapi import LayerSerializer
from policies.services.segmentation import (
    dictionary_import,
    dictionary_term_add,
    dictionary_term_remove,
    segmentation_restart,
    stopwords_set,
    word_group_remove,
    word_group_save,
)
from policies.services.workers import work_recover
from policies.text import frequency, search, segment, word_groups
from policies.text import query_params as text_params

SCOPE_PARAMETERS = [
    OpenApiParameter("province", str, description="only documents of this province (any common form: 浙江, Zhejiang)"),
    OpenApiParameter("issuer_type", str),
    OpenApiParameter("policy_type", str),
    OpenApiParameter("node", int, description="only the text coded at this node or its descendants"),
    OpenApiParameter(
        "coder", str, description="with node: the coding layer (usernames, consensus or 共识; default layer if absent)"
    ),
]
SEARCH_PARAMETERS = [
    OpenApiParameter("q", str, required=True, description="terms (any of them; space- or comma-separated) or a regex"),
    OpenApiParameter("mode", str, description="terms (default) or regex"),
    OpenApiParameter("whole", str, description="1: whole words of the segmentation only"),
]


def _refused(error: Exception) -> ValidationError:
    return ValidationError(str(error))


class FrequencyRowSerializer(serializers.Serializer):
    word = serializers.CharField()
    count = serializers.IntegerField()
    documents = serializers.IntegerField(help_text="documents containing the word")
    percent = serializers.FloatField(help_text="weighted percentage: share of all counted words")
    pos = serializers.CharField(source="tag", help_text="part of speech (jieba tag)")


class WordFrequencyApi(APIView):
    """The most frequent words over a scope, from the cached jieba segmentation with the project dictionary."""

    @extend_schema(
        parameters=[
            OpenApiParameter("top", int, description="how many words (default 100, at most 1000)"),
            OpenApiParameter("min_length", int, description="shortest word counted, in characters (default 2)"),
            OpenApiParameter(
                "pos",
                str,
                description="noun, verb, adjective, organization, place, person, idiom or "
                "jieba tags (nt, vn …); comma-separated",
            ),
            OpenApiParameter("stopwords", str, description="include to count stopwords too (default: excluded)"),
            OpenApiParameter("sort", str, description="count (default), word or documents; a leading - reverses"),
            *SCOPE_PARAMETERS,
        ],
        responses=inline_serializer(
            "WordFrequencyResult",
            {
                "layer": LayerSerializer(
                    allow_null=True, help_text="the coding layer a node or coder scope reads; null for whole documents"
                ),
                "words": FrequencyRowSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id)
        try:
            options = text_params.frequency_options(request.query_params)
            scope = text_params.scope(request.query_params)
            result = frequency.project_word_frequency(project, request.user, scope=scope, options=options)
            layer = search.scope_layer(project, request.user, scope)
        except (frequency.FrequencyError, search.SearchError) as error:
            raise _refused(error) from None
        words = FrequencyRowSerializer(result.rows, many=True).data
        response = Response({"layer": layer.as_json() if layer is not None else None, "words": words})
        if layer is not None:  # scoped by node or coder: said in the body and, as on the CSV, in the header
            response[writers.LAYER_HEADER] = layer.header()
        return response


class HitSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="document:start:end, to tick hits for auto-coding")
    document = serializers.IntegerField(source="document_id")
    title = serializers.CharField()
    province = serializers.CharField()
    article = serializers.CharField(help_text="the article (第X条) holding the hit, if any")
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    left = serializers.CharField()
    hit = serializers.CharField()
    right = serializers.CharField()


class TextSearchApi(APIView):
    """Keyword in context: every hit of the terms or the regular expression, with counts per document and province."""

    @extend_schema(
        parameters=[
            *SEARCH_PARAMETERS,
            OpenApiParameter("sort", str, description="document (default), left, right or hit"),
            OpenApiParameter("limit", int, description="hits listed (default 500); counts cover every hit found"),
            *SCOPE_PARAMETERS,
        ],
        responses=inline_serializer(
            "TextSearchResult",
            {
                "layer": LayerSerializer(
                    allow_null=True, help_text="the coding layer a node or coder scope reads; null for whole documents"
                ),
                "total": serializers.IntegerField(),
                "truncated": serializers.BooleanField(),
                "message": serializers.CharField(),
                "documents_searched": serializers.IntegerField(),
                "hits": HitSerializer(many=True),
                "per_document": serializers.ListField(child=serializers.DictField()),
                "per_province": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id)
        params = request.query_params
        limit = params.get("limit", "500")
        if not limit.isdigit():
            raise ValidationError("limit must be a whole number.")
        try:
            query = search.parse_query(params.get("q", ""), params.get("mode", "terms"), params.get("whole") == "1")
            scope = text_params.scope(params)
            result = search.text_search(
                project,
                request.user,
                query=query,
                scope=scope,
                sort=params.get("sort", ""),
                boundaries=segment.word_boundaries(project),
            )
            layer = search.scope_layer(project, request.user, scope)
        except search.SearchError as error:
            raise _refused(error) from None
        return Response(
            {
                "layer": layer.as_json() if layer is not None else None,
                "total": result.total,
                "truncated": result.truncated,
                "message": search.truncation_message(result),
                "documents_searched": result.searched,
                "hits": HitSerializer(result.lines[: int(limit)], many=True).data,
                "per_document": [
                    {"document": d, "title": t, "province": p, "hits": n, "first": list(f)}
                    for d, t, p, n, f in result.per_document
                ],
                "per_province": [{"province": p, "hits": n} for p, n in result.per_province],
            }
        )


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
            raise _refused(error) from None
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
