"""Matrix coding queries: document groups × codebook nodes, five cell values. Pure core, loaders at the bottom.

The page table and heat colours are in matrix_table, the files (spreadsheet rows, SVG figures) in matrix_writers."""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _

from coding import layers
from coding.analysis.int_rows import int_rows
from framework import tree
from policies import corpus
from policies.models import IssuerType, PolicyType
from policies.provinces import PROVINCE_CHOICES, PROVINCES

SPAN_CHUNK = 100_000  # about the spans from_spans sweeps at a time (and the keys _places searches at a time)
DOCUMENTS_A_READ = 2_000  # characters and coverage read the spans of this many documents a query
VALUES = ("documents", "references", "characters", "coverage", "presence")
ROW_KINDS = ("province", "issuer_type", "issuer", "policy_type", "year", "document")  # and attr:<custom name>
ATTR_PREFIX = "attr:"
BLANK = "(blank)"
NO_DATE = "(no date)"


# --- values --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Doc:
    """What the matrix needs of one document."""

    id: int
    title: str
    chars: int
    attributes: Mapping[str, object] = field(default_factory=dict)  # province, issuer_type, … and custom ones


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    label: str
    documents: tuple[int, ...]
    chars: int


@dataclass(frozen=True, slots=True)
class Column:
    node_id: int
    name: str
    path: str
    color: str
    members: frozenset[int]  # the node and, rolled up, its descendants


@dataclass(frozen=True)
class Matrix:
    """One matrix coding query's answer: the same value feeds the page, the API and the CSV/xlsx/SVG exports."""

    value: str
    rows_by: str
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]
    cells: tuple[tuple[float, ...], ...]  # cells[row][column]
    row_totals: tuple[float, ...]
    column_totals: tuple[float, ...]
    total: float
    column_summary: tuple[tuple[int, tuple[str, ...]], ...]  # per column: rows with any coding, and their labels
    coders: tuple[str, ...] = ()  # the layer's names (usernames, consensus)
    layer: object = None  # the coding.layers.Layer counted
    provinces_only: bool = False  # rows by province: 全国 and documents without a province left out

    @property
    def maximum(self) -> float:
        return max((v for row in self.cells for v in row), default=0)

    def summary_text(self, column: int) -> str:
        count, names = self.column_summary[column]
        return f"{count} — {', '.join(names)}" if names else "0"


def display(value: float, kind: str) -> str:
    """A cell as printed: coverage in % with two decimals, everything else a whole number."""
    return f"{value:.2f}" if kind == "coverage" else str(int(value))


# --- rows ----------------------------------------------------------------------------------------


def check_rows_by(rows_by: str, custom_names: Iterable[str]) -> str:
    """The row kind, or a ValidationError naming what is allowed."""
    if rows_by in ROW_KINDS:
        return rows_by
    if rows_by.startswith(ATTR_PREFIX) and rows_by[len(ATTR_PREFIX) :] in set(custom_names):
        return rows_by
    allowed = [*ROW_KINDS, *(ATTR_PREFIX + name for name in custom_names)]
    raise ValidationError(
        _("Unknown rows “%(rows)s”: use one of %(allowed)s.") % {"rows": rows_by[:60], "allowed": ", ".join(allowed)}
    )


def row_key(doc: Doc, rows_by: str) -> str:
    """The group a document falls in; blank attributes go to the (blank) row, undated documents to (no date)."""
    if rows_by == "document":
        return str(doc.id)
    if rows_by == "year":
        date = doc.attributes.get("issue_date")
        return str(date.year) if date else NO_DATE
    name = rows_by[len(ATTR_PREFIX) :] if rows_by.startswith(ATTR_PREFIX) else rows_by
    value = doc.attributes.get(name)
    text = "" if value is None else str(value).strip()
    return text or BLANK


def _order(rows_by: str) -> Sequence[str]:
    return {
        "province": PROVINCE_CHOICES,
        "issuer_type": IssuerType.values,
        "policy_type": PolicyType.values,
    }.get(rows_by, ())


