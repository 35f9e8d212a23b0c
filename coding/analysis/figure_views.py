"""The province map and the timeline as files: SVG, or PNG at print resolution (views: parse, call, render)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coding.analysis import downloads, matrix, province_map, query_params, timeline
from policies import access, error_pages, queries


def map_figure(project, user, query: matrix.MatrixQuery, column: str = "") -> tuple[object, str]:
    """The layer and the SVG of the province map for the query, coloured by `column` (see province_map.load)."""
    result, shown = province_map.load(project, user, query, column, downloads.value_label)
    title = downloads.layer_title(f"{project.name} · {_('Province map')}", result.layer)
    return result.layer, province_map.svg(shown, title=title)


def timeline_figure(project, user, query: matrix.MatrixQuery, chart: str = "bar") -> tuple[object, str]:
    """The layer and the SVG of the timeline for the query, as a bar or a line chart."""
    result, line = timeline.load(project, user, query)
    chart = chart if chart in timeline.CHARTS else "bar"
    title = downloads.layer_title(f"{project.name} · {_('Timeline')}", result.layer)
    return result.layer, timeline.svg(line, title=title, value_label=downloads.value_label(result.value), chart=chart)


@login_required
@require_GET
def province_map_export(request: HttpRequest, project_id: int, fmt: str) -> HttpResponse:
    """The province tile map coloured by `map=` (documents, or a node id among the matrix's columns)."""
    project = access.project_for(request.user, project_id)
    try:
        query = query_params.matrix_query(project, request.GET)
        layer, svg = map_figure(project, request.user, query, queries.text(request.GET, "map"))
    except ValidationError as invalid:
        return error_pages.bad_request(request, invalid, project=project)
    return downloads.file_response(fmt, f"{project.name}-province-map", [], svg, layer=layer)


@login_required
@require_GET
def timeline_export(request: HttpRequest, project_id: int, fmt: str) -> HttpResponse:
    """Documents and codings per year of issue per category."""
    project = access.project_for(request.user, project_id)
    try:
        query = query_params.matrix_query(project, request.GET)
        layer, svg = timeline_figure(project, request.user, query, request.GET.get("chart", "bar"))
    except ValidationError as invalid:
        return error_pages.bad_request(request, invalid, project=project)
    return downloads.file_response(fmt, f"{project.name}-timeline", [], svg, layer=layer)
