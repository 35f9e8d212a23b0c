"""The codings list answers from the database without a serializer per coding, and the team refresh revalidates:
an ETag that changes when anyone the user may see codes, removes, moves or undoes, a 304 while nothing changed,
and under blind coding an ETag that says nothing about the other coders."""

import pytest
from django.urls import reverse

from coding import services as coding_services
from coding.api.codings import CodingSerializer
from coding.models import Coding
from framework import services as framework_services
from policies.models import Role
from tests.factories import CodingFactory, DocumentFactory, MembershipFactory, NodeFactory, UserFactory

TEXT = "第一条　为了推动𠮷政府数据共享开放，制定本条例。\n第二条　政府数据以共享为原则，不共享为例外。"


@pytest.fixture
def two_coders_codings(project, owner, coder):
    other = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="other")).user
    document = DocumentFactory(project=project, text=TEXT, char_count=len(TEXT))
    nodes = [NodeFactory(project=project, name=name) for name in ("数据共享", "数据开放")]
    CodingFactory(document=document, node=nodes[0], coder=coder, start=0, end=3, memo="注=1")
    CodingFactory(document=document, node=nodes[1], coder=other, start=5, end=9)
    CodingFactory(document=DocumentFactory(project=project), node=nodes[0], coder=other, start=0, end=2)
    return {"project": project, "document": document, "nodes": nodes, "coder": coder, "other": other, "owner": owner}


def feed(two_coders_codings, compact=True) -> str:
    url = reverse("api:codings", kwargs={"project_id": two_coders_codings["project"].pk})
    return f"{url}?document={two_coders_codings['document'].pk}" + ("&compact=1" if compact else "")


def refresh(client, url, etag):
    return client.get(url, HTTP_IF_NONE_MATCH=etag)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
def test_the_list_answers_exactly_what_the_serializer_answered(api_as, two_coders_codings, settings, zone):
    settings.TIME_ZONE = zone
    url = reverse("api:codings", kwargs={"project_id": two_coders_codings["project"].pk})
    for query in (
        "",
        f"?document={two_coders_codings['document'].pk}",
        "?coder=other",
        f"?node={two_coders_codings['nodes'][0].pk}",
    ):
        response = api_as(two_coders_codings["owner"]).get(url + query)
        assert response.status_code == 200
        expected = CodingSerializer(
            Coding.objects.filter(document__project=two_coders_codings["project"]), many=True
        ).data
        if query:
            wanted = {
                "": lambda row: True,
                "?d": lambda row: row["document"] == two_coders_codings["document"].pk,
                "?c": lambda row: row["coder"] == "other",
                "?n": lambda row: row["node"] == two_coders_codings["nodes"][0].pk,
            }[query[:2]]
            expected = [row for row in expected if wanted(row)]
        assert response.json() == [dict(row) for row in expected]
        assert response.json(), query
    assert response.json()[0]["created_at"].endswith("Z" if zone == "UTC" else "+08:00")


