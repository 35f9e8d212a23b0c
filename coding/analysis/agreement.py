"""Coding comparison: kappa, Krippendorff's alpha and agreement between coders. Pure, except the loader at the end."""

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise
from operator import itemgetter

import numpy as np
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from coding import layers
from framework import tree
from policies.models import Section

UNITS = ("character", "article", "document")
UNIT_KINDS = ("article", "item")  # the sections an article unit is made of, in order of preference


# --- values ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Table:
    """Two coders' 2×2 table over n units: a coded by A, b coded by B, both coded by both."""

    n: int
    a: int
    b: int
    both: int

    def __add__(self, other: "Table") -> "Table":
        return Table(self.n + other.n, self.a + other.a, self.b + other.b, self.both + other.both)

    @property
    def a_only(self) -> int:
        return self.a - self.both

    @property
    def b_only(self) -> int:
        return self.b - self.both

    @property
    def neither(self) -> int:
        return self.n - self.a - self.b + self.both

    @property
    def degenerate(self) -> bool:
        """N − EF = 0: nobody coded anything, or both coded everything (or there is nothing to compare)."""
        return self.a * (self.n - self.b) + self.b * (self.n - self.a) == 0

    @property
    def agreement(self) -> float:
        """Percentage of units on which the two agree, (n11 + n00) / N × 100; 100 for an empty table."""
        return 100.0 if self.n == 0 else 100.0 * (self.both + self.neither) / self.n

    @property
    def kappa(self) -> float:
        """Cohen's kappa, (n11 + n00 − EF) / (N − EF); 1.0 for a degenerate table (NVivo's rule)."""
        # the same ratio multiplied through by N, so that only one rounding happens
        denominator = self.a * (self.n - self.b) + self.b * (self.n - self.a)
        if denominator == 0:
            return 1.0
        return 2 * (self.both * self.neither - self.a_only * self.b_only) / denominator

    @property
    def positive_agreement(self) -> float:
        """2·n11 / (2·n11 + A-only + B-only); 1.0 when neither coder coded anything."""
        denominator = 2 * self.both + self.a_only + self.b_only
        return 1.0 if denominator == 0 else 2 * self.both / denominator


@dataclass(frozen=True, slots=True)
class Coincidences:
    """Krippendorff's coincidence counts for coded (1) / uncoded (0) values: one off-diagonal cell o01, n0, n1."""

    o01: float
    n0: int
    n1: int

    def __add__(self, other: "Coincidences") -> "Coincidences":
        return Coincidences(self.o01 + other.o01, self.n0 + other.n0, self.n1 + other.n1)

    @property
    def alpha(self) -> float | None:
        """Nominal alpha, 1 − (n−1)·o01 / (n0·n1); 1.0 when every value is the same, None when nothing is pairable."""
        n = self.n0 + self.n1
        if n == 0:
            return None
        if self.n0 == 0 or self.n1 == 0:
            return 1.0
        return 1.0 - (n - 1) * self.o01 / (self.n0 * self.n1)


@dataclass(frozen=True, slots=True)
class NodeSpec:
    """A node to report on: the node ids whose codings count for it, and where it pools."""

    id: int
    path: str
    sources: frozenset[int]  # itself, and its descendants when rolled up
    category: int  # its top-level ancestor (itself at the top)
    depth: int = 0
    pooled: bool = True  # False when a rolled-up ancestor in the report already holds its content


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """One document × node row of a pair's comparison."""

    document: int
    table: Table

    def as_dict(self) -> dict:
        t = self.table
        return {
            "document": self.document,
            "n": t.n,
            "a": t.a,
            "b": t.b,
            "both": t.both,
            "a_only": t.a_only,
            "b_only": t.b_only,
            "neither": t.neither,
            "agreement": t.agreement,
            "kappa": t.kappa,
            "positive_agreement": t.positive_agreement,
            "degenerate": t.degenerate,
        }


def _mean(values: list[float], weights: list[int] | None = None) -> float | None:
    if weights is None:
        return sum(values) / len(values) if values else None
    total = sum(weights)
    return sum(w * v for w, v in zip(weights, values, strict=True)) / total if total else None