def group_rows(
    docs: Sequence[Doc], rows_by: str, *, all_provinces: bool = False, provinces_only: bool = False
) -> list[Row]:
    """Documents grouped into rows, in a fixed order that does not depend on the database's collation.

    provinces_only (rows by province): the provinces alone, 全国 and documents without a province left out."""
    only = provinces_only and rows_by == "province"
    groups: defaultdict[str, list[Doc]] = defaultdict(list)
    for doc in docs:
        key = row_key(doc, rows_by)
        if not only or key in PROVINCES:
            groups[key].append(doc)
    if rows_by == "province" and all_provinces:
        for name in PROVINCES if only else PROVINCE_CHOICES:
            groups.setdefault(name, [])
    known = {name: i for i, name in enumerate(_order(rows_by))}
    titles = {str(d.id): d.title for d in docs}

    def sort_key(key: str):
        special = key in (BLANK, NO_DATE)
        if rows_by == "document":
            return (0, int(key), "")
        return (special, known.get(key, len(known)), key)

    return [
        Row(
            key=key,
            label=titles[key] if rows_by == "document" else key,
            documents=tuple(sorted(d.id for d in groups[key])),
            chars=sum(d.chars for d in groups[key]),
        )
        for key in sorted(groups, key=sort_key)
    ]


# --- columns -------------------------------------------------------------------------------------


def columns_for(
    rows: Sequence[tree.Row], *, level: int | None = None, nodes: Sequence[int] = (), parent: int | None = None
) -> list[Column]:
    """Columns from one level of the tree, a set of nodes, or a node's children; each column rolls up its subtree."""
    ordered = tree.walk(rows)
    children = tree.children_map(rows)
    known = {n.row.id for n in ordered}
    if nodes:
        missing = [n for n in nodes if n not in known]
        if missing:
            raise ValidationError(
                _("Node(s) %(ids)s are not in this project's codebook.") % {"ids": ", ".join(map(str, missing))}
            )
        wanted = set(nodes)
        chosen = [n for n in ordered if n.row.id in wanted]
    elif parent is not None:
        if parent not in known:
            raise ValidationError(_("Node %(id)s is not in this project's codebook.") % {"id": parent})
        wanted = {r.id for r in children.get(parent, [])}
        if not wanted:
            raise ValidationError(_("Node %(id)s has no children to use as columns.") % {"id": parent})
        chosen = [n for n in ordered if n.row.id in wanted]
    else:
        level = level or 1
        deepest = max((n.depth + 1 for n in ordered), default=0)
        if not 1 <= level <= max(deepest, 1):
            raise ValidationError(
                _("Level %(level)s does not exist: the codebook has %(deepest)s level(s).")
                % {"level": level, "deepest": deepest}
            )
        chosen = [n for n in ordered if n.depth + 1 == level]
    below = _subtrees(children)
    return [
        Column(n.row.id, n.row.name, n.path, n.row.color, frozenset({n.row.id} | below.get(n.row.id, set())))
        for n in chosen
    ]


def _subtrees(children: Mapping[int | None, list[tree.Row]]) -> dict[int, set[int]]:
    """Every node's descendants in one pass over the tree."""
    result: dict[int, set[int]] = {}
    order: list[int] = []
    stack = [r.id for r in children.get(None, [])]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(r.id for r in children.get(node, []))
    for node in reversed(order):
        found: set[int] = set()
        for child in children.get(node, []):
            found.add(child.id)
            found |= result[child.id]
        result[node] = found
    return result


def _columns_of(columns: Sequence[Column]) -> dict[int, tuple[int, ...]]:
    """Node id → indexes of the columns it counts towards."""
    found: defaultdict[int, list[int]] = defaultdict(list)
    for index, column in enumerate(columns):
        for node in column.members:
            found[node].append(index)
    return {node: tuple(indexes) for node, indexes in found.items()}


# --- the computation -----------------------------------------------------------------------------


