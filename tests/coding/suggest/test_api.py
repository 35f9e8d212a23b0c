"""The suggestions API: train on a layer, list, accept, reject, accept above a probability, evaluation, blind coding."""

import pytest
from django.urls import reverse

from coding import services as coding_services
from coding.models import Coding, CodingEvent, Suggestion, SuggestionModel, SuggestionState
from policies.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _url(name, project):
    return reverse(f"api:{name}", kwargs={"project_id": project.pk})


@pytest.fixture
def training_job(project, api_as, suggest_corpus):
    response = api_as(suggest_corpus["alice"]).post(_url("suggestions-train", project), {}, format="json")
    assert response.status_code == 202, response.content
    return response.json()


def test_training_answers_the_queued_model_with_its_layer(training_job):
    # the label is coding.layers' own, like every other page and answer
    assert training_job["layer_label"] == "Coder alice"
    assert training_job["layer"] == {"kind": "coder", "coders": ["alice"], "label": "Coder alice"}
    assert training_job["status"] == "ready"  # the tests run tasks in the request
    assert training_job["summary"]["documents"] == 10


def test_the_list_holds_open_suggestions_of_a_document_most_probable_first(
    project, api_as, suggest_corpus, training_job
):
    document = suggest_corpus["docs"][12]
    response = api_as(suggest_corpus["alice"]).get(_url("suggestions", project), {"document": document.pk})
    assert response["X-PolicyCoder-Layer"] == "coder; coders=alice; label=Coder%20alice"
    rows = response.json()
    assert rows
    assert {row["document"] for row in rows} == {document.pk}
    assert [row["probability"] for row in rows] == sorted((row["probability"] for row in rows), reverse=True)
    assert all(row["model_version"] == training_job["version"] for row in rows)
    word = rows[0]["words"][0]
    start, end = word["spans"][0]
    assert document.text[start:end] == word["word"]


def test_accepting_makes_the_reviewers_own_coding_marked_in_the_audit_trail(project, api_as, owner, suggest_corpus):
    alice = suggest_corpus["alice"]
    api_as(alice).post(_url("suggestions-train", project), {}, format="json")
    suggestion = Suggestion.objects.filter(node=suggest_corpus["node"]).order_by("-probability").first()
    response = api_as(alice).post(reverse("api:suggestion-accept", kwargs={"suggestion_id": suggestion.pk}))
    assert response.status_code == 201
    coding = Coding.objects.get(pk=Suggestion.objects.get(pk=suggestion.pk).coding_id)
    assert (coding.coder, coding.start, coding.end) == (alice, suggestion.start, suggestion.end)
    audit = api_as(owner).get(reverse("api:document-audit", kwargs={"document_id": suggestion.document_id})).json()
    assert audit[0]["origin"] == {
        "suggestion": suggestion.pk,
        "model_version": suggestion.model_version,
        "probability": suggestion.probability,
    }


def test_a_rejected_suggestion_leaves_the_list(project, api_as, suggest_corpus, training_job):
    alice = suggest_corpus["alice"]
    first = api_as(alice).get(_url("suggestions", project)).json()[0]
    response = api_as(alice).post(reverse("api:suggestion-reject", kwargs={"suggestion_id": first["id"]}))
    assert response.status_code == 200
    assert first["id"] not in [row["id"] for row in api_as(alice).get(_url("suggestions", project)).json()]
    assert Suggestion.objects.get(pk=first["id"]).state == SuggestionState.REJECTED
    assert not Coding.objects.filter(document_id=first["document"], start=first["start"]).exists()


def test_accept_above_is_one_batch_that_undo_reverses(project, api_as, suggest_corpus, training_job):
    alice, node = suggest_corpus["alice"], suggest_corpus["node"]
    before = Coding.objects.count()
    data = {"min_probability": 0.5, "node": node.pk}
    result = api_as(alice).post(_url("suggestions-accept", project), data, format="json").json()
    assert result["created"] == Coding.objects.count() - before > 1
    undo = api_as(alice).post(_url("codings-undo", project)).json()
    assert undo["reverted"] == result["created"]
    assert Coding.objects.count() == before
    rows = api_as(alice).get(_url("suggestions", project), {"node": node.pk, "min_probability": 0.5}).json()
    assert len(rows) == result["accepted"]  # open again after the undo


