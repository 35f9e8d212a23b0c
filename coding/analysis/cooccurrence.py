"""Code co-occurrence (MAXQDA's Code Relations Browser, ATLAS.ti's co-occurrence table): node × node counts of the
units coded at both nodes, on one coding layer. Pure core over plain values, loaders at the bottom.

Units (the user chooses one):

- ``passage``: the codings at A and at B in a document (rolled up, any coder of the layer) are joined where two
  share at least one character; a cell counts the joined stretches of text that hold a coding at A and a coding at
  B. Several overlapping codings of one node (two coders, or a coding inside a longer one) are one passage, and one
  long coding of A across two separate codings of B is one co-occurrence (they are joined through it). Codings that
  only touch (one ends where the next begins) are not joined. This is MAXQDA's count of overlapping segments, made
  symmetric and never more than either node's own count, so the c-coefficient stays between 0 and 1. The diagonal
  is a node's own passages: its codings joined where they overlap.
- ``article``: the 第X条 units the agreement statistics use (a document's articles, else its numbered items, else
  the whole text); text outside every unit (a preamble) is one more unit of its document. A cell counts the units
  that a coding at A and a coding at B both overlap.
- ``document``: the documents with a coding at A and a coding at B.

Values: ``count``, or ``c`` — the c-coefficient n12 / (n1 + n2 − n12), n1 and n2 the nodes' own unit counts, between
0 (never together) and 1 (always together). The diagonal holds each node's own unit count in both cases.
"""

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from html import escape
from itertools import chain
from math import cos, pi, sin, sqrt

import numpy as np
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from coding import layers
from coding.analysis import agreement, matrix, matrix_table, matrix_writers
from framework import tree
from policies import writers
from policies.models import Section

UNITS = ("passage", "article", "document")
VALUES = ("count", "c")
MAX_NODES = 200  # a larger table is unreadable and costs quadratic work


# --- values --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cooccurrence:
    """One co-occurrence table: the same value feeds the page, the API, the CSV/xlsx and the figures."""

    unit: str
    value: str
    nodes: tuple[matrix.Column, ...]
    counts: tuple[tuple[int, ...], ...]  # counts[i][j]: units coded at both; counts[i][i]: node i's own units
    layer: object = None  # the coding.layers.Layer counted

    @property
    def cells(self) -> tuple[tuple[float, ...], ...]:
        """The cells as asked: counts, or c-coefficients off the diagonal (the diagonal stays the own count)."""
        if self.value == "count":
            return self.counts
        n = self.counts
        return tuple(
            tuple(n[i][j] if i == j else c_coefficient(n[i][j], n[i][i], n[j][j]) for j in range(len(n)))
            for i in range(len(n))
        )

    @property
    def maximum(self) -> float:
        """The largest cell off the diagonal (the diagonal would drown the heat scale)."""
        cells = self.cells
        return max((cells[i][j] for i in range(len(cells)) for j in range(len(cells)) if i != j), default=0)


def c_coefficient(n12: int, n1: int, n2: int) -> float:
    """n12 / (n1 + n2 − n12), rounded to four places; 0 when neither node is coded."""
    whole = n1 + n2 - n12
    return round(n12 / whole, 4) if whole > 0 else 0.0


def display(value: float, kind: str, diagonal: bool = False) -> str:
    return str(int(value)) if kind == "count" or diagonal else f"{value:.2f}"


# --- the counting core ---------------------------------------------------------------------------

_NO_ROWS = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Spans:
    """Codings as four parallel arrays: document id, node id, start, end."""

    doc: np.ndarray
    node: np.ndarray
    start: np.ndarray
    end: np.ndarray


def spans_of(rows: "Iterable[tuple[int, int, int, int]] | Spans") -> Spans:
    """Codings (document id, node id, start, end) as arrays."""
    if isinstance(rows, Spans):
        return rows
    rows = rows if isinstance(rows, list) else list(rows)
    data = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=4 * len(rows)).reshape(-1, 4)
    return Spans(data[:, 0], data[:, 1], data[:, 2], data[:, 3])


