"""Per-node counts (documents coded, references, coders): one grouped query, read from the covering index, and a
parent's counts rolled up over its subtree (distinct documents and coders, not sums of its children)."""

from dataclasses import dataclass

from django.db.models import Aggregate, Count, Q, TextField

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
    layer = {"coders": coders, "leave_out": leave_out, "not_a_coder": not_a_coder}
    if not rollup:
        return own_counts(project, **layer)
    above = ancestors(dict(Node.objects.filter(project=project).values_list("id", "parent_id")))
    if not any(above.values()):  # a flat codebook: nothing to roll up
        return own_counts(project, **layer)
    return _rolled_up(project, above, **layer)


def own_counts(project, *, coders=None, leave_out=None, not_a_coder=None) -> dict[int, tuple[int, int, int]]:
    """node_counts over each node's own codings only (no roll-up)."""
    grouped = (
        # IN (the project's node ids) rather than a join: both SQLite and PostgreSQL then read only the covering index
        _project_codings(project, coders, leave_out)
        .values("node")
        .annotate(
            documents=Count("document", distinct=True),
            references=Count("node"),  # node_id is in the index; Count("id") would read the table
            coders=_coders(not_a_coder),
        )
        .values_list("node", "documents", "references", "coders")
    )
    return {node: (documents, references, coders) for node, documents, references, coders in grouped}


def _project_codings(project, coders, leave_out):
    return _layer(
        Coding.objects.filter(node_id__in=Node.objects.filter(project=project).values("id")), coders, leave_out
    )


def _layer(codings, coders, leave_out):
    """The codings of a layer: by `coders` (None: everyone), without `leave_out`'s."""
    codings = codings.order_by()
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


class _IdSet(Aggregate):
    """The distinct ids of a group as one value: an array on PostgreSQL, "1,5,9" text elsewhere (SQLite's
    group_concat); read with _ids(). One row a node carries them, far cheaper than a row a (node, document) pair."""

    function = "GROUP_CONCAT"
    allow_distinct = True
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="ARRAY_AGG", **extra)


def _ids(value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return value.split(",") if value else []
    return [v for v in value if v is not None]


def _rolled_up(project, above, *, coders, leave_out, not_a_coder) -> dict[int, tuple[int, int, int]]:
    """Every node's counts over itself and its descendants, from one grouped query that carries each node's distinct
    documents and coders: a parent's are the union of those under it (a document coded at two children counts
    once); references add up."""
    not_counted = ~Q(coder_id=not_a_coder) if not_a_coder is not None else None
    grouped = (
        _project_codings(project, coders, leave_out)
        .values("node")
        .annotate(
            references=Count("node"),
            documents=_IdSet("document", distinct=True),
            people=_IdSet("coder", distinct=True, filter=not_counted),
        )
        .values_list("node", "references", "documents", "people")
    )
    documents: dict[int, set] = {}
    people: dict[int, set] = {}
    references: dict[int, int] = {}
    for node, count, in_documents, by_people in grouped:
        in_documents, by_people = _ids(in_documents), _ids(by_people)
        for target in (node, *above.get(node, ())):
            documents.setdefault(target, set()).update(in_documents)
            people.setdefault(target, set()).update(by_people)
            references[target] = references.get(target, 0) + count
    return {node: (len(documents[node]), references[node], len(people[node])) for node in references}


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
        codings = _layer(Coding.objects.filter(node_id__in=subtree), coders, leave_out)
        totals = codings.aggregate(
            documents=Count("document", distinct=True), references=Count("node"), coders=_coders(not_a_coder)
        )
        if totals["references"]:
            found[asked] = (totals["documents"], totals["references"], totals["coders"])
    return found
