"""The coding page for whole afternoons (issue 14): a selection that stays, mouse drag onto the tree, keyboard
selection, truthful tree counts, legible stripes, and #at-START-END links that land on the passage."""

import pytest
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from coding.models import Coding
from policies.models import Role
from policies.services.documents import document_import
from tests.browser.test_coding import TEXT, code_with_picker, drag_select, open_workspace
from tests.factories import CodingFactory, MembershipFactory, NodeFactory, ProjectFactory, UserFactory

CARET = """() => {
  const sel = window.getSelection();
  if (!sel.rangeCount) return null;
  const r = document.createRange(); r.setStart(sel.anchorNode, sel.anchorOffset); r.collapse(true);
  const span = window.PolicyCoderOffsets.rangeOffsets(document.getElementById('doc-text'), r);
  return [span && span.start, sel.anchorNode.nodeName, sel.anchorOffset, document.activeElement.id];
}"""
SELECTED = """() => {
  const sel = window.getSelection();
  if (!sel.rangeCount || sel.isCollapsed) return null;
  const span = window.PolicyCoderOffsets.rangeOffsets(document.getElementById('doc-text'), sel.getRangeAt(0));
  return span && [span.start, span.end, sel.toString()];
}"""


@pytest.fixture
def afternoon_project(transactional_db):
    project = ProjectFactory(name="整天编码")
    owner = UserFactory(username="owner")
    MembershipFactory(project=project, user=owner, role=Role.OWNER)
    MembershipFactory(project=project, user=UserFactory(username="alice"), role=Role.CODER)
    document = document_import(project=project, user=owner, filename="规定.txt", data=TEXT.encode())[0].document
    sharing = NodeFactory(project=project, name="数据共享", color="#e15759")
    opening = NodeFactory(project=project, name="数据开放", color="#4e79a7")
    return {"project": project, "document": document, "sharing": sharing, "opening": opening, "owner": owner}


def test_esc_closes_the_picker_and_the_selection_is_still_there(afternoon_project, new_page, login, live_server):
    page = new_page()
    login(page, "alice")
    open_workspace(page, live_server, afternoon_project["document"])
    drag_select(page, "推动", "开放")
    page.wait_for_selector("#picker:not([hidden])")
    assert page.evaluate("document.activeElement.id") == "picker-search"
    page.keyboard.press("Escape")
    page.wait_for_selector("#picker", state="hidden")
    start, end = TEXT.index("推动"), TEXT.index("开放") + 2
    assert page.evaluate(SELECTED) == [start, end, TEXT[start:end]]
    # Cancel too, and nothing was coded
    page.keyboard.press("Enter")
    page.wait_for_selector("#picker:not([hidden])")
    page.click("#picker-cancel")
    page.wait_for_selector("#picker", state="hidden")
    assert page.evaluate(SELECTED) == [start, end, TEXT[start:end]]
    assert not Coding.objects.exists()


def test_a_real_mouse_drag_of_the_selection_onto_a_tree_node_codes_it(afternoon_project, new_page, login, live_server):
    page = new_page()
    login(page, "alice")
    open_workspace(page, live_server, afternoon_project["document"])
    drag_select(page, "政府数据以", "原则")
    page.wait_for_selector("#picker:not([hidden])")
    start, end = TEXT.index("政府数据以"), TEXT.index("原则") + 2
    # the picker has focus, yet the passage is still marked as pending: press inside it and drag to the tree
    inside = page.evaluate(
        """() => {
          const r = [...CSS.highlights.get('pc-pending')][0].getClientRects()[0];
          return {x: r.left + 6, y: r.top + r.height / 2};
        }"""
    )
    row = page.locator(f"#node-tree .cb-row[data-node-id='{afternoon_project['opening'].pk}']").bounding_box()
    page.mouse.move(inside["x"], inside["y"])
    page.mouse.down()
    page.mouse.move(inside["x"] + 30, inside["y"] + 10, steps=4)
    page.mouse.move(row["x"] + 20, row["y"] + row["height"] / 2, steps=10)
    page.mouse.up()
    page.wait_for_selector("#doc-text .hl")
    coding = Coding.objects.get()
    assert (coding.node_id, coding.start, coding.end, coding.text) == (
        afternoon_project["opening"].pk,
        start,
        end,
        TEXT[start:end],
    )
    assert page.locator("#picker").is_hidden()
    assert "数据开放" in page.locator("#status").inner_text()


