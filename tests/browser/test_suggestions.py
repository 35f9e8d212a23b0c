"""The suggestion review loop in Chromium: train on a coder's layer, read the measured figures, accept and reject in
the review queue, accept from the coding page's panel."""

import pytest
from django.urls import reverse

from coding.models import Coding, Suggestion, SuggestionState
from policies.models import Role
from tests.coding.suggest_corpus import build
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

# True when the panel shows exactly the suggestions whose unit overlaps a paragraph inside the text pane's box.
FOLLOWS_THE_VIEW = """() => {
  const pane = document.getElementById("text-pane").getBoundingClientRect();
  const paras = Array.from(document.querySelectorAll("#doc-text > p[data-start]"));
  const length = Number(document.getElementById("doc-text").dataset.length);
  const end = (i) => (i + 1 < paras.length ? Number(paras[i + 1].dataset.start) : length);
  const spans = paras.map((p, i) => [Number(p.dataset.start), end(i), p.getBoundingClientRect()])
    .filter(([, , r]) => r.bottom > pane.top && r.top < pane.bottom && r.height > 0);
  const items = Array.from(document.querySelectorAll("#suggestions-panel li.suggestion"));
  return items.length > 0 && items.every((li) => {
    const start = Number(li.dataset.start), end = Number(li.dataset.end);
    const inView = spans.some(([s, e]) => start < e && end > s);
    return li.hidden === !inView;
  });
}"""


@pytest.fixture
def suggestion_project(transactional_db):
    project = ProjectFactory(name="建议测试")
    alice = UserFactory(username="alice")
    MembershipFactory(project=project, user=alice, role=Role.CODER)
    return {"project": project, **build(project, alice)}


def test_the_review_loop(new_page, login, live_server, suggestion_project):
    project, alice = suggestion_project["project"], suggestion_project["alice"]
    page = new_page()
    page.set_default_timeout(30_000)  # the page trains in the request once; the rest is quick
    login(page, "alice")
    page.goto(live_server.url + reverse("coding:suggestions", args=[project.pk]))
    page.click("#train-button", timeout=60_000)  # the tests run the training task in the request
    page.wait_for_selector("#evaluation-table", timeout=60_000)
    assert "数据开放/开放目录" in page.inner_text("#evaluation-table")
    assert page.locator("#overall-figures").is_visible()

    first = page.locator("#suggestion-queue li.suggestion").first
    first_id = int(first.get_attribute("id").removeprefix("suggestion-"))
    assert first.locator("mark").count() > 0  # the words that weighed most, highlighted in the article
    first.get_by_role("button", name="采纳").click()
    page.wait_for_selector(f"#suggestion-{first_id}", state="detached")
    accepted = Suggestion.objects.get(pk=first_id)
    assert Coding.objects.filter(pk=accepted.coding_id, coder=alice).exists()

    second = page.locator("#suggestion-queue li.suggestion").first
    second_id = int(second.get_attribute("id").removeprefix("suggestion-"))
    second.get_by_role("button", name="拒绝").click()
    page.wait_for_selector(f"#suggestion-{second_id}", state="detached")
    assert Suggestion.objects.get(pk=second_id).state == SuggestionState.REJECTED

    target = Suggestion.objects.filter(state=SuggestionState.OPEN).order_by("-probability").first()
    page.set_viewport_size({"width": 1200, "height": 420})  # a short window: only part of the document is in view
    page.goto(live_server.url + reverse("coding:workspace", args=[target.document_id]))
    panel = page.locator("#suggestions-panel li.suggestion")
    panel.first.wait_for(state="attached")
    page.wait_for_function("document.getElementById('suggestions-panel').dataset.inView !== undefined")
    # the panel follows the text in view: what it lists is exactly what overlaps the paragraphs on screen
    for scroll in (0, 10**6):
        page.evaluate(f"document.getElementById('text-pane').scrollTop = {scroll}")
        page.wait_for_timeout(300)
        assert page.evaluate(FOLLOWS_THE_VIEW), scroll
    page.click("#suggestions-show-all")
    assert page.locator("#suggestions-panel li.suggestion:visible").count() == panel.count()
    count = panel.count()
    with page.expect_response(lambda r: "/review/" in r.url) as answer:
        panel.first.get_by_role("button", name="采纳").click()
    assert answer.value.status == 200
    page.wait_for_function(f"document.querySelectorAll('#suggestions-panel li.suggestion').length === {count - 1}")
    assert Coding.objects.filter(document_id=target.document_id, coder=alice).exists()
