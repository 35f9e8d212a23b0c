"""The coding workspace in Chromium: exact offsets (𠮷, line breaks), overlaps, undo, articles, two coders, viewers."""

import pytest
from django.urls import reverse

from coding.models import Coding
from policies.models import Role
from policies.services.documents import document_import
from tests.factories import MembershipFactory, NodeFactory, ProjectFactory, UserFactory

TEXT = (
    "关于𠮷数据的规定\n"
    "第一条　为了推动𠮷政府数据开放，制定本规定。\n"
    "第二条　政府数据以共享为原则，以不共享为例外。\n"
    "第三条　公共数据开放应当遵循分级分类的原则。"
)


@pytest.fixture
def coding_project(transactional_db):
    project = ProjectFactory(name="编码测试")
    owner = UserFactory(username="owner")
    MembershipFactory(project=project, user=owner, role=Role.OWNER)
    MembershipFactory(project=project, user=UserFactory(username="alice"), role=Role.CODER)
    MembershipFactory(project=project, user=UserFactory(username="bob"), role=Role.CODER)
    MembershipFactory(project=project, user=UserFactory(username="reader"), role=Role.VIEWER)
    document = document_import(project=project, user=owner, filename="规定.txt", data=TEXT.encode())[0].document
    sharing = NodeFactory(project=project, name="数据共享", color="#e15759")
    opening = NodeFactory(project=project, name="数据开放", color="#4e79a7")
    return {"project": project, "document": document, "sharing": sharing, "opening": opening}


def open_workspace(page, live_server, document):
    """Open the coding page and wait until its modules have wired it and painted: the text is on the page before
    they load, and the first paint re-draws its lines (a selection made before it would be lost)."""
    page.goto(live_server.url + reverse("coding:workspace", args=[document.pk]))
    page.wait_for_selector("#doc-text p")
    wait_until_wired(page)


def wait_until_wired(page):
    page.wait_for_function("() => window.PolicyCoderWorkspace !== undefined")
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def drag_select(page, first: str, last: str):
    """Select with the real mouse from the left edge of the character `first` to the right edge of `last`."""
    box = page.evaluate(
        """([first, last]) => {
          const find = (needle, fromEnd) => {
            for (const p of document.querySelectorAll('#doc-text p')) {
              const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
              for (let t = walker.nextNode(); t; t = walker.nextNode()) {
                const i = t.data.indexOf(needle);
                if (i >= 0) {
                  const r = document.createRange();
                  r.setStart(t, i); r.setEnd(t, i + needle.length);
                  const rect = r.getBoundingClientRect();
                  return fromEnd ? {x: rect.right - 1, y: rect.top + rect.height / 2}
                                 : {x: rect.left + 1, y: rect.top + rect.height / 2};
                }
              }
            }
            return null;
          };
          return {a: find(first, false), b: find(last, true)};
        }""",
        [first, last],
    )
    page.mouse.move(box["a"]["x"], box["a"]["y"])
    page.mouse.down()
    page.mouse.move(box["b"]["x"], box["b"]["y"], steps=8)
    page.mouse.up()


def code_with_picker(page, node_name: str):
    page.wait_for_selector("#picker:not([hidden])")
    page.fill("#picker-search", node_name)
    page.keyboard.press("Enter")
    page.wait_for_selector("#picker", state="hidden")


def highlighted_text(page) -> str:
    return page.evaluate("[...document.querySelectorAll('#doc-text .hl')].map(s => s.textContent).join('')")


def test_selection_with_a_non_bmp_character_and_a_line_break_keeps_exact_offsets(
    coding_project, new_page, login, live_server
):
    page = new_page()
    login(page, "alice")
    open_workspace(page, live_server, coding_project["document"])
    drag_select(page, "𠮷政", "为原则")
    code_with_picker(page, "数据共享")

    coding = Coding.objects.get()
    start = TEXT.index("𠮷政")
    end = TEXT.index("为原则") + len("为原则")
    assert (coding.start, coding.end) == (start, end)
    assert coding.text == TEXT[start:end]
    assert "\n" in coding.text

    page.reload()
    page.wait_for_selector("#doc-text .hl")
    assert highlighted_text(page) == TEXT[start:end].replace("\n", "")
    api = page.evaluate(f"fetch('/api/projects/{coding_project['project'].pk}/codings/').then(r => r.json())")
    assert [(c["start"], c["end"], c["text"]) for c in api] == [(start, end, TEXT[start:end])]


def test_overlapping_codings_at_two_nodes_both_show_with_stripes(coding_project, new_page, login, live_server):
    page = new_page()
    login(page, "alice")
    open_workspace(page, live_server, coding_project["document"])
    drag_select(page, "推动", "开放")
    code_with_picker(page, "数据开放")
    drag_select(page, "政府", "规定。")
    code_with_picker(page, "数据共享")
    assert Coding.objects.count() == 2
    page.wait_for_selector("#doc-text .hl.multi")
    assert page.locator(".stripe").count() == 2
    labels = page.locator(".stripe-label").all_inner_texts()
    assert sorted(labels) == ["数据共享", "数据开放"]
    page.click("#doc-text .hl.multi")
    page.wait_for_selector("#here-panel:not([hidden])")
    assert page.locator("#here-list > li").count() == 2