def _by_column(node: np.ndarray, columns: Sequence[frozenset[int]]) -> tuple[np.ndarray, np.ndarray]:
    """For codings at `node`: (index of the coding, column) for every column whose subtree holds the node."""
    pairs = sorted((n, c) for c, members in enumerate(columns) for n in members)
    if not pairs or node.size == 0:
        return _NO_ROWS, _NO_ROWS
    src = np.array([n for n, _c in pairs], dtype=np.int64)
    dst = np.array([c for _n, c in pairs], dtype=np.int64)
    lo = np.searchsorted(src, node, "left")
    count = np.searchsorted(src, node, "right") - lo
    index = np.repeat(np.arange(node.size), count)
    first = np.cumsum(count) - count
    return index, dst[lo[index] + np.arange(index.size) - first[index]]


def _passages(doc, col, start, end, k: int) -> np.ndarray:
    """The passage counts (see the module docstring) of every pair of the k columns."""
    counts = np.zeros((k, k), dtype=np.int64)
    if doc.size == 0:
        return counts
    big = int(end.max()) + 1
    # each column's codings in a document joined where they overlap: its regions (disjoint within the column)
    order = np.lexsort((start, col, doc))
    doc, col, start, end = doc[order], col[order], start[order], end[order]
    new_group = np.ones(doc.size, dtype=bool)
    new_group[1:] = (doc[1:] != doc[:-1]) | (col[1:] != col[:-1])
    group = np.cumsum(new_group)
    reach = np.maximum.accumulate(group * big + end)  # the furthest end so far within the group
    new_region = new_group.copy()
    new_region[1:] |= group[1:] * big + start[1:] >= reach[:-1]
    first = np.flatnonzero(new_region)
    r_doc, r_col, r_start = doc[first], col[first], start[first]
    r_end = np.maximum.reduceat(end, first)
    counts[np.arange(k), np.arange(k)] = np.bincount(r_col, minlength=k)
    # every overlapping pair of regions (of different columns, since a column's regions are disjoint)
    _docs, rank = np.unique(r_doc, return_inverse=True)
    key_start, key_end = rank * big + r_start, rank * big + r_end
    order = np.argsort(key_start, kind="stable")
    key_start, key_end, r_col = key_start[order], key_end[order], r_col[order]
    index = np.arange(key_start.size)
    after = np.searchsorted(key_start, key_end, "left") - index - 1  # later regions that start before this one ends
    i = np.repeat(index, after)
    j = i + 1 + np.arange(i.size) - (np.cumsum(after) - after)[i]
    ci, cj = r_col[i], r_col[j]
    edges = np.bincount(ci * k + cj, minlength=k * k).reshape(k, k)
    edges = edges + edges.T
    # regions of one column that overlap a region of another, each counted once per other column
    # (a scatter into a region × column table: np.unique's hash table is many times slower on these keys)
    mark = np.zeros(key_start.size * k, dtype=bool)
    mark[i * k + cj] = True
    mark[j * k + ci] = True
    region, other = np.divmod(np.flatnonzero(mark), k)
    touched = np.bincount(r_col[region] * k + other, minlength=k * k).reshape(k, k)
    # A's and B's regions joined by overlaps form a forest (each side's regions are disjoint), so the number of
    # joined groups holding both is the regions that take part less the overlaps between them
    together = touched + touched.T - edges
    off = ~np.eye(k, dtype=bool)
    counts[off] = together[off]
    return counts


def _units_of_codings(doc, start, end, units: Mapping[int, Sequence[tuple[int, int]]]) -> tuple[np.ndarray, ...]:
    """(index of the coding, unit id) for every article unit a coding overlaps; a coding outside every unit is in
    its document's remaining text, one more unit."""
    docs = np.unique(doc)
    big = max([int(end.max()) if end.size else 0, *(e for d in docs for _s, e in units.get(int(d), ()))]) + 1
    u_start, u_end = [], []
    for rank, d in enumerate(docs):
        spans = sorted(units.get(int(d), ()))
        u_start += [rank * big + s for s, _e in spans]
        u_end += [rank * big + e for _s, e in spans]
    u_start_arr, u_end_arr = np.array(u_start, dtype=np.int64), np.array(u_end, dtype=np.int64)
    rank = np.searchsorted(docs, doc)
    lo = np.searchsorted(u_end_arr, rank * big + start, "right")  # the first unit ending after the coding starts
    hi = np.searchsorted(u_start_arr, rank * big + end, "left")  # units starting before it ends
    count = np.maximum(hi - lo, 0)
    index = np.repeat(np.arange(doc.size), count)
    unit = lo[index] + np.arange(index.size) - (np.cumsum(count) - count)[index]
    outside = np.flatnonzero(count == 0)
    return np.concatenate([index, outside]), np.concatenate([unit, u_start_arr.size + rank[outside]])


