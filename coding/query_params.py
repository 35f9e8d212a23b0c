"""The edge of the coding app: request parameters (a QueryDict or a plain mapping) become the typed, frozen queries
its domain modules take (NodeViewQuery, ExportSelection, a layer's coder names). Views and the API call these; no
domain module reads a request. Booleans and lists are spelled as policies/queries.py reads them."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from coding.autocode import AutocodeSearch
from coding.export import ExportSelection
from coding.nodeview import NodeViewQuery
from policies import queries
from policies.text import query_params as text_params


def coders(params: Mapping) -> tuple[str, ...]:
    """The names of a layer: `coders=` (comma-separated) and repeated `coder=`; empty asks for the default layer."""
    return queries.names(params, "coders", "coder")


def node_view_query(params: Mapping) -> NodeViewQuery:
    message = _("“documents” must be a comma-separated list of document ids.")
    return NodeViewQuery(
        descendants=queries.flag(params, "descendants", True),
        coders=coders(params),
        filters=tuple(queries.filters(params).items()),
        documents=queries.ids(params, "documents", message),
        page=queries.text(params, "page") or 1,
    )


def export_selection(params: Mapping) -> ExportSelection:
    node = queries.text(params, "node")
    if node and not queries.is_number(node):
        raise ValidationError(_("“node” must be a node id."))
    return ExportSelection(
        node=int(node) if node else None,
        coders=coders(params),
        filters=tuple(queries.filters(params).items()),
        bom=queries.flag(params, "bom", True),
    )


def autocode_search(params: Mapping) -> AutocodeSearch:
    """q, mode, whole, the scope's filters, spread, the ticked `hits` and the left-out `omit` (lists) → AutocodeSearch;
    a bad scope is a SearchError, as the search page answers."""
    return AutocodeSearch(
        text=queries.values(params, "q")[-1] if queries.values(params, "q") else "",
        mode=queries.text(params, "mode") or "terms",
        whole=queries.flag(params, "whole"),
        scope=text_params.scope(params),
        hits=tuple(queries.values(params, "hits")),
        omit=tuple(queries.values(params, "omit")),
        spread=queries.text(params, "spread") or "hit",
    )
