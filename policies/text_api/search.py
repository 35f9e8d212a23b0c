"""JSON API: text search, keyword in context."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from policies import access, queries
from policies.openapi import SCOPE_PARAMETERS, LayerSerializer
from policies.text import query_params as text_params
from policies.text import search, segment

SEARCH_PARAMETERS = [
    OpenApiParameter("q", str, required=True, description="terms (any of them; space- or comma-separated) or a regex"),
    OpenApiParameter("mode", str, description="terms (default) or regex"),
    OpenApiParameter("whole", str, description="1: whole words of the segmentation only"),
]


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
        if not queries.is_number(limit):
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
            raise ValidationError(str(error)) from None
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
