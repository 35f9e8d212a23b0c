"""The reliability workflow in Chromium: assign, code blind, compare, open a disagreement, adjudicate, rerun."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding.analysis.agreement import Table
from coding.models import Coding
from policies.models import Role
from tests.browser.test_coding import code_with_picker, drag_select, highlighted_text, open_workspace
from tests.factories import DocumentFactory, MembershipFactory, NodeFactory, ProjectFactory, UserFactory

TEXT = "关于𠮷数据的规定\n第一条　为了推动𠮷政府数据开放，制定本规定。\n第二条　政府数据以共享为原则，以不共享为例外。"
ALICE = "推动𠮷政府数据开放"
BOB = "政府数据开放，制定本规定。"


@pytest.fixture
def reliability_project(transactional_db):
    project = ProjectFactory(name="信度测试")
    MembershipFactory(project=project, user=UserFactory(username="owner"), role=Role.OWNER)
    alice = MembershipFactory(project=project, user=UserFactory(username="alice"), role=Role.CODER).user
    bob = MembershipFactory(project=project, user=UserFactory(username="bob"), role=Role.CODER).user
    document = DocumentFactory(project=project, text=TEXT, title="数据规定", province="贵州省")
    node = NodeFactory(project=project, name="数据开放", color="#4e79a7")
    return {"project": project, "document": document, "node": node, "alice": alice, "bob": bob}


def code_and_finish(page, live_server, document, first, last):
    open_workspace(page, live_server, document)
    drag_select(page, first, last)
    code_with_picker(page, "数据开放")
    page.click("#mark-done")
    page.wait_for_selector("#doc-text p")


def test_team_runs_the_whole_reliability_workflow(reliability_project, new_page, login, live_server):
    project, document = reliability_project["project"], reliability_project["document"]
    owner = new_page()
    login(owner, "owner")
    owner.goto(live_server.url + reverse("coding:team", args=[project.pk]))
    owner.check("input[name=all_documents]")
    owner.check(f"input[name=coders][value='{reliability_project['alice'].pk}']")
    owner.check(f"input[name=coders][value='{reliability_project['bob'].pk}']")
    owner.click("button[name=action][value=assign]")
    owner.check("input[name=blind]")
    owner.click("form:has(input[name=blind]) button[type=submit]")
    expect(owner.locator(".badge")).to_be_visible()  # blind coding is on

    alice, bob = new_page(), new_page()
    login(alice, "alice")
    login(bob, "bob")
    code_and_finish(alice, live_server, document, "推动", "开放")
    code_and_finish(bob, live_server, document, "政府", "规定。")
    page_text = bob.evaluate("document.getElementById('doc-text').textContent")
    assert page_text == TEXT.replace("\n", "")
    bob.wait_for_selector("#doc-text .hl")
    assert highlighted_text(bob) == BOB  # blind: alice's coding is not shown to bob
    alice.reload()
    alice.wait_for_selector("#doc-text .hl")
    assert highlighted_text(alice) == ALICE
    seen = bob.evaluate(f"fetch('/api/projects/{project.pk}/codings/').then(r => r.json())")
    assert [c["coder"] for c in seen] == ["bob"]
    assert bob.goto(live_server.url + reverse("coding:agreement", args=[project.pk])).status == 403

    owner.goto(live_server.url + reverse("coding:agreement", args=[project.pk]))
    owner.select_option("#coder-a", "alice")
    owner.select_option("#coder-b", "bob")
    owner.click("#compare")
    start_a, start_b = TEXT.index(ALICE), TEXT.index(BOB)
    both = min(start_a + len(ALICE), start_b + len(BOB)) - max(start_a, start_b)
    kappa = Table(len(TEXT), len(ALICE), len(BOB), both).kappa
    row = owner.locator(".ag-node summary").first
    expect(row.locator(".kappa")).to_have_text(f"{kappa:.3f}")
    row.click()
    owner.locator("a.disagreement-link").first.click()
    owner.wait_for_selector("#dis-text")
    assert owner.locator("#dis-text mark.dis-a").all_inner_texts() == ["推动𠮷"]
    assert owner.locator("#dis-text mark.dis-both").all_inner_texts() == ["政府数据开放"]
    assert owner.locator("#dis-text mark.dis-b").all_inner_texts() == ["，制定本规定。"]

    owner.locator("button.accept-a").first.click()
    owner.wait_for_selector("#disagreement .message.success")
    expect(owner.locator("#dis-text mark.dis-c")).to_have_count(2)  # A-only and shared parts, now underlined
    consensus = Coding.objects.get(coder__username=f"consensus-{project.pk}")
    assert (consensus.start, consensus.end, consensus.text) == (start_a, start_a + len(ALICE), ALICE)

    matrix = reverse("coding:matrix", args=[project.pk])
    owner.goto(f"{live_server.url}{matrix}?value=characters&coder=consensus-{project.pk}")
    expect(owner.locator("#matrix-table tbody td.cell").first).to_have_text(str(len(ALICE)))
    expect(owner.locator(f"input[name=coder][value='consensus-{project.pk}']")).to_be_checked()
    assert "共识" in owner.locator(".matrix-coders").inner_text()
