"""Auto-coding: a text search's hits, spread to their sentence, paragraph or article, coded at a node in one
undoable batch; and the coded text a node or coder scope restricts a search to. The coding side of
policies.text.search, which reads no codings."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from coding import layers, services, spans
from coding.models import Coding
from framework import tree
from policies.text import search, segment


def coded_spans(project, user, scope: search.Scope) -> dict[int, list[tuple[int, int]]]:
    """Merged coded spans per document (of the codings `user` may see) for a node and/or coder scope: the
    coded_spans hook behind search.scope_spans, so word frequency and text search can run over coded text.

    The coded text is that of one coding layer: the scope's `coder` names it as `coders=` does (usernames,
    consensus / 共识); blank is the default layer (coding.layers.default_layer)."""
    codings = layers.layer_codings(project, user, search.scope_layer(project, user, scope))
    if scope.node is not None:
        rows = tree.rows_for(project)
        if scope.node not in {row.id for row in rows}:
            raise search.SearchError(_("There is no node %(id)s in this project's codebook.") % {"id": scope.node})
        codings = codings.filter(node_id__in=tree.descendants(rows, scope.node) | {scope.node})
    by_document: dict[int, list[tuple[int, int]]] = {}
    for document_id, start, end in codings.values_list("document_id", "start", "end"):
        by_document.setdefault(document_id, []).append((start, end))
    return {document_id: spans.merged(found) for document_id, found in by_document.items()}


@dataclass(frozen=True)
class AutocodeSearch:
    """The search to code the hits of, as the page or the API gave it, parsed at the edge (coding/query_params.py)."""

    text: str = ""  # the search as typed (search.parse_query reads it)
    mode: str = "terms"
    whole: bool = False  # whole words only
    scope: search.Scope = field(default_factory=search.Scope)
    hits: tuple[str, ...] = ()  # the ticked hits' keys; empty: every hit
    omit: tuple[str, ...] = ()  # passages of the preview left out
    spread: str = "hit"  # code the hit, or spread to its sentence / article (see autocode_plan)


@dataclass
class AutocodePlan:
    """What auto-coding would write: spans to code per document, how many are new and how many already exist; the
    spans the researcher left out, and the hits that lay in a heading (never a sentence) and spread to nothing."""

    spans: list[tuple[int, int, int]]  # document id, start, end (whitespace trimmed), unique, not left out
    new: int
    existing: int
    documents: int
    omitted: list[tuple[int, int, int]] = field(default_factory=list)  # planned but unticked in the preview
    headings: int = 0
    existing_spans: frozenset = frozenset()

    @property
    def all_spans(self) -> list[tuple[int, int, int]]:
        """Every span the hits spread to, left out or not, in document order: what the preview lists."""
        return sorted([*self.spans, *self.omitted])


def autocode_plan(
    project, user, *, node, hits: Sequence[search.Hit], mode: str, omit: Collection[tuple[int, int, int]] = ()
) -> AutocodePlan:
    """Spread each hit and trim it as coding does; count what is new for this coder at this node; leave out `omit`."""
    if mode not in search.SPREADS:
        raise search.SearchError(
            _("Unknown spread “%(mode)s”: use hit, sentence, paragraph or article.") % {"mode": mode}
        )
    ids = sorted({h.document_id for h in hits})
    texts = dict(project.documents.filter(pk__in=ids).values_list("pk", "text"))
    articles = search.articles_for(ids) if mode == "article" else {}
    headings = search.headings_for(texts) if mode == "sentence" else {}
    planned = set()
    in_headings = 0
    for hit in hits:
        text = texts[hit.document_id]
        bounds = [(s, e) for s, e, _label in articles.get(hit.document_id, [])]
        found = search.spread(text, hit.start, hit.end, mode, bounds, headings.get(hit.document_id, ()))
        if found is None:
            in_headings += 1
            continue
        try:
            planned.add((hit.document_id, *spans.trimmed(text, *found)))
        except spans.SpanError:
            continue
    existing = set(
        Coding.objects.filter(node=node, coder=user, document_id__in=ids).values_list("document_id", "start", "end")
    )
    left_out = set(omit)
    ordered = sorted(s for s in planned if s not in left_out)
    new = [s for s in ordered if s not in existing]
    return AutocodePlan(
        spans=ordered,
        new=len(new),
        existing=len(ordered) - len(new),
        documents=len({s[0] for s in ordered}),
        omitted=sorted(planned & left_out),
        headings=in_headings,
        existing_spans=frozenset(planned & existing),
    )


def plan_for_search(project, user, asked: AutocodeSearch, node) -> AutocodePlan:
    """Re-run the search (text, mode, whole words, scope) and plan codings for its hits: the ticked ones if any,
    spread as asked, the left-out passages omitted."""
    query = search.parse_query(asked.text, asked.mode or "terms", asked.whole)
    result = search.text_search(
        project, user, query=query, scope=asked.scope, boundaries=segment.word_boundaries(project)
    )
    hits = [search.Hit(line.document_id, line.start, line.end) for line in result.lines]
    ticked = list(asked.hits)
    if ticked:
        chosen = search.parse_hit_keys(ticked)
        hits = [h for h in hits if h in chosen]
        if not hits:
            raise search.SearchError(_("None of the ticked hits is a hit of this search any more."))
    elif result.truncated:
        raise search.SearchError(
            _("The search has more than %(limit)d hits: narrow it (or tick hits) before auto-coding.")
            % {"limit": search.HIT_LIMIT}
        )
    if not hits:
        raise search.SearchError(_("There is nothing to code: the search found no hits."))
    omit = {(h.document_id, h.start, h.end) for h in search.parse_hit_keys(list(asked.omit))}
    return autocode_plan(project, user, node=node, hits=hits, mode=asked.spread or "hit", omit=omit)


PREVIEW_PAGE = 20  # passages listed per page of the preview


def preview_page(project, plan: AutocodePlan, page: int) -> dict:
    """One page of the passages a plan would code, for the preview: document title, article, the passage text,
    whether it exists already and whether it is left out; with the page numbers."""
    listed = plan.all_spans
    pages = max(1, -(-len(listed) // PREVIEW_PAGE))
    page = min(max(page, 1), pages)
    shown = listed[(page - 1) * PREVIEW_PAGE : page * PREVIEW_PAGE]
    ids = {d for d, _s, _e in shown}
    documents = {d["pk"]: d for d in project.documents.filter(pk__in=ids).values("pk", "title", "text")}
    articles = search.articles_for(ids)
    left_out = set(plan.omitted)
    rows = [
        {
            "key": f"{d}:{s}:{e}",
            "document": d,
            "start": s,
            "end": e,
            "title": documents[d]["title"],
            "article": search.article_label(articles.get(d, []), s),
            "text": documents[d]["text"][s:e],
            "exists": (d, s, e) in plan.existing_spans,
            "omitted": (d, s, e) in left_out,
        }
        for d, s, e in shown
    ]
    hidden_omits = [f"{d}:{s}:{e}" for d, s, e in plan.omitted if (d, s, e) not in set(shown)]
    return {"rows": rows, "page": page, "pages": pages, "total": len(listed), "hidden_omits": hidden_omits}


def hits_autocode(*, coder, project, node, plan) -> dict:
    """Code every planned span (a search's hits, spread) at `node` as `coder`: one batch, one undo step, no doubles."""
    documents = project.documents.filter(pk__in={d for d, _s, _e in plan.spans}).in_bulk()
    items = [services.CodingRequest(documents[d], node, s, e) for d, s, e in plan.spans]
    if not items:
        raise ValidationError(_("There is nothing to code: the search found no hits."))
    results = services.codings_create(coder=coder, project=project, items=items)
    created = [coding for coding, new in results if new]
    return {
        "created": len(created),
        "existing": len(results) - len(created),
        "documents": len({c.document_id for c in created}),
    }
