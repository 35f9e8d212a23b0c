"""The coded-segment export as downloads: the CSV streamed, the workbook written row by row (policies.writers), each
naming its coding layer."""

import itertools

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from coding.export import ExportSelection, csv_lines, header, rows, selection
from policies import writers
from policies.models import Project


def csv_response(project: Project, chosen: ExportSelection, user) -> StreamingHttpResponse:
    """Stream the coded segments as CSV; UTF-8 with a BOM for Excel unless the selection says not."""
    codings, context = selection(project, chosen, user)
    lines = itertools.chain([writers.csv_line(header(context.custom_names))], csv_lines(codings, context))
    name = f"project-{project.pk}-codings-{context.layer.file_tag()}.csv"
    response = writers.csv_lines_response(lines, name, bom=chosen.bom)
    response[writers.LAYER_HEADER] = context.layer.header()
    return response


def xlsx_response(project: Project, chosen: ExportSelection, user) -> FileResponse:
    """The coded segments as an Excel workbook (written row by row to a temporary file)."""
    codings, context = selection(project, chosen, user)
    given = ([("node", str(chosen.node))] if chosen.node is not None else []) + list(chosen.filters)
    lines = itertools.chain([header(context.custom_names)], rows(codings, context))
    about = [
        [_("Layer"), context.layer.label],
        [_("Coders"), ", ".join(context.layer.names)],
        [_("Filters"), "; ".join(f"{k}={v}" for k, v in given)],
        [_("Date"), timezone.localdate().isoformat()],
        [_("Project"), project.name],
    ]
    name = f"project-{project.pk}-codings-{context.layer.file_tag()}.xlsx"
    response = writers.xlsx_response([("codings", lines), (writers.ABOUT_SHEET, about)], name)
    response[writers.LAYER_HEADER] = context.layer.header()
    return response