@dataclass(frozen=True, slots=True)
class Summary:
    """Pooled results over some rows: the summed 2×2 table of the pair and the coincidences of all coders."""

    table: Table
    coincidences: Coincidences

    @property
    def pooled_kappa(self) -> float | None:
        """Kappa of the summed table; None when no document had both coders."""
        return None if self.table.n == 0 else self.table.kappa

    @property
    def alpha(self) -> float | None:
        return self.coincidences.alpha

    def as_dict(self) -> dict:
        t = self.table
        empty = t.n == 0
        return {
            "pooled_kappa": self.pooled_kappa,
            "alpha": self.alpha,
            "agreement": None if empty else t.agreement,
            "positive_agreement": None if empty else t.positive_agreement,
            "n": t.n,
            "a": t.a,
            "b": t.b,
            "both": t.both,
            "neither": t.neither,
        }


@dataclass(frozen=True, slots=True)
class NodeResult:
    """One node: its document rows for the pair, pooled and averaged kappas, and alpha over all coders."""

    node: int
    path: str
    summary: Summary
    documents: tuple[DocumentRow, ...]

    def _kappas(self, *, degenerate: bool) -> tuple[list[float], list[int]]:
        rows = [r.table for r in self.documents if degenerate or not r.table.degenerate]
        return [t.kappa for t in rows], [t.n for t in rows]

    @property
    def weighted_kappa(self) -> float | None:
        """Σ N_d κ_d / Σ N_d over every row, a degenerate row counting as κ = 1 (NVivo's convention)."""
        return _mean(*self._kappas(degenerate=True))

    @property
    def weighted_kappa_nondegenerate(self) -> float | None:
        """Σ N_d κ_d / Σ N_d over the rows that are not degenerate."""
        return _mean(*self._kappas(degenerate=False))

    @property
    def mean_kappa(self) -> float | None:
        """Equal-weight mean of κ_d over every row (degenerate rows as 1)."""
        return _mean(self._kappas(degenerate=True)[0])

    @property
    def mean_kappa_nondegenerate(self) -> float | None:
        """Equal-weight mean of κ_d over the rows that are not degenerate."""
        return _mean(self._kappas(degenerate=False)[0])

    @property
    def degenerate_rows(self) -> int:
        return sum(1 for r in self.documents if r.table.degenerate)

    def as_dict(self) -> dict:
        return {
            "node": self.node,
            "path": self.path,
            **self.summary.as_dict(),
            "weighted_kappa": self.weighted_kappa,
            "weighted_kappa_nondegenerate": self.weighted_kappa_nondegenerate,
            "mean_kappa": self.mean_kappa,
            "mean_kappa_nondegenerate": self.mean_kappa_nondegenerate,
            "degenerate_rows": self.degenerate_rows,
            "documents": [r.as_dict() for r in self.documents],
        }


@dataclass(frozen=True, slots=True)
class Category:
    """A top-level node's results pooled over the reported nodes below it (or its own rolled-up row)."""

    node: int
    path: str
    summary: Summary

    def as_dict(self) -> dict:
        return {"node": self.node, "path": self.path, **self.summary.as_dict()}


@dataclass(frozen=True, slots=True)
class Report:
    """The coding comparison: the pair coders[0] × coders[1], alpha over all coders, and a pairwise kappa matrix."""

    coders: tuple[str, ...]
    unit: str
    overall: Summary
    nodes: tuple[NodeResult, ...]
    categories: tuple[Category, ...]
    matrix: tuple[tuple[float | None, ...], ...]  # pooled kappa over the overall rows, coders × coders

    @property
    def pair(self) -> tuple[str, str]:
        return self.coders[0], self.coders[1]

    def as_dict(self) -> dict:
        """The API shape: counts as ints, coefficients as floats (None when undefined), agreement in percent."""
        return {
            "coders": list(self.coders),
            "pair": list(self.pair),
            "unit": self.unit,
            "overall": self.overall.as_dict(),
            "categories": [c.as_dict() for c in self.categories],
            "matrix": [list(row) for row in self.matrix],
            "nodes": [n.as_dict() for n in self.nodes],
        }