def _shared_units(col: np.ndarray, unit: np.ndarray, k: int) -> np.ndarray:
    """Per pair of columns, the units both hold (the diagonal: each column's units)."""
    if col.size == 0:
        return np.zeros((k, k), dtype=np.int64)
    ids, u = np.unique(unit, return_inverse=True)
    incidence = np.zeros((k, ids.size), dtype=np.float32)
    incidence[col, u] = 1.0
    return np.rint(incidence @ incidence.T).astype(np.int64)


def count(
    rows: Iterable[tuple[int, int, int, int]] | Spans,
    columns: Sequence[frozenset[int]],
    unit: str,
    units: Mapping[int, Sequence[tuple[int, int]]] | None = None,
) -> list[list[int]]:
    """The co-occurrence counts of codings (document id, node id, start, end) for columns (each a set of node ids:
    the node and, rolled up, its descendants); `units` maps a document to its article spans (unit="article")."""
    k = len(columns)
    spans = spans_of(rows)
    doc, node, start, end = spans.doc, spans.node, spans.start, spans.end
    index, col = _by_column(node, columns)
    doc, start, end = doc[index], start[index], end[index]
    if unit == "passage":
        counts = _passages(doc, col, start, end, k)
    elif unit == "document":
        counts = _shared_units(col, doc, k)
    elif unit == "article":
        which, unit_ids = _units_of_codings(doc, start, end, units or {}) if doc.size else (_NO_ROWS, _NO_ROWS)
        counts = _shared_units(col[which], unit_ids, k)
    else:
        raise ValueError(unit)
    return counts.tolist()


def compute(rows, columns: Sequence[matrix.Column], unit: str, value: str, units=None, layer=None) -> Cooccurrence:
    counts = count(rows, [c.members for c in columns], unit, units)
    return Cooccurrence(unit, value, tuple(columns), tuple(tuple(line) for line in counts), layer)


# --- the passages behind one cell ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Passage:
    """One co-occurrence unit of a cell: where it is, and the codings at each of the two nodes in it."""

    document_id: int
    start: int
    end: int
    first: tuple[tuple[int, int], ...]  # (start, end) of the codings at the row's node
    second: tuple[tuple[int, int], ...]  # and at the column's node


def passages(
    rows: Iterable[tuple[int, int, int, int]],
    first: frozenset[int],
    second: frozenset[int],
    unit: str,
    units: Mapping[int, Sequence[tuple[int, int]]] | None = None,
    lengths: Mapping[int, int] | None = None,
) -> list[Passage]:
    """The units counted in the cell of two columns, in document order (their number is the cell's count)."""
    by_doc: dict[int, list[tuple[int, int, bool, bool]]] = {}
    for doc, node, start, end in rows:
        a, b = node in first, node in second
        if a or b:
            by_doc.setdefault(doc, []).append((start, end, a, b))
    found: list[Passage] = []
    for doc in sorted(by_doc):
        spans = sorted(by_doc[doc])
        if unit == "passage":
            groups: list[list[tuple[int, int, bool, bool]]] = []
            reach = -1
            for span in spans:
                if groups and span[0] < reach:
                    groups[-1].append(span)
                    reach = max(reach, span[1])
                else:
                    groups.append([span])
                    reach = span[1]
        elif unit == "article":
            cuts = sorted((units or {}).get(doc, ()))
            keyed: dict[int, list] = {}
            for span in spans:
                hit = [i for i, (s, e) in enumerate(cuts) if s < span[1] and span[0] < e] or [-1]
                for i in hit:
                    keyed.setdefault(i, []).append(span)
            groups = [keyed[i] for i in sorted(keyed)]
            bounds = {id(keyed[i]): cuts[i] if i >= 0 else None for i in keyed}
        else:
            groups = [spans]
        for group in groups:
            a_spans = tuple((s, e) for s, e, a, _b in group if a)
            b_spans = tuple((s, e) for s, e, _a, b in group if b)
            if not a_spans or not b_spans:
                continue
            if unit == "passage":
                start, end = group[0][0], max(e for _s, e, _a, _b in group)
            elif unit == "article" and bounds[id(group)] is not None:
                start, end = bounds[id(group)]
            else:  # the whole document, or an article unit's remaining text: the codings' extent
                start, end = min(s for s, *_r in group), max(e for _s, e, *_r in group)
                if unit == "document" and lengths:
                    start, end = 0, lengths.get(doc, end)
            found.append(Passage(doc, start, end, a_spans, b_spans))
    return found