def test_remove_a_coding_then_undo_brings_it_back(coding_project, new_page, login, live_server):
    page = new_page()
    login(page, "alice")
    open_workspace(page, live_server, coding_project["document"])
    drag_select(page, "公共数据", "原则。")
    code_with_picker(page, "数据开放")
    original = Coding.objects.get()
    page.click("#doc-text .hl")
    page.click("#here-list button.danger")
    page.wait_for_function("() => document.querySelectorAll('#doc-text .hl').length === 0")
    assert not Coding.objects.exists()
    page.keyboard.press("Control+z")
    page.wait_for_selector("#doc-text .hl")
    restored = Coding.objects.get()
    assert (restored.pk, restored.start, restored.end, restored.node_id) == (
        original.pk,
        original.start,
        original.end,
        original.node_id,
    )
    page.click("#undo-button")
    page.wait_for_function("() => document.querySelectorAll('#doc-text .hl').length === 0")
    assert not Coding.objects.exists()


def test_code_an_article_from_the_outline(coding_project, new_page, login, live_server):
    page = new_page()
    login(page, "alice")
    open_workspace(page, live_server, coding_project["document"])
    page.click(".outline li:has(a:text-is('第二条')) .code-section")
    code_with_picker(page, "数据共享")
    coding = Coding.objects.get()
    article = coding_project["document"].sections.get(label="第二条")
    assert coding.text == TEXT[article.start : article.end].strip()
    assert coding.text.startswith("第二条")


def test_two_coders_at_once_keep_all_their_work_and_see_each_other(coding_project, new_page, login, live_server):
    alice, bob = new_page(), new_page()
    login(alice, "alice")
    login(bob, "bob")
    open_workspace(alice, live_server, coding_project["document"])
    open_workspace(bob, live_server, coding_project["document"])
    drag_select(alice, "推动", "开放")
    drag_select(bob, "推动", "开放")
    code_with_picker(alice, "数据开放")
    code_with_picker(bob, "数据开放")
    drag_select(bob, "公共数据", "原则。")
    code_with_picker(bob, "数据开放")
    assert sorted(Coding.objects.values_list("coder__username", flat=True)) == ["alice", "bob", "bob"]
    alice.click("#refresh-button")
    alice.wait_for_function("() => window.PolicyCoderWorkspace.codings().length === 3")
    alice.wait_for_function("() => document.querySelectorAll('#doc-text .hl').length === 2")
    bob_passage = TEXT[TEXT.index("公共数据") : TEXT.index("原则。", TEXT.index("公共数据")) + 3]
    assert bob_passage in alice.inner_text("#doc-text .hl >> nth=1")


def test_a_viewer_sees_codings_but_gets_no_picker(coding_project, new_page, login, live_server):
    Coding.objects.create(
        document=coding_project["document"],
        node=coding_project["sharing"],
        coder=coding_project["document"].uploaded_by,
        start=0,
        end=4,
        text=TEXT[0:4],
    )
    page = new_page()
    login(page, "reader")
    open_workspace(page, live_server, coding_project["document"])
    page.wait_for_selector("#doc-text .hl")
    drag_select(page, "推动", "开放")
    page.wait_for_timeout(300)
    assert page.locator("#picker").is_hidden()
    assert page.locator("#undo-button").count() == 0
    status = page.evaluate(
        f"""fetch('/api/projects/{coding_project["project"].pk}/codings/', {{method: 'POST', credentials: 'same-origin',
            headers: {{'Content-Type': 'application/json',
                       'X-CSRFToken': JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken']}},
            body: JSON.stringify({{document: {coding_project["document"].pk}, node: {coding_project["sharing"].pk},
                                  start: 5, end: 9}})}})
            .then(r => r.status)"""
    )
    assert status == 403
    assert Coding.objects.count() == 1


def test_each_node_shown_has_a_stripe_lane_of_its_own(coding_project, new_page, login, live_server):
    # issue 14: one lane per node (lanes are shared only beyond 16 nodes), so siblings never merge into one bar
    page = new_page()
    login(page, "alice")
    open_workspace(page, live_server, coding_project["document"])
    drag_select(page, "推动", "开放")
    code_with_picker(page, "数据开放")
    drag_select(page, "公共数据", "原则。")
    code_with_picker(page, "数据共享")
    page.wait_for_function("() => document.querySelectorAll('.stripe').length === 2")
    lefts = page.eval_on_selector_all(".stripe", "els => els.map(e => e.style.left)")
    assert sorted(lefts) == ["0px", "16px"]