def test_an_unchanged_document_costs_a_304(api_as, two_coders_codings):
    client = api_as(two_coders_codings["coder"])
    first = client.get(feed(two_coders_codings))
    assert first.status_code == 200
    assert first["Cache-Control"] == "no-cache, private"
    etag = first["ETag"]
    assert etag.startswith('"')
    assert etag.endswith('"')
    again = refresh(client, feed(two_coders_codings), etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert refresh(client, feed(two_coders_codings), f'"other", {etag}').status_code == 304  # a list of validators
    assert refresh(client, feed(two_coders_codings), '"stale"').status_code == 200
    full = client.get(
        feed(two_coders_codings, compact=False)
    )  # the same codings with their text: another answer, another tag
    assert full["ETag"] != etag
    assert refresh(client, feed(two_coders_codings, compact=False), etag).status_code == 200


def test_someone_coding_removing_moving_or_undoing_changes_the_etag(api_as, two_coders_codings):
    mine, theirs = api_as(two_coders_codings["coder"]), api_as(two_coders_codings["other"])

    def current() -> str:
        response = mine.get(feed(two_coders_codings))
        assert response.status_code == 200
        return response["ETag"]

    etag = current()
    url = reverse("api:codings", kwargs={"project_id": two_coders_codings["project"].pk})
    created = theirs.post(
        url,
        {
            "document": two_coders_codings["document"].pk,
            "node": two_coders_codings["nodes"][0].pk,
            "start": 10,
            "end": 14,
        },
        format="json",
    )
    assert created.status_code == 201
    answer = refresh(mine, feed(two_coders_codings), etag)
    assert answer.status_code == 200
    assert created.json()["id"] in [row["id"] for row in answer.json()]
    etag = current()
    detail = reverse("api:coding", kwargs={"coding_id": created.json()["id"]})
    assert theirs.patch(detail, {"memo": "改了"}, format="json").status_code == 200
    assert refresh(mine, feed(two_coders_codings), etag).status_code == 200
    etag = current()
    assert theirs.delete(detail).status_code == 204
    assert refresh(mine, feed(two_coders_codings), etag).status_code == 200
    etag = current()
    assert (
        theirs.post(reverse("api:codings-undo", kwargs={"project_id": two_coders_codings["project"].pk})).status_code
        == 200
    )
    assert refresh(mine, feed(two_coders_codings), etag).status_code == 200
    etag = current()
    # a codebook merge moves codings with one UPDATE (no updated_at): the node sum still changes the tag
    framework_services.node_merge(
        source=two_coders_codings["nodes"][1], target=two_coders_codings["nodes"][0], actor=two_coders_codings["owner"]
    )
    assert refresh(mine, feed(two_coders_codings), etag).status_code == 200
    etag = current()
    assert refresh(mine, feed(two_coders_codings), etag).status_code == 304


def test_codings_in_another_document_leave_the_etag_alone(api_as, two_coders_codings):
    client = api_as(two_coders_codings["coder"])
    etag = client.get(feed(two_coders_codings))["ETag"]
    coding_services.codings_create(
        coder=two_coders_codings["other"],
        project=two_coders_codings["project"],
        items=[
            coding_services.CodingRequest(
                DocumentFactory(project=two_coders_codings["project"]), two_coders_codings["nodes"][0], 0, 4, ""
            )
        ],
    )
    assert refresh(client, feed(two_coders_codings), etag).status_code == 304


def test_a_blind_coders_etag_does_not_leak_the_other_coders(api_as, two_coders_codings):
    coding_services.options_update(project=two_coders_codings["project"], blind=True)
    blind, owner = api_as(two_coders_codings["coder"]), api_as(two_coders_codings["owner"])
    etag = blind.get(feed(two_coders_codings))["ETag"]
    owners = owner.get(feed(two_coders_codings))["ETag"]
    assert etag != owners  # who sees other layers gets another validator
    assert [row["coder"] for row in blind.get(feed(two_coders_codings)).json()] == ["coder"]
    coding_services.codings_create(
        coder=two_coders_codings["other"],
        project=two_coders_codings["project"],
        items=[
            coding_services.CodingRequest(two_coders_codings["document"], two_coders_codings["nodes"][0], 10, 14, "")
        ],
    )
    Coding.objects.filter(coder=two_coders_codings["other"], start=5).delete()
    assert refresh(blind, feed(two_coders_codings), etag).status_code == 304  # nothing the blind coder may see changed
    assert blind.get(feed(two_coders_codings))["ETag"] == etag
    assert refresh(owner, feed(two_coders_codings), owners).status_code == 200  # the owner sees both changes
    # a blind coder presenting the owner's tag is not answered 304 with it
    assert refresh(blind, feed(two_coders_codings), owners).status_code == 200


def test_the_etag_keeps_refusals_and_permissions(api_as, two_coders_codings, outsider):
    assert api_as(outsider).get(feed(two_coders_codings), HTTP_IF_NONE_MATCH="*").status_code in (403, 404)
    bad = api_as(two_coders_codings["coder"]).get(feed(two_coders_codings) + "&node=x")
    assert bad.status_code == 400
    assert bad.json() == {"detail": "“node” must be a number."}
    assert "ETag" not in bad


def test_a_save_answers_what_the_serializer_answered(api_as, two_coders_codings):
    url = reverse("api:codings", kwargs={"project_id": two_coders_codings["project"].pk})
    payload = {
        "document": two_coders_codings["document"].pk,
        "node": two_coders_codings["nodes"][1].pk,
        "start": 12,
        "end": 18,
        "memo": "注",
    }
    client = api_as(two_coders_codings["other"])
    first = client.post(url, payload, format="json")
    assert first.status_code == 201
    saved = Coding.objects.get(pk=first.json()["id"])
    assert first.json() == dict(CodingSerializer(saved).data)
    again = client.post(url, payload, format="json")  # a repeat: the same coding, answered 200, not doubled
    assert again.status_code == 200
    assert again.json() == first.json()
    many = client.post(url, [payload, {**payload, "start": 20, "end": 24}], format="json")
    assert many.status_code == 201
    assert many.json()[0] == first.json()
    assert many.json()[1] == dict(CodingSerializer(Coding.objects.get(pk=many.json()[1]["id"])).data)
    assert (
        Coding.objects.filter(coder=two_coders_codings["other"], document=two_coders_codings["document"]).count() == 3
    )