# --- exports and figures -------------------------------------------------------------------------


def as_json(result: Cooccurrence) -> dict:
    """The API's answer: nodes in order, cells as [row][column]."""
    return {
        "layer": result.layer.as_json() if result.layer else None,
        "unit": result.unit,
        "value": result.value,
        "nodes": [{"id": c.node_id, "name": c.name, "path": c.path} for c in result.nodes],
        "cells": [list(line) for line in result.cells],
    }


def sheet(result: Cooccurrence) -> list[list]:
    """A square table: the node paths across and down, the cells between (the diagonal: each node's own units)."""
    lines: list[list] = [[_("Node"), *(c.path for c in result.nodes)]]
    for column, line in zip(result.nodes, result.cells, strict=True):
        lines.append([column.path, *line])
    return lines


def long_sheet(result: Cooccurrence) -> list[list]:
    """Tidy rows for pandas or R: one (row, column, value) line per cell."""
    lines: list[list] = [["row", "column", "value"]]
    for row, line in zip(result.nodes, result.cells, strict=True):
        lines += [[row.path, column.path, v] for column, v in zip(result.nodes, line, strict=True)]
    return lines


@dataclass(frozen=True, slots=True)
class Cell:
    value: float
    text: str
    style: str
    row: int  # node ids of the cell's row and column
    column: int
    diagonal: bool


def table(result: Cooccurrence, *, heat: bool = True) -> list[tuple[matrix.Column, list[Cell]]]:
    """The table laid out for the page: one line per node, cells coloured with the matrix page's heat scale (the
    diagonal, each node's own count, is left out of the scale)."""
    top = result.maximum
    lines = []
    for i, (row, values) in enumerate(zip(result.nodes, result.cells, strict=True)):
        cells = []
        for j, (column, v) in enumerate(zip(result.nodes, values, strict=True)):
            diagonal = i == j
            share = v / top if top and not diagonal else 0.0
            style = matrix_table.heat_style(min(share, 1.0)) if heat and v and not diagonal else ""
            cells.append(Cell(v, display(v, result.value, diagonal), style, row.node_id, column.node_id, diagonal))
        lines.append((row, cells))
    return lines


def heatmap_svg(result: Cooccurrence, *, title: str) -> SafeString:
    """The table as the matrix page's heatmap figure (the same drawing, nodes down and across)."""
    heads = [matrix_table.Head(c.name, c.path, "", i) for i, c in enumerate(result.nodes)]
    top = result.maximum
    lines = []
    for i, (head, values) in enumerate(zip(heads, result.cells, strict=True)):
        cells = [
            matrix_table.Cell(v, display(v, result.value, i == j), (v / top if top and i != j else 0.0), "", 0)
            for j, v in enumerate(values)
        ]
        lines.append((head, cells, ""))
    view = matrix_table.Table(
        corner="", heads=heads, lines=lines, totals=[], total="", summary=[], transposed=False, sort=""
    )
    return matrix_writers.heatmap_svg(view, title=title)


