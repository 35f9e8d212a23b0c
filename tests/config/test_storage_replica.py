"""Read replica routing (config/routers.py): the heavy read pages read from the replica alias, writes never do.

tests/settings.py defines "replica" as a second alias on the test database itself (TEST MIRROR), as a replica would
be a second server holding the same data. The tests commit (transaction=True) so the second connection sees the
rows; routing is on only where READ_REPLICA names the alias."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from coding.models import Coding
from config import routers
from policies.models import Membership, Role
from tests.factories import CodingFactory, DocumentFactory, NodeFactory, ProjectFactory, UserFactory

BOTH = ["default", "replica"]
MAIN_TABLE = re.compile(r'FROM\s+"(\w+)"')  # the first FROM: the table a query reads, not a subquery's
APP_TABLES = ("policies_", "framework_", "coding_")
WRITES = ("INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "SAVEPOINT")


@pytest.fixture
def replica(settings):
    settings.READ_REPLICA = "replica"
    return settings


@pytest.fixture
def replica_codings(db):
    project = ProjectFactory()
    owner = UserFactory(username="replica-owner")
    Membership.objects.create(project=project, user=owner, role=Role.OWNER)
    node = NodeFactory(project=project, name="数据共享")
    for _ in range(3):
        CodingFactory(document=DocumentFactory(project=project), node=node, coder=owner, start=0, end=8)
    client = Client()
    client.force_login(owner)
    return project, client


def captured(client: Client, method: str, url: str, **kwargs):
    """The response, and the SQL the request ran on each alias."""
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default,
    ):
        response = getattr(client, method)(url, **kwargs)
    return response, [q["sql"] for q in on_replica], [q["sql"] for q in on_default]


HEAVY_PAGES = [
    ("coding:matrix", {}, "coding_coding"),
    ("coding:framework-summary", {}, "coding_coding"),
    ("policies:word-frequency", {}, "policies_"),
    ("coding:matrix-csv", {}, "coding_coding"),
    ("api:matrix", {}, "coding_coding"),
    ("api:word-frequency", {}, "policies_"),
]


@pytest.mark.django_db(transaction=True, databases=BOTH)
@pytest.mark.parametrize(("name", "query", "table"), HEAVY_PAGES)
def test_the_heavy_read_pages_read_from_the_replica(replica, replica_codings, name, query, table):
    project, client = replica_codings
    response, on_replica, on_default = captured(client, "get", reverse(name, args=[project.pk]), data=query)
    assert response.status_code == 200, response.content[:500]
    assert on_replica, "no query went to the replica"
    assert any(table in sql for sql in on_replica)
    assert not [sql for sql in on_replica if sql.lstrip().upper().startswith(WRITES)]
    # sessions, users and tokens stay on the primary; the app's own tables are read on the replica only
    on_primary = {match.group(1) for sql in on_default if (match := MAIN_TABLE.search(sql))}
    assert not {table for table in on_primary if table.startswith(APP_TABLES)}, on_primary


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_without_a_replica_setting_every_read_stays_on_the_primary(settings, replica_codings):
    settings.READ_REPLICA = ""
    project, client = replica_codings
    response, on_replica, on_default = captured(client, "get", reverse("coding:matrix", args=[project.pk]))
    assert response.status_code == 200
    assert on_replica == []
    assert any("coding_coding" in sql for sql in on_default)


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_other_pages_and_writes_never_touch_the_replica(replica, replica_codings):
    project, client = replica_codings
    document = project.documents.first()
    node = project.nodes.first()
    before = Coding.objects.count()
    response, on_replica, _ = captured(
        client,
        "post",
        reverse("api:codings", kwargs={"project_id": project.pk}),
        data={"document": document.pk, "node": node.pk, "start": 10, "end": 16},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Coding.objects.count() == before + 1
    assert on_replica == []
    response, on_replica, _ = captured(client, "get", reverse("policies:project-home", args=[project.pk]))
    assert response.status_code == 200
    assert on_replica == []


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_router_sends_writes_and_transactions_to_the_primary(replica):
    router = routers.ReplicaRouter()
    token = routers._replica_reads.set(True)
    try:
        assert router.db_for_read(Coding) == "replica"
        assert router.db_for_read(get_user_model()) is None  # accounts and tokens: always the primary
        assert router.db_for_read(Token) is None
        assert router.db_for_write(Coding) == DEFAULT_DB_ALIAS
        with transaction.atomic():
            assert router.db_for_read(Coding) is None  # a transaction reads its own writes
        replica.READ_REPLICA = ""
        assert router.db_for_read(Coding) is None
    finally:
        routers._replica_reads.reset(token)
    replica.READ_REPLICA = "replica"
    assert router.db_for_read(Coding) is None  # an ordinary request
    assert router.allow_migrate("replica", "coding") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "coding") is None
