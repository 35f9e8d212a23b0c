"""Team coding: assignments and progress, marking done, blind coding, the consensus layer."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from coding import layers, services, team
from coding.models import Assignment, Coding, CodingOptions
from framework import panel
from policies.models import Role
from tests.factories import CodingFactory, DocumentFactory, MembershipFactory, NodeFactory, UserFactory


@pytest.fixture
def documents(project):
    return [DocumentFactory(project=project), DocumentFactory(project=project)]


def test_assigning_twice_adds_each_pair_once(project, owner, coder, documents):
    assert services.assignments_add(project=project, documents=documents, coders=[coder], actor=owner) == 2
    assert services.assignments_add(project=project, documents=documents, coders=[coder, owner], actor=owner) == 2
    assert Assignment.objects.count() == 4


def test_viewers_and_outsiders_cannot_be_assigned(project, owner, viewer, outsider, documents):
    for user in (viewer, outsider):
        with pytest.raises(ValidationError) as refused:
            services.assignments_add(project=project, documents=documents, coders=[user], actor=owner)
        # the same words for a viewer and for a stranger, whose username the message must not confirm
        assert refused.value.messages == ["Only coders and owners of this project can be assigned documents."]
    assert not Assignment.objects.exists()


def test_progress_shows_not_started_in_progress_done_and_unassigned(project, owner, coder, documents):
    first, _second = documents
    services.assignments_add(project=project, documents=documents, coders=[coder], actor=owner)
    CodingFactory(document=first, node=NodeFactory(project=project), coder=coder)
    grid = team.progress(project, owner)
    column = grid.coders.index("coder")
    assert [cells[column] for _doc, cells in grid.rows] == [team.IN_PROGRESS, team.NOT_STARTED]
    services.assignment_mark(document=first, coder=coder, done=True)
    grid = team.progress(project, owner)
    assert [cells[column] for _doc, cells in grid.rows] == [team.DONE, team.NOT_STARTED]
    assert grid.totals["coder"] == (1, 2)
    assert [cells[grid.coders.index("owner")] for _doc, cells in grid.rows] == [team.UNASSIGNED] * 2
    assert team.reviewed(project) == {"coder": {first.pk}}


def test_marking_an_unassigned_document_done_is_refused(project, coder, documents):
    with pytest.raises(ValidationError, match="not assigned"):
        services.assignment_mark(document=documents[0], coder=coder, done=True)


def test_blind_coding_hides_other_coders_until_revealed(project, owner, coder, documents):
    other = MembershipFactory(project=project, role=Role.CODER).user
    node = NodeFactory(project=project)
    mine = CodingFactory(document=documents[0], node=node, coder=coder)
    CodingFactory(document=documents[0], node=node, coder=other)
    services.options_update(project=project, blind=True)
    assert list(layers.visible_codings(project, coder)) == [mine]
    assert layers.visible_codings(project, owner).count() == 2
    services.options_update(project=project, adjudicators=[other])
    assert layers.visible_codings(project, other).count() == 2
    services.options_update(project=project, blind=False)
    assert layers.visible_codings(project, coder).count() == 2


def test_blind_coding_holds_in_the_codings_api_and_export(api_as, project, owner, coder, documents):
    node = NodeFactory(project=project)
    CodingFactory(document=documents[0], node=node, coder=owner, start=0, end=3)
    services.options_update(project=project, blind=True)
    assert api_as(coder).get(reverse("api:codings", args=[project.pk])).json() == []
    rows = b"".join(api_as(coder).get(reverse("api:codings-csv", args=[project.pk])).streaming_content)
    assert rows.decode("utf-8-sig").count("\n") == 1  # the header only


def test_adjudicator_writes_the_consensus_layer_and_can_undo_it(project, owner, coder, documents):
    node = NodeFactory(project=project)
    item = services.CodingRequest(documents[0], node, 0, 5)
    with pytest.raises(PermissionDenied):
        services.adjudicate(project=project, actor=coder, role=Role.CODER, items=[item])
    [(coding, created)] = services.adjudicate(project=project, actor=owner, role=Role.OWNER, items=[item])
    consensus = services.consensus_coder(project)
    assert created
    assert coding.coder == consensus
    assert consensus.username == f"consensus-{project.pk}"
    assert not consensus.is_active
    assert not consensus.has_usable_password()
    services.codings_undo(project=project, actor=owner)
    assert not Coding.objects.exists()


def test_team_page_assigns_and_saves_blind_coding(client, project, owner, coder, documents):
    client.force_login(owner)
    url = reverse("coding:team", args=[project.pk])
    client.post(url, {"action": "assign", "all_documents": "on", "coders": [coder.pk]})
    assert Assignment.objects.filter(coder=coder).count() == 2
    client.post(url, {"action": "options", "blind": "on"})
    assert services.options_for(project).blind
    page = client.get(url).content.decode()
    assert "coder" in page
    empty = client.post(url, {"action": "assign", "coders": []}, follow=True)
    assert empty.status_code == 200
    assert Assignment.objects.count() == 2


def test_reading_the_team_and_coding_pages_writes_no_options_row(client, project, owner, coder, documents):
    """A GET is a read: the team-coding options stay the unsaved defaults until an owner saves them."""
    for user, url in (
        (owner, reverse("coding:team", args=[project.pk])),
        (coder, reverse("coding:workspace", args=[documents[0].pk])),
    ):
        client.force_login(user)
        assert client.get(url).status_code == 200
    assert not CodingOptions.objects.exists()
    assert not services.options_for(project).blind
    assert services.adjudicator_ids(project) == []
    assert not services.may_adjudicate(project, coder, Role.CODER)
    client.force_login(owner)
    client.post(reverse("coding:team", args=[project.pk]), {"action": "options", "adjudicators": [coder.pk]})
    assert CodingOptions.objects.get(project=project).adjudicators.get() == coder
    assert services.adjudicator_ids(project) == [coder.pk]
    assert services.may_adjudicate(project, coder, Role.CODER)


def test_coder_marks_done_from_the_coding_page(client, project, owner, coder, documents):
    services.assignments_add(project=project, documents=documents[:1], coders=[coder], actor=owner)
    client.force_login(coder)
    client.post(reverse("coding:assignment-done", args=[documents[0].pk]), {"done": "1"})
    assert Assignment.objects.get().done_at is not None
    page = client.get(reverse("coding:workspace", args=[documents[0].pk])).content.decode()
    assert 'name="done" value="0"' in page


def test_tree_counts_follow_blind_coding(client, project, coder, documents):
    node = NodeFactory(project=project, name="数据质量")
    CodingFactory(document=documents[0], node=node, coder=UserFactory())
    services.options_update(project=project, blind=True)
    client.force_login(coder)

    rows = panel.panel_context(project, coder)["tree_rows"]
    assert [(r.references, r.coders) for r in rows if r.id == node.pk] == [(0, 0)]


def test_a_non_owner_adjudicator_removes_consensus_codings_but_not_a_coders(api_as, project, owner, coder, documents):
    other = MembershipFactory(project=project, role=Role.CODER).user
    node = NodeFactory(project=project)
    item = services.CodingRequest(documents[0], node, 0, 5)
    [(consensus, _created)] = services.adjudicate(project=project, actor=owner, role=Role.OWNER, items=[item])
    theirs = CodingFactory(document=documents[0], node=node, coder=other, start=0, end=5)
    # not (yet) an adjudicator: refused, nothing removed
    refused = api_as(coder).delete(reverse("api:coding", args=[consensus.pk]))
    assert refused.status_code == 403
    assert Coding.objects.filter(pk=consensus.pk).exists()
    services.options_update(project=project, adjudicators=[coder])
    assert api_as(coder).delete(reverse("api:coding", args=[consensus.pk])).status_code == 204
    assert not Coding.objects.filter(pk=consensus.pk).exists()
    # adjudicating gives no right over another coder's own codings
    other_refused = api_as(coder).delete(reverse("api:coding", args=[theirs.pk]))
    assert other_refused.status_code == 403
    assert "Only the coder who made this coding" in other_refused.json()["detail"]
    assert Coding.objects.filter(pk=theirs.pk).exists()


def test_who_may_adjudicate_is_read_without_creating_the_projects_options(project, owner, coder):
    from coding.models import CodingOptions

    other = MembershipFactory(project=project, role=Role.CODER).user
    assert services.may_adjudicate(project, owner, Role.OWNER)
    assert not services.may_adjudicate(project, coder, Role.CODER)
    assert not CodingOptions.objects.filter(project=project).exists()
    services.options_update(project=project, adjudicators=[coder])
    assert services.may_adjudicate(project, coder, Role.CODER)
    assert not services.may_adjudicate(project, other, Role.CODER)
    elsewhere = MembershipFactory(role=Role.CODER, user=other).project
    services.options_update(project=elsewhere, adjudicators=[other])
    assert not services.may_adjudicate(project, other, Role.CODER)  # an adjudicator of another project only
