"""The edge of the coding app: request parameters (a QueryDict or a plain mapping) become the typed, frozen queries
its domain modules take (NodeViewQuery, ExportSelection, a layer's coder names). Views and the API call these; no
domain module reads a request. Booleans and lists are spelled as policies/queries.py reads them."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from coding.export import ExportSelection
from coding.nodeview import NodeViewQuery
from policies import queries


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
    if node and not node.isdigit():
        raise ValidationError(_("“node” must be a node id."))
    return ExportSelection(
        node=int(node) if node else None,
        coders=coders(params),
        filters=tuple(queries.filters(params).items()),
        bom=queries.flag(params, "bom", True),
    )
