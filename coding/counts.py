"""Per-node counts (documents coded, references, coders): one grouped query, read from the covering index."""

from dataclasses import dataclass

from django.db.models import Count

from coding.models import Coding
from framework.models import Node


@dataclass(frozen=True, slots=True)
class NodeCounts:
    documents: int
    references: int
    coders: int


def node_counts(project, *, coder=None) -> dict[int, tuple[int, int, int]]:
    """Node id → (documents, references, coders) over the node's own codings (one coder's, under blind coding)."""
    codings = Coding.objects.filter(node_id__in=Node.objects.filter(project=project).values("id"))
    if coder is not None:
        codings = codings.filter(coder=coder)
    grouped = (
        # IN (the project's node ids) rather than a join: both SQLite and PostgreSQL then read only the covering index
        codings.order_by()
        .values("node")
        .annotate(
            documents=Count("document", distinct=True),
            references=Count("node"),  # node_id is in the index; Count("id") would read the table
            coders=Count("coder", distinct=True),
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


def node_counts_for(node_ids: list[int], *, coder=None) -> dict[int, tuple[int, int, int]]:
    """node_counts for a few nodes only (one coder's codings, under blind coding)."""
    codings = Coding.objects.filter(node_id__in=node_ids)
    if coder is not None:
        codings = codings.filter(coder=coder)
    grouped = (
        codings.order_by()
        .values("node")
        .annotate(
            documents=Count("document", distinct=True), references=Count("node"), coders=Count("coder", distinct=True)
        )
        .values_list("node", "documents", "references", "coders")
    )
    return {node: (documents, references, coders) for node, documents, references, coders in grouped}
