"""The suggestions review page and the coding page's suggestions panel."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from coding.models import Coding, Suggestion, SuggestionState
from coding.suggest import services
from policies.models import Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trained_model(project, suggest_corpus):
    alice = suggest_corpus["alice"]
    return services.model_create(project=project, user=alice, coder_ids=[alice.pk])


def test_the_page_shows_the_measured_figures_next_to_each_node(client, project, suggest_corpus, trained_model):
    client.force_login(suggest_corpus["alice"])
    page = client.get(reverse("coding:suggestions", args=[project.pk])).content.decode()
    assert 'id="evaluation-table"' in page
    assert "数据开放/开放目录" in page
    assert "Needs at least 5 coded units in 3 documents; has 0 in 0." in page  # 数据安全, coded nowhere
    assert 'id="overall-figures"' in page
    assert "<mark>" in page  # the words that weighed most, highlighted in the unit


def test_htmx_gets_only_the_queue(client, project, suggest_corpus, trained_model):
    client.force_login(suggest_corpus["alice"])
    response = client.get(reverse("coding:suggestions", args=[project.pk]), headers={"HX-Request": "true"})
    assert b'id="suggestion-queue"' in response.content
    assert b"<html" not in response.content


def test_accepting_in_the_queue_codes_the_unit_and_tells_the_page(client, project, suggest_corpus, trained_model):
    alice = suggest_corpus["alice"]
    client.force_login(alice)
    suggestion = Suggestion.objects.order_by("-probability").first()
    response = client.post(reverse("coding:suggestion-review", args=[suggestion.pk]), {"action": "accept"})
    assert response.status_code == 200
    assert "codings-changed" in response["HX-Trigger"]
    assert f'id="suggestion-{suggestion.pk}"' not in response.content.decode()
    assert Coding.objects.filter(coder=alice, document=suggestion.document, start=suggestion.start).exists()


def test_an_unknown_action_is_refused_and_nothing_changes(client, project, suggest_corpus, trained_model):
    client.force_login(suggest_corpus["alice"])
    suggestion = Suggestion.objects.first()
    before = Coding.objects.count()
    response = client.post(reverse("coding:suggestion-review", args=[suggestion.pk]), {"action": "<b>x</b>"})
    assert response.status_code == 400
    assert response.content.decode() == "Choose accept or reject."
    assert Coding.objects.count() == before
    assert Suggestion.objects.get(pk=suggestion.pk).state == SuggestionState.OPEN


def test_a_bad_probability_on_the_page_is_a_message_not_an_error(client, project, suggest_corpus, trained_model):
    client.force_login(suggest_corpus["alice"])
    response = client.get(reverse("coding:suggestions", args=[project.pk]), {"min_probability": "<script>"})
    assert response.status_code == 400
    assert "“min_probability” must be a number." in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_the_coding_page_panel_lists_the_documents_suggestions_by_position(
    client, project, suggest_corpus, trained_model
):
    client.force_login(suggest_corpus["alice"])
    document = suggest_corpus["docs"][12]
    panel = client.get(reverse("coding:suggestions-panel", args=[document.pk])).content.decode()
    starts = [s.start for s in Suggestion.objects.filter(document=document).order_by("start", "-probability")]
    assert 'id="suggestions-panel"' in panel
    positions = [panel.index(f'data-start="{start}"') for start in dict.fromkeys(starts)]
    assert positions == sorted(positions)
    page = client.get(reverse("coding:workspace", args=[document.pk])).content.decode()
    assert reverse("coding:suggestions-panel", args=[document.pk]) in page  # loaded after the page, not inside it


def test_accepting_in_the_panel_answers_the_refreshed_panel(client, project, suggest_corpus, trained_model):
    client.force_login(suggest_corpus["alice"])
    suggestion = Suggestion.objects.order_by("-probability").first()
    response = client.post(
        reverse("coding:suggestion-review", args=[suggestion.pk]),
        {"action": "accept", "panel": str(suggestion.document_id)},
    )
    assert response.status_code == 200
    assert 'id="suggestions-panel"' in response.content.decode()
    assert (
        f'data-start="{suggestion.start}"' not in response.content.decode()
        or Suggestion.objects.filter(document=suggestion.document, start=suggestion.start, state=SuggestionState.OPEN)
        .exclude(pk=suggestion.pk)
        .exists()
    )


def test_a_blind_coder_sees_no_suggestions_learned_from_others_on_the_page_or_panel(
    client, project, suggest_corpus, trained_model
):
    from coding import services as coding_services
    from policies.models import Role
    from tests.factories import MembershipFactory, UserFactory

    bob = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="bob")).user
    coding_services.options_update(project=project, blind=True)
    client.force_login(bob)
    document = suggest_corpus["docs"][12]
    assert Suggestion.objects.filter(document=document).exists()
    panel = client.get(reverse("coding:suggestions-panel", args=[document.pk])).content.decode()
    assert 'li class="suggestion"' not in panel
    page = client.get(reverse("coding:suggestions", args=[project.pk])).content.decode()
    assert 'id="evaluation-table"' not in page
    assert "suggestion-" not in page.split('id="suggestion-queue"')[1]


def _left_running(project, alice, *, worker: str, minutes_ago: float, version: int = 99):
    """A training a worker took and stopped reporting on (as if the worker were killed mid-run)."""
    from coding.models import SuggestionModel, SuggestionModelStatus

    model = SuggestionModel.objects.create(
        project=project,
        version=version,
        layer=[alice.pk],
        layer_key=str(alice.pk),
        layer_label="Coder alice",
        status=SuggestionModelStatus.RUNNING,
        worker=worker,
        done=3,
        total=5,
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )
    return model


def test_a_training_whose_worker_died_shows_as_failed_with_a_retry_that_trains_again(client, project, suggest_corpus):
    from coding.models import SuggestionModel, SuggestionModelStatus

    alice = suggest_corpus["alice"]
    stuck = _left_running(project, alice, worker="gone-worker", minutes_ago=10)
    client.force_login(alice)
    page = client.get(reverse("coding:suggestions", args=[project.pk])).content.decode()
    stuck.refresh_from_db()
    assert stuck.status == SuggestionModelStatus.FAILED
    assert "The worker training this model stopped before it finished" in page
    assert 'id="retry-button"' in page
    response = client.post(reverse("coding:suggestions-train", args=[project.pk]), {"retry": str(stuck.pk)})
    assert response.status_code == 302
    retried = SuggestionModel.objects.filter(project=project).order_by("-version").first()
    assert retried.version == 100
    assert (retried.layer, retried.status) == ([alice.pk], SuggestionModelStatus.READY)  # tests run tasks at once


def test_a_training_with_a_live_worker_or_recent_progress_stays_running(client, project, suggest_corpus):
    from coding.models import SuggestionModelStatus
    from policies.models import TaskWorker

    alice = suggest_corpus["alice"]
    recent = _left_running(project, alice, worker="busy-worker", minutes_ago=0)
    TaskWorker.objects.create(pk="alive-worker", host="h", pid=1, started_at=timezone.now(), seen_at=timezone.now())
    quiet_but_alive = _left_running(project, alice, worker="alive-worker", minutes_ago=10, version=98)
    client.force_login(alice)
    client.get(reverse("coding:suggestions", args=[project.pk]))
    for model in (recent, quiet_but_alive):
        model.refresh_from_db()
        assert model.status == SuggestionModelStatus.RUNNING


def test_only_a_failed_training_can_be_retried(client, project, suggest_corpus, trained_model):
    from coding.models import SuggestionModel

    client.force_login(suggest_corpus["alice"])
    before = SuggestionModel.objects.count()
    response = client.post(
        reverse("coding:suggestions-train", args=[project.pk]), {"retry": str(trained_model.pk)}, follow=True
    )
    assert "Only a failed training can be retried." in response.content.decode()
    response = client.post(reverse("coding:suggestions-train", args=[project.pk]), {"retry": "x<"}, follow=True)
    assert "There is no such training to retry." in response.content.decode()
    assert SuggestionModel.objects.count() == before


def test_the_page_sets_a_threshold_per_node_or_one_for_all_and_shows_the_curve(
    client, project, suggest_corpus, trained_model
):
    from coding.models import NodeClassifier

    client.force_login(suggest_corpus["alice"])
    page = client.get(reverse("coding:suggestions", args=[project.pk])).content.decode()
    assert 'class="pr-curve"' in page
    assert "<polyline points=" in page
    assert 'id="threshold-all"' in page
    node = suggest_corpus["node"]
    url = reverse("coding:suggestions-threshold", args=[project.pk])
    response = client.post(url, {"threshold": "0.9", "node": str(node.pk)}, follow=True)
    assert "Threshold 0.9 set for 1 node(s)." in response.content.decode()
    thresholds = dict(
        NodeClassifier.objects.filter(model=trained_model, trained=True).values_list("node_id", "threshold")
    )
    assert thresholds[node.pk] == 0.9
    assert [t for n, t in thresholds.items() if n != node.pk] != [0.9] * (len(thresholds) - 1)
    client.post(url, {"threshold": "0.7"})
    assert set(
        NodeClassifier.objects.filter(model=trained_model, trained=True).values_list("threshold", flat=True)
    ) == {0.7}


@pytest.mark.parametrize("threshold", ["1.5", "0", "abc", ""])
def test_a_bad_threshold_is_refused_with_a_message_and_nothing_changes(
    client, project, suggest_corpus, trained_model, threshold
):
    from coding.models import NodeClassifier

    client.force_login(suggest_corpus["alice"])
    before = list(NodeClassifier.objects.order_by("pk").values_list("threshold", flat=True))
    response = client.post(
        reverse("coding:suggestions-threshold", args=[project.pk]), {"threshold": threshold}, follow=True
    )
    content = response.content.decode()
    assert "probability" in content
    assert list(NodeClassifier.objects.order_by("pk").values_list("threshold", flat=True)) == before


def test_a_viewer_cannot_set_thresholds(client, project, suggest_corpus, trained_model):
    from coding.models import NodeClassifier

    viewer = MembershipFactory(project=project, role=Role.VIEWER).user
    client.force_login(viewer)
    before = list(NodeClassifier.objects.order_by("pk").values_list("threshold", flat=True))
    response = client.post(reverse("coding:suggestions-threshold", args=[project.pk]), {"threshold": "0.6"})
    assert response.status_code == 403
    assert "Your role in this project (Viewer) does not allow this." in response.content.decode()
    assert list(NodeClassifier.objects.order_by("pk").values_list("threshold", flat=True)) == before


def test_the_panel_uses_the_viewers_own_layer_when_the_default_layer_has_no_model(client, project, suggest_corpus):
    from coding.models import Coding as CodingModel

    alice = suggest_corpus["alice"]
    bob = MembershipFactory(project=project, role=Role.CODER).user
    document = suggest_corpus["docs"][0]
    CodingModel.objects.create(document=document, node=suggest_corpus["node"], coder=bob, start=0, end=3, text="x")
    services.model_create(project=project, user=alice, coder_ids=[alice.pk])  # the default layer is now alice + bob
    client.force_login(alice)
    panel = client.get(reverse("coding:suggestions-panel", args=[suggest_corpus["docs"][12].pk])).content.decode()
    assert "Learned from layer: Coder alice" in panel
    assert 'li class="suggestion"' in panel
    client.force_login(bob)
    panel = client.get(reverse("coding:suggestions-panel", args=[suggest_corpus["docs"][12].pk])).content.decode()
    assert "No model is trained on this layer yet." in panel


def test_a_training_run_in_the_request_is_given_half_an_hour_before_it_counts_as_failed(
    client, project, suggest_corpus
):
    from coding.models import SuggestionModelStatus

    alice = suggest_corpus["alice"]
    slow = _left_running(project, alice, worker="", minutes_ago=10)
    dead = _left_running(project, alice, worker="", minutes_ago=45, version=98)
    client.force_login(alice)
    client.get(reverse("coding:suggestions", args=[project.pk]))
    slow.refresh_from_db()
    dead.refresh_from_db()
    assert (slow.status, dead.status) == (SuggestionModelStatus.RUNNING, SuggestionModelStatus.FAILED)


def test_the_queue_filters_show_the_chosen_document_and_node(client, project, suggest_corpus, trained_model):
    document = project.documents.order_by("pk").last()
    node = project.nodes.get(name="开放目录")
    client.force_login(suggest_corpus["alice"])
    url = reverse("coding:suggestions", args=[project.pk])
    page = client.get(url, {"document": document.pk, "node": node.pk}).content.decode()
    assert f'<option value="{document.pk}" selected>{document.title}</option>' in page
    assert f'<option value="{node.pk}" selected>数据开放/开放目录</option>' in page
    unfiltered = client.get(url).content.decode()
    assert '<option value="" selected>All documents</option>' in unfiltered
