"""The codings API contract: create (one or many, idempotent), list, update, delete, undo, audit, memos."""

import datetime

import pytest
from django.urls import reverse

from coding.models import Coding
from tests.factories import CodingFactory, DocumentFactory, NodeFactory

TEXT = "第一条　为了推动𠮷政府数据共享开放，制定本条例。\n第二条　政府数据以共享为原则。"


@pytest.fixture
def document(project):
    return DocumentFactory(project=project, text=TEXT, char_count=len(TEXT))


@pytest.fixture
def node(project):
    return NodeFactory(project=project, name="数据共享")


def codings_url(project):
    return reverse("api:codings", kwargs={"project_id": project.pk})


def test_create_returns_the_contract_fields(api_as, project, document, node, coder):
    start = TEXT.index("𠮷")
    response = api_as(coder).post(
        codings_url(project),
        {"document": document.pk, "node": node.pk, "start": start, "end": start + 3, "memo": "注"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("document", "node", "coder", "start", "end", "text", "memo")} == {
        "document": document.pk,
        "node": node.pk,
        "coder": "coder",
        "start": start,
        "end": start + 3,
        "text": "𠮷政府",
        "memo": "注",
    }
    assert "created_at" in body


def test_repeating_a_create_answers_200_with_the_same_coding(api_as, project, document, node, coder):
    payload = {"document": document.pk, "node": node.pk, "start": 0, "end": 3}
    first = api_as(coder).post(codings_url(project), payload, format="json")
    again = api_as(coder).post(codings_url(project), payload, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Coding.objects.count() == 1


def test_bulk_create_takes_a_list_in_one_transaction(api_as, project, document, node, coder):
    ok = [
        {"document": document.pk, "node": node.pk, "start": 0, "end": 3},
        {"document": document.pk, "node": node.pk, "start": 5, "end": 8},
    ]
    response = api_as(coder).post(codings_url(project), ok, format="json")
    assert response.status_code == 201
    assert [c["text"] for c in response.json()] == [TEXT[0:3], TEXT[5:8]]
    bad = [
        {"document": document.pk, "node": node.pk, "start": 10, "end": 12},
        {"document": document.pk, "node": node.pk, "start": 0, "end": 999},
    ]
    refused = api_as(coder).post(codings_url(project), bad, format="json")
    assert refused.status_code == 400
    assert Coding.objects.count() == 2


@pytest.mark.parametrize("route", ["api:codings", "api:consensus"])
def test_an_empty_list_is_refused_not_answered_with_an_empty_list(api_as, project, owner, route):
    response = api_as(owner).post(reverse(route, kwargs={"project_id": project.pk}), [], format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "This list may not be empty."
    assert not Coding.objects.exists()


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        ({"start": 10, "end": 5}, "outside"),
        ({"start": 0, "end": 10_000}, "outside"),
        ({"start": 200, "end": 205}, "outside"),  # wholly past the end: the database's substring is empty
        ({"start": 2**40, "end": 2**40 + 5}, "outside"),  # beyond any substring position the database takes
        ({"start": 3, "end": 2**63}, "outside"),
        ({"start": TEXT.index("\n"), "end": TEXT.index("\n") + 1}, "only spaces or line breaks"),
        ({"start": -1}, "start"),
        ({"node": 987654}, "Node 987654 is not in this project's codebook."),
        ({"memo": "长" * 10_001}, "at most"),
    ],
)
def test_bad_codings_get_a_clear_400_and_change_nothing(api_as, project, document, node, coder, change, phrase):
    payload = {"document": document.pk, "node": node.pk, "start": 0, "end": 3, **change}
    response = api_as(coder).post(codings_url(project), payload, format="json")
    assert response.status_code == 400
    assert phrase in response.json()["detail"]
    assert not Coding.objects.exists()


def test_a_saved_passage_is_trimmed_and_quoted_from_the_document(api_as, project, document, node, coder):
    start = TEXT.index("。") + 1  # the passage starts on the line break after the first article
    end = TEXT.index("以共享")
    response = api_as(coder).post(
        codings_url(project), {"document": document.pk, "node": node.pk, "start": start, "end": end}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["start"], body["end"], body["text"]) == (start + 1, end, "第二条　政府数据")
    assert Coding.objects.get().text == TEXT[start + 1 : end]


def test_document_or_node_of_another_project_is_refused(api_as, project, document, node, coder):
    foreign_document = DocumentFactory()
    foreign_node = NodeFactory(name="别人的机密节点")
    a = api_as(coder).post(
        codings_url(project), {"document": foreign_document.pk, "node": node.pk, "start": 0, "end": 3}, format="json"
    )
    b = api_as(coder).post(
        codings_url(project), {"document": document.pk, "node": foreign_node.pk, "start": 0, "end": 3}, format="json"
    )
    assert (a.status_code, b.status_code) == (400, 400)
    assert "not in this project" in a.json()["detail"]
    # another project's node is answered exactly as an id that exists nowhere: its name does not leak
    assert b.json()["detail"] == f"Node {foreign_node.pk} is not in this project's codebook."
    assert not Coding.objects.exists()


def test_moving_a_coding_to_another_projects_node_does_not_name_it(api_as, project, document, node, coder):
    coding = CodingFactory(document=document, node=node, coder=coder, start=0, end=3)
    foreign_node = NodeFactory(name="别人的机密节点")
    url = reverse("api:coding", kwargs={"coding_id": coding.pk})
    response = api_as(coder).patch(url, {"node": foreign_node.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": f"Node {foreign_node.pk} is not in this project's codebook."}
    coding.refresh_from_db()
    assert coding.node_id == node.pk


def test_viewer_cannot_code(api_as, project, document, node, viewer):
    response = api_as(viewer).post(
        codings_url(project), {"document": document.pk, "node": node.pk, "start": 0, "end": 3}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role in this project (Viewer) does not allow this."}
    assert not Coding.objects.exists()


def test_list_filters_by_document_node_and_coder(api_as, project, document, node, coder, owner):
    other_node = NodeFactory(project=project)
    CodingFactory(document=document, node=node, coder=coder, start=0, end=3)
    CodingFactory(document=document, node=other_node, coder=owner, start=0, end=3)
    url = codings_url(project)
    assert len(api_as(coder).get(url, {"document": document.pk}).json()) == 2
    assert [c["coder"] for c in api_as(coder).get(url, {"coder": "owner"}).json()] == ["owner"]
    assert [c["node"] for c in api_as(coder).get(url, {"node": node.pk}).json()] == [node.pk]
    bad = api_as(coder).get(url, {"node": "abc"})
    assert bad.status_code == 400
    assert bad.json()["detail"] == "“node” must be a number."


def test_memo_html_is_stored_as_text_and_returned_verbatim(api_as, project, document, node, coder):
    memo = "<script>alert(1)</script>"
    body = (
        api_as(coder)
        .post(
            codings_url(project),
            {"document": document.pk, "node": node.pk, "start": 0, "end": 3, "memo": memo},
            format="json",
        )
        .json()
    )
    assert body["memo"] == memo


def test_patch_moves_and_edits_memo_and_delete_removes(api_as, project, document, node, coder, owner):
    target = NodeFactory(project=project, name="数据开放")
    coding = CodingFactory(document=document, node=node, coder=coder, start=0, end=3)
    url = reverse("api:coding", kwargs={"coding_id": coding.pk})
    moved = api_as(coder).patch(url, {"node": target.pk, "memo": "改到开放"}, format="json")
    assert moved.status_code == 200
    assert (moved.json()["node"], moved.json()["memo"]) == (target.pk, "改到开放")
    assert api_as(owner).delete(url).status_code == 204
    assert not Coding.objects.exists()


def test_a_coder_cannot_remove_another_coders_coding(api_as, project, document, node, coder, owner):
    coding = CodingFactory(document=document, node=node, coder=owner)
    response = api_as(coder).delete(reverse("api:coding", kwargs={"coding_id": coding.pk}))
    assert response.status_code == 403
    assert response.json() == {"detail": "Only the coder who made this coding, or a project owner, can change it."}
    assert Coding.objects.filter(pk=coding.pk).exists()


def test_undo_endpoint_reverses_the_last_action(api_as, project, document, node, coder):
    api_as(coder).post(
        codings_url(project), {"document": document.pk, "node": node.pk, "start": 0, "end": 3}, format="json"
    )
    undo = reverse("api:codings-undo", kwargs={"project_id": project.pk})
    response = api_as(coder).post(undo)
    assert response.status_code == 200
    assert response.json()["action"] == "created"
    assert not Coding.objects.exists()
    again = api_as(coder).post(undo)
    assert again.status_code == 400
    assert again.json()["detail"] == "There is nothing to undo."
    assert not Coding.objects.exists()


def test_owner_reads_the_audit_trail_after_a_removal(api_as, project, document, node, coder, owner):
    created = (
        api_as(coder)
        .post(codings_url(project), {"document": document.pk, "node": node.pk, "start": 0, "end": 3}, format="json")
        .json()
    )
    api_as(coder).delete(reverse("api:coding", kwargs={"coding_id": created["id"]}))
    url = reverse("api:document-audit", kwargs={"document_id": document.pk})
    trail = api_as(owner).get(url).json()
    assert [(e["action"], e["actor"], e["coding_id"]) for e in trail] == [
        ("deleted", "coder", created["id"]),
        ("created", "coder", created["id"]),
    ]
    refused = api_as(coder).get(url)
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Your role in this project (Coder) does not allow this."}


def test_memos_are_searchable(api_as, project, document, coder):
    url = reverse("api:memos", kwargs={"project_id": project.pk})
    api_as(coder).post(url, {"kind": "document", "document": document.pk, "body": "此文件提到网信部门"}, format="json")
    api_as(coder).post(url, {"kind": "journal", "body": "今天讨论了编码规则"}, format="json")
    found = api_as(coder).get(url, {"q": "网信"}).json()
    assert [m["kind"] for m in found] == ["document"]
    assert len(api_as(coder).get(url).json()) == 2
    missing = api_as(coder).post(url, {"kind": "node", "body": "x"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["detail"] == "Name a document or node of this project for the memo."
    assert len(api_as(coder).get(url).json()) == 2


def test_compact_list_dates_codings_in_the_project_time_zone(api_as, project, document, node, coder, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    coding = CodingFactory(document=document, node=node, coder=coder, start=0, end=3)
    late_evening_utc = datetime.datetime(2026, 12, 6, 23, 30, tzinfo=datetime.UTC)  # 07:30 the next day in Beijing
    Coding.objects.filter(pk=coding.pk).update(created_at=late_evening_utc)
    rows = api_as(coder).get(codings_url(project), {"document": document.pk, "compact": "1"}).json()
    assert rows[0]["created_at"] == "2026-12-07T07:30:00+08:00"


def test_compact_list_leaves_out_the_passage_text(api_as, project, document, node, coder):
    CodingFactory(document=document, node=node, coder=coder, start=0, end=3, memo="m")
    rows = api_as(coder).get(codings_url(project), {"document": document.pk, "compact": "1"}).json()
    assert [(r["node"], r["coder"], r["start"], r["end"], r["memo"]) for r in rows] == [(node.pk, "coder", 0, 3, "m")]
    assert "text" not in rows[0]