def network_svg(result: Cooccurrence, *, title: str, minimum: float = 1) -> SafeString:
    """The network figure: the coded nodes on a circle (in codebook order, so the layout is the same on every run),
    each sized by its own unit count; an edge for every pair that shares at least `minimum` units (a count, whatever
    the value shown), as wide as its cell.
    Nodes without any coded unit are left out of the figure."""
    cells = result.cells
    shown = [i for i in range(len(result.nodes)) if result.counts[i][i]]
    n = len(shown)
    size, pad = 13, 16.0
    radius = max(140.0, 9.0 * n)
    label_room = max([writers.text_width(f"{result.nodes[i].name} (0000)", size) for i in shown] + [40])
    centre = radius + 28 + label_room + pad
    width, height = max(2 * centre, writers.text_width(title, size + 2) + 2 * pad), 2 * centre + 28
    own = {i: result.counts[i][i] for i in shown}
    largest_own = max(own.values(), default=0) or 1
    pairs = [
        (i, j, cells[i][j])
        for a, i in enumerate(shown)
        for j in shown[a + 1 :]
        if result.counts[i][j] and result.counts[i][j] >= minimum
    ]
    largest_edge = max((v for _i, _j, v in pairs), default=0) or 1
    angles = {i: 2 * pi * k / max(n, 1) - pi / 2 for k, i in enumerate(shown)}
    points = {i: (width / 2 + radius * cos(angles[i]), 28 + centre + radius * sin(angles[i])) for i in shown}
    parts = [f'<text x="{pad}" y="20" font-size="{size + 2}" font-weight="600">{escape(title)}</text>']
    for i, j, v in pairs:
        (x1, y1), (x2, y2) = points[i], points[j]
        stroke = 1 + 7 * v / largest_edge
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#4e79a7" '
            f'stroke-opacity="0.55" stroke-width="{stroke:.2f}"><title>{escape(result.nodes[i].name)} — '
            f"{escape(result.nodes[j].name)}: {display(v, result.value)}</title></line>"
        )
    for i in shown:
        column, (x, y), angle = result.nodes[i], points[i], angles[i]
        r = 4 + 20 * sqrt(own[i] / largest_own)
        anchor = "start" if cos(angle) > 1e-9 else "end" if cos(angle) < -1e-9 else "middle"
        lx, ly = x + (r + 6) * cos(angle), y + (r + 6) * sin(angle)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{escape(column.color)}" stroke="#1f2328">'
            f"<title>{escape(column.path)}: {own[i]}</title></circle>"
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" dominant-baseline="central" '
            f'font-size="{size}">{escape(column.name)} ({own[i]})</text>'
        )
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{escape(writers.FONT_FAMILY)}" fill="#1f2328" '
        f'role="img" aria-label="{escape(title)}"><rect width="100%" height="100%" fill="#ffffff"/>'
        f"{''.join(parts)}</svg>"
    )


# --- loaders: the only place in this module that queries --------------------------------------------


@dataclass(frozen=True)
class CooccurrenceQuery:
    """A co-occurrence request, parsed and checked at the edge (coding/analysis/query_params.py)."""

    unit: str = "passage"
    value: str = "count"
    level: int | None = 1
    nodes: tuple[int, ...] = ()
    coders: tuple[str, ...] = ()  # as asked; empty asks for the default layer
    minimum: float = 1  # the network figure's threshold: the least count of shared units that draws an edge
    layer: object = None


def columns_for(project, query: CooccurrenceQuery) -> list[matrix.Column]:
    columns = matrix.columns_for(tree.rows_for(project), level=query.level, nodes=query.nodes)
    if len(columns) > MAX_NODES:
        raise ValidationError(_("At most %(n)s nodes at a time.") % {"n": MAX_NODES})
    return columns


def _codings(project, user, query: CooccurrenceQuery, members: Iterable[int]):
    codings = layers.layer_codings(project, user, query.layer).order_by().filter(node_id__in=list(members))
    return codings.values_list("document_id", "node_id", "start", "end")


