"""coding/query_params.py: node view, export and auto-code requests become typed values at the edge."""

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from coding import query_params
from coding.autocode import AutocodeSearch
from coding.export import ExportSelection
from coding.nodeview import NodeViewQuery
from policies.text import search


def test_node_view_query_reads_the_layer_filters_documents_and_subtree_switch():
    params = QueryDict("coders=alice,bob&coder=carol&province=浙江省&documents=4,2&descendants=false&page=3")
    assert query_params.node_view_query(params) == NodeViewQuery(
        descendants=False,
        coders=("alice", "bob", "carol"),
        filters=(("province", "浙江省"),),
        documents=(4, 2),
        page="3",
    )
    assert query_params.node_view_query(QueryDict("")) == NodeViewQuery()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("documents=1,x", "“documents” must be a comma-separated list of document ids."),
        ("descendants=maybe", "“descendants” must be true or false."),
    ],
)
def test_node_view_query_refuses_bad_values_with_a_message(query, message):
    with pytest.raises(ValidationError) as caught:
        query_params.node_view_query(QueryDict(query))
    assert caught.value.messages == [message]


def test_export_selection_reads_node_layer_filters_and_bom():
    params = QueryDict("node=7&coders=alice&issuer_type=省政府&bom=0")
    assert query_params.export_selection(params) == ExportSelection(
        node=7, coders=("alice",), filters=(("issuer_type", "省政府"),), bom=False
    )
    assert query_params.export_selection({}) == ExportSelection()
    with pytest.raises(ValidationError) as caught:
        query_params.export_selection({"node": "seven"})
    assert caught.value.messages == ["“node” must be a node id."]


def test_autocode_search_reads_the_search_its_scope_and_the_ticked_hits():
    data = {"q": "网信部门", "whole": True, "province": "浙江省", "hits": ["1:0:4"], "omit": [], "spread": "sentence"}
    assert query_params.autocode_search(data) == AutocodeSearch(
        text="网信部门", whole=True, scope=search.Scope(province="浙江省"), hits=("1:0:4",), spread="sentence"
    )
    with pytest.raises(search.SearchError, match="is not a node id"):
        query_params.autocode_search({"q": "数据", "node": "x"})
