"""Issue 14, items 5–7 in Chromium: a KWIC hit opens the coding page with exactly that range selected; the auto-code
preview leaves out an unticked passage; a "same passage, different code" case is resolved; the nav is one row at
1280 px in both languages; print hides nav and forms and turns the matrix landscape."""

import pytest

from coding import services as coding_services
from coding.models import Adjudication, Coding
from policies.models import Role
from policies.services.documents import document_import
from tests.browser.conftest import finish_requests
from tests.factories import CodingFactory, MembershipFactory, NodeFactory, ProjectFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# a non-BMP character before the hit: the link's offsets are code points, the browser's are UTF-16
TEXT = "第一条　𠮷网信部门负责统筹协调公共数据安全工作。\n第十二条　省级平台汇聚公共数据，推动共享。"


@pytest.fixture
def landing_study():
    project = ProjectFactory(name="公共数据研究")
    owner = UserFactory(username="owner")
    MembershipFactory(project=project, user=owner, role=Role.OWNER)
    alice = MembershipFactory(project=project, user=UserFactory(username="alice"), role=Role.CODER).user
    bob = MembershipFactory(project=project, user=UserFactory(username="bob"), role=Role.CODER).user
    document = document_import(project=project, user=owner, filename="条例.txt", data=TEXT.encode())[0]
    return {"project": project, "document": document.document, "alice": alice, "bob": bob, "owner": owner}


def test_a_kwic_hit_opens_the_coding_page_with_the_hit_selected(new_page, login, live_server, landing_study):
    page = new_page()
    login(page, "alice")
    page.goto(f"{live_server.url}/projects/{landing_study['project'].pk}/text-search/?q=公共数据")
    hits = page.locator(".kwic a.kwic-hit-link")
    hits.first.wait_for()
    assert hits.count() == 2
    hits.nth(1).click()
    page.wait_for_url("**/code/#at-*")
    page.wait_for_function("window.getSelection().toString().length > 0")
    assert page.evaluate("window.getSelection().toString()") == "公共数据"
    start = TEXT.index("公共数据", TEXT.index("平台"))
    assert page.url.endswith(f"#at-{start}-{start + 4}")


def test_unticking_a_passage_in_the_preview_leaves_it_out(new_page, login, live_server, landing_study):
    node = NodeFactory(project=landing_study["project"], name="公共数据")
    page = new_page()
    login(page, "alice")
    page.goto(f"{live_server.url}/projects/{landing_study['project'].pk}/text-search/?q=公共数据")
    page.select_option("select[name=target]", str(node.pk))
    page.select_option("select[name=spread]", "sentence")
    page.locator("#autocode-form .autocode button[type=submit]").click()
    boxes = page.locator(".autocode-passages input[name=keep]")
    boxes.first.wait_for()
    assert boxes.count() == 2
    boxes.first.uncheck()
    page.locator("#autocode-write").click()
    page.locator("#autocode-result .ok").wait_for()
    assert list(Coding.objects.values_list("text", flat=True)) == ["第十二条　省级平台汇聚公共数据，推动共享。"]


def test_a_same_passage_different_code_case_is_resolved(new_page, login, live_server, landing_study):
    project, document = landing_study["project"], landing_study["document"]
    hub, platform = NodeFactory(project=project, name="平台汇聚"), NodeFactory(project=project, name="共享平台")
    start = TEXT.index("省级平台")
    CodingFactory(document=document, node=hub, coder=landing_study["alice"], start=start, end=start + 8)
    CodingFactory(document=document, node=platform, coder=landing_study["bob"], start=start + 2, end=start + 10)
    other = TEXT.index("网信部门")
    CodingFactory(document=document, node=hub, coder=landing_study["alice"], start=other, end=other + 4)
    coding_services.assignments_add(
        project=project,
        documents=[document],
        coders=[landing_study["alice"], landing_study["bob"]],
        actor=landing_study["owner"],
    )
    page = new_page()
    login(page, "owner")
    page.goto(f"{live_server.url}/projects/{project.pk}/agreement/documents/{document.pk}/?a=alice&b=bob")
    pair = page.locator("li.case.cluster-pair")
    pair.wait_for()
    assert pair.locator(".case-label").inner_text() == "第十二条"
    assert "平台汇聚" in pair.inner_text()
    assert "共享平台" in pair.inner_text()
    assert page.locator("#dis-progress").inner_text().split()[0:1] in (["0"], ["已解决"])
    pair.locator("button.accept-b").click()
    page.locator("li.case.cluster-pair.resolved").wait_for()
    assert page.locator("li.case.cluster-pair button").count() == 0
    alone = page.locator("li.case.cluster-a")
    alone.locator("button.accept-neither").click()
    page.locator("li.case.cluster-a.resolved").wait_for()
    assert Adjudication.objects.count() == 1
    assert Coding.objects.filter(coder__username=f"consensus-{project.pk}").count() == 1
    progress = page.locator("#dis-progress").inner_text()
    assert "2 of 2" in progress or "2 / 2" in progress


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_nav_is_one_row_at_1280_px(browser, live_server, login, landing_study, language):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        login(page, "owner")
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page.goto(f"{live_server.url}/projects/{landing_study['project'].pk}/")
        tops = page.evaluate(
            "Array.from(document.querySelectorAll('.topbar .brand, .project-nav > a, .nav-group > summary,"
            " .topbar-right > *')).map(e => Math.round(e.getBoundingClientRect().top))"
        )
        assert len(tops) >= 7
        assert max(tops) - min(tops) < 20  # every item of the bar on one row
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        page.locator(".nav-group > summary").nth(2).click()
        menu = page.locator(".nav-group[open] .nav-menu a")
        assert menu.count() == 4  # matrix, co-occurrence, summary, counts
        page.keyboard.press("Escape")
        assert page.locator(".nav-group[open]").count() == 0
    finally:
        context.close()
        finish_requests(live_server)


def test_printing_hides_nav_and_forms_and_the_matrix_goes_landscape(new_page, login, live_server, landing_study):
    project = landing_study["project"]
    node = NodeFactory(project=project, name="公共数据")
    CodingFactory(document=landing_study["document"], node=node, coder=landing_study["alice"], start=5, end=9)
    page = new_page()
    login(page, "owner")
    for path in (
        f"/documents/{landing_study['document'].pk}/",
        f"/projects/{project.pk}/matrix/",
        f"/projects/{project.pk}/summary/",
        f"/projects/{project.pk}/agreement/?a=alice&b=bob",
    ):
        page.goto(live_server.url + path)
        page.emulate_media(media="print")
        shown = page.evaluate(
            "Array.from(document.querySelectorAll('.topbar, form, button, select'))"
            ".filter(e => getComputedStyle(e).display !== 'none' && e.getClientRects().length).length"
        )
        assert shown == 0, path
        page.emulate_media(media="screen")
    page.goto(f"{live_server.url}/projects/{project.pk}/matrix/")
    page.locator("table.matrix").wait_for()
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('main')).page") == "landscape"
    assert page.evaluate("getComputedStyle(document.querySelector('table.matrix thead')).display") == (
        "table-header-group"
    )
