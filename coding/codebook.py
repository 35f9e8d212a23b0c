"""The codings' side of codebook edits: a node merge moves its codings onto the target, a node delete removes (and
logs) the codings at the doomed nodes. framework.services owns the node operations and calls these through the
node_codings_merge and nodes_codings_delete hooks (policies.hooks), inside its transaction."""

from django.db.models import Exists, OuterRef, Subquery

from coding import services
from coding.models import Coding


def node_codings_merge(source, target, *, actor, path: str) -> tuple[int, int]:
    """Move source's codings to target; one the target already has (same document, coder, start and end) is
    dropped, its memo filling an empty memo at the target. Returns (moved, dropped)."""
    at_target = Coding.objects.filter(
        node=target,
        document=OuterRef("document"),
        coder=OuterRef("coder"),
        start=OuterRef("start"),
        end=OuterRef("end"),
    )
    duplicates = Coding.objects.filter(node=source).filter(Exists(at_target))
    from_source = Coding.objects.filter(
        node=source,
        document=OuterRef("document"),
        coder=OuterRef("coder"),
        start=OuterRef("start"),
        end=OuterRef("end"),
    ).exclude(memo="")
    Coding.objects.filter(node=target, memo="").filter(Exists(from_source)).update(
        memo=Subquery(from_source.values("memo")[:1])
    )
    audit = {"actor": actor, "project": source.project, "path": path}
    merged = {"node_id": source.pk, "merged_into": target.pk}
    services.codebook_change_log(codings=duplicates, action="deleted", before=merged, **audit)
    services.codebook_change_log(
        codings=Coding.objects.filter(node=source).exclude(Exists(at_target)), action="updated", before=merged, **audit
    )
    dropped = duplicates.delete()[0]
    moved = Coding.objects.filter(node=source).update(node=target)
    return moved, dropped


def nodes_codings_delete(node, node_ids: list[int], *, actor, path: str) -> None:
    """Delete the codings at these nodes (node and its descendants), logged as removed with the node."""
    doomed = Coding.objects.filter(node_id__in=node_ids)
    services.codebook_change_log(
        actor=actor, project=node.project, codings=doomed, action="deleted", path=path, before={"node_deleted": node.pk}
    )
    doomed.delete()
