"""HTTP responses that hand codebook files back: exports (.csv, .json, .qdc) and the tree figure (.svg)."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _

from framework import exchange, figure, tree
from policies import hooks, queries, writers

FIGURE_COUNTS = {"documents": 0, "references": 1, "coders": 2}


def export_response(project, fmt: str) -> HttpResponse:
    """The project's codebook as a file to download."""
    if fmt not in exchange.FORMATS:
        raise ValidationError(_("Export as csv, json or qdc."))
    ordered = tree.walk(tree.rows_for(project))
    if fmt == "qdc" and not ordered:  # Codebook.xsd needs at least one <Code>: an empty file would be invalid
        raise ValidationError(_("The codebook is empty: there is nothing to export."))
    roots = tree.build_from(ordered)
    body = {
        "csv": lambda: exchange.write_csv(ordered),
        "json": lambda: exchange.write_json(roots, name=project.name),
        "qdc": lambda: exchange.write_qdc(roots),
    }[fmt]()
    content_type, extension = exchange.FORMATS[fmt]
    return writers.file_response(body, f"{project.name}-codebook.{extension}", content_type)


@dataclass(frozen=True)
class FigureRequest:
    """The codebook figure as asked, parsed at the edge (figure_request)."""

    counts: str = ""  # documents, references or coders: numbers after the names; else none
    coders: tuple[str, ...] = ()  # the layer counted; empty: the default layer
    depth: int = 0  # levels drawn; 0: all
    download: bool = False  # as an attachment


def figure_request(params: Mapping) -> FigureRequest:
    """?counts=documents|references|coders&coders=&depth=2&download=1 → FigureRequest (an unknown `counts` or a
    `depth` that is not a number is left out, as before)."""
    depth = queries.text(params, "depth")
    return FigureRequest(
        counts=queries.text(params, "counts"),
        coders=queries.names(params, "coders", "coder"),
        depth=int(depth) if queries.is_number(depth) else 0,
        download=bool(queries.text(params, "download")),
    )


def figure_response(project, asked: FigureRequest, user, fmt: str = "svg") -> HttpResponse:
    """The codebook tree as SVG (or fmt="png": a PNG at 300 dpi); with `counts`, the numbers of the codings `user`
    may see on the layer asked for; `depth` cuts levels."""
    which = asked.counts
    per_node, title, layer = None, project.name, None
    if which in FIGURE_COUNTS:
        layer, visible = hooks.call("node_counts", project, user, asked.coders)
        per_node = {node: values[FIGURE_COUNTS[which]] for node, values in visible.items()}
        title = f"{project.name} · {layer.label}"
    roots = tree.build(tree.rows_for(project))
    body = figure.svg(roots, title=title, counts=per_node, max_depth=asked.depth)
    if fmt == "png":
        response = HttpResponse(writers.png_bytes(body), content_type=writers.PNG_TYPE)
    else:
        response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8")
    if layer is not None:
        response[writers.LAYER_HEADER] = layer.header()
    if asked.download:
        name = f"{project.name}-codebook-{layer.file_tag()}.{fmt}" if layer else f"{project.name}-codebook.{fmt}"
        writers.attachment(response, name)
    return response
