"""Two task workers on one queue: every task runs exactly once, and both workers take a share.

Two real `manage.py db_worker` processes, as on two machines, take tasks from the one database queue (django-tasks-db
claims a task with SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, and inside an exclusive transaction on SQLite, so
this runs on both). On SQLite both workers open one file copy of the test database (tests/policies/
test_worker_crash.py explains the copy); on PostgreSQL the test database itself (the test commits)."""

import sqlite3
from collections import Counter

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from tests.policies import worker_probe
from tests.policies.test_worker_crash import DATABASE_TASKS, LEASE, WorkerDatabase, start_worker, stop, wait_for

TASKS = 40
HOLD = 0.05  # seconds each task takes


def query(database: WorkerDatabase, sql: str) -> list[tuple]:
    """Rows as the workers wrote them (the SQLite file while they run, else the test database)."""
    if database.sqlite:
        reader = sqlite3.connect(database.path, timeout=20)
        try:
            return reader.execute(sql).fetchall()
        finally:
            reader.close()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


@pytest.fixture
def run_table(db):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {worker_probe.TABLE} (number integer NOT NULL, worker varchar(64), pid integer)")
    yield worker_probe.TABLE
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {worker_probe.TABLE}")


@pytest.mark.django_db(transaction=True)
def test_two_workers_share_one_queue_and_run_each_task_exactly_once(settings, run_table, tmp_path):
    settings.TASKS = DATABASE_TASKS
    settings.WORKER_LEASE_SECONDS = LEASE
    for number in range(TASKS):
        worker_probe.record_run.enqueue(number, HOLD)
    assert DBTaskResult.objects.count() == TASKS

    database = WorkerDatabase(tmp_path)
    database.share()
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    first = start_worker(database, "worker-a", logs[0])
    second = start_worker(database, "worker-b", logs[1])
    try:
        wait_for(
            lambda: query(database, f"SELECT COUNT(*) FROM {run_table}")[0][0] >= TASKS
            and not query(database, f"SELECT id FROM {DBTaskResult._meta.db_table} WHERE status != 'SUCCESSFUL'"),
            f"{TASKS} tasks done",
            first,
            logs[0],
        )
    finally:
        stop(first)
        stop(second)
    database.take_back()

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number, worker, pid FROM {run_table}")
        runs = cursor.fetchall()
    per_task = Counter(number for number, _worker, _pid in runs)
    assert sorted(per_task) == list(range(TASKS))
    assert set(per_task.values()) == {1}, f"tasks run more than once: {[n for n, c in per_task.items() if c > 1]}"
    per_worker = Counter(worker for _number, worker, _pid in runs)
    assert set(per_worker) == {"worker-a", "worker-b"}, per_worker  # both took a share
    assert len({pid for _n, _w, pid in runs}) == 2  # two processes
    results = list(DBTaskResult.objects.all())
    assert len(results) == TASKS
    assert {r.status for r in results} == {"SUCCESSFUL"}
    assert all(len(r.worker_ids) == 1 for r in results)  # claimed once, by one worker
