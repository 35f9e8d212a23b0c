"""The province tile map: one square per provincial-level division in its rough place, coloured by a matrix column
or by the number of documents, with a legend and a 全国 marker. No boundary data (so no map-publication rules).
Pure, except the loader at the end."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from html import escape

from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from coding.analysis import matrix
from policies import writers
from policies.provinces import NATIONAL, PROVINCES

# full name → (short label, column west→east, row north→south)
TILES: dict[str, tuple[str, int, int]] = {
    "黑龙江省": ("黑龙江", 7, 0),
    "内蒙古自治区": ("内蒙古", 4, 1),
    "北京市": ("北京", 5, 1),
    "辽宁省": ("辽宁", 6, 1),
    "吉林省": ("吉林", 7, 1),
    "新疆维吾尔自治区": ("新疆", 1, 2),
    "甘肃省": ("甘肃", 2, 2),
    "宁夏回族自治区": ("宁夏", 3, 2),
    "山西省": ("山西", 4, 2),
    "河北省": ("河北", 5, 2),
    "天津市": ("天津", 6, 2),
    "青海省": ("青海", 2, 3),
    "陕西省": ("陕西", 3, 3),
    "河南省": ("河南", 4, 3),
    "山东省": ("山东", 5, 3),
    "西藏自治区": ("西藏", 1, 4),
    "四川省": ("四川", 2, 4),
    "重庆市": ("重庆", 3, 4),
    "湖北省": ("湖北", 4, 4),
    "安徽省": ("安徽", 5, 4),
    "江苏省": ("江苏", 6, 4),
    "云南省": ("云南", 2, 5),
    "贵州省": ("贵州", 3, 5),
    "湖南省": ("湖南", 4, 5),
    "江西省": ("江西", 5, 5),
    "浙江省": ("浙江", 6, 5),
    "上海市": ("上海", 7, 5),
    "广西壮族自治区": ("广西", 3, 6),
    "广东省": ("广东", 4, 6),
    "福建省": ("福建", 5, 6),
    "台湾省": ("台湾", 6, 6),
    "海南省": ("海南", 3, 7),
    "澳门特别行政区": ("澳门", 4, 7),
    "香港特别行政区": ("香港", 5, 7),
}
DOCUMENTS = "documents"  # colour by the number of documents rather than by a column
TILE, GAP, MARGIN, TOP = 56.0, 4.0, 16.0, 40.0
EMPTY = "#eef0f3"  # a province with no document at all


@dataclass(frozen=True)
class ProvinceMap:
    """What the figure shows: a number per province (None: no document there), 全国's number, what they count."""

    values: Mapping[str, float | None]
    national: float | None
    label: str  # what the numbers are: a column's name and the value kind, or the documents
    kind: str  # the matrix value kind (for printing coverage with decimals), or "documents"


def heat_colour(share: float) -> str:
    """White to the accent blue (#1d4ed8) in proportion; a little colour even for the smallest non-zero value."""
    share = 0.0 if share <= 0 else 0.12 + 0.88 * min(share, 1.0)
    r, g, b = (round(255 + (end - 255) * share) for end in (29, 78, 216))
    return f"#{r:02x}{g:02x}{b:02x}"


def from_matrix(result: matrix.Matrix, column: str, label: str) -> ProvinceMap:
    """The map of one column of a by-province matrix (`column` a node id as text), or of the documents per row."""
    by_row = {row.label: i for i, row in enumerate(result.rows)}
    if column == DOCUMENTS:
        number = {name: len(result.rows[i].documents) for name, i in by_row.items()}
        kind = DOCUMENTS
    else:
        index = next((i for i, c in enumerate(result.columns) if str(c.node_id) == column), None)
        if index is None:
            raise ValidationError(
                _("Colour the map by “documents” or by one of the matrix's columns (a node id): not “%(column)s”.")
                % {"column": column[:40]}
            )
        number = {name: result.cells[i][index] for name, i in by_row.items()}
        kind = result.value
    with_documents = {name for name, i in by_row.items() if result.rows[i].documents}
    values = {name: (number.get(name, 0) if name in with_documents else None) for name in PROVINCES}
    national = number.get(NATIONAL) if NATIONAL in with_documents else None
    return ProvinceMap(values=values, national=national, label=label, kind=kind)