def test_shift_arrows_select_text_and_enter_opens_the_picker(afternoon_project, new_page, login, live_server):
    page = new_page()
    login(page, "alice")
    open_workspace(page, live_server, afternoon_project["document"])
    box = page.evaluate(
        """() => {
          const p = document.querySelectorAll('#doc-text p')[2];
          const t = p.firstChild; const r = document.createRange(); r.setStart(t, 0); r.setEnd(t, 1);
          const b = r.getBoundingClientRect(); return {x: b.left + 1, y: b.top + b.height / 2};
        }"""
    )
    page.mouse.click(box["x"], box["y"])
    # the click puts the caret in the text and the focus on it (on a loaded machine this can take a moment)
    page.wait_for_function(
        """() => { const s = window.getSelection(), text = document.getElementById('doc-text');
                   return s.rangeCount > 0 && text.contains(s.anchorNode) && text.contains(document.activeElement); }"""
    )
    caret = page.evaluate(CARET)
    for _ in range(3):
        page.keyboard.press("Shift+ArrowRight")
    start = TEXT.index("第二条")
    try:
        page.wait_for_function(
            f"() => JSON.stringify(({SELECTED})()) === JSON.stringify([{start}, {start + 3}, '第二条'])"
        )
    except PlaywrightTimeout:  # say where the caret was and what got selected
        pytest.fail(f"caret after the click {caret}, selection {page.evaluate(SELECTED)}, expected start {start}")
    assert page.evaluate(SELECTED) == [start, start + 3, "第二条"]
    page.keyboard.press("Enter")
    page.wait_for_selector("#picker:not([hidden])")
    assert page.locator("#picker-quote").inner_text() == "第二条"
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    page.wait_for_selector("#shortcuts:not([hidden])")
    assert "Shift" in page.locator("#shortcuts").inner_text()


def refs(page, node) -> str:
    return page.locator(f"#node-tree .cb-row[data-node-id='{node.pk}'] .cb-counts span").nth(1).inner_text()


def test_tree_counts_change_after_coding_and_after_undo(afternoon_project, new_page, login, live_server):
    page = new_page()
    login(page, "alice")
    open_workspace(page, live_server, afternoon_project["document"])
    assert refs(page, afternoon_project["sharing"]) == "0"
    drag_select(page, "公共数据", "原则。")
    code_with_picker(page, "数据共享")
    refs_are = "n => document.querySelector(\"#node-tree .cb-row[data-node-id='%s'] .cb-counts span:nth-child(2)\")"
    refs_are = refs_are % afternoon_project["sharing"].pk + ".textContent === n"
    page.wait_for_function(refs_are, arg="1")
    assert "数据共享" in page.locator("#status").inner_text()
    page.keyboard.press("Control+z")
    page.wait_for_function(refs_are, arg="0")
    assert not Coding.objects.exists()


def test_a_click_on_plain_text_opens_no_empty_card(afternoon_project, new_page, login, live_server):
    page = new_page()
    login(page, "alice")
    open_workspace(page, live_server, afternoon_project["document"])
    page.click("#doc-text p:nth-child(3)")
    page.wait_for_timeout(200)  # give a (wrong) card the chance to appear; no timing is asserted
    assert page.locator("#here-panel").is_hidden()


