"""The coding page's view controls and its "codings here" panel in Chromium: show mine, chosen coders, a node with
its descendants, colour by coder; move a coding and save its memo; create a node from the picker and code there."""

import pytest

from coding.models import Coding
from framework.models import Node
from tests.browser.test_coding import TEXT, code_with_picker, coding_project, drag_select, open_workspace  # noqa: F401
from tests.factories import NodeFactory, UserFactory

pytestmark = pytest.mark.browser

SHOWN = "() => [...document.querySelectorAll('#doc-text .hl')].map(s => s.textContent)"


def _code(document, node, who, passage):
    start = TEXT.index(passage)
    return Coding.objects.create(
        document=document, node=node, coder=who, start=start, end=start + len(passage), text=passage
    )


@pytest.fixture
def three_coders_coded(coding_project):  # noqa: F811  (the fixture imported above)
    """Three coders' codings at three nodes, one of them a child of 数据共享."""
    document = coding_project["document"]
    conditions = NodeFactory(
        project=coding_project["project"], name="共享条件", parent=coding_project["sharing"], color="#59a14f"
    )
    _code(document, coding_project["opening"], UserFactory(username="alice"), "推动𠮷政府数据开放")
    _code(document, conditions, UserFactory(username="bob"), "政府数据以共享为原则")
    _code(document, coding_project["sharing"], UserFactory(username="owner"), "公共数据开放")
    return coding_project | {"conditions": conditions}


def _shown(page, count: int) -> list[str]:
    page.wait_for_function(f"() => document.querySelectorAll('#doc-text .hl').length === {count}")
    return sorted(page.evaluate(SHOWN))


def test_the_view_controls_choose_what_is_drawn(three_coders_coded, new_page, login, live_server):
    page = new_page()
    login(page, "owner")
    open_workspace(page, live_server, three_coders_coded["document"])
    assert _shown(page, 3) == sorted(["推动𠮷政府数据开放", "政府数据以共享为原则", "公共数据开放"])

    page.select_option("#layer-select", "mine")
    assert _shown(page, 1) == ["公共数据开放"]

    page.select_option("#layer-select", "chosen")
    assert page.locator("#coder-choice").is_visible()
    page.uncheck("#coder-choice input[value=bob]")
    assert _shown(page, 2) == sorted(["推动𠮷政府数据开放", "公共数据开放"])

    page.select_option("#layer-select", "all")
    assert page.locator("#coder-choice").is_hidden()
    page.select_option("#node-filter", str(three_coders_coded["sharing"].pk))  # the node and its child 共享条件
    assert _shown(page, 2) == sorted(["政府数据以共享为原则", "公共数据开放"])

    page.select_option("#node-filter", "")
    _shown(page, 3)
    page.check("#colour-by-coder")  # a lane and a label per coder instead of per node
    page.wait_for_function(
        "() => [...document.querySelectorAll('.stripe-label')].map(l => l.textContent).sort().join() === "
        "'alice,bob,owner'"
    )
    assert len(set(page.eval_on_selector_all(".stripe", "els => els.map(e => e.style.left)"))) == 3


def test_move_a_coding_and_save_its_memo_from_the_codings_here_panel(three_coders_coded, new_page, login, live_server):
    page = new_page()
    login(page, "alice")
    open_workspace(page, live_server, three_coders_coded["document"])
    _shown(page, 3)
    mine = Coding.objects.get(coder__username="alice")

    page.click("#doc-text .hl:text-is('推动𠮷政府数据开放')")
    page.wait_for_selector("#here-panel:not([hidden])")
    item = page.locator(f"#here-list > li[data-coding-id='{mine.pk}']")
    assert item.locator("select").count() == 1
    assert page.locator("#here-list > li select").count() == 1  # nobody else's coding can be changed here
    item.locator("select").select_option(str(three_coders_coded["sharing"].pk))
    page.wait_for_selector("#here-panel", state="hidden")
    page.wait_for_selector("#status:not(.error)")
    mine.refresh_from_db()
    assert mine.node_id == three_coders_coded["sharing"].pk

    page.click("#doc-text .hl:text-is('推动𠮷政府数据开放')")
    item = page.locator(f"#here-list > li[data-coding-id='{mine.pk}']")
    item.locator("textarea").fill("<b>原则</b> 待议")
    item.locator("button:not(.danger)").click()
    page.wait_for_selector("#here-panel", state="hidden")
    mine.refresh_from_db()
    assert mine.memo == "<b>原则</b> 待议"
    page.click("#doc-text .hl:text-is('推动𠮷政府数据开放')")
    assert page.locator(f"#here-list > li[data-coding-id='{mine.pk}'] .memo").inner_text() == "<b>原则</b> 待议"


def test_an_owner_creates_a_child_node_in_the_picker_and_codes_there(three_coders_coded, new_page, login, live_server):
    page = new_page()
    login(page, "owner")
    open_workspace(page, live_server, three_coders_coded["document"])
    _shown(page, 3)
    drag_select(page, "分级", "原则。")
    page.wait_for_selector("#picker:not([hidden])")
    page.fill("#picker-search", "数据开放")  # the active node becomes the new node's parent
    page.fill("#picker-new-name", "分级分类")
    page.click("#picker-new")
    page.wait_for_selector("#picker", state="hidden")
    created = Node.objects.get(name="分级分类")
    assert created.parent_id == three_coders_coded["opening"].pk
    coding = Coding.objects.get(node=created)
    assert (coding.coder.username, coding.text) == ("owner", "分级分类的原则。")
    assert "分级分类的原则。" in _shown(page, 4)
    page.wait_for_selector(f"#node-tree [data-node-id='{created.pk}']")  # the tree panel reloaded


def test_a_new_node_without_a_name_creates_nothing(three_coders_coded, new_page, login, live_server):
    page = new_page()
    login(page, "owner")
    open_workspace(page, live_server, three_coders_coded["document"])
    drag_select(page, "分级", "原则。")
    page.wait_for_selector("#picker:not([hidden])")
    page.fill("#picker-new-name", "   ")
    page.click("#picker-new")
    page.wait_for_timeout(300)  # nothing is sent: there is no answer to wait for
    assert page.locator("#picker").is_visible()
    assert not Node.objects.filter(project=three_coders_coded["project"], name="").exists()
    assert Node.objects.filter(project=three_coders_coded["project"]).count() == 3
    assert Coding.objects.count() == 3
    code_with_picker(page, "数据共享")
    assert Coding.objects.count() == 4
