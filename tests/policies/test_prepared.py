"""policies.rows.execute: on a persistent PostgreSQL connection the hot statements are prepared once per session and
then run with EXECUTE, and give exactly what the plain statements give."""

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from coding import lookup
from coding.models import Coding, CodingEvent
from policies import access, rows
from policies.models import Role
from policies.text.cache import TEXTS
from tests.factories import CodingEventFactory, DocumentFactory, MembershipFactory, NodeFactory, UserFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: DATABASE_URL=postgres://…")
TEXT = "第一条　为了推动𠮷政府数据共享开放，制定本条例。"
SPANS = [(0, 3), (TEXT.index("𠮷"), TEXT.index("𠮷") + 4), (len(TEXT) - 1, len(TEXT) + 5), (2**40, 2**40 + 1)]


def _reads(project, user, document, node, token):
    membership = access.membership_for(user, project.pk)
    found_token = rows.RowLoader(Token, ("key",), related=("user",)).get(token.key)
    answers = [
        (membership.pk, membership.role, membership.project.name),
        (found_token.user_id, found_token.user.username),
    ]
    for start, end in [
        (0, 3),
        (TEXT.index("𠮷"), TEXT.index("𠮷") + 4),
        (len(TEXT) - 1, len(TEXT) + 5),
        (2**40, 2**40 + 1),
    ]:
        found, named = lookup.passage_and_node(project, document.pk, start, end, node.pk)
        answers.append((found[0].pk, found[0].char_count, found[1], named[0].pk, named[1]))
        found = lookup.passage(project, document.pk, start, end)
        answers.append((found[0].pk, found[1]))
    answers.append(lookup.passage(project, document.pk + 10**6, 0, 3))
    return answers


@pytest.fixture
def persistent(monkeypatch):
    """The connection kept between requests, as CONN_MAX_AGE keeps it under gunicorn."""
    monkeypatch.setitem(connections["default"].settings_dict, "CONN_MAX_AGE", 60)


@pytest.mark.django_db
def test_prepared_reads_give_what_the_plain_statements_give(monkeypatch):
    user = UserFactory()
    membership = MembershipFactory(user=user, role=Role.CODER)
    project = membership.project
    document = DocumentFactory(project=project, text=TEXT, char_count=len(TEXT))
    node = NodeFactory(project=project, name="数据质量", parent=NodeFactory(project=project, name="数据治理"))
    token = Token.objects.create(user=user)
    plain = _reads(project, user, document, node, token)  # CONN_MAX_AGE 0 in tests: nothing prepared
    TEXTS.clear()
    monkeypatch.setitem(connections["default"].settings_dict, "CONN_MAX_AGE", 60)
    with CaptureQueriesContext(connection) as first:
        prepared = _reads(project, user, document, node, token)
    assert prepared == plain
    assert any(q["sql"].startswith("PREPARE pc_") for q in first.captured_queries)
    TEXTS.clear()
    with CaptureQueriesContext(connection) as again:
        assert _reads(project, user, document, node, token) == plain
    statements = [q["sql"] for q in again.captured_queries]
    assert statements
    assert all(sql.startswith("EXECUTE pc_") for sql in statements)  # prepared once for the session


@pytest.mark.django_db(transaction=True)
def test_prepared_inserts_store_what_the_plain_ones_store(persistent):
    document = DocumentFactory(text=TEXT, char_count=len(TEXT))
    node = NodeFactory(project=document.project)
    coder = UserFactory()
    for start in (0, 1):  # the second time through EXECUTE only
        coding = Coding(document=document, node=node, coder=coder, start=start, end=4, text=TEXT[start:4])
        event = CodingEventFactory.build(coding=coding, origin={"suggestion": start})  # unsaved, coding_id None
        rows.insert_linked(coding, event, "coding_id")
        stored, stored_event = Coding.objects.get(pk=coding.pk), CodingEvent.objects.get(pk=event.pk)
        assert (stored.text, stored.start, stored_event.coding_id, stored_event.origin) == (
            TEXT[start:4],
            start,
            coding.pk,
            {"suggestion": start},
        )
    single = rows.insert(Coding(document=document, node=node, coder=coder, start=5, end=9, text=TEXT[5:9]))
    assert Coding.objects.get(pk=single.pk).text == TEXT[5:9]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'pc_%%'")
        inserts = [row[0] for row in cursor.fetchall() if "INSERT INTO" in row[0]]
    assert len(inserts) == 2  # the linked insert and the single insert, each prepared once in this session
    assert any(statement.startswith("PREPARE pc_") and "WITH first AS" in statement for statement in inserts)


@pytest.mark.django_db
def test_behind_transaction_pooling_nothing_is_prepared(monkeypatch):
    membership = MembershipFactory(role=Role.CODER)
    settings_dict = connections["default"].settings_dict
    monkeypatch.setitem(settings_dict, "CONN_MAX_AGE", 60)
    monkeypatch.setitem(settings_dict, "PREPARED_STATEMENTS", False)  # PGBOUNCER_TRANSACTION_MODE=1
    with CaptureQueriesContext(connection) as queries:
        found = access.membership_for(membership.user, membership.project_id)
    assert found.pk == membership.pk
    assert [q["sql"][:6] for q in queries.captured_queries] == ["SELECT"]