def test_stripe_labels_of_twelve_overlapping_nodes_never_intersect(afternoon_project, new_page, login, live_server):
    project, document = afternoon_project["project"], afternoon_project["document"]
    alice = project.memberships.get(user__username="alice").user
    category = NodeFactory(project=project, name="政策工具", color="#59a14f")
    for k in range(12):
        node = NodeFactory(project=project, parent=category, name=f"很长的节点名称第{k}号", color="#59a14f")
        start = TEXT.index("第一条") + k
        CodingFactory(document=document, node=node, coder=alice, start=start, end=start + 20 + k)
    page = new_page()
    login(page, "alice")
    open_workspace(page, live_server, document)
    page.wait_for_function("() => document.querySelectorAll('.stripe-label').length === 12")
    boxes = page.evaluate(
        "() => [...document.querySelectorAll('.stripe-label')].map(l => { const r = l.getBoundingClientRect();"
        " return [r.left, r.top, r.right, r.bottom]; })"
    )
    assert all(right > left for left, _top, right, _bottom in boxes)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap = min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5
            assert not overlap, (a, b)
    # siblings that inherited the category's colour are shown in twelve different shades
    colours = page.evaluate(
        "() => new Set([...document.querySelectorAll('.stripe')].map(s => s.style.getPropertyValue('--hl'))).size"
    )
    assert colours == 12
    # full path on hover
    titles = page.evaluate("() => [...document.querySelectorAll('.stripe')].map(s => s.title)")
    assert all(t.startswith("政策工具/很长的节点名称第") for t in titles)


def test_an_at_link_selects_exactly_that_range_ready_to_code(afternoon_project, new_page, login, live_server):
    page = new_page()
    login(page, "alice")
    start, end = TEXT.index("𠮷政"), TEXT.index("例外") + 2
    page.goto(
        live_server.url + reverse("coding:workspace", args=[afternoon_project["document"].pk]) + f"#at-{start}-{end}"
    )
    page.wait_for_function(SELECTED)
    got_start, got_end, text = page.evaluate(SELECTED)
    assert (got_start, got_end) == (start, end)
    assert text.replace("\n", "") == TEXT[start:end].replace("\n", "")  # Chromium writes paragraph breaks twice
    page.keyboard.press("Enter")
    code_with_picker(page, "数据开放")
    coding = Coding.objects.get()
    assert (coding.start, coding.end) == (start, end)


def test_find_highlights_steps_and_codes_all_hits_as_one_undoable_batch(
    afternoon_project, new_page, login, live_server
):
    page = new_page()
    login(page, "alice")
    open_workspace(page, live_server, afternoon_project["document"])
    page.click("#doc-text p:nth-child(2)")
    page.keyboard.press("Control+f")
    page.wait_for_selector("#find-bar:not([hidden])")
    page.keyboard.type("政府数据")
    starts = [i for i in range(len(TEXT)) if TEXT.startswith("政府数据", i)]
    assert len(starts) == 2
    page.wait_for_function("() => document.getElementById('find-count').textContent.includes('2')")
    assert page.locator("#find-count").inner_text() == "第 1 / 2 处"
    assert page.evaluate("CSS.highlights.get('pc-find').size") == 2
    page.keyboard.press("Enter")
    assert page.locator("#find-count").inner_text() == "第 2 / 2 处"
    current = page.evaluate(
        "() => { const r = [...CSS.highlights.get('pc-find-current')][0];"
        " return window.PolicyCoderOffsets.rangeOffsets(document.getElementById('doc-text'), r); }"
    )
    assert current == {"start": starts[1], "end": starts[1] + 4}
    page.click("#find-code")
    code_with_picker(page, "数据开放")
    page.wait_for_function("() => document.querySelectorAll('#doc-text .hl').length === 2")
    assert sorted((c.start, c.end, c.text) for c in Coding.objects.all()) == [(s, s + 4, "政府数据") for s in starts]
    assert "2" in page.locator("#status").inner_text()
    page.click("#undo-button")
    page.wait_for_function("() => document.querySelectorAll('#doc-text .hl').length === 0")
    assert not Coding.objects.exists()


def test_find_with_no_hits_says_so_and_offers_nothing_to_code(afternoon_project, new_page, login, live_server):
    page = new_page()
    login(page, "alice")
    open_workspace(page, live_server, afternoon_project["document"])
    page.click("#find-button")
    page.fill("#find-input", "<b>不存在</b>")
    page.wait_for_function("() => document.getElementById('find-count').textContent === '无匹配'")
    assert page.locator("#find-code").is_disabled()
    page.keyboard.press("Escape")
    page.wait_for_selector("#find-bar", state="hidden")
    assert not Coding.objects.exists()
