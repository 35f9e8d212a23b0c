"""What the coding app provides to the layers below it (policies.hooks): registered once, from CodingConfig.ready().

The counts a user may see go through the one visibility rule (coding.layers: under blind coding, a coder's own)."""

from coding import autocode, codebook, counts, layers
from policies import hooks


def node_counts(project, user) -> dict[int, tuple[int, int, int]]:
    """Node id → (documents, references, coders) over the codings `user` may see."""
    return counts.node_counts(project, coder=layers.only_coder(project, user))


def node_counts_for(node_ids: list[int], project, user) -> dict[int, tuple[int, int, int]]:
    """node_counts for a few nodes."""
    return counts.node_counts_for(node_ids, coder=layers.only_coder(project, user))


def document_coding_count(document, user) -> int:
    """The document's codings `user` may see."""
    return layers.visible_codings(document.project, user).filter(document=document).count()


def register() -> None:
    hooks.register("coded_spans", autocode.coded_spans)
    hooks.register("document_coding_count", document_coding_count)
    hooks.register("node_counts", node_counts)
    hooks.register("node_counts_for", node_counts_for)
    hooks.register("subtree_counts", counts.subtree_counts)
    hooks.register("node_codings_merge", codebook.node_codings_merge)
    hooks.register("nodes_codings_delete", codebook.nodes_codings_delete)
