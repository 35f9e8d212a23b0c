"""`manage.py db_worker`: django-tasks' database worker with a heartbeat (this command takes the name over, as
staticfiles does with runserver, because `policies` comes before `django_tasks_db` in INSTALLED_APPS).

The heartbeat thread records the worker in TaskWorker every WORKER_HEARTBEAT_SECONDS, which tells the pages a worker
is alive, and each beat restarts work a dead worker left running (work_recover); a clean exit removes the
record. A killed worker simply stops beating and is taken for dead once WORKER_LEASE_SECONDS have passed."""

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from policies.services.workers import work_recover, worker_beat, worker_stop

logger = logging.getLogger(__name__)


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str):
        super().__init__(name="db-worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def beat(self) -> None:
        try:
            worker_beat(
                worker_id=self.worker_id, host=socket.gethostname(), pid=os.getpid(), started_at=self.started_at
            )
            work_recover()
        except Exception:
            logger.exception("Worker heartbeat failed; trying again at the next beat")  # e.g. the database restarts
        finally:
            connection.close()  # this thread's own connection: never left open between beats

    def run(self) -> None:
        while not self.stopping.wait(settings.WORKER_HEARTBEAT_SECONDS):
            self.beat()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=settings.WORKER_HEARTBEAT_SECONDS + 30)
        try:
            worker_stop(worker_id=self.worker_id)
        except Exception:
            logger.exception("Could not remove the worker's heartbeat; it expires after the lease")


class Command(db_worker.Command):
    help = "Run a database background worker that records a heartbeat and restarts work a dead worker left."

    def handle(self, *args, **options) -> None:
        if options["reload"] and not options["batch"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            return super().handle(*args, **options)  # the autoreloader's parent only watches files; its child works
        heartbeat = Heartbeat(options["worker_id"])
        heartbeat.beat()  # alive, and what a dead worker left is queued again, before the first task is taken
        heartbeat.start()
        try:
            return super().handle(*args, **options)
        finally:
            heartbeat.stop()
