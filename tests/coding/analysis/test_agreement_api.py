"""GET /api/projects/{id}/agreement/ and its CSV/.xlsx exports: the contract, the missing-coder rule, bad input."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from coding import services
from coding.models import Coding
from policies.models import Role
from tests.factories import CodingFactory, DocumentFactory, MembershipFactory, NodeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nvivo(project, owner):
    """NVivo's help example: a 1,000-character source, A codes 100 characters, B 150, 50 of them the same."""
    alice = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="alice")).user
    bob = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="bob")).user
    document = DocumentFactory(project=project, text="政" * 1000)
    node = NodeFactory(project=project, name="数据开放")
    CodingFactory(document=document, node=node, coder=alice, start=0, end=100)
    CodingFactory(document=document, node=node, coder=bob, start=50, end=200)
    services.assignments_add(project=project, documents=[document], coders=[alice, bob], actor=owner)
    for coder in (alice, bob):
        services.assignment_mark(document=document, coder=coder, done=True)
    return {"alice": alice, "bob": bob, "document": document, "node": node}


def _get(client, project, **params):
    return client.get(reverse("api:agreement", args=[project.pk]), params)


def test_report_follows_the_contract_with_ints_floats_and_percent(api_as, project, owner, nvivo):
    response = _get(api_as(owner), project, coders="alice,bob", unit="character")
    assert response.status_code == 200
    data = response.json()
    assert data["coders"] == ["alice", "bob"]
    assert data["unit"] == "character"
    assert set(data["overall"]) >= {"pooled_kappa", "alpha", "agreement"}
    assert data["rule"] == "missing-unless-done"
    node = data["nodes"][0]
    assert set(node) >= {
        "node",
        "path",
        "pooled_kappa",
        "weighted_kappa",
        "mean_kappa",
        "alpha",
        "agreement",
        "degenerate_rows",
        "documents",
    }
    row = node["documents"][0]
    assert {k: row[k] for k in ("document", "n", "a", "b", "both", "neither")} == {
        "document": nvivo["document"].pk,
        "n": 1000,
        "a": 100,
        "b": 150,
        "both": 50,
        "neither": 800,
    }
    assert all(type(row[k]) is int for k in ("n", "a", "b", "both", "neither"))
    assert all(type(row[k]) is float for k in ("agreement", "kappa"))
    assert type(row["degenerate"]) is bool
    assert type(node["pooled_kappa"]) is float
    assert type(data["overall"]["alpha"]) is float


def test_nvivo_help_example_gives_85_percent_and_seven_twenty_seconds(api_as, project, owner, nvivo):
    node = _get(api_as(owner), project, coders="alice,bob").json()["nodes"][0]
    row = node["documents"][0]
    assert row["agreement"] == pytest.approx(85.0)
    assert row["kappa"] == pytest.approx(7 / 22)
    assert node["pooled_kappa"] == pytest.approx(7 / 22)
    assert node["weighted_kappa"] == pytest.approx(7 / 22)
    assert node["agreement"] == pytest.approx(85.0)


def test_a_coder_who_has_not_marked_the_document_done_is_missing_unless_all_count_as_reviewed(
    api_as, project, owner, nvivo
):
    services.assignment_mark(document=nvivo["document"], coder=nvivo["bob"], done=False)
    missing = _get(api_as(owner), project, coders="alice,bob").json()
    assert missing["nodes"][0]["documents"] == []
    assert missing["overall"]["pooled_kappa"] is None
    everyone = _get(api_as(owner), project, coders="alice,bob", assume_all_reviewed="1").json()
    assert everyone["rule"] == "all-reviewed"
    assert everyone["nodes"][0]["documents"][0]["kappa"] == pytest.approx(7 / 22)


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"coders": "alice,bob", "unit": "word"}, "Unknown unit"),
        ({"coders": "alice"}, "two coders"),
        ({}, "two coders"),
        ({"coders": "alice,ghost"}, "ghost"),
        ({"coders": "alice,bob", "nodes": "abc"}, "nodes"),
        ({"coders": "alice,bob", "nodes": "999999"}, "999999"),
        ({"coders": "alice,bob", "documents": "x"}, "documents"),
        ({"group_a": "alice", "group_b": ""}, "each group"),
    ],
)
def test_bad_input_answers_400_with_a_readable_detail(api_as, project, owner, nvivo, params, fragment):
    response = _get(api_as(owner), project, **params)
    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_the_consensus_layer_is_addressed_by_alias_and_compared_with_a_coder(api_as, project, owner, nvivo):
    alice_coding = Coding.objects.get(coder=nvivo["alice"])
    item = services.CodingRequest(nvivo["document"], nvivo["node"], alice_coding.start, alice_coding.end)
    services.adjudicate(project=project, actor=owner, role=Role.OWNER, items=[item])
    for alias in ("consensus", "共识", f"consensus-{project.pk}"):
        data = _get(api_as(owner), project, coders=f"{alias},alice").json()
        assert data["coders"] == [f"consensus-{project.pk}", "alice"]
        assert data["labels"][f"consensus-{project.pk}"] == "共识"
        assert data["nodes"][0]["documents"][0]["kappa"] == 1.0
    against_bob = _get(api_as(owner), project, coders="consensus,bob").json()
    assert against_bob["nodes"][0]["documents"][0]["kappa"] == pytest.approx(7 / 22)


