"""The matrix, attribute counts and framework summary as files (CSV, .xlsx, SVG, PNG) through policies.writers, and
the labels their pages and files share (row kinds, values, the layer in a title)."""

from dataclasses import replace

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from coding.analysis import matrix, matrix_table, matrix_writers
from framework import figure, tree
from policies import writers

XLSX = writers.XLSX_TYPE
FIGURE_FORMATS = ("svg", "png")


def row_kind_label(rows_by: str) -> str:
    labels = {
        "province": _("Province"),
        "issuer_type": _("Issuer type"),
        "issuer": _("Issuer"),
        "policy_type": _("Policy type"),
        "year": _("Year of issue"),
        "document": _("Document"),
    }
    return labels.get(rows_by) or rows_by.removeprefix(matrix.ATTR_PREFIX)


def value_label(value: str) -> str:
    return {
        "documents": _("Documents coded"),
        "references": _("References (codings)"),
        "characters": _("Characters coded"),
        "coverage": _("Coverage (%)"),
        "presence": _("Presence (1/0)"),
    }[value]


def row_choices(project) -> list[tuple[str, str]]:
    custom = project.custom_attributes.values_list("name", flat=True)
    kinds = [*matrix.ROW_KINDS, *(matrix.ATTR_PREFIX + name for name in custom)]
    return [(kind, row_kind_label(kind)) for kind in kinds]


def file_response(
    fmt: str, name: str, lines: list[list], svg: str = "", *, layer=None, about=(), merges=()
) -> HttpResponse:
    """CSV (with BOM) or .xlsx of the lines, or the figure as SVG or PNG (300 dpi), as a download; with a layer, its
    name is in the file name and the X-PolicyCoder-Layer header, and `about` becomes the workbook's 说明 sheet
    (`merges`: the header's merged ranges)."""
    headers = {writers.LAYER_HEADER: layer.header()} if layer is not None else {}
    if layer is not None:
        name = f"{name}-{layer.file_tag()}"
    if fmt in FIGURE_FORMATS:
        if fmt == "png":  # the same figure at print resolution
            response = writers.png_response(svg, f"{name}.png")
        else:
            response = writers.file_response(svg.encode(), f"{name}.svg", "image/svg+xml; charset=utf-8")
        for key, value in headers.items():
            response[key] = value
        return response
    return writers.table_response(fmt, name, lines, about=about, headers=headers, merges=merges)


def about_lines(project, layer, *, value: str = "", rows_by: str = "", filters=(), rule: str = "") -> list[list]:
    """The 说明 sheet: what the table counts (layer, value, rows, filters), when, and of which project."""
    lines: list[list] = [[_("Layer"), layer.label], [_("Coders"), ", ".join(layer.names)]]
    if value:
        lines.append([_("Value"), value_label(value)])
    if rows_by:
        lines.append([_("Rows"), f"{row_kind_label(rows_by)}: {rule}" if rule else row_kind_label(rows_by)])
    lines.append([_("Filters"), "; ".join(f"{k}={v}" for k, v in filters) or _("none")])
    lines += [[_("Date"), timezone.localdate().isoformat()], [_("Project"), project.name]]
    return lines


def layer_title(title: str, layer) -> str:
    """A figure's title with the layer it counts."""
    return f"{title} · {layer.label}"


