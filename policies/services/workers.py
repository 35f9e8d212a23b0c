"""Task workers: heartbeats, and the work a dead worker left behind."""

import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from policies import workers
from policies.models import (
    Project,
    Segmentation,
    SegmentationStatus,
    TaskWorker,
)
from policies.services.segmentation import segment_task


def worker_beat(*, worker_id: str, host: str, pid: int, started_at: datetime.datetime) -> None:
    """Record that the db_worker process `worker_id` is alive now."""
    TaskWorker.objects.update_or_create(
        pk=worker_id, defaults={"host": host[:255], "pid": pid, "started_at": started_at, "seen_at": timezone.now()}
    )


def worker_stop(*, worker_id: str) -> None:
    """A db_worker process that exits cleanly says so: the pages no longer count it."""
    TaskWorker.objects.filter(pk=worker_id).delete()


def work_recover(*, project: Project | None = None) -> int:
    """Restart what dead workers left running: their tasks are marked failed, their segmentations queued again for
    the next worker (which resumes at the first unsegmented document); returns how many were queued again.

    Called by every worker at start-up and with each heartbeat, and by the pages that show segmentation status."""
    now = timezone.now()
    alive = workers.alive_ids(now)
    if project is None:
        _task_results_orphaned_fail(now=now, alive=alive)
        TaskWorker.objects.filter(seen_at__lt=now - workers.lease()).delete()
    stale = workers.stale_segmentations(now)
    if project is not None:
        stale = stale.filter(pk=project.pk)
    queued = 0
    for state in stale:
        with transaction.atomic():
            # Compare and set: of several recoverers (workers starting, pages polling) only one queues it again.
            claimed = Segmentation.objects.filter(
                pk=state.pk, status=SegmentationStatus.RUNNING, worker=state.worker, heartbeat_at=state.heartbeat_at
            ).update(status=SegmentationStatus.QUEUED, done=0, total=0, error="", worker="")
            if claimed:
                segment_task().enqueue(state.pk, state.version)
                queued += 1
    return queued


def _task_results_orphaned_fail(*, now: datetime.datetime, alive: set[str]) -> int:
    """Mark failed the django-tasks results still "running" on a worker that is gone, so none stays running forever."""
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=now - workers.lease())
    orphans = [r.pk for r in running.only("id", "worker_ids") if not r.worker_ids or r.worker_ids[-1] not in alive]
    if not orphans:
        return 0
    lost = workers.WorkerLost
    return DBTaskResult.objects.filter(pk__in=orphans, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{lost.__module__}.{lost.__qualname__}",
        traceback=f"{lost.__qualname__}: {lost.__doc__}",
    )
