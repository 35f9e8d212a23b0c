"""A task for tests/policies/test_workers_two.py: records each run in a table of its own (the test creates it).

It starts only once two task workers are alive, so that neither worker can empty the queue before the other joins."""

import os
import time

from django.db import connection
from django_tasks import TaskContext, task

from policies import workers

TABLE = "tests_worker_probe_run"
WAIT_FOR_WORKERS = 120  # seconds; the machine may be busy


@task(takes_context=True)
def record_run(context: TaskContext, number: int, hold: float) -> None:
    deadline = time.monotonic() + WAIT_FOR_WORKERS
    while len(workers.alive_ids()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(hold)  # a little work: the other worker takes the next task meanwhile
    worker = context.task_result.worker_ids[-1]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (number, worker, pid) VALUES (%s, %s, %s)", [number, worker, os.getpid()])
