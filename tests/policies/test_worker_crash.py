"""A task worker killed mid re-segmentation: the next worker notices and finishes the work by itself.

Real `manage.py db_worker` processes run against the test database. On PostgreSQL they open the test database
itself (these tests commit: transaction=True). An SQLite test database lives in this process's memory, so it is
copied to a file for the workers and copied back before the assertions."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from policies.models import Document, DocumentTokens, Segmentation, SegmentationStatus
from policies.services.documents import text_hash
from policies.services.segmentation import segmentation_restart
from policies.text import segment
from tests.factories import ProjectFactory

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
DOCUMENTS = 400  # 8 batches: enough that the kill lands mid-run
HEARTBEAT, LEASE = 0.2, 2.0
WAIT = 120  # seconds before a wait gives up (not a budget: the machine may be busy)


class WorkerDatabase:
    """The test database as a worker process sees it."""

    def __init__(self, directory: Path):
        self.sqlite = connection.vendor == "sqlite"
        self.directory = directory
        self.copies = 0
        self.path: Path | None = None

    def url(self) -> str:
        if self.sqlite:
            return f"sqlite:///{self.path}"
        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"

    def share(self) -> None:
        """Before a worker starts: on SQLite, copy this process's database to a fresh file."""
        if self.sqlite:
            self.copies += 1
            self.path = self.directory / f"worker-{self.copies}.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(self.path)
            connection.connection.backup(target)
            target.close()

    def take_back(self) -> None:
        """After a worker ended: on SQLite, copy its file back into this process's database."""
        if self.sqlite:
            source = sqlite3.connect(self.path)
            source.backup(connection.connection)
            source.close()

    def segmentation(self, project_id: int) -> tuple[str, int, int]:
        """(status, done, total), read as the worker wrote it."""
        sql = "SELECT status, done, total FROM policies_segmentation WHERE project_id = %s"
        if self.sqlite:
            reader = sqlite3.connect(self.path, timeout=20)
            try:
                return reader.execute(sql.replace("%s", "?"), [project_id]).fetchone()
            finally:
                reader.close()
        with connection.cursor() as cursor:
            cursor.execute(sql, [project_id])
            return cursor.fetchone()


def start_worker(database: WorkerDatabase, worker_id: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database.url(),
        "TASKS_BACKEND": "database",
        "WORKER_HEARTBEAT_SECONDS": str(HEARTBEAT),
        "WORKER_LEASE_SECONDS": str(LEASE),
    }
    command = ["manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]
    return subprocess.Popen(
        [sys.executable, *command, "--worker-id", worker_id],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def first_batch_done(database: WorkerDatabase, project_id: int) -> tuple[str, int, int] | None:
    status, done, total = database.segmentation(project_id)
    return (status, done, total) if status == "running" and done > 0 else None


def wait_for(condition, what: str, worker: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) before {what}:\n{log.read_text()[-3000:]}")
        time.sleep(0.02)
    pytest.fail(f"gave up waiting for {what}" + (f":\n{log.read_text()[-3000:]}" if log else ""))


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


@pytest.fixture
def corpus_project(settings):
    settings.TASKS = DATABASE_TASKS
    settings.WORKER_LEASE_SECONDS = LEASE
    project = ProjectFactory()
    corpus = "\n".join(p.read_text(encoding="utf-8") for p in sorted(Path(settings.BASE_DIR, "demo").rglob("*.txt")))
    texts = [f"第{n}号\n{corpus[n * 10 : n * 10 + 6000]}" for n in range(DOCUMENTS)]
    Document.objects.bulk_create(
        Document(
            project=project,
            title=f"政策{n}",
            original_name=f"{n}.txt",
            original=f"tests/{n}.txt",
            file_format="txt",
            text=text,
            char_count=len(text),
            text_hash=text_hash(text),
        )
        for n, text in enumerate(texts)
    )
    return project


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_segmentation_leaves_the_work_to_the_next_worker(corpus_project, tmp_path):
    project = corpus_project
    state = segmentation_restart(project=project)
    database = WorkerDatabase(tmp_path)
    database.share()
    first_log, second_log = tmp_path / "worker-1.log", tmp_path / "worker-2.log"
    first = start_worker(database, "worker-1", first_log)
    try:
        _status, done, total = wait_for(
            lambda: first_batch_done(database, project.pk), "the first worker segmented a batch", first, first_log
        )
        first.kill()  # SIGKILL: no clean-up of any kind, as when the machine or the OOM killer stops it
        first.wait()
    finally:
        stop(first)
    assert 0 < done < total == DOCUMENTS
    database.take_back()
    left = Segmentation.objects.get(pk=project.pk)
    assert left.status == SegmentationStatus.RUNNING  # what the crash leaves: nothing would ever finish it
    wait_for(lambda: not segment.segmentation_state(project)["worker_alive"], "the dead worker's lease to run out")

    database.share()
    second = start_worker(database, "worker-2", second_log)
    try:
        wait_for(
            lambda: database.segmentation(project.pk)[0] == "ready", "the second worker finished", second, second_log
        )
    finally:
        stop(second)
    database.take_back()

    finished = Segmentation.objects.get(pk=project.pk)
    assert finished.status == SegmentationStatus.READY
    assert finished.worker == "worker-2"
    assert finished.total < DOCUMENTS  # it resumed: the first worker's batches were not redone
    assert DocumentTokens.objects.filter(document__project=project, version=state.version).count() == DOCUMENTS
    results = {tuple(r.worker_ids): r for r in DBTaskResult.objects.all()}
    assert results[("worker-1",)].status == TaskResultStatus.FAILED
    assert results[("worker-1",)].exception_class_path == "policies.workers.WorkerLost"
    assert results[("worker-2",)].status == TaskResultStatus.SUCCESSFUL
    assert not segment.segmentation_state(project)["worker_alive"]  # the second one stopped cleanly