def _shown(value: float | None, kind: str) -> str:
    if value is None:
        return "–"
    return matrix.display(value, kind)


def svg(shown: ProvinceMap, *, title: str) -> SafeString:
    """The tile map as an SVG document; every label is escaped here."""
    numbers = [v for v in [*shown.values.values(), shown.national] if v is not None]
    top = max(numbers, default=0) or 1
    cols, rows = 8, 8
    width = max(MARGIN * 2 + cols * (TILE + GAP), MARGIN * 2 + writers.text_width(title, 15))
    height = TOP + rows * (TILE + GAP) + 70
    parts = [f'<text x="{MARGIN}" y="24" font-size="15" font-weight="600">{escape(title)}</text>']

    def tile(x: float, y: float, name: str, value: float | None, *, dashed: bool = False) -> str:
        fill = EMPTY if value is None else heat_colour(value / top)
        ink = "#ffffff" if value is not None and value / top > 0.6 else "#1f2328"
        stroke = ' stroke="#1f2328" stroke-dasharray="4 3"' if dashed else ' stroke="#d0d7de"'
        return (
            f'<g class="tile"><rect x="{x:.1f}" y="{y:.1f}" width="{TILE}" height="{TILE}" rx="4" '
            f'fill="{fill}"{stroke}/>'
            f'<text x="{x + TILE / 2:.1f}" y="{y + TILE / 2 - 8:.1f}" text-anchor="middle" font-size="12" '
            f'fill="{ink}">{escape(name)}</text>'
            f'<text x="{x + TILE / 2:.1f}" y="{y + TILE / 2 + 12:.1f}" text-anchor="middle" font-size="12" '
            f'font-weight="600" fill="{ink}">{escape(_shown(value, shown.kind))}</text></g>'
        )

    for full, (short, col, row) in TILES.items():
        parts.append(tile(MARGIN + col * (TILE + GAP), TOP + row * (TILE + GAP), short, shown.values.get(full)))
    # 全国: national documents have no place on the map; a marked tile in the free corner (south-west)
    parts.append(tile(MARGIN, TOP + 7 * (TILE + GAP), NATIONAL, shown.national, dashed=True))
    legend_y = TOP + rows * (TILE + GAP) + 14
    steps = 5
    for i in range(steps):
        x = MARGIN + i * 36
        parts.append(
            f'<rect x="{x:.1f}" y="{legend_y:.1f}" width="36" height="12" fill="{heat_colour((i + 1) / steps)}"/>'
        )
    high = matrix.display(top, shown.kind) if numbers else "0"
    parts.append(
        f'<text x="{MARGIN}" y="{legend_y + 28:.1f}" font-size="11">{escape(_shown(0, shown.kind))}</text>'
        f'<text x="{MARGIN + steps * 36:.1f}" y="{legend_y + 28:.1f}" font-size="11" text-anchor="end">'
        f"{escape(high)}</text>"
        f'<rect x="{MARGIN + steps * 36 + 16:.1f}" y="{legend_y:.1f}" width="12" height="12" fill="{EMPTY}"/>'
        f'<text x="{MARGIN + steps * 36 + 32:.1f}" y="{legend_y + 10:.1f}" font-size="11">'
        f"{escape(_('no documents'))}</text>"
        f'<text x="{MARGIN}" y="{legend_y + 46:.1f}" font-size="11">{escape(shown.label)}</text>'
    )
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{escape(writers.FONT_FAMILY)}" fill="#1f2328" '
        f'role="img" aria-label="{escape(title)}"><rect width="100%" height="100%" fill="#ffffff"/>'
        f"{''.join(parts)}</svg>"
    )


# --- loader ----------------------------------------------------------------------------------------


def load(project, user, query: matrix.MatrixQuery, column: str, value_label) -> tuple[matrix.Matrix, ProvinceMap]:
    """The matrix by province (全国 and every province kept) for the query, and its map by `column` (documents, or
    a node id among the columns). `value_label` names a value kind."""
    query = replace(query, rows_by="province", all_provinces=True, provinces_only=False)
    result = matrix.load_query(project, user, query)
    column = column or DOCUMENTS
    if column == DOCUMENTS:
        label = _("Documents (all, coded or not)")
    else:
        name = next((c.name for c in result.columns if str(c.node_id) == column), "")
        label = f"{name} · {value_label(result.value)}"
    return result, from_matrix(result, column, label)
