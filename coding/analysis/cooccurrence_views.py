"""Code co-occurrence: the page (htmx), the passages behind a cell, the CSV/xlsx/SVG files and the JSON API."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coding import team
from coding.analysis import cooccurrence, downloads, forms, query_params
from framework import tree
from policies import access, error_pages, queries
from policies.models import Document
from policies.openapi import LAYER_PARAMETER, LayerSerializer

PARAMS = ("unit", "value", "level", "nodes", "coders", "min")
LISTS = ("coder", "node")
CELL_PARAMS = ("unit", "value", "level", "coders")
EXCERPT = 160  # characters of a passage shown in the drill-down


def unit_label(unit: str) -> str:
    return {
        "passage": _("Overlapping passages"),
        "article": _("Same article (第X条)"),
        "document": _("Same document"),
    }[unit]


def value_label(value: str) -> str:
    return {"count": _("Count"), "c": _("c-coefficient n12 / (n1 + n2 − n12)")}[value]


def _title(project, result) -> str:
    return downloads.layer_title(
        f"{project.name} · {_('Code co-occurrence')} · {unit_label(result.unit)}", result.layer
    )


def _context(request: HttpRequest, project) -> dict:
    params = request.GET
    node_choices = [(n.row.id, n.path, n.depth + 1) for n in tree.walk(tree.rows_for(project))]
    context = {
        "form": forms.CooccurrenceForm(
            params,
            units=[(u, unit_label(u)) for u in cooccurrence.UNITS],
            values=[(v, value_label(v)) for v in cooccurrence.VALUES],
            nodes=node_choices,
        ),
        "node_choices": node_choices,
        "coder_choices": team.coder_choices(project),
        "query": params,
        "chosen_coders": params.getlist("coder"),
        "chosen_nodes": [int(n) for n in params.getlist("node") if queries.is_number(n)],
        "links": query_params.query_string(params, keep=PARAMS, lists=LISTS),
        # a cell's link carries only what the drill-down counts by (40 × 40 cells would repeat a list of nodes each)
        "cell_links": query_params.query_string(params, keep=CELL_PARAMS, lists=("coder",)),
        "cell_url": reverse("cooccurrence:cell", args=[project.pk]),
        "heat": params.get("heat", "1") != "0",
    }
    try:
        query, result = cooccurrence.load(project, request.user, query_params.cooccurrence_query(params))
    except ValidationError as invalid:
        return {**context, "error": " ".join(invalid.messages)}
    return {
        **context,
        "result": result,
        "minimum": query.minimum,
        "lines": cooccurrence.table(result, heat=context["heat"]),
        "unit_label": unit_label(result.unit),
        "value_label": value_label(result.value),
        "network": cooccurrence.network_svg(result, title=_title(project, result), minimum=query.minimum),
    }


@login_required
@require_GET
def cooccurrence_page(request: HttpRequest, project_id: int) -> HttpResponse:
    """Code co-occurrence: node × node, the units coded at both, a heatmap, a network figure, drill-down, exports."""
    membership = access.membership_for(request.user, project_id)
    context = {"project": membership.project, "membership": membership, **_context(request, membership.project)}
    partial = request.htmx and request.htmx.target == "cooccurrence-table"
    template = "coding/cooccurrence.html#cooccurrence-table" if partial else "coding/cooccurrence.html"
    return render(request, template, context)


def _excerpt(text: str, start: int, end: int) -> str:
    piece = text[start:end]
    return piece if len(piece) <= EXCERPT else piece[: EXCERPT - 1] + "…"


@login_required
@require_GET
def cooccurrence_cell(request: HttpRequest, project_id: int) -> HttpResponse:
    """The passages (or articles, or documents) behind one cell, each with its text and a link to the coding page."""
    membership = access.membership_for(request.user, project_id)
    project = membership.project
    first, second = request.GET.get("a", ""), request.GET.get("b", "")
    if not (first.isascii() and first.isdigit() and second.isascii() and second.isdigit()):
        return error_pages.bad_request(request, _("“a” and “b” must be node ids."), project=project)
    try:
        query = query_params.cooccurrence_query(request.GET)
        query, pair, found = cooccurrence.cell_passages(project, request.user, query, int(first), int(second))
    except ValidationError as invalid:
        return error_pages.bad_request(request, invalid, project=project)
    documents = Document.objects.filter(project=project, id__in={p.document_id for p in found})
    texts = {pk: (title, text) for pk, title, text in documents.values_list("id", "title", "text")}
    rows = []
    for passage in found:
        title, text = texts[passage.document_id]
        rows.append(
            {
                "passage": passage,
                "title": title,
                "excerpt": _excerpt(text, passage.start, passage.end),
                "first": [_excerpt(text, s, e) for s, e in passage.first],
                "second": [_excerpt(text, s, e) for s, e in passage.second],
            }
        )
    a, b = pair.nodes[0], pair.nodes[-1]
    context = {
        "project": project,
        "membership": membership,
        "result": pair,
        "a": a,
        "b": b,
        "rows": rows,
        "unit_label": unit_label(query.unit),
        "back": f"{reverse('cooccurrence:page', args=[project.pk])}?"
        + query_params.query_string(request.GET, keep=PARAMS, lists=LISTS),
    }
    return render(request, "coding/cooccurrence_cell.html", context)


def export_file(project, user, query: cooccurrence.CooccurrenceQuery, fmt: str, *, long: bool = False) -> HttpResponse:
    """The table as CSV or .xlsx (`long`: tidy row, column, value lines), the heatmap or the network as SVG."""
    query, result = cooccurrence.load(project, user, query)
    name = f"{project.name}-cooccurrence-{result.unit}-{result.value}"
    title = _title(project, result)
    if fmt == "svg":
        return downloads.file_response(fmt, name, [], cooccurrence.heatmap_svg(result, title=title), layer=result.layer)
    if fmt == "network":
        svg = cooccurrence.network_svg(result, title=title, minimum=query.minimum)
        return downloads.file_response("svg", f"{name}-network", [], svg, layer=result.layer)
    about = downloads.about_lines(project, result.layer)
    about[2:2] = [
        [_("Unit"), unit_label(result.unit)],
        [_("Value"), value_label(result.value)],
        [_("Diagonal"), _("each node's own count of units")],
    ]
    if long:  # tidy row,column,value lines
        return downloads.file_response(
            fmt, f"{name}-long", cooccurrence.long_sheet(result), layer=result.layer, about=about
        )
    return downloads.file_response(fmt, name, cooccurrence.sheet(result), layer=result.layer, about=about)


@login_required
@require_GET
def cooccurrence_export(request: HttpRequest, project_id: int, fmt: str) -> HttpResponse:
    """The table as CSV (UTF-8 with BOM; ?format=long for tidy rows) or .xlsx, the heatmap or the network as SVG."""
    project = access.project_for(request.user, project_id)
    try:
        query = query_params.cooccurrence_query(request.GET)
        return export_file(project, request.user, query, fmt, long=request.GET.get("format") == "long")
    except ValidationError as invalid:
        return error_pages.bad_request(request, invalid, project=project)


# --- the JSON API ----------------------------------------------------------------------------------


class NodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    path = serializers.CharField(help_text="the node's path in the codebook, parent/child")


class CooccurrenceSerializer(serializers.Serializer):
    layer = LayerSerializer()
    unit = serializers.ChoiceField(list(cooccurrence.UNITS))
    value = serializers.ChoiceField(list(cooccurrence.VALUES))
    nodes = NodeSerializer(many=True, help_text="the rows and, in the same order, the columns")
    cells = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField()),
        help_text="cells[i][j]: units coded at nodes i and j (or their c-coefficient); the diagonal: node i's own "
        "units, in both values",
    )


class CooccurrenceApi(APIView):
    """Code co-occurrence: for every pair of nodes, the units (overlapping passages, articles or documents) coded at
    both, each node counting its descendants' codings."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "unit", str, enum=list(cooccurrence.UNITS), description="passage (default), article, or document"
            ),
            OpenApiParameter("value", str, enum=list(cooccurrence.VALUES), description="count (default) or c"),
            OpenApiParameter("level", int, description="the codebook level of the nodes: 1 (default) for categories"),
            OpenApiParameter("nodes", str, description="comma-separated node ids instead of a level"),
            OpenApiParameter("coders", str, description=LAYER_PARAMETER),
        ],
        responses=CooccurrenceSerializer,
    )
    def get(self, request: Request, project_id: int) -> Response:
        project = access.project_for(request.user, project_id)
        query = query_params.cooccurrence_query(request.query_params)
        _query, result = cooccurrence.load(project, request.user, query)
        return Response(cooccurrence.as_json(result))
