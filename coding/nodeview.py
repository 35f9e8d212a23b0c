"""The node view: every passage coded at a node across documents, with context. Pure core, then one loader."""

from dataclasses import dataclass, field

from django.core.paginator import Paginator

from coding import layers
from framework import tree
from policies import corpus

CONTEXT_CHARS = 60
PAGE_SIZE = 100


@dataclass(frozen=True)
class Passage:
    coding_id: int
    document_id: int
    coder: str
    start: int
    end: int
    before: str
    text: str
    after: str
    memo: str
    title: str
    province: str


@dataclass(frozen=True)
class NodeViewQuery:
    """What the node view shows, parsed at the edge (coding/query_params.py)."""

    descendants: bool = True  # the node's subtree, or the node alone
    coders: tuple[str, ...] = ()  # the layer's names; empty: the default layer
    filters: tuple[tuple[str, str], ...] = ()  # document attributes (corpus.FILTER_FIELDS)
    documents: tuple[int, ...] = ()  # only these documents (a matrix cell's), else all
    page: int | str = 1


@dataclass
class NodeView:
    node_ids: set[int]
    documents: int = 0
    references: int = 0
    coders: list[str] = field(default_factory=list)  # who coded here, 共识 never among them
    page: object = None  # a Paginator page of Passage
    layer: object = None  # the coding.layers.Layer shown


def with_context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> tuple[str, str, str]:
    """The passage and up to `width` characters on each side, cut at line breaks."""
    before = text[max(0, start - width) : start].rsplit("\n", 1)[-1]
    after = text[end : end + width].split("\n", 1)[0]
    return before, text[start:end], after


# --- loader --------------------------------------------------------------------------------------


def load(project, node, user, query: NodeViewQuery | None = None) -> NodeView:
    """Passages at the node (and its descendants unless the query says not) in the layer the query's coders name
    (the default layer without them), filtered by document attributes."""
    query = query or NodeViewQuery()
    rows = tree.rows_for(project)
    node_ids = {node.pk}
    if query.descendants:
        node_ids |= tree.descendants(rows, node.pk)
    layer = layers.layer_for(project, user, query.coders)
    codings = layers.layer_codings(project, user, layer).filter(node_id__in=node_ids)
    if query.filters:
        codings = codings.filter(document__in=corpus.filter_documents(project.documents.all(), dict(query.filters)))
    if query.documents:
        codings = codings.filter(document_id__in=query.documents)
    view = NodeView(node_ids=node_ids, layer=layer)
    view.references = codings.count()
    view.documents = codings.values("document_id").distinct().count()
    view.coders = sorted(set(codings.exclude(coder_id=layer.consensus).values_list("coder__username", flat=True)))
    ordered = codings.order_by("document_id", "start", "end", "id").values_list(
        "id", "document_id", "coder__username", "start", "end", "memo"
    )
    page = Paginator(ordered, PAGE_SIZE).get_page(query.page)
    needed = {row[1] for row in page.object_list}
    documents = {
        i: (text, title, province)
        for i, text, title, province in project.documents.filter(pk__in=needed).values_list(
            "id", "text", "title", "province"
        )
    }
    page.object_list = [
        Passage(cid, did, coder, s, e, *with_context(documents[did][0], s, e), memo, *documents[did][1:])
        for cid, did, coder, s, e, memo in page.object_list
    ]
    view.page = page
    return view
