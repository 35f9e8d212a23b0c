"""The suggestion review loop in Chromium: train on a coder's layer, read the measured figures, accept and reject in
the review queue, accept from the coding page's panel."""

import pytest
from django.urls import reverse

from coding.models import Coding, Suggestion, SuggestionState
from policies.models import Role
from tests.coding.suggest_corpus import build
from tests.factories import MembershipFactory, ProjectFactory, UserFactory


@pytest.fixture
def world(transactional_db):
    project = ProjectFactory(name="建议测试")
    alice = UserFactory(username="alice")
    MembershipFactory(project=project, user=alice, role=Role.CODER)
    return {"project": project, **build(project, alice)}


def test_the_review_loop(new_page, login, live_server, world):
    project, alice = world["project"], world["alice"]
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
    page.goto(live_server.url + reverse("coding:workspace", args=[target.document_id]))
    panel = page.locator("#suggestions-panel li.suggestion")
    panel.first.wait_for()
    count = panel.count()
    with page.expect_response(lambda r: "/review/" in r.url) as answer:
        panel.first.get_by_role("button", name="采纳").click()
    assert answer.value.status == 200
    page.wait_for_function(f"document.querySelectorAll('#suggestions-panel li.suggestion').length === {count - 1}")
    assert Coding.objects.filter(document_id=target.document_id, coder=alice).exists()