def test_groups_count_content_any_member_coded(api_as, project, owner, nvivo):
    carol = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="carol")).user
    CodingFactory(document=nvivo["document"], node=nvivo["node"], coder=carol, start=100, end=200)
    data = _get(api_as(owner), project, group_a="alice,carol", group_b="bob", assume_all_reviewed="1").json()
    row = data["nodes"][0]["documents"][0]
    assert data["groups"] == {"group_a": ["alice", "carol"], "group_b": ["bob"]}
    assert (row["a"], row["b"], row["both"]) == (200, 150, 150)


def test_all_coders_report_alpha_and_a_pairwise_matrix(api_as, project, owner, nvivo):
    carol = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="carol")).user
    CodingFactory(document=nvivo["document"], node=nvivo["node"], coder=carol, start=0, end=100)
    data = _get(api_as(owner), project, all="1", assume_all_reviewed="1").json()
    assert data["coders"] == ["alice", "bob", "carol"]
    assert data["matrix"][0][2] == 1.0
    assert data["matrix"][0][1] == pytest.approx(7 / 22)
    assert type(data["nodes"][0]["alpha"]) is float


def test_blind_coder_may_not_compare_others(api_as, project, owner, nvivo):
    services.options_update(project=project, blind=True)
    refused = _get(api_as(nvivo["alice"]), project, coders="alice,bob")
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "While the project codes blind, only owners and adjudicators can compare coders."
    }
    assert _get(api_as(owner), project, coders="alice,bob").status_code == 200


def test_csv_export_has_a_bom_every_count_and_the_rule(api_as, project, owner, nvivo):
    url = reverse("api:agreement-export", kwargs={"project_id": project.pk, "fmt": "csv"})
    response = api_as(owner).get(url, {"coders": "alice,bob"})
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    levels = [r["level"] for r in rows]
    assert levels == ["overall", "node", "document"]
    document = rows[2]
    assert (document["n"], document["a"], document["b"], document["both"], document["neither"]) == (
        "1000",
        "100",
        "150",
        "50",
        "800",
    )
    assert float(document["kappa"]) == pytest.approx(7 / 22)
    assert float(document["agreement_percent"]) == pytest.approx(85.0)
    assert document["degenerate"] == "False"
    assert document["unit"] == "character"
    assert "marked done" in document["missing_coder_rule"]
    assert float(rows[1]["weighted_kappa"]) == pytest.approx(7 / 22)
    assert rows[1]["degenerate_rows"] == "0"


def test_xlsx_export_opens_with_the_same_rows(api_as, project, owner, nvivo):
    url = reverse("api:agreement-export", kwargs={"project_id": project.pk, "fmt": "xlsx"})
    response = api_as(owner).get(url, {"coders": "alice,bob", "assume_all_reviewed": "1"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:3] == ["level", "coder_a", "coder_b"]
    document = dict(zip(header, rows[3], strict=True))
    assert document["kappa"] == pytest.approx(7 / 22)
    assert "NVivo" in document["missing_coder_rule"]


def test_consensus_api_writes_the_consensus_layer_for_adjudicators_only(api_as, project, owner, nvivo):
    url = reverse("api:consensus", args=[project.pk])
    body = {"document": nvivo["document"].pk, "node": nvivo["node"].pk, "start": 10, "end": 20}
    refused = api_as(nvivo["alice"]).post(url, body, format="json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Only an owner or a designated adjudicator can write the consensus layer."}
    assert not Coding.objects.filter(coder__username=f"consensus-{project.pk}").exists()
    response = api_as(owner).post(url, body, format="json")
    assert response.status_code == 201
    assert response.json()["coder"] == f"consensus-{project.pk}"
    services.options_update(project=project, adjudicators=[nvivo["alice"]])
    assert api_as(nvivo["alice"]).post(url, [{**body, "start": 30, "end": 40}], format="json").status_code == 201