def from_counts(
    value: str, rows: Sequence[Row], columns: Sequence[Column], counts: Iterable[tuple[int, int, int]], **extra
) -> Matrix:
    """documents, references or presence from (document id, node id, number of codings) facts.

    The sums run in numpy: at 20,000 documents and 60 nodes there are some 450,000 facts."""
    if value not in ("documents", "references", "presence"):
        raise ValueError(value)
    width = len(columns)
    facts = np.asarray(counts if isinstance(counts, np.ndarray) else list(counts), dtype=np.int64).reshape(-1, 3)
    doc_ids, doc_rows, doc_index = _documents(rows, facts[:, 0])
    facts, doc_index = facts[doc_index >= 0], doc_index[doc_index >= 0]
    row_index = doc_rows[doc_index]
    fact_of, column, counted = _spread(columns, facts[:, 1])
    size = len(rows) * width
    cell = row_index[fact_of] * width + column
    cell_refs = np.bincount(cell, weights=facts[fact_of, 2], minlength=size).astype(np.int64)
    row_refs = np.bincount(row_index[counted], weights=facts[counted, 2], minlength=len(rows)).astype(np.int64)
    # documents: a (document, column) is coded or not, whichever nodes of the column and however often
    present = np.zeros(len(doc_ids) * width, dtype=bool)
    present[doc_index[fact_of] * width + column] = True
    coded_doc, coded_column = np.divmod(np.flatnonzero(present), width) if width else (np.empty(0, np.int64),) * 2
    cell_docs = np.bincount(doc_rows[coded_doc] * width + coded_column, minlength=size)
    has_fact = np.zeros(len(doc_ids), dtype=bool)
    has_fact[doc_index[counted]] = True
    row_docs = np.bincount(doc_rows[has_fact], minlength=len(rows))
    if value == "references":
        flat, row_totals = cell_refs, row_refs.tolist()
    else:
        flat, row_totals = cell_docs, row_docs.tolist()
    cells = flat.reshape(len(rows), width).tolist() if width else [[] for _ in rows]
    if value == "presence":
        cells = [[1 if v else 0 for v in row] for row in cells]
        row_totals = [sum(row) for row in cells]  # how many columns the row mentions
    column_totals = [sum(row[c] for row in cells) for c in range(width)]
    total = sum(column_totals) if value == "presence" else sum(row_totals)
    docs = {divmod(int(i), width): True for i in np.flatnonzero(cell_docs)} if width else {}
    return _assemble(value, rows, columns, cells, row_totals, column_totals, total, docs, **extra)