def matrix_file(
    project, user, query: matrix.MatrixQuery, fmt: str, *, layout: matrix_table.TableOptions, long: bool = False
) -> HttpResponse:
    """The matrix as CSV or .xlsx (`long`: tidy row, column, value lines), or the heatmap as SVG or PNG laid out as
    `layout` says."""
    result = matrix.load_query(project, user, query)
    corner = row_kind_label(result.rows_by)
    name = f"{project.name}-matrix-{result.value}"
    if fmt in FIGURE_FORMATS:
        view = matrix_table.table(result, transpose=layout.transpose, sort=layout.sort)
        title = layer_title(f"{project.name} · {value_label(result.value)}", result.layer)
        return file_response(fmt, name, [], matrix_writers.heatmap_svg(view, title=title), layer=result.layer)
    rule = matrix.provinces_rule(replace(query, provinces_only=result.provinces_only))
    about = about_lines(
        project, result.layer, value=result.value, rows_by=result.rows_by, filters=query.filters, rule=rule
    )
    if long:  # tidy row,column,value lines
        return file_response(fmt, f"{name}-long", matrix_writers.long_sheet(result), layer=result.layer, about=about)
    lines = matrix_writers.sheet(result, corner=corner)
    groups = matrix_table.header_groups([c.path for c in result.columns])
    merges: list[str] = []
    if fmt == "xlsx" and groups:  # a category row over its subcategories (the CSV keeps one header of full paths)
        lines = [["", *(cell for label, span in groups for cell in [label, *[""] * (span - 1)]), ""], *lines]
        merges = group_merges(groups)
    return file_response(fmt, name, lines, layer=result.layer, about=about, merges=merges)


def group_merges(groups: list[tuple[str, int]], *, first_column: int = 2) -> list[str]:
    """The merged ranges of the category row (row 1) over the runs of its subcategories, from column B (A is the
    corner): one range per run of two or more columns."""
    from openpyxl.utils import get_column_letter  # openpyxl is heavy: loaded only when a workbook is written

    merges, column = [], first_column
    for _label, span in groups:
        if span > 1:
            merges.append(f"{get_column_letter(column)}1:{get_column_letter(column + span - 1)}1")
        column += span
    return merges


def attribute_lines(rows_by: str, bars: list[tuple[str, int]]) -> list[list]:
    total = sum(n for _label, n in bars)
    lines: list[list] = [[row_kind_label(rows_by), _("Documents"), "%"]]
    lines += [[label, n, round(100 * n / total, 1) if total else 0] for label, n in bars]
    lines.append([_("Total"), total, 100 if total else 0])
    return lines


def attribute_file(project, query: matrix.MatrixQuery, fmt: str) -> HttpResponse:
    query, bars = matrix.attribute_counts(project, query)
    name = f"{project.name}-{query.rows_by.replace(':', '-')}-counts"
    title = _("Documents by %(attribute)s") % {"attribute": row_kind_label(query.rows_by)}
    return file_response(
        fmt, name, attribute_lines(query.rows_by, bars), matrix_writers.bar_chart_svg(bars, title=title)
    )


def summary_lines(rows_by: str, found, rule: str = "") -> list[list]:
    """The summary's table; `rule` (which rows were counted: provinces only or all) goes in the names' header."""
    names = f"{row_kind_label(rows_by)} ({rule})" if rule else row_kind_label(rows_by)
    lines: list[list] = [[_("Level"), _("Node"), _("Path"), _("Count"), names]]
    lines += [[node.depth + 1, node.row.name, node.path, count, "、".join(names)] for node, count, names in found]
    return lines


def summary_figure(project, found, layer=None) -> str:
    """The codebook figure with "n — names" after every node (and the layer counted in its title)."""
    labels = {node.row.id: f"{count} — {'、'.join(names)}" if names else "0" for node, count, names in found}
    roots = tree.build_from([node for node, _count, _names in found])
    title = layer_title(project.name, layer) if layer is not None else project.name
    return figure.svg(roots, title=title, counts=labels)


def summary_file(project, user, query: matrix.MatrixQuery, fmt: str) -> HttpResponse:
    query, found = matrix.framework_summary(project, user, query)
    name = f"{project.name}-framework-summary"
    if fmt in FIGURE_FORMATS:
        svg = summary_figure(project, found, query.layer)
        return file_response(fmt, f"{project.name}-codebook-counts", [], svg, layer=query.layer)
    rule = matrix.provinces_rule(query)
    about = about_lines(
        project, query.layer, value="documents", rows_by=query.rows_by, filters=query.filters, rule=rule
    )
    return file_response(fmt, name, summary_lines(query.rows_by, found, rule), layer=query.layer, about=about)
