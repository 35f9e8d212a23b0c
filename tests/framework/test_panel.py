"""The codebook tree panel (framework/panel.py): rows annotated for nesting, their escaped HTML, and the page and
node-detail contexts."""

from html.parser import HTMLParser

import pytest

from framework import panel, tree
from framework.tree import Row
from tests.factories import CodingFactory, NodeFactory
from tests.framework.sample_tree import ROWS

# --- rows and their HTML (pure) ----------------------------------------------------------------------


def test_panel_rows_close_every_open_list():
    rows = panel.panel_rows(tree.walk(ROWS), {6: (2, 3, 1)})
    opened = sum(r.has_children for r in rows)
    closed = sum(len(r.closes) for r in rows)
    assert opened == closed
    last_of_deep_branch = next(r for r in rows if r.id == 6)
    assert (last_of_deep_branch.documents, last_of_deep_branch.references, last_of_deep_branch.coders) == (2, 3, 1)
    assert len(last_of_deep_branch.closes) == 1


def test_panel_rows_carry_level_children_and_closes_in_walk_order():
    rows = panel.panel_rows(tree.walk(ROWS), {})
    assert [(r.id, r.level, r.has_children, len(r.closes)) for r in rows] == [
        (2, 1, True, 0),
        (5, 2, True, 0),
        (6, 3, False, 1),  # ends 数据编目's list
        (4, 2, False, 1),  # ends 数据开放's list
        (1, 1, True, 0),
        (3, 2, False, 1),
    ]
    assert [r.path for r in rows][:3] == ["数据开放", "数据开放/数据编目", "数据开放/数据编目/目录更新"]
    assert all((r.documents, r.references, r.coders) == (0, 0, 0) for r in rows)


def test_a_long_description_is_cut_into_a_one_line_hint():
    rows = panel.panel_rows(tree.walk([Row(1, None, "a", description="第一行\n  第二行" + "字" * 200)]), {})
    assert rows[0].hint.startswith("第一行 第二行字")
    assert len(rows[0].hint) == 120
    assert rows[0].hint.endswith("…")
    assert panel.panel_rows(tree.walk([Row(1, None, "a", description="短")]), {})[0].hint == "短"


class _Nesting(HTMLParser):
    """Checks that every opened li, details and ul is closed in order."""

    def __init__(self):
        super().__init__()
        self.stack, self.broken = [], False

    def handle_starttag(self, tag, attrs):
        if tag in ("li", "details", "ul"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in ("li", "details", "ul") and (not self.stack or self.stack.pop() != tag):
            self.broken = True


def test_panel_html_nests_every_list_and_closes_it():
    rows = panel.panel_rows(tree.walk(ROWS), {6: (2, 3, 1)})
    html = panel.panel_html(rows, node_url="/c/?node=", can_edit=True, with_counts=True)
    nesting = _Nesting()
    nesting.feed(html)
    assert (nesting.stack, nesting.broken) == ([], False)
    assert html.count('<li role="treeitem"') == 6
    assert html.count('<ul role="group">') == 3
    assert '<a class="cb-name" href="/c/?node=6">目录更新</a>' in html
    assert '<span class="cb-counts"><span>2</span><span>3</span><span>1</span></span>' in html
    assert html.count('draggable="true"') == 6


def test_panel_html_escapes_names_hints_and_the_url_and_leaves_out_what_is_not_asked():
    rows = panel.panel_rows(tree.walk([Row(1, None, "<b>名</b>", description='"引号" <i>')]), {})
    html = panel.panel_html(rows, node_url='/x?a="1"&node=', can_edit=False, with_counts=False)
    assert "&lt;b&gt;名&lt;/b&gt;" in html
    assert 'title="&quot;引号&quot; &lt;i&gt;"' in html
    assert 'href="/x?a=&quot;1&quot;&amp;node=1"' in html
    assert "<b>" not in html
    assert "draggable" not in html
    assert "cb-counts" not in html


# --- the contexts (read the project) -----------------------------------------------------------------


@pytest.mark.django_db
def test_panel_context_counts_what_the_user_may_see_and_says_who_may_edit(project, owner, coder):
    node = NodeFactory(project=project, name="数据开放")
    CodingFactory(document__project=project, node=node, coder=coder)
    for user, can_edit in ((owner, True), (coder, False)):
        context = panel.panel_context(project, user)
        assert (context["tree_can_edit"], context["tree_total"]) == (can_edit, 1)
        (row,) = context["tree_rows"]
        assert (row.name, row.documents, row.references, row.coders) == ("数据开放", 1, 1, 1)
    bare = panel.panel_context(project, owner, with_counts=False)
    assert bare["tree_rows"][0].references == 0
    assert "cb-counts" not in bare["tree_items"]


@pytest.mark.django_db
def test_detail_context_offers_only_nodes_outside_the_branch_as_targets(project, owner):
    root = NodeFactory(project=project, name="数据开放", order=0)
    child = NodeFactory(project=project, name="分级分类", parent=root)
    grandchild = NodeFactory(project=project, name="目录", parent=child)
    other = NodeFactory(project=project, name="数据安全", order=1)
    context = panel.detail_context(root, owner, can_edit=True)
    assert context["path"] == "数据开放"
    assert context["below"] == 2
    destinations = context["destinations"].fields
    assert [c for c in destinations["parent"].choices if c[0] != "root"] == [(other.pk, "数据安全")]
    assert [c for c in destinations["target"].choices if c[0] != ""] == [(other.pk, "数据安全")]
    assert (context["can_move_up"], context["can_move_down"]) == (False, True)
    assert context["node_counts"] == {"documents": 0, "references": 0, "coders": 0}
    leaf = panel.detail_context(grandchild, owner, can_edit=False)
    assert leaf["path"] == "数据开放/分级分类/目录"
    assert (leaf["below"], leaf["can_move_up"], leaf["can_move_down"]) == (0, False, False)
    parents = leaf["destinations"].fields["parent"].choices
    assert [path for key, path in parents if key != "root"] == ["数据开放", "数据开放/分级分类", "数据安全"]
