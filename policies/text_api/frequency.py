"""JSON API: word frequency over a scope."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from policies import access, writers
from policies.openapi import SCOPE_PARAMETERS, LayerSerializer
from policies.text import frequency, search
from policies.text import query_params as text_params


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
            raise ValidationError(str(error)) from None
        words = FrequencyRowSerializer(result.rows, many=True).data
        response = Response({"layer": layer.as_json() if layer is not None else None, "words": words})
        if layer is not None:  # scoped by node or coder: said in the body and, as on the CSV, in the header
            response[writers.LAYER_HEADER] = layer.header()
        return response
