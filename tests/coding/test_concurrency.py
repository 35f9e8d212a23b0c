"""Concurrent coding writes on PostgreSQL: real row locks, real deadlocks (skipped on SQLite, which has neither)."""

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse
from rest_framework.test import APIClient

from coding import services
from coding.models import Coding, CodingEvent
from policies.models import Role
from tests.factories import DocumentFactory, MembershipFactory, NodeFactory, ProjectFactory, UserFactory

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: DATABASE_URL=postgres://…"
)

ROUNDS = 6
PER_REQUEST = 24


def _race(works):
    """Run each of `works` in its own thread, released together; return what each returned or raised."""
    barrier, results = threading.Barrier(len(works)), [None] * len(works)

    def run(i):
        try:
            barrier.wait()
            results[i] = works[i]()
        except Exception as error:
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def one_coder_project():
    project = ProjectFactory()
    coder = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="coder")).user
    documents = [DocumentFactory(project=project, text=f"{i}" + "政府数据共享开放" * 30) for i in range(2)]  # no spaces
    nodes = [NodeFactory(project=project) for _ in range(2)]
    return project, coder, documents, nodes


def _items(documents, nodes, round_):
    """PER_REQUEST distinct codings, new in each round (a span of its own)."""
    return [
        {"document": documents[i % 2].pk, "node": nodes[(i // 2) % 2].pk, "start": round_, "end": round_ + 2 + i // 4}
        for i in range(PER_REQUEST)
    ]


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("retry", [True, False], ids=["with-retry", "canonical-order-alone"])
def test_two_bulk_writes_of_the_same_codings_in_opposite_orders_never_fail(one_coder_project, monkeypatch, retry):
    project, coder, documents, nodes = one_coder_project
    if not retry:  # the rows written in one order must avoid the deadlock by themselves
        monkeypatch.setattr(services, "RETRYABLE_SQLSTATES", set())
    url = reverse("api:codings", args=[project.pk])

    def post(items):
        def send():
            client = APIClient(raise_request_exception=False)  # a 500, not the other thread's exception
            client.force_authenticate(coder)
            return client.post(url, items, format="json").status_code

        return send

    outcomes = []
    for round_ in range(ROUNDS):
        items = _items(documents, nodes, round_)
        outcomes += _race([post(items), post(list(reversed(items)))])
    assert [o for o in outcomes if not isinstance(o, int) or o not in (200, 201)] == []
    assert Coding.objects.count() == ROUNDS * PER_REQUEST  # nothing doubled, nothing lost
    assert CodingEvent.objects.count() == ROUNDS * PER_REQUEST  # one "created" event per coding, not two


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_deadlock_is_retried_once_with_the_whole_transaction(one_coder_project, monkeypatch):
    project, coder, documents, nodes = one_coder_project
    items = [services.CodingRequest(documents[0], nodes[0], 0, 4), services.CodingRequest(documents[1], nodes[1], 0, 4)]
    real, calls = services._codings_create, []

    def deadlock_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            # written inside the failing transaction, so it must be rolled back
            Coding.objects.create(document=documents[0], node=nodes[0], coder=coder, start=10, end=12, text="xx")
            _raise_deadlock()
        return real(**kwargs)

    monkeypatch.setattr(services, "_codings_create", deadlock_once)
    results = services.codings_create(coder=coder, project=project, items=items)
    assert len(calls) == 2
    assert [created for _coding, created in results] == [True, True]
    assert sorted(Coding.objects.values_list("start", "end")) == [(0, 4), (0, 4)]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_second_deadlock_answers_503_with_a_detail_and_writes_nothing(one_coder_project, monkeypatch):
    project, coder, documents, nodes = one_coder_project

    def always(**kwargs):
        _raise_deadlock()

    monkeypatch.setattr(services, "_codings_create", always)
    client = APIClient()
    client.force_authenticate(coder)
    body = {"document": documents[0].pk, "node": nodes[0].pk, "start": 0, "end": 4}
    response = client.post(reverse("api:codings", args=[project.pk]), body, format="json")
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert "at the same time" in response.json()["detail"]
    assert not Coding.objects.exists()


def _raise_deadlock() -> None:
    """Fail the current statement as PostgreSQL does when it breaks a deadlock (SQLSTATE 40P01)."""
    with connection.cursor() as cursor:
        cursor.execute("DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$")
