"""The node view (coding/nodeview.py): a passage with its context cut at line breaks, and the loader: the node with
or without its descendants, chosen documents and attributes, passages in document order with their context (the
query's parsing is tested in test_query_params.py)."""

import pytest

from coding import nodeview
from tests.factories import CodingFactory, DocumentFactory, NodeFactory

# --- the pure core -----------------------------------------------------------------------------------


def test_context_is_cut_at_line_breaks():
    text = "甲乙丙\n丁戊己庚辛\n壬癸"
    assert nodeview.with_context(text, 5, 7, width=10) == ("丁", "戊己", "庚辛")


def test_context_is_at_most_width_code_points_each_side():
    text = "𠮷一二三四五六七八九𠮷"
    assert nodeview.with_context(text, 5, 6, width=2) == ("三四", "五", "六七")
    assert nodeview.with_context(text, 0, 1, width=3) == ("", "𠮷", "一二三")
    assert nodeview.with_context(text, 10, 11, width=3) == ("七八九", "𠮷", "")


# --- the loader (reads the project) ------------------------------------------------------------------

TEXT = "第一条　数据开放。\n第二条　数据共享。"


@pytest.fixture
def coded_branch(project, owner):
    """A parent node and its child, coded by the owner in two documents (the parent's coding in the second)."""
    parent = NodeFactory(project=project, name="数据")
    child = NodeFactory(project=project, name="开放", parent=parent)
    first = DocumentFactory(project=project, text=TEXT, title="甲", province="贵州省")
    second = DocumentFactory(project=project, text=TEXT + "\n附则", title="乙", province="云南省")
    start = TEXT.index("数据共享")
    CodingFactory(document=second, node=parent, coder=owner, start=start, end=start + 4, memo="备注")
    CodingFactory(document=first, node=child, coder=owner, start=4, end=8)
    return {"parent": parent, "child": child, "documents": (first, second)}


@pytest.mark.django_db
def test_passages_at_a_node_and_its_descendants_in_document_order_with_context(project, owner, coded_branch):
    first, second = coded_branch["documents"]
    view = nodeview.load(project, coded_branch["parent"], owner)
    assert (view.references, view.documents, view.coders) == (2, 2, ["owner"])
    assert view.node_ids == {coded_branch["parent"].pk, coded_branch["child"].pk}
    passages = [(p.document_id, p.before, p.text, p.after, p.memo, p.title) for p in view.page.object_list]
    assert passages == [
        (first.pk, "第一条　", "数据开放", "。", "", "甲"),
        (second.pk, "第二条　", "数据共享", "。", "备注", "乙"),
    ]


@pytest.mark.django_db
def test_without_descendants_the_node_itself_only(project, owner, coded_branch):
    view = nodeview.load(project, coded_branch["parent"], owner, nodeview.NodeViewQuery(descendants=False))
    assert (view.node_ids, view.references) == ({coded_branch["parent"].pk}, 1)


@pytest.mark.django_db
def test_chosen_documents_and_attributes_narrow_the_passages(project, owner, coded_branch):
    first, second = coded_branch["documents"]
    chosen = nodeview.load(project, coded_branch["parent"], owner, nodeview.NodeViewQuery(documents=(second.pk,)))
    assert [p.document_id for p in chosen.page.object_list] == [second.pk]
    by_province = nodeview.load(
        project, coded_branch["parent"], owner, nodeview.NodeViewQuery(filters=(("province", "贵州省"),))
    )
    assert [p.document_id for p in by_province.page.object_list] == [first.pk]
