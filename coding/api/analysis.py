"""JSON API for the analysis results the coding app serves: the matrix, inter-coder agreement and its files."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coding.analysis import downloads, matrix, reliability
from coding.analysis import query_params as analysis_params
from policies import access
from policies.openapi import LAYER_PARAMETER, LayerSerializer


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
        responses={(200, "text/csv"): OpenApiTypes.STR, (200, downloads.XLSX): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, project_id: int, fmt: str):
        project = access.project_for(request.user, project_id)
        query = reliability.resolve(project, analysis_params.agreement_query(request.query_params))
        result = reliability.run(project, request.user, query)
        return downloads.file_response(fmt, f"{project.name}-agreement", reliability.lines(result))