def _rows(codings) -> list[tuple[int, int, int, int]]:
    """The rows of a values_list query in one fetch: Django's row by row iteration costs more than the counting."""
    sql, params = codings.query.sql_with_params()
    with connections[codings.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# PostgreSQL's binary COPY of four bigint columns: per row a field count, then each field's length and value
_COPY_FIELDS = ("doc", "node", "start", "end")
_COPY_ROW = np.dtype(
    [("fields", ">i2"), *((part, kind) for f in _COPY_FIELDS for part, kind in ((f"{f}_len", ">i4"), (f, ">i8")))]
)


def _spans(codings) -> Spans:
    """The codings (document, node, start, end) as arrays. On PostgreSQL one binary COPY, read straight into numpy:
    a quarter of the CPU time and half the wall time of fetching 200,000 rows as Python tuples."""
    connection = connections[codings.db]
    if connection.vendor != "postgresql":
        return spans_of(_rows(codings))
    sql, params = codings.query.sql_with_params()
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        inner = cursor.mogrify(sql, params).decode()  # COPY takes no parameters: psycopg2 quotes them in
        cursor.cursor.copy_expert(
            f"COPY (SELECT d::int8, n::int8, s::int8, e::int8 FROM ({inner}) AS q(d, n, s, e)) "
            "TO STDOUT (FORMAT binary)",
            buffer,
        )
    data = buffer.getbuffer()
    extension = int.from_bytes(data[15:19], "big")  # after the 11-byte signature and 4 bytes of flags
    table = np.frombuffer(data[19 + extension : len(data) - 2], dtype=_COPY_ROW)  # a 2-byte trailer ends the data
    return Spans(*(table[name].astype(np.int64) for name in _COPY_FIELDS))


def article_units(project, documents: Iterable[int] | None = None) -> dict[int, list[tuple[int, int]]]:
    """Each document's article units (agreement.unit_spans: articles, else numbered items, else the whole text)."""
    lengths = project.documents.all()
    if documents is not None:
        lengths = lengths.filter(id__in=list(documents))
    lengths = dict(lengths.values_list("id", "char_count"))
    sections: dict[int, list[tuple[str, int, int]]] = {d: [] for d in lengths}
    found = Section.objects.filter(document__project=project, kind__in=agreement.UNIT_KINDS).order_by()
    if documents is not None:
        found = found.filter(document_id__in=list(lengths))
    for document_id, kind, start, end in found.values_list("document_id", "kind", "start", "end"):
        sections[document_id].append((kind, start, end))
    return {d: agreement.unit_spans(headings, lengths[d]) for d, headings in sections.items()}


def load(project, user, query: CooccurrenceQuery) -> tuple[CooccurrenceQuery, Cooccurrence]:
    """The co-occurrence table the query asks for, on the layer it names."""
    query = replace(query, layer=layers.layer_for(project, user, query.coders))
    columns = columns_for(project, query)
    members = set().union(*(c.members for c in columns)) if columns else set()
    spans = _spans(_codings(project, user, query, members)) if members else spans_of([])
    units = article_units(project, set(np.unique(spans.doc).tolist())) if query.unit == "article" else None
    return query, compute(spans, columns, query.unit, query.value, units, query.layer)


def cell_passages(
    project, user, query: CooccurrenceQuery, first: int, second: int
) -> tuple[CooccurrenceQuery, Cooccurrence, list[Passage]]:
    """The units behind one cell: the table's query, the two nodes (as a 2 × 2 table) and the passages."""
    query = replace(query, layer=layers.layer_for(project, user, query.coders))
    node_rows = tree.rows_for(project)
    missing = [n for n in (first, second) if n not in {r.id for r in node_rows}]
    if missing:
        raise ValidationError(_("Node %(id)s is not in this project's codebook.") % {"id": missing[0]})
    columns = matrix.columns_for(node_rows, nodes=(first, second))
    columns.sort(key=lambda c: c.node_id != first)
    a, b = columns[0], columns[-1]
    rows = list(_codings(project, user, query, a.members | b.members))
    documents = {r[0] for r in rows}
    units = article_units(project, documents) if query.unit == "article" else None
    lengths = dict(project.documents.filter(id__in=documents).values_list("id", "char_count"))
    pair = compute(rows, [a, b] if a is not b else [a], query.unit, query.value, units, query.layer)
    return query, pair, passages(rows, a.members, b.members, query.unit, units, lengths)
