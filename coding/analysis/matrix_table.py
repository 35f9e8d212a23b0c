"""The matrix as a page shows it: transposed, sorted, heat-coloured cells (the co-occurrence page reuses it)."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from coding.analysis.matrix import Matrix, display
from policies import queries


@dataclass(frozen=True)
class TableOptions:
    """How a page or a figure lays the matrix out, parsed at the edge (coding/analysis/query_params.py); see table()."""

    transpose: bool = False
    sort: str = ""
    heat: bool = True


@dataclass(frozen=True, slots=True)
class Cell:
    value: float
    text: str
    heat: float  # 0..1 of the largest cell
    row_key: str  # which Matrix row and node the cell belongs to, whatever the orientation
    node_id: int
    style: str = ""


@dataclass(frozen=True, slots=True)
class Head:
    label: str
    title: str  # the path of a node, the key of a row
    sort: str  # the sort parameter that orders by this line
    index: int


@dataclass(frozen=True)
class Table:
    corner: str
    heads: list[Head]  # across the top
    lines: list[tuple[Head, list[Cell], str]]  # down the side: head, cells, total
    totals: list[str]
    total: str
    summary: list[str]  # under each top head (columns of the Matrix only), else empty
    transposed: bool
    sort: str
    groups: list[tuple[str, int]] = field(default_factory=list)  # over the top heads: (parent path, how many)


def header_groups(paths: Sequence[str]) -> list[tuple[str, int]]:
    """Runs of columns under the same parent, for a two-row header (category over its subcategories); empty when
    every column is a top-level node."""
    parents = [path.rpartition("/")[0] for path in paths]
    if not any(parents):
        return []
    groups: list[tuple[str, int]] = []
    for parent in parents:
        if groups and groups[-1][0] == parent:
            groups[-1] = (parent, groups[-1][1] + 1)
        else:
            groups.append((parent, 1))
    return groups


def table(matrix: Matrix, *, transpose: bool = False, sort: str = "", corner: str = "", heat: bool = True) -> Table:
    """The matrix laid out for a page: rows × nodes (or transposed), lines ordered by `sort`.

    sort: "c<i>" orders the rows by node column i, "r<i>" orders the node columns by row i, "c" / "r" by the totals;
    a leading "-" sorts ascending (the default is largest first); anything else keeps the natural order.
    """
    top = max(matrix.maximum, 0)
    kind = matrix.value
    cells = []
    for row, line in zip(matrix.rows, matrix.cells, strict=True):
        cells.append([])
        for column, v in zip(matrix.columns, line, strict=True):
            share = (v / top) if top else 0.0
            style = heat_style(share) if heat and v else ""
            cells[-1].append(Cell(v, display(v, kind), share, row.key, column.node_id, style))
    row_heads = [Head(row.label, row.key, f"r{i}", i) for i, row in enumerate(matrix.rows)]
    col_heads = [Head(col.name, col.path, f"c{i}", i) for i, col in enumerate(matrix.columns)]
    row_order = list(range(len(matrix.rows)))
    col_order = list(range(len(matrix.columns)))
    ascending, key = sort.startswith("-"), sort.lstrip("-")
    if key[:1] == "c" and (key[1:] == "" or queries.is_number(key[1:])):
        index = int(key[1:]) if key[1:] else None
        if index is None or index < len(matrix.columns):
            values = [matrix.row_totals[r] if index is None else matrix.cells[r][index] for r in row_order]
            row_order.sort(key=lambda r: values[r] if ascending else -values[r])
    elif key[:1] == "r" and (key[1:] == "" or queries.is_number(key[1:])):
        index = int(key[1:]) if key[1:] else None
        if index is None or index < len(matrix.rows):
            values = [matrix.column_totals[c] if index is None else matrix.cells[index][c] for c in col_order]
            col_order.sort(key=lambda c: values[c] if ascending else -values[c])
    if not transpose:
        return Table(
            groups=header_groups([col_heads[c].title for c in col_order]),
            corner=corner,
            heads=[col_heads[c] for c in col_order],
            lines=[
                (row_heads[r], [cells[r][c] for c in col_order], display(matrix.row_totals[r], kind)) for r in row_order
            ],
            totals=[display(matrix.column_totals[c], kind) for c in col_order],
            total=display(matrix.total, kind),
            summary=[matrix.summary_text(c) for c in col_order],
            transposed=False,
            sort=sort,
        )
    return Table(
        corner=corner,
        heads=[row_heads[r] for r in row_order],
        lines=[
            (col_heads[c], [cells[r][c] for r in row_order], display(matrix.column_totals[c], kind)) for c in col_order
        ],
        totals=[display(matrix.row_totals[r], kind) for r in row_order],
        total=display(matrix.total, kind),
        summary=[],
        transposed=True,
        sort=sort,
    )


def heat_colour(heat: float) -> str:
    """White to the accent blue (#1d4ed8) in proportion to the value."""
    r = round(255 + (29 - 255) * heat)
    g = round(255 + (78 - 255) * heat)
    b = round(255 + (216 - 255) * heat)
    return f"#{r:02x}{g:02x}{b:02x}"


def heat_style(heat: float) -> str:
    """Inline style for a heatmap cell on the page."""
    ink = "#ffffff" if heat > 0.6 else "inherit"
    return f"background:{heat_colour(heat)};color:{ink}"
