"""What the coding app provides to the layers below it (policies.hooks): registered once, from CodingConfig.ready().

The counts a user may see go through the one visibility rule (coding.layers: under blind coding, a coder's own)."""

from coding import autocode, codebook, counts, layers
from policies import hooks


def node_counts(project, user, coders=()) -> tuple[layers.Layer, dict[int, tuple[int, int, int]]]:
    """The layer the `coders` name (no names: the default) and node id → (documents, references, coders) on it, over
    the codings `user` may see; a parent's numbers are over its subtree (distinct documents and coders)."""
    layer, counted = layers.counted(project, user, coders)
    return layer, counts.node_counts(project, **counted)


def node_counts_for(node_ids: list[int], project, user) -> tuple[layers.Layer, dict[int, tuple[int, int, int]]]:
    """node_counts on the default layer for a few nodes (each over its subtree, as the tree shows it)."""
    layer, counted = layers.counted(project, user)
    return layer, counts.node_counts_for(node_ids, project, **counted)


def document_coding_count(document, user) -> int:
    """The document's codings `user` may see."""
    return layers.visible_codings(document.project, user).filter(document=document).count()


def scope_layer(project, user, names: str) -> layers.Layer:
    """The layer a search or word-frequency scope's `coder` names (as coders= does); blank is the default layer."""
    return layers.layer_for(project, user, layers.parse_names(names))


def register() -> None:
    # Each looked up when called (not bound now), so replacing the implementation (a test's monkeypatch) holds.
    hooks.register("coded_spans", lambda *args: autocode.coded_spans(*args))
    hooks.register("scope_layer", lambda *args: scope_layer(*args))
    hooks.register("document_coding_count", lambda *args: document_coding_count(*args))
    hooks.register("node_counts", lambda *args: node_counts(*args))
    hooks.register("node_counts_for", lambda *args: node_counts_for(*args))
    hooks.register("subtree_counts", lambda *args: counts.subtree_counts(*args))
    hooks.register("node_codings_merge", lambda *args, **kwargs: codebook.node_codings_merge(*args, **kwargs))
    hooks.register("nodes_codings_delete", lambda *args, **kwargs: codebook.nodes_codings_delete(*args, **kwargs))