def test_the_evaluation_shows_figures_and_what_untrained_nodes_miss(project, api_as, suggest_corpus, training_job):
    body = api_as(suggest_corpus["alice"]).get(_url("suggestions-evaluation", project)).json()
    assert body["layer"] == {"kind": "coder", "coders": ["alice"], "label": "Coder alice"}
    rows = {row["node_id"]: row for row in body["nodes"]}
    catalogue = rows[suggest_corpus["node"].pk]
    assert catalogue["trained"]
    assert catalogue["positives"] == 30
    assert catalogue["evaluation"]["precision"] >= 0.8
    assert catalogue["evaluation"]["curve"]
    assert rows[suggest_corpus["other"].pk]["missing"] == "Needs at least 5 coded units in 3 documents; has 0 in 0."
    assert body["model"]["summary"]["micro_precision"] > 0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"min_probability": "2"}, "“min_probability” is a probability from 0 to 1."),
        ({"document": "abc"}, "“document” must be a number."),
        ({"document": "99999999999999999999"}, "“document” must be a number."),
        ({"layer": "nobody"}, "Unknown coder(s) in this project: nobody."),
    ],
)
def test_bad_list_parameters_are_refused_with_a_message(project, api_as, suggest_corpus, params, message):
    response = api_as(suggest_corpus["alice"]).get(_url("suggestions", project), params)
    assert response.status_code == 400
    assert message in str(response.json()["detail"])


def test_training_on_nobodys_coding_is_refused_and_nothing_is_queued(project, api_as, owner):
    response = api_as(owner).post(_url("suggestions-train", project), {}, format="json")
    assert response.status_code == 400
    assert "Nobody has coded" in str(response.json()["detail"])
    assert not SuggestionModel.objects.exists()


@pytest.fixture
def blind_bob(project, owner, suggest_corpus):
    bob = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="bob")).user
    coding_services.options_update(project=project, blind=True)
    return bob


def test_a_blind_coder_cannot_learn_from_another_coders_layer(project, api_as, suggest_corpus, blind_bob):
    response = api_as(blind_bob).post(_url("suggestions-train", project), {"layer": "alice"}, format="json")
    assert response.status_code == 400
    assert "your own coding" in str(response.json()["detail"])
    assert not SuggestionModel.objects.exists()


def test_a_blind_coder_never_sees_or_accepts_suggestions_learned_from_others(
    project, api_as, owner, suggest_corpus, blind_bob
):
    api_as(owner).post(_url("suggestions-train", project), {"layer": "alice"}, format="json")
    assert Suggestion.objects.exists()
    assert api_as(blind_bob).get(_url("suggestions", project)).json() == []
    assert api_as(blind_bob).get(_url("suggestions-evaluation", project)).json()["nodes"] == []
    suggestion = Suggestion.objects.first()
    events = CodingEvent.objects.count()
    response = api_as(blind_bob).post(reverse("api:suggestion-accept", kwargs={"suggestion_id": suggestion.pk}))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found: it does not exist or you are not a member of its project."}
    assert CodingEvent.objects.count() == events
    assert Suggestion.objects.get(pk=suggestion.pk).state == SuggestionState.OPEN


def test_a_picked_threshold_for_all_nodes_decides_what_is_listed(project, api_as, suggest_corpus, training_job):
    alice = suggest_corpus["alice"]
    response = api_as(alice).post(_url("suggestions-evaluation", project), {"threshold": 0.95}, format="json")
    assert response.json() == {"changed": 2}  # 开放目录 and its parent 数据开放 are trained
    rows = api_as(alice).get(_url("suggestions", project)).json()
    assert rows
    assert min(row["probability"] for row in rows) >= 0.95
    body = api_as(alice).get(_url("suggestions-evaluation", project)).json()
    assert {row["threshold"] for row in body["nodes"] if row["trained"]} == {0.95}


def test_a_threshold_outside_zero_and_one_is_refused_and_nothing_changes(project, api_as, suggest_corpus, training_job):
    alice = suggest_corpus["alice"]
    before = api_as(alice).get(_url("suggestions-evaluation", project)).json()["nodes"]
    response = api_as(alice).post(_url("suggestions-evaluation", project), {"threshold": 1.5}, format="json")
    assert response.status_code == 400
    assert "threshold" in response.json()["errors"]
    assert api_as(alice).get(_url("suggestions-evaluation", project)).json()["nodes"] == before
