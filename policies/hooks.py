"""The few calls from a lower layer up into a higher one, as one explicit registry.

The layers run one way (README, "Architecture"): policies → policies.text → framework → coding → coding.analysis.
Where code below needs what only a layer above knows (the codings under a node, the built-in codebook templates),
it calls a hook named here, and the layer above registers the one implementation in its AppConfig.ready(). Every
hook is listed in HOOKS with who provides it; calling a hook nobody registered is a configuration error, never a
silent no-op (a node merge without its codings would lose them).
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

HOOKS = {
    # provided by framework (apps.FrameworkConfig.ready)
    "codebook_templates": "() → [(key, label)]: the built-in codebook templates a new project may start from",
    "codebook_template_apply": "(project, template): add a built-in codebook template to the project",
    "node_choices": "(project) → [(id, path, depth)]: the project's nodes in display order",
    # provided by coding (apps.CodingConfig.ready)
    "coded_spans": "(project, user, scope) → {document id: merged spans}: a node or coder scope's coded text",
    "scope_layer": "(project, user, coders) → the coding layer `coders` names (as coders= does; blank: the default"
    " layer); ValidationError for a name that is not a coder of the project",
    "document_coding_count": "(document, user) → int: the document's codings the user may see",
    "node_counts": "(project, user, coders=()) → (layer, {node id: (documents, references, coders)}): counts on the"
    " layer the coders name (none: the default layer) over the codings the user sees, a parent's"
    " over its whole subtree (distinct documents and coders, not sums of its children); the layer"
    " has as_json(), label, header() and file_tag()",
    "node_counts_for": "(node_ids, project, user) → (layer, counts) for a few nodes on the default layer, each over its"
    " subtree as the tree shows it",
    "subtree_counts": "(node_ids) → NodeCounts: what deleting these nodes would remove",
    "node_codings_merge": "(source, target, *, actor, path) → (moved, dropped): source's codings onto target",
    "nodes_codings_delete": "(node, node_ids, *, actor, path): delete (and log) the codings at these nodes",
}

_registered: dict[str, Callable[..., Any]] = {}


def register(name: str, implementation: Callable[..., Any]) -> None:
    """Provide hook `name` (once, from the app that owns the operation)."""
    if name not in HOOKS:
        raise ImproperlyConfigured(f"Unknown hook {name!r}: add it to policies.hooks.HOOKS first.")
    _registered[name] = implementation


def call(name: str, *args: Any, **kwargs: Any) -> Any:
    """Run hook `name` with these arguments."""
    try:
        implementation = _registered[name]
    except KeyError:
        raise ImproperlyConfigured(f"No app registered the hook {name!r} ({HOOKS.get(name, 'unknown')}).") from None
    return implementation(*args, **kwargs)
