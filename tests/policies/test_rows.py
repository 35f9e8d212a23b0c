"""policies.rows: the membership and token loaders give what the ORM's select_related(...).get(...) gives, and an
insert gives what save() gives; a path id no table could hold is a 404, not a database error."""

import datetime
import uuid

import pytest
from django.db import IntegrityError, connection
from django.urls import reverse
from rest_framework.authtoken.models import Token

from coding.models import Coding, CodingEvent
from policies import access, rows
from policies.models import Membership, Role
from tests.factories import CodingEventFactory, DocumentFactory, MembershipFactory, NodeFactory, UserFactory


def same_fields(a, b) -> None:
    for field in type(a)._meta.concrete_fields:
        assert getattr(a, field.attname) == getattr(b, field.attname), field.name


@pytest.mark.django_db
def test_a_membership_loads_with_its_project_as_the_orm_loads_them(django_assert_num_queries):
    membership = MembershipFactory(role=Role.CODER)
    expected = Membership.objects.select_related("project").get(pk=membership.pk)
    loader = rows.RowLoader(Membership, ("project_id", "user_id"), related=("project",))
    with django_assert_num_queries(1):
        found = loader.get(membership.project_id, membership.user_id)
        project = found.project  # cached with it: no second query
    same_fields(found, expected)
    same_fields(project, expected.project)
    assert isinstance(found.created_at, datetime.datetime)  # the database's converters applied (text on SQLite)
    assert found._state.adding is False
    assert loader.get(membership.project_id, UserFactory().pk) is None


@pytest.mark.django_db
def test_a_token_loads_with_its_user(api_as):
    user = UserFactory()
    token = Token.objects.create(user=user)
    found = rows.RowLoader(Token, ("key",), related=("user",)).get(token.key)
    same_fields(found, Token.objects.select_related("user").get(key=token.key))
    same_fields(found.user, user)
    assert rows.RowLoader(Token, ("key",)).get("x" * 40) is None


@pytest.mark.django_db
def test_membership_for_refuses_ids_no_table_holds_as_not_found(client, project, owner):
    client.force_login(owner)
    assert client.get(reverse("api:project", args=[project.pk])).status_code == 200
    for huge in (2**63, 10**30):
        response = client.get(f"/api/projects/{huge}/")
        assert response.status_code == 404
    assert access.membership_for(owner, str(project.pk)).project == project  # a numeric string, as before
    with pytest.raises(access.Http404):
        access.membership_for(owner, "not a number")


@pytest.mark.django_db
def test_an_insert_stores_what_save_stores():
    document = DocumentFactory()
    node = NodeFactory(project=document.project)
    coder = UserFactory()
    written = rows.insert(Coding(document=document, node=node, coder=coder, start=0, end=4, text=document.text[:4]))
    assert written.pk is not None
    stored = Coding.objects.get(pk=written.pk)
    same_fields(written, stored)
    assert stored.created_at is not None  # auto_now_add
    assert stored.updated_at is not None  # auto_now
    batch = uuid.uuid4()
    event = rows.insert(
        CodingEvent(
            project=document.project,
            document=document,
            actor=coder,
            batch=batch,
            action="created",
            coding_id=written.pk,
            coder=coder,
            node_id=node.pk,
            node_path="路径/节点",
            start=0,
            end=4,
            before={"node_id": 3, "memo": "旧"},
            origin={"suggestion": 7},
        )
    )
    stored_event = CodingEvent.objects.get(pk=event.pk)
    assert (stored_event.batch, stored_event.before, stored_event.origin) == (
        batch,
        {"node_id": 3, "memo": "旧"},
        {"suggestion": 7},
    )
    with pytest.raises(ValueError, match="new rows"):
        rows.insert(stored)
    assert Coding.objects.count() == 1


@pytest.mark.django_db
def test_a_linked_insert_stores_both_rows_in_one_statement_as_save_would(django_assert_num_queries):
    document = DocumentFactory()
    node = NodeFactory(project=document.project)
    coder = UserFactory()
    coding = Coding(document=document, node=node, coder=coder, start=0, end=4, text=document.text[:4])
    event = CodingEventFactory.build(coding=coding, origin={"suggestion": 7})  # unsaved: coding_id None
    if not rows.links_in_one_statement("default"):  # SQLite: no data-modifying WITH, and nothing written
        with pytest.raises(ValueError, match="one PostgreSQL database"):
            rows.insert_linked(coding, event, "coding_id")
        assert (Coding.objects.count(), CodingEvent.objects.count()) == (0, 0)
        return
    with django_assert_num_queries(1):
        rows.insert_linked(coding, event, "coding_id")
    stored, stored_event = Coding.objects.get(), CodingEvent.objects.get()
    assert (coding.pk, event.pk, event.coding_id) == (stored.pk, stored_event.pk, stored.pk)
    same_fields(coding, stored)
    same_fields(event, stored_event)
    assert stored.created_at is not None
    assert stored_event.origin == {"suggestion": 7}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: DATABASE_URL=postgres://…")
@pytest.mark.django_db(transaction=True)
def test_a_linked_insert_that_fails_writes_neither_row():
    document = DocumentFactory()
    node = NodeFactory(project=document.project)
    coder = UserFactory()
    Coding.objects.create(document=document, node=node, coder=coder, start=0, end=4, text=document.text[:4])
    again = Coding(document=document, node=node, coder=coder, start=0, end=4, text=document.text[:4])
    with pytest.raises(IntegrityError):
        rows.insert_linked(again, CodingEventFactory.build(coding=again), "coding_id")
    assert (Coding.objects.count(), CodingEvent.objects.count()) == (1, 0)  # the event did not outlive its coding
