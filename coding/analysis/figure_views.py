"""The province map and the timeline as files: SVG, or PNG at print resolution (views: parse, call, render)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coding.analysis import province_map, reports, timeline
from policies import access, error_pages


def map_figure(project, user, params) -> tuple[object, str]:
    """The layer and the SVG of the province map for a request's parameters."""
    result, shown = province_map.load(project, user, params, reports.value_label)
    title = reports.layer_title(f"{project.name} · {_('Province map')}", result.layer)
    return result.layer, province_map.svg(shown, title=title)


def timeline_figure(project, user, params) -> tuple[object, str]:
    """The layer and the SVG of the timeline for a request's parameters (chart=bar or line)."""
    result, line = timeline.load(project, user, params)
    chart = params.get("chart") if params.get("chart") in timeline.CHARTS else "bar"
    title = reports.layer_title(f"{project.name} · {_('Timeline')}", result.layer)
    return result.layer, timeline.svg(line, title=title, value_label=reports.value_label(result.value), chart=chart)


@login_required
@require_GET
def province_map_export(request: HttpRequest, project_id: int, fmt: str) -> HttpResponse:
    """The province tile map coloured by `map=` (documents, or a node id among the matrix's columns)."""
    project = access.project_for(request.user, project_id)
    try:
        layer, svg = map_figure(project, request.user, request.GET)
    except ValidationError as invalid:
        return error_pages.bad_request(request, invalid, project=project)
    return reports.file_response(fmt, f"{project.name}-province-map", [], svg, layer=layer)


@login_required
@require_GET
def timeline_export(request: HttpRequest, project_id: int, fmt: str) -> HttpResponse:
    """Documents and codings per year of issue per category."""
    project = access.project_for(request.user, project_id)
    try:
        layer, svg = timeline_figure(project, request.user, request.GET)
    except ValidationError as invalid:
        return error_pages.bad_request(request, invalid, project=project)
    return reports.file_response(fmt, f"{project.name}-timeline", [], svg, layer=layer)
