"""Per-node counts (documents coded, references, coders): one grouped query, read from the covering index, and a
parent's counts rolled up over its subtree (distinct documents and coders, not sums of its children)."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q

from coding.models import Coding
from framework.models import Node


@dataclass(frozen=True, slots=True)
class NodeCounts:
    documents: int
    references: int
    coders: int


def node_counts(
    project, *, coders=None, leave_out=None, not_a_coder=None, rollup: bool = True
) -> dict[int, tuple[int, int, int]]:
    """Node id → (documents, references, coders) by `coders` (ids: a coding layer, see coding.layers.counted; None
    for everyone's), without `leave_out`'s; `not_a_coder` (the consensus layer) is counted in documents and references
    but not among the coders. With `rollup` (the codebook tree and figure), a parent's numbers are over its whole
    subtree: the distinct documents and coders of its own and its descendants' codings, and all their references;
    without it, over the node's own codings only."""
    own = own_counts(project, coders=coders, leave_out=leave_out, not_a_coder=not_a_coder)
    if not rollup:
        return own
    parents = dict(Node.objects.filter(project=project).values_list("id", "parent_id"))
    return _rolled_up(parents, own, coders=coders, leave_out=leave_out, not_a_coder=not_a_coder)


def own_counts(project, *, coders=None, leave_out=None, not_a_coder=None) -> dict[int, tuple[int, int, int]]:
    """node_counts over each node's own codings only (no roll-up)."""
    codings = _layer(
        Coding.objects.filter(node_id__in=Node.objects.filter(project=project).values("id")), coders, leave_out
    )
    grouped = (
        # IN (the project's node ids) rather than a join: both SQLite and PostgreSQL then read only the covering index
        codings.order_by()
        .values("node")
        .annotate(
            documents=Count("document", distinct=True),
            references=Count("node"),  # node_id is in the index; Count("id") would read the table
            coders=_coders(not_a_coder),
        )
        .values_list("node", "documents", "references", "coders")
    )
    return {node: (documents, references, coders) for node, documents, references, coders in grouped}


def _layer(codings, coders, leave_out):
    if coders is not None:
        codings = codings.filter(coder_id__in=coders)
    if leave_out is not None:
        codings = codings.exclude(coder_id=leave_out)
    return codings


def ancestors(parents: dict[int, int | None]) -> dict[int, list[int]]:
    """Node id → its ancestors, nearest first, from node id → parent id (a cycle, which the codebook refuses, stops
    the walk rather than looping)."""
    found: dict[int, list[int]] = {}
    for node in parents:
        line, current = [], parents.get(node)
        while current is not None and current in parents and len(line) < len(parents):
            line.append(current)
            current = parents.get(current)
        found[node] = line
    return found


def _rolled_up(parents, own, *, coders, leave_out, not_a_coder) -> dict[int, tuple[int, int, int]]:
    """`own` counts with every parent's replaced by those over its subtree (itself and every descendant): the
    distinct (node, document) and (node, coder) pairs there, unioned upwards, so a document coded at two children
    counts once; references add up. A leaf keeps its own numbers; a codebook without nesting costs no more query."""
    above = ancestors(parents)
    has_children = {parent for line in above.values() for parent in line[:1]}
    if not has_children:
        return own
    # where a pair counts: the node itself when it is a parent, and every ancestor
    counts_at = {node: ([node] if node in has_children else []) + line for node, line in above.items()}
    inside = [node for node, targets in counts_at.items() if targets]
    codings = _layer(Coding.objects.filter(node_id__in=inside), coders, leave_out).order_by()
    documents: dict[int, set[int]] = {parent: set() for parent in has_children}
    people: dict[int, set[int]] = {parent: set() for parent in has_children}
    # distinct pairs, read from the covering index (node, document, coder): far fewer rows than codings
    for node, document in codings.values_list("node", "document").distinct():
        for parent in counts_at[node]:
            documents[parent].add(document)
    for node, coder in codings.values_list("node", "coder").distinct():
        if coder != not_a_coder:
            for parent in counts_at[node]:
                people[parent].add(coder)
    references: defaultdict[int, int] = defaultdict(int)
    for node, (_documents, count, _coders) in own.items():
        for parent in counts_at.get(node, ()):
            references[parent] += count
    rolled = dict(own)
    for parent in has_children:
        if documents[parent]:
            rolled[parent] = (len(documents[parent]), references[parent], len(people[parent]))
    return rolled


def subtree_counts(node_ids: list[int]) -> NodeCounts:
    """What deleting these nodes would remove: their codings, and in how many documents and by how many coders."""
    totals = Coding.objects.filter(node_id__in=node_ids).aggregate(
        documents=Count("document", distinct=True), references=Count("node"), coders=Count("coder", distinct=True)
    )
    return NodeCounts(**totals)


def _coders(not_a_coder):
    if not_a_coder is None:
        return Count("coder", distinct=True)
    return Count("coder", distinct=True, filter=~Q(coder_id=not_a_coder))


def node_counts_for(
    node_ids: list[int], project, *, coders=None, leave_out=None, not_a_coder=None
) -> dict[int, tuple[int, int, int]]:
    """node_counts for a few of the project's nodes only, each over its subtree (itself and its descendants), as the
    tree shows it."""
    parents = dict(Node.objects.filter(project=project).values_list("id", "parent_id"))
    above = ancestors(parents)
    found = {}
    for asked in node_ids:
        subtree = [node for node, line in above.items() if node == asked or asked in line]
        codings = _layer(Coding.objects.filter(node_id__in=subtree), coders, leave_out).order_by()
        totals = codings.aggregate(
            documents=Count("document", distinct=True), references=Count("node"), coders=_coders(not_a_coder)
        )
        if totals["references"]:
            found[asked] = (totals["documents"], totals["references"], totals["coders"])
    return found
