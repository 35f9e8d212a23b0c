"""The matrix as files: spreadsheet rows (wide and long), the heatmap and the attribute-count bars as SVG; the
formats themselves (CSV, .xlsx, PNG, the SVG font and text measure) are policies/writers.py."""

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from coding.analysis import matrix_table
from coding.analysis.matrix import Matrix
from policies import writers


def sheet(matrix: Matrix, *, corner: str = "") -> list[list]:
    """The matrix as spreadsheet rows: the header first, one line per row, totals, the summary (the layer and the
    query go beside it: the .xlsx 说明 sheet, the CSV's file name and header)."""
    lines: list[list] = [[corner, *(c.path for c in matrix.columns), _("Total")]]
    for row, values, total in zip(matrix.rows, matrix.cells, matrix.row_totals, strict=True):
        lines.append([row.label, *(_rounded(v, matrix.value) for v in values), _rounded(total, matrix.value)])
    lines.append(
        [_("Total"), *(_rounded(v, matrix.value) for v in matrix.column_totals), _rounded(matrix.total, matrix.value)]
    )
    summary = [matrix.summary_text(c) for c in range(len(matrix.columns))]
    lines.append([_("Rows with any coding"), *summary, ""])  # as wide as every other line
    return lines


def long_sheet(matrix: Matrix, *, corner: str = "row") -> list[list]:
    """The matrix as tidy rows for pandas or R: one (row, column, value) line per cell, node paths as columns."""
    lines: list[list] = [[corner, "column", "value"]]
    for row, values in zip(matrix.rows, matrix.cells, strict=True):
        cells = zip(matrix.columns, values, strict=True)
        lines += [[row.label, column.path, _rounded(v, matrix.value)] for column, v in cells]
    return lines


def _rounded(value: float, kind: str):
    return round(value, 2) if kind == "coverage" else int(value)


def heatmap_svg(view: matrix_table.Table, *, title: str) -> SafeString:
    """The table as a heatmap figure (SVG text, labels escaped here, CJK fonts named for the browser to render)."""
    size, cell_w, cell_h, pad = 13, 64.0, 28.0, 12.0
    left = max([writers.text_width(h.label, size) for h, _c, _t in view.lines] + [40]) + 2 * pad
    head_h = max([writers.text_width(h.label, size) for h in view.heads] + [40]) * 0.72 + 2 * pad  # labels at -45°
    group_h = 24.0 if view.groups else 0.0  # the category row over its subcategories
    width = left + cell_w * len(view.heads) + pad
    height = 28 + group_h + head_h + cell_h * len(view.lines) + pad
    parts = [
        f'<text x="{pad}" y="20" font-size="{size + 2}" font-weight="600">{escape(title)}</text>',
    ]
    first = 0
    for label, span in view.groups:
        x, w = left + cell_w * first, cell_w * span
        parts.append(
            f'<text x="{x + w / 2:.1f}" y="{28 + 14:.1f}" text-anchor="middle" font-size="{size}" '
            f'font-weight="600">{escape(label.rpartition("/")[2])}</text>'
            f'<line x1="{x + 4:.1f}" y1="{28 + 20:.1f}" x2="{x + w - 4:.1f}" y2="{28 + 20:.1f}" stroke="#1f2328"/>'
        )
        first += span
    y0 = 28 + group_h + head_h
    for i, head in enumerate(view.heads):
        x = left + cell_w * i + cell_w / 2
        parts.append(
            f'<text transform="translate({x:.1f},{y0 - 6:.1f}) rotate(-45)" font-size="{size}">'
            f"{escape(head.label)}</text>"
        )
    for j, (head, cells, _total) in enumerate(view.lines):
        y = y0 + cell_h * j
        parts.append(
            f'<text x="{left - pad:.1f}" y="{y + cell_h / 2:.1f}" text-anchor="end" dominant-baseline="central" '
            f'font-size="{size}">{escape(head.label)}</text>'
        )
        for i, cell in enumerate(cells):
            x = left + cell_w * i
            fill = matrix_table.heat_colour(cell.heat)
            ink = "#ffffff" if cell.heat > 0.6 else "#1f2328"
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell_w}" height="{cell_h}" fill="{fill}" stroke="#ffffff"/>'
                f'<text x="{x + cell_w / 2:.1f}" y="{y + cell_h / 2:.1f}" text-anchor="middle" '
                f'dominant-baseline="central" font-size="{size}" fill="{ink}">{escape(cell.text)}</text>'
            )
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{escape(writers.FONT_FAMILY)}" fill="#1f2328" '
        f'role="img" aria-label="{escape(title)}"><rect width="100%" height="100%" fill="#ffffff"/>'
        f"{''.join(parts)}</svg>"
    )


def bar_chart_svg(bars: Sequence[tuple[str, int]], *, title: str) -> SafeString:
    """Horizontal bars (label, count) as SVG text, for the attribute counts; every label is escaped here."""
    size, bar_h, gap, pad, span = 13, 20.0, 6.0, 12.0, 360.0
    left = max([writers.text_width(label, size) for label, _n in bars] + [40]) + 2 * pad
    top_n = max((n for _l, n in bars), default=0) or 1
    height = 36 + (bar_h + gap) * len(bars) + pad
    width = left + span + 60
    parts = [f'<text x="{pad}" y="20" font-size="{size + 2}" font-weight="600">{escape(title)}</text>']
    for i, (label, n) in enumerate(bars):
        y = 36 + (bar_h + gap) * i
        w = span * n / top_n
        parts.append(
            f'<text x="{left - pad:.1f}" y="{y + bar_h / 2:.1f}" text-anchor="end" dominant-baseline="central" '
            f'font-size="{size}">{escape(label)}</text>'
            f'<rect x="{left:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h}" fill="#4e79a7"/>'
            f'<text x="{left + w + 6:.1f}" y="{y + bar_h / 2:.1f}" dominant-baseline="central" '
            f'font-size="{size}">{n}</text>'
        )
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{escape(writers.FONT_FAMILY)}" fill="#1f2328" '
        f'role="img" aria-label="{escape(title)}"><rect width="100%" height="100%" fill="#ffffff"/>'
        f"{''.join(parts)}</svg>"
    )