# --- building the inputs --------------------------------------------------------------------------------------------
def node_specs(
    rows: Sequence[tree.Row], selected: Collection[int] | None = None, *, rollup: bool = False
) -> list[NodeSpec]:
    """The nodes to report on, in codebook order; with rollup each also counts its descendants' codings."""
    ordered = tree.walk(rows)
    chosen = {n.row.id for n in ordered} if selected is None else set(selected)
    unknown = chosen - {n.row.id for n in ordered}
    if unknown:
        raise ValueError(_("Unknown node(s): %(ids)s.") % {"ids": ", ".join(map(str, sorted(unknown)))})
    specs = []
    ancestors: list[int] = []  # ids along the current path, by depth
    for index, node in enumerate(ordered):
        del ancestors[node.depth :]
        ancestors.append(node.row.id)
        if node.row.id not in chosen:
            continue
        sources = {node.row.id}
        if rollup:
            for below in ordered[index + 1 :]:
                if below.depth <= node.depth:
                    break
                sources.add(below.row.id)
        covered = rollup and any(a in chosen for a in ancestors[:-1])
        specs.append(
            NodeSpec(
                id=node.row.id,
                path=node.path,
                sources=frozenset(sources),
                category=ancestors[0],
                depth=node.depth,
                pooled=not covered,
            )
        )
    return specs


def unit_spans(sections: Iterable[tuple[str, int, int]], length: int) -> list[tuple[int, int]]:
    """A document's article-level units: its articles, else its numbered items, else the whole text.

    Each unit ends where the next begins, so nested items do not overlap; text outside every unit is in none.
    """
    sections = list(sections)
    for kind in UNIT_KINDS:
        chosen = sorted((max(0, s), min(e, length)) for k, s, e in sections if k == kind)
        if chosen:
            nexts = [s for s, _ in chosen[1:]] + [length]
            cut = [(s, min(e, following)) for (s, e), following in zip(chosen, nexts, strict=True)]
            return [(s, e) for s, e in cut if s < e]
    return [(0, length)]


