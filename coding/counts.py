"""Per-node counts (documents coded, references, coders): one grouped query, read from the covering index."""

from dataclasses import dataclass

from django.db.models import Count, Q

from coding.models import Coding
from framework.models import Node


@dataclass(frozen=True, slots=True)
class NodeCounts:
    documents: int
    references: int
    coders: int


def node_counts(project, *, coders=None, leave_out=None, not_a_coder=None) -> dict[int, tuple[int, int, int]]:
    """Node id → (documents, references, coders) over the node's own codings by `coders` (ids: a coding layer, see
    coding.layers.counted; None for everyone's), without `leave_out`'s; `not_a_coder` (the consensus layer) is
    counted in documents and references but not among the coders."""
    codings = Coding.objects.filter(node_id__in=Node.objects.filter(project=project).values("id"))
    if coders is not None:
        codings = codings.filter(coder_id__in=coders)
    if leave_out is not None:
        codings = codings.exclude(coder_id=leave_out)
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
    node_ids: list[int], *, coders=None, leave_out=None, not_a_coder=None
) -> dict[int, tuple[int, int, int]]:
    """node_counts for a few nodes only."""
    codings = Coding.objects.filter(node_id__in=node_ids)
    if coders is not None:
        codings = codings.filter(coder_id__in=coders)
    if leave_out is not None:
        codings = codings.exclude(coder_id=leave_out)
    grouped = (
        codings.order_by()
        .values("node")
        .annotate(documents=Count("document", distinct=True), references=Count("node"), coders=_coders(not_a_coder))
        .values_list("node", "documents", "references", "coders")
    )
    return {node: (documents, references, coders) for node, documents, references, coders in grouped}