def _spread(
    columns: Sequence[Column], nodes: np.ndarray, *, total: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One entry per (fact, column its node counts towards) for facts at `nodes`: the fact's index and the column
    (with total, also the extra column len(columns), a row's union over every column); and which facts count at all."""
    extra = (len(columns),) if total else ()
    pairs = sorted((node, c) for node, cols in _columns_of(columns).items() for c in (*cols, *extra))
    pair_nodes = np.array([node for node, _c in pairs], dtype=np.int64)
    pair_cols = np.array([c for _node, c in pairs], dtype=np.int64)
    low = np.searchsorted(pair_nodes, nodes, side="left")
    spread = np.searchsorted(pair_nodes, nodes, side="right") - low
    fact_of = np.repeat(np.arange(len(nodes)), spread)
    within = np.arange(len(fact_of)) - np.repeat(np.cumsum(spread) - spread, spread)
    return fact_of, pair_cols[low[fact_of] + within], spread > 0


def _documents(rows: Sequence[Row], keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows' document ids in order, the row of each, and each key's place among them (-1: in no row)."""
    doc_ids, doc_rows = _row_documents(rows)
    return doc_ids, doc_rows, _places(doc_ids, keys, np.int64)


def _row_documents(rows: Sequence[Row]) -> tuple[np.ndarray, np.ndarray]:
    """The rows' document ids in order, and the row of each."""
    index = {doc: i for i, row in enumerate(rows) for doc in row.documents}
    doc_ids = np.array(sorted(index), dtype=np.int64)
    return doc_ids, np.array([index[doc] for doc in doc_ids.tolist()], dtype=np.int64)


def _places(doc_ids: np.ndarray, keys: np.ndarray, dtype) -> np.ndarray:
    """Each key's place among the sorted doc_ids (-1: not there), as `dtype`.

    A block of keys at a time: searching two million keys at once held four temporaries of their size (a
    contiguous copy of the keys, the positions, the ids there, the answer)."""
    places = np.full(len(keys), -1, dtype=dtype)
    if not len(doc_ids):
        return places
    for first in range(0, len(keys), SPAN_CHUNK):
        block = keys[first : first + SPAN_CHUNK]
        at = np.searchsorted(doc_ids, block)
        np.minimum(at, len(doc_ids) - 1, out=at)
        places[first : first + len(block)] = np.where(doc_ids[at] == block, at, -1)
    return places


def from_spans(
    value: str,
    rows: Sequence[Row],
    columns: Sequence[Column],
    spans: "Iterable[tuple[int, int, int, int]] | np.ndarray | SpanBatches",
    **extra,
) -> Matrix:
    """characters or coverage from (document id, start, node id, end) spans, in any order, or from SpanBatches of
    them (each batch holding every span of its documents).

    Overlapping spans of one document in one column — of several nodes and coders — are unioned, so each coded
    character counts once; a row's total unions across every column. The union runs in numpy (see _covered) over
    the documents a chunk of about SPAN_CHUNK spans at a time: its arrays are twice the spans they sweep (each span
    counts in its column and in the row total), and two million spans swept at once held some 300 MB. A document
    is never split between chunks, so each chunk's unions are whole.
    """
    n_cols = len(columns)
    doc_ids, doc_rows = _row_documents(rows)
    by_row = np.zeros((len(rows), n_cols + 1), dtype=np.int64)  # the extra column: the row's union over all columns
    present = np.zeros((len(rows), n_cols), dtype=bool)
    for batch in spans.batches if isinstance(spans, SpanBatches) else [spans]:
        batch = np.asarray(batch if isinstance(batch, np.ndarray) else list(batch), dtype=np.int64).reshape(-1, 4)
        _sweep(columns, batch, doc_ids, doc_rows, by_row, present)
        del batch
    cells = by_row[:, :n_cols].tolist()
    row_totals = by_row[:, n_cols].tolist()
    docs = {(int(r), int(c)): True for r, c in zip(*np.nonzero(present), strict=True)}
    column_totals = [sum(row[c] for row in cells) for c in range(n_cols)]
    total = sum(row_totals)
    if value == "coverage":
        all_chars = sum(row.chars for row in rows)
        cells = [[_percent(v, row.chars) for v in cell_row] for cell_row, row in zip(cells, rows, strict=True)]
        row_totals = [_percent(v, row.chars) for v, row in zip(row_totals, rows, strict=True)]
        column_totals = [_percent(v, all_chars) for v in column_totals]
        total = _percent(total, all_chars)
    elif value != "characters":
        raise ValueError(value)
    return _assemble(value, rows, columns, cells, row_totals, column_totals, total, docs, **extra)


@dataclass(frozen=True)
class SpanBatches:
    """Spans read a range of documents at a time (facts_for): each batch holds every span of its documents, so
    from_spans unions each batch on its own and never holds more than one batch's rows."""

    batches: Iterable[np.ndarray]


def _sweep(
    columns: Sequence[Column],
    spans: np.ndarray,
    doc_ids: np.ndarray,
    doc_rows: np.ndarray,
    by_row: np.ndarray,
    present: np.ndarray,
) -> None:
    """Add the union of `spans` (every span of their documents) to by_row (characters per row and column, and the
    row's union in the last column) and present (which row and column has any)."""
    n_cols = len(columns)
    doc_index = _places(doc_ids, spans[:, 0], np.int32)  # places below the number of documents: int32 is plenty
    for low, high in _chunks(doc_index, len(doc_ids)):
        inside = np.flatnonzero((doc_index >= low) & (doc_index < high))
        place = doc_index[inside].astype(np.int64) - low
        covered = _covered(columns, spans[inside], place, high - low)
        del inside, place
        np.add.at(by_row, doc_rows[low:high], covered)
        coded_document, coded_column = np.nonzero(covered[:, :n_cols])
        present[doc_rows[low + coded_document], coded_column] = True


def _chunks(doc_index: np.ndarray, n_docs: int) -> list[tuple[int, int]]:
    """Ranges [low, high) of document places, each with about SPAN_CHUNK of the spans (a document with more spans is
    a chunk of its own), from the first document with a span to the last; none when no span is in a row. (A batch
    of SpanBatches holds a few documents of many: ranges over every document would sweep arrays of them all.)"""
    per_doc = np.zeros(n_docs + 1, dtype=np.int64)  # first the spans in no row (place -1)
    for first in range(0, len(doc_index), SPAN_CHUNK):
        per_doc += np.bincount(doc_index[first : first + SPAN_CHUNK] + 1, minlength=n_docs + 1)
    ends = np.cumsum(per_doc[1:])
    spans = int(ends[-1]) if n_docs else 0
    if not spans:
        return []
    pieces = -(-spans // SPAN_CHUNK)
    # a chunk ends after the first document whose running count reaches its share of the spans
    cuts = np.searchsorted(ends, np.arange(1, pieces) * spans / pieces) + 1
    spanned = np.flatnonzero(per_doc[1:])
    bounds = np.unique(np.concatenate(([spanned[0]], cuts, [spanned[-1] + 1]))).tolist()
    return list(pairwise(bounds))


def _covered(columns: Sequence[Column], spans: np.ndarray, place: np.ndarray, n_docs: int) -> np.ndarray:
    """Covered characters per (document place, column), and in an extra last column over every column, from
    spans whose documents are at places 0 … n_docs - 1.

    Each span is placed at (document, column) × text length + start, so that one sort and one running maximum of
    the ends merge the spans of every (document, column) at once; a new merged stretch begins where a span starts
    after every end before it. The intermediates go (del) as soon as they are used: they are the size of the
    spread spans. Placed keys stay int64: (document, column) × length reaches past 2**31."""
    slots = len(columns) + 1
    # every column a node counts towards, and the extra slot: the union over all columns, for the row total
    span_of, column, _counted = _spread(columns, spans[:, 2], total=True)
    if not len(span_of):
        return np.zeros((n_docs, slots), dtype=np.int64)
    group = place[span_of] * slots + column
    del column
    length = int(spans[:, 3].max()) + 1
    placed_start = group * length + spans[span_of, 1]
    order = np.argsort(placed_start)  # any order of equal starts merges the same: the sort need not be stable
    placed_start = placed_start[order]
    group = group[order]
    reach = group * length + spans[span_of[order], 3]
    del order, span_of
    np.maximum.accumulate(reach, out=reach)
    begins = np.ones(len(placed_start), dtype=bool)
    np.greater(placed_start[1:], reach[:-1], out=begins[1:])
    first = np.flatnonzero(begins)
    del begins
    last = np.append(first[1:], len(placed_start)) - 1
    stretches = reach[last] - placed_start[first]  # the weights are whole numbers far below 2**53: sums are exact
    del reach, placed_start, last
    covered = np.bincount(group[first], weights=stretches, minlength=n_docs * slots).astype(np.int64)
    return covered.reshape(n_docs, slots)


def _percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def _assemble(value, rows, columns, cells, row_totals, column_totals, total, docs, **extra) -> Matrix:
    summary = []
    for c in range(len(columns)):
        names = tuple(row.label for r, row in enumerate(rows) if docs.get((r, c)))
        summary.append((len(names), names))
    return Matrix(
        value=value,
        rows=tuple(rows),
        columns=tuple(columns),
        cells=tuple(tuple(row) for row in cells),
        row_totals=tuple(row_totals),
        column_totals=tuple(column_totals),
        total=total,
        column_summary=tuple(summary),
        **extra,
    )


def compute(value: str, rows: Sequence[Row], columns: Sequence[Column], facts: Iterable[tuple], **extra) -> Matrix:
    """The matrix for a value kind: count facts for documents/references/presence, spans for characters/coverage."""
    if value in ("characters", "coverage"):
        return from_spans(value, rows, columns, facts, **extra)
    if value in VALUES:
        return from_counts(value, rows, columns, facts, **extra)
    raise ValidationError(
        _("Unknown value “%(value)s”: use one of %(allowed)s.") % {"value": value[:40], "allowed": ", ".join(VALUES)}
    )


def as_json(matrix: Matrix) -> dict:
    """The API's answer: labels in `rows` and `columns`, details alongside, cells as [row][column]."""

    def number(v: float):
        return round(v, 4) if matrix.value == "coverage" else int(v)

    return {
        "value": matrix.value,
        "rows_by": matrix.rows_by,
        "coders": list(matrix.coders),
        "layer": matrix.layer.as_json() if matrix.layer else None,
        "provinces_only": matrix.provinces_only,
        "rows": [row.label for row in matrix.rows],
        "columns": [column.name for column in matrix.columns],
        "cells": [[number(v) for v in line] for line in matrix.cells],
        "column_summary": [{"count": n, "rows": list(names)} for n, names in matrix.column_summary],
        "row_totals": [number(v) for v in matrix.row_totals],
        "column_totals": [number(v) for v in matrix.column_totals],
        "total": number(matrix.total),
        "row_details": [
            {"key": row.key, "label": row.label, "documents": list(row.documents), "characters": row.chars}
            for row in matrix.rows
        ],
        "column_nodes": [{"id": c.node_id, "name": c.name, "path": c.path} for c in matrix.columns],
    }


# --- loaders: the only place in this module that queries --------------------------------------------

DOC_FIELDS = ("province", "issuer_type", "issuer", "policy_type", "issue_date")


@dataclass(frozen=True)
class MatrixQuery:
    """A matrix request, parsed and checked at the edge (coding/analysis/query_params.py)."""

    rows_by: str = "province"
    value: str = "documents"
    level: int | None = 1
    nodes: tuple[int, ...] = ()
    parent: int | None = None
    coders: tuple[str, ...] = ()  # as asked: usernames, consensus / 共识; empty asks for the default layer
    all_provinces: bool = False
    filters: tuple[tuple[str, str], ...] = ()
    layer: object = None  # the coding.layers.Layer, once a loader resolved `coders` (see with_layer)
    provinces_only: bool | None = None  # rows by province without 全国 and blanks; None: the page's default


def provinces_rule(query: MatrixQuery) -> str:
    """Which rows a count by province uses, as the summaries say it."""
    if query.rows_by != "province":
        return ""
    if query.provinces_only:
        return _("provinces only (全国 and documents without a province left out)")
    return _("all rows (全国 and documents without a province included)")


def documents_for(project, query: MatrixQuery) -> list[Doc]:
    """The project's documents after the attribute filters, as plain values."""
    documents = corpus.filter_documents(project.documents.all(), dict(query.filters)).order_by()
    custom = query.rows_by.startswith(ATTR_PREFIX)
    fields = ("id", "title", "char_count", *DOC_FIELDS, *(("attributes",) if custom else ()))
    docs = []
    for values in documents.values_list(*fields):
        doc_id, title, chars, *attrs = values
        attributes = dict(zip(DOC_FIELDS, attrs, strict=False))
        if custom:
            attributes.update(values[-1] or {})
        docs.append(Doc(doc_id, title, chars, attributes))
    return docs


def with_layer(project, user, query: MatrixQuery) -> MatrixQuery:
    """The query with its layer resolved: the coders it names, or the default layer (coding.layers decides)."""
    return query if query.layer is not None else replace(query, layer=layers.layer_for(project, user, query.coders))


def codings_for(project, user, query: MatrixQuery, node_ids: Iterable[int]):
    """The visible codings of the query's layer at these nodes (document filters applied)."""
    query = with_layer(project, user, query)
    codings = layers.layer_codings_at(project, user, query.layer, node_ids).order_by()
    if query.filters:
        codings = codings.filter(document__in=corpus.filter_documents(project.documents.all(), dict(query.filters)))
    return codings


def facts_for(codings, value: str, document_ids: Sequence[int] | None = None) -> np.ndarray | SpanBatches:
    """Per (document, node) counts, or (document, start, node, end) spans, as an array of rows (int_rows: binary
    COPY on PostgreSQL, no Python object per value). Given the documents' ids, spans are read DOCUMENTS_A_READ
    documents at a time (SpanBatches): two million spans read at once held 84 MB of COPY bytes in a worker that
    the page had already grown past 160 MB."""
    if value in ("characters", "coverage"):
        spans = codings.values_list("document_id", "start", "node_id", "end")
        if document_ids is None:
            return int_rows(spans, 4)
        ids = sorted(document_ids)
        groups = (ids[first : first + DOCUMENTS_A_READ] for first in range(0, len(ids), DOCUMENTS_A_READ))
        return SpanBatches(
            int_rows(spans.filter(document_id__gte=group[0], document_id__lte=group[-1]), 4) for group in groups
        )
    grouped = codings.values("node_id", "document_id").annotate(n=Count("node_id")).order_by()
    return int_rows(grouped.values_list("document_id", "node_id", "n"), 3)


def load_query(project, user, query: MatrixQuery) -> Matrix:
    """The matrix the query asks for, on its layer (the default layer when it names no coders)."""
    query = with_layer(project, user, query)
    if query.provinces_only is None:
        query = replace(query, provinces_only=False)  # the matrix shows 全国 unless asked (the summary does not)
    node_rows = tree.rows_for(project)
    columns = columns_for(node_rows, level=query.level, nodes=query.nodes, parent=query.parent)
    docs = documents_for(project, query)
    rows = group_rows(docs, query.rows_by, all_provinces=query.all_provinces, provinces_only=query.provinces_only)
    members = set().union(*(c.members for c in columns)) if columns else set()
    documents = [doc.id for doc in docs]
    facts = facts_for(codings_for(project, user, query, members), query.value, documents) if members else ()
    layer = query.layer
    extra = {"rows_by": query.rows_by, "coders": layer.names, "layer": layer, "provinces_only": query.provinces_only}
    return compute(query.value, rows, columns, facts, **extra)


def cell_documents(project, user, query: MatrixQuery, node_id: int, row_key_: str) -> tuple[MatrixQuery, list[int]]:
    """The documents behind one cell: those in the row with a coding at the node (or below) by the chosen coders."""
    query = with_layer(project, user, query)
    node_rows = tree.rows_for(project)
    if node_id not in {r.id for r in node_rows}:
        raise ValidationError(_("Node %(id)s is not in this project's codebook.") % {"id": node_id})
    in_row = [d.id for d in documents_for(project, query) if row_key(d, query.rows_by) == row_key_]
    members = {node_id} | tree.descendants(node_rows, node_id)
    coded = (
        codings_for(project, user, query, members)
        .filter(document_id__in=in_row)
        .values_list("document_id", flat=True)
        .distinct()
    )
    return query, sorted(set(coded))


def framework_summary(
    project, user, query: MatrixQuery
) -> tuple[MatrixQuery, list[tuple[tree.TreeNode, int, tuple[str, ...]]]]:
    """For every node in tree order: how many rows (provinces by default) have coding there, and which."""
    query = with_layer(project, user, replace(query, value="documents", level=None, nodes=(), parent=None))
    if query.provinces_only is None:
        query = replace(query, provinces_only=True)  # the paper counts provinces: 全国 left out unless asked
    node_rows = tree.rows_for(project)
    ordered = tree.walk(node_rows)
    below = _subtrees(tree.children_map(node_rows))
    columns = [
        Column(n.row.id, n.row.name, n.path, n.row.color, frozenset({n.row.id} | below.get(n.row.id, set())))
        for n in ordered
    ]
    rows = group_rows(documents_for(project, query), query.rows_by, provinces_only=query.provinces_only)
    nodes = {n.row.id for n in ordered}
    facts = facts_for(codings_for(project, user, query, nodes), "documents") if ordered else ()
    matrix = from_counts("documents", rows, columns, facts, rows_by=query.rows_by, coders=query.layer.names)
    return query, [(node, *matrix.column_summary[i]) for i, node in enumerate(ordered)]


def attribute_counts(project, query: MatrixQuery) -> tuple[MatrixQuery, list[tuple[str, int]]]:
    """Documents per value of the query's row attribute, in the matrix's row order."""
    rows = group_rows(documents_for(project, query), query.rows_by)
    return query, [(row.label, len(row.documents)) for row in rows]