# --- the counting core ----------------------------------------------------------------------------------------------
def _expand(keys: np.ndarray, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For a one-to-many mapping src → dst: (index into keys, dst) for every match of every key."""
    order = np.argsort(src, kind="stable")
    src, dst = src[order], dst[order]
    lo = np.searchsorted(src, keys, "left")
    count = np.searchsorted(src, keys, "right") - lo
    rows = np.repeat(np.arange(keys.size), count)
    first = np.cumsum(count) - count
    return rows, dst[lo[rows] + np.arange(rows.size) - first[rows]]


def _union(cell: np.ndarray, start: np.ndarray, end: np.ndarray, big: int) -> tuple[np.ndarray, ...]:
    """Per cell, the union of the intervals as disjoint, non-touching intervals sorted by (cell, start)."""
    if cell.size == 0:
        return cell, start, end
    base = cell * big  # one number line for all cells, so a single sort and running maximum serve them all
    order = np.argsort(base + start)
    base, start, end = base[order], start[order], end[order]
    reach = np.maximum.accumulate(base + end)
    opens = np.empty(base.size, dtype=bool)
    opens[0] = True
    opens[1:] = base[1:] + start[1:] > reach[:-1]
    closes = np.flatnonzero(np.append(opens[1:], True))
    return cell[order][opens], start[opens], reach[closes] - base[closes]


def _overlap(start: np.ndarray, end: np.ndarray, other_start: np.ndarray, other_end: np.ndarray) -> np.ndarray:
    """For each interval, how much of it the other (sorted, disjoint) intervals cover: two binary searches each."""
    if other_start.size == 0:
        return np.zeros(start.size, dtype=np.int64)
    covered = np.concatenate(([0], np.cumsum(other_end - other_start)))

    def before(x: np.ndarray) -> np.ndarray:  # length of the other intervals that lies before x
        k = np.searchsorted(other_start, x, "left")  # intervals starting before x
        tail = np.maximum(other_end[np.maximum(k - 1, 0)] - x, 0) * (k > 0)
        return covered[k] - tail

    return before(end) - before(start)


def _offsets(sizes: np.ndarray) -> tuple[np.ndarray, int]:
    """Where each document starts on one global line, with a one-position gap so documents never touch; and its end."""
    offsets = np.cumsum(sizes + 1) - (sizes + 1)
    return offsets, int((sizes + 1).sum()) + 1


def _units(
    start: np.ndarray, end: np.ndarray, offsets: np.ndarray, bounds: list
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Character intervals → intervals of unit positions (a unit is coded if any of its characters is)."""
    unit_doc = np.repeat(np.arange(len(bounds)), [len(b) for b in bounds])
    flat = np.array([u for b in bounds for u in b], dtype=np.int64).reshape(-1, 2)
    first_char = offsets[unit_doc] + flat[:, 0]
    last_char = offsets[unit_doc] + flat[:, 1]
    first = np.searchsorted(last_char, start, "right")  # the first unit that ends after the interval starts
    last = np.searchsorted(first_char, end, "left") - 1  # the last unit that starts before the interval ends
    hit = first <= last
    first, last = first[hit], last[hit]
    doc = unit_doc[first]  # unit positions keep the one-position gap between documents
    return hit, first + doc, last + 1 + doc


def compare(
    codings: Iterable[tuple[int, int, str, int, int]],
    *,
    lengths: Mapping[int, int],
    nodes: Sequence[NodeSpec],
    coders: Sequence[str],
    groups: Mapping[str, Collection[str]] | None = None,
    reviewed: Mapping[str, Collection[int]] | None = None,
    unit: str = "character",
    units: Mapping[int, Sequence[tuple[int, int]]] | None = None,
) -> Report:
    """Compare coders (or groups) over codings (document, node, coder, start, end) by sweeping span boundaries.

    lengths: document id → characters, in report order; a group is a label in coders that groups maps to usernames;
    reviewed: username → documents that coder finished (None: everyone reviewed everything), missing elsewhere;
    units: document id → its article units (unit="article"), from unit_spans; a document without them is one unit.
    """
    labels = tuple(coders)
    if len(labels) < 2 or len(set(labels)) != len(labels):
        raise ValueError(_("Choose at least two different coders to compare."))
    if unit not in UNITS:
        raise ValueError(_("Unknown unit “%(unit)s”: use %(units)s.") % {"unit": unit, "units": ", ".join(UNITS)})
    members = {label: sorted((groups or {}).get(label, [label])) for label in labels}
    users = sorted({u for m in members.values() for u in m})
    user_index = {u: i for i, u in enumerate(users)}
    doc_ids = np.fromiter(lengths.keys(), np.int64, len(lengths))
    sizes = np.fromiter(lengths.values(), np.int64, len(lengths))
    n_docs, n_specs, n_labels = doc_ids.size, len(nodes), len(labels)

    present_user = np.ones((n_docs, len(users)), dtype=bool)
    if reviewed is not None:
        for u, i in user_index.items():
            present_user[:, i] = np.isin(doc_ids, np.fromiter(reviewed.get(u, ()), np.int64))
    present = np.stack([present_user[:, [user_index[u] for u in members[label]]].any(axis=1) for label in labels], 1)
    label_of = np.array([j for j, label in enumerate(labels) for _ in members[label]], dtype=np.int64)
    user_of = np.array([user_index[u] for label in labels for u in members[label]], dtype=np.int64)

    rows = codings if isinstance(codings, list) else list(codings)
    doc, node, start, end = (np.fromiter(map(itemgetter(k), rows), np.int64, len(rows)) for k in (0, 1, 3, 4))
    lookup = defaultdict(lambda: -1, user_index)
    user = np.fromiter(map(lookup.__getitem__, map(itemgetter(2), rows)), np.int64, len(rows))
    by_id = np.argsort(doc_ids)
    at = by_id[np.minimum(np.searchsorted(doc_ids[by_id], doc), n_docs - 1)] if n_docs else np.zeros_like(doc)
    keep = (user >= 0) & (doc_ids[at] == doc) if n_docs else np.zeros(doc.size, dtype=bool)
    doc, node, user, start, end = at[keep], node[keep], user[keep], start[keep], end[keep]
    start, end = np.maximum(start, 0), np.minimum(end, sizes[doc])
    keep = (start < end) & present_user[doc, user]  # a missing coder's codings do not count
    doc, node, user, start, end = doc[keep], node[keep], user[keep], start[keep], end[keep]

    # each coding counts for every group its coder is in and every reported node it rolls up to
    which, label = _expand(user, user_of, label_of)
    doc, node, start, end = doc[which], node[which], start[which], end[which]
    node_src = np.array([s for spec in nodes for s in sorted(spec.sources)], dtype=np.int64)
    node_dst = np.array([i for i, spec in enumerate(nodes) for _ in spec.sources], dtype=np.int64)
    which, spec = _expand(node, node_src, node_dst)
    doc, label, start, end = doc[which], label[which], start[which], end[which]

    offsets, big = _offsets(sizes)
    cell, start, end = _union(spec * n_labels + label, offsets[doc] + start, offsets[doc] + end, big)
    if unit != "character":
        whole = [[(0, n)] if n else [] for n in sizes.tolist()]
        if unit == "article" and units:
            whole = [list(units.get(d) or w) for d, w in zip(doc_ids.tolist(), whole, strict=True)]
        _check_units(whole, sizes)
        hit, start, end = _units(start, end, offsets, whole)
        sizes = np.array([len(b) for b in whole], dtype=np.int64)
        offsets, big = _offsets(sizes)
        cell, start, end = _union(cell[hit], start, end, big)
    spec, label = cell // n_labels, cell % n_labels
    doc = np.searchsorted(offsets, start, "right") - 1
    line = spec * big  # each node on its own stretch of one number line, so one search serves every node

    shape = (n_specs, n_docs, n_labels)
    coded = np.bincount(np.ravel_multi_index((spec, doc, label), shape), weights=end - start, minlength=np.prod(shape))
    coded = coded.astype(np.int64).reshape(shape)
    both = {}
    for i, j in combinations(range(n_labels), 2):
        mine, theirs = label == i, label == j
        shared = _overlap(*(line[m] + x[m] for m in (mine, theirs) for x in (start, end)))
        where = spec[mine] * n_docs + doc[mine]
        both[i, j] = np.bincount(where, weights=shared, minlength=n_specs * n_docs).astype(np.int64)
        both[i, j] = both[i, j].reshape(n_specs, n_docs)

    # alpha: a unit where k of the p present coders coded adds k(p−k)/(p−1) to o01; summed over a document's units,
    # Σk = Σ_i a_i and Σk² = Σ_i a_i + 2·Σ_{i<j} both_ij, so o01 = Σ_i a_i − 2·Σ_{i<j} both_ij / (p − 1)
    p = present.sum(axis=1)
    pairable = p >= 2
    n1 = np.where(pairable, coded.sum(axis=2), 0)
    n0 = np.where(pairable, p * sizes, 0) - n1
    shared = sum(both.values(), np.zeros((n_specs, n_docs), dtype=np.int64))
    o01 = np.where(pairable, n1 - 2 * shared / np.maximum(p - 1, 1), 0.0)
    alpha = (o01.sum(axis=1), n0.sum(axis=1), n1.sum(axis=1))

    return _report(labels, unit, nodes, doc_ids.tolist(), sizes, present, coded, both, alpha)


def _check_units(bounds: list, sizes: np.ndarray) -> None:
    for units, size in zip(bounds, sizes.tolist(), strict=True):
        inside = all(0 <= s < e <= size for s, e in units)
        if not inside or any(e > s for (_, e), (s, _) in pairwise(units)):
            raise ValueError(_("A document's units must lie inside it, be sorted, non-empty and must not overlap."))


def _report(labels, unit, nodes, doc_ids, sizes, present, coded, both, alpha) -> Report:
    """Assemble the report values from the count arrays (specs × documents × coders)."""
    pair = present[:, 0] & present[:, 1]
    counts = np.stack((np.broadcast_to(sizes, coded.shape[:2]), coded[:, :, 0], coded[:, :, 1], both[0, 1]))
    rows = counts[:, :, pair].transpose(1, 2, 0).tolist()
    documents = [d for d, keep in zip(doc_ids, pair.tolist(), strict=True) if keep]
    o01, n0, n1 = (a.tolist() for a in alpha)
    results = []
    for s, spec in enumerate(nodes):
        tables = [Table(*r) for r in rows[s]]
        results.append(
            NodeResult(
                node=spec.id,
                path=spec.path,
                summary=Summary(sum(tables, Table(0, 0, 0, 0)), Coincidences(float(o01[s]), n0[s], n1[s])),
                documents=tuple(DocumentRow(d, t) for d, t in zip(documents, tables, strict=True)),
            )
        )
    pooled = [spec.pooled for spec in nodes]

    def pooled_summary(chosen: list[int]) -> Summary:
        return Summary(
            sum((results[s].summary.table for s in chosen), Table(0, 0, 0, 0)),
            sum((results[s].summary.coincidences for s in chosen), Coincidences(0.0, 0, 0)),
        )

    overall = pooled_summary([s for s in range(len(nodes)) if pooled[s]])
    categories = []
    if any(spec.depth > 0 for spec in nodes):
        seen: dict[int, list[int]] = {}
        for s, spec in enumerate(nodes):
            if pooled[s]:
                seen.setdefault(spec.category, []).append(s)
        for category, chosen in seen.items():
            top = nodes[chosen[0]].path.split(tree.SEPARATOR, 1)[0]
            categories.append(Category(node=category, path=top, summary=pooled_summary(chosen)))

    matrix = [[1.0 if i == j else None for j in range(len(labels))] for i in range(len(labels))]
    in_overall = np.array(pooled, dtype=bool)
    for i, j in both:
        docs = present[:, i] & present[:, j]
        n = int(sizes[docs].sum()) * int(in_overall.sum())
        a, b, n11 = (int(x[in_overall][:, docs].sum()) for x in (coded[:, :, i], coded[:, :, j], both[i, j]))
        matrix[i][j] = matrix[j][i] = Table(n, a, b, n11).kappa if n else None
    return Report(
        coders=labels,
        unit=unit,
        overall=overall,
        nodes=tuple(results),
        categories=tuple(categories),
        matrix=tuple(tuple(row) for row in matrix),
    )


# --- loader: the one place that queries -----------------------------------------------------------------------------
def comparison_for_project(
    *,
    project,
    user,
    coders: Sequence[str],
    nodes: Collection[int] | None = None,
    documents: Collection[int] | None = None,
    unit: str = "character",
    reviewed: Mapping[str, Collection[int]] | None = None,
    rollup: bool = False,
    groups: Mapping[str, Collection[str]] | None = None,
) -> Report:
    """The coding comparison of the project's codings that user may see, for coders (usernames or group labels)."""
    if unit not in UNITS:
        raise ValueError(_("Unknown unit “%(unit)s”: use %(units)s.") % {"unit": unit, "units": ", ".join(UNITS)})
    usernames = {u for label in coders for u in (groups or {}).get(label, [label])}
    if usernames - {user.username} and not layers.sees_everyone(project, user):
        # blind coding hides the others' codings, which would read as "coded nothing"
        raise PermissionDenied(_("While the project codes blind, only owners and adjudicators can compare coders."))
    specs = node_specs(tree.rows_for(project), nodes, rollup=rollup)
    document_rows = project.documents.order_by("id")
    if documents is not None:
        document_rows = document_rows.filter(id__in=documents)
    lengths = dict(document_rows.values_list("id", "char_count"))
    codings = layers.visible_codings(project, user).filter(coder__username__in=usernames)
    if documents is not None:
        codings = codings.filter(document_id__in=list(lengths))
    if nodes is not None:
        codings = codings.filter(node_id__in={s for spec in specs for s in spec.sources})
    rows = codings.order_by().values_list("document_id", "node_id", "coder__username", "start", "end")
    units = None
    if unit == "article":
        sections: dict[int, list[tuple[str, int, int]]] = {d: [] for d in lengths}
        found = Section.objects.filter(document__project=project, kind__in=UNIT_KINDS).order_by()
        for document_id, kind, start, end in found.values_list("document_id", "kind", "start", "end"):
            if document_id in sections:
                sections[document_id].append((kind, start, end))
        units = {d: unit_spans(headings, lengths[d]) for d, headings in sections.items()}
    return compare(
        rows.iterator(chunk_size=20_000),
        lengths=lengths,
        nodes=specs,
        coders=coders,
        groups=groups,
        reviewed=reviewed,
        unit=unit,
        units=units,
    )
