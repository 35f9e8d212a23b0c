"""The timeline: documents and codings per year of issue per category, as stacked bars or lines, from the matrix with
rows by year (so the layer rule and the filters are the matrix's). Pure, except the loader at the end."""

from dataclasses import dataclass, replace
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from coding.analysis import matrix
from policies import writers

CHARTS = ("bar", "line")
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")


@dataclass(frozen=True)
class Timeline:
    years: tuple[int, ...]  # every year from the first to the last dated document, gaps included
    documents: tuple[int, ...]  # documents issued that year (coded or not)
    series: tuple[tuple[str, str, tuple[float, ...]], ...]  # (category, colour, value per year)
    undated: int  # documents without an issue date, left out of the chart
    kind: str  # the matrix value kind of the series


def from_matrix(result: matrix.Matrix) -> Timeline:
    """Years and series from a matrix with rows by year (the (no date) row is counted apart)."""
    by_year = {int(row.label): i for i, row in enumerate(result.rows) if row.label.isdigit()}
    undated = sum(len(row.documents) for row in result.rows if not row.label.isdigit())
    years = tuple(range(min(by_year), max(by_year) + 1)) if by_year else ()
    documents = tuple(len(result.rows[by_year[y]].documents) if y in by_year else 0 for y in years)
    series = tuple(
        (
            column.name,
            column.color or PALETTE[c % len(PALETTE)],
            tuple(result.cells[by_year[y]][c] if y in by_year else 0 for y in years),
        )
        for c, column in enumerate(result.columns)
    )
    return Timeline(years=years, documents=documents, series=series, undated=undated, kind=result.value)


def svg(timeline: Timeline, *, title: str, value_label: str, chart: str = "bar") -> SafeString:
    """Stacked bars (chart="bar") or one line per category (chart="line") per year, with the documents issued each
    year as a dashed line and a legend; every label is escaped here."""
    size, pad, plot_h, left = 12, 16.0, 260.0, 56.0
    step = max(28.0, min(64.0, 640.0 / max(len(timeline.years), 1)))
    plot_w = step * max(len(timeline.years), 1)
    legend = [(name, colour) for name, colour, _v in timeline.series]
    legend_w = (
        max([writers.text_width(name, size) for name, _c in legend] + [writers.text_width(_("Documents issued"), size)])
        + 40
    )
    width = left + plot_w + pad + legend_w + pad
    height = 40 + plot_h + 56
    stacked = [sum(s[2][i] for s in timeline.series) for i in range(len(timeline.years))]
    tops = [*timeline.documents, *(stacked if chart == "bar" else [v for s in timeline.series for v in s[2]])]
    top = max(tops, default=0) or 1
    if timeline.kind != "coverage":
        top = -(-top // 4) * 4  # whole numbers on the four grid lines
    base = 40 + plot_h

    def y_of(v: float) -> float:
        return base - plot_h * v / top

    parts = [f'<text x="{pad}" y="22" font-size="{size + 3}" font-weight="600">{escape(title)}</text>']
    for k in range(5):  # a light grid and its numbers
        v = top * k / 4
        parts.append(
            f'<line x1="{left:.1f}" y1="{y_of(v):.1f}" x2="{left + plot_w:.1f}" y2="{y_of(v):.1f}" stroke="#e5e7eb"/>'
            f'<text x="{left - 6:.1f}" y="{y_of(v) + 4:.1f}" text-anchor="end" font-size="{size - 1}">'
            f"{escape(matrix.display(v, timeline.kind if timeline.kind == 'coverage' else 'documents'))}</text>"
        )
    for i, year in enumerate(timeline.years):
        x = left + step * i
        parts.append(
            f'<text x="{x + step / 2:.1f}" y="{base + 16:.1f}" text-anchor="middle" '
            f'font-size="{size - 1}">{year}</text>'
        )
        if chart == "bar":
            bottom = 0.0
            for name, colour, values in timeline.series:
                v = values[i]
                if v:
                    parts.append(
                        f'<rect x="{x + step * 0.15:.1f}" y="{y_of(bottom + v):.1f}" width="{step * 0.7:.1f}" '
                        f'height="{plot_h * v / top:.1f}" fill="{escape(colour)}"><title>{escape(name)} {year}: '
                        f"{escape(matrix.display(v, timeline.kind))}</title></rect>"
                    )
                bottom += v
    if chart == "line":
        for _name, colour, values in timeline.series:
            points = " ".join(f"{left + step * (i + 0.5):.1f},{y_of(v):.1f}" for i, v in enumerate(values))
            parts.append(f'<polyline points="{points}" fill="none" stroke="{escape(colour)}" stroke-width="2"/>')
    if timeline.years:
        points = " ".join(f"{left + step * (i + 0.5):.1f},{y_of(v):.1f}" for i, v in enumerate(timeline.documents))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="#1f2328" stroke-width="1.5" stroke-dasharray="5 3"/>'
        )
    parts.append(f'<line x1="{left:.1f}" y1="{base:.1f}" x2="{left + plot_w:.1f}" y2="{base:.1f}" stroke="#1f2328"/>')
    lx = left + plot_w + pad
    entries = [*legend, (_("Documents issued"), "")]
    for j, (name, colour) in enumerate(entries):
        y = 48 + 18 * j
        mark = (
            f'<rect x="{lx:.1f}" y="{y - 9:.1f}" width="12" height="12" fill="{escape(colour)}"/>'
            if colour
            else f'<line x1="{lx:.1f}" y1="{y - 3:.1f}" x2="{lx + 12:.1f}" y2="{y - 3:.1f}" stroke="#1f2328" '
            'stroke-dasharray="4 2"/>'
        )
        parts.append(f'{mark}<text x="{lx + 18:.1f}" y="{y + 1:.1f}" font-size="{size}">{escape(name)}</text>')
    note = value_label
    if timeline.undated:
        note += " · " + _("%(n)s document(s) without an issue date left out") % {"n": timeline.undated}
    parts.append(f'<text x="{left:.1f}" y="{base + 40:.1f}" font-size="{size - 1}">{escape(note)}</text>')
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{escape(writers.FONT_FAMILY)}" fill="#1f2328" '
        f'role="img" aria-label="{escape(title)}"><rect width="100%" height="100%" fill="#ffffff"/>'
        f"{''.join(parts)}</svg>"
    )


# --- loader ----------------------------------------------------------------------------------------


def load(project, user, query: matrix.MatrixQuery) -> tuple[matrix.Matrix, Timeline]:
    """The matrix with rows by year for the query (columns, value, coders, filters), and its timeline."""
    if query.value in ("characters", "coverage"):
        query = replace(query, value="documents")  # characters do not stack into a per-year story
    result = matrix.load_query(project, user, replace(query, rows_by="year"))
    return result, from_matrix(result)
