"""Task workers (`manage.py db_worker`): which are alive, and which running work has lost its worker. Reads only;
the heartbeat and the recovery are written by services (worker_beat, work_recover)."""

import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend

from policies.models import Segmentation, SegmentationStatus, TaskWorker


class WorkerLost(Exception):
    """The worker running a task stopped (killed, or its machine restarted) without finishing it."""


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.WORKER_LEASE_SECONDS)


def needed() -> bool:
    """Whether tasks wait for a db_worker process (the database backend) rather than run inside the request."""
    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def alive_ids(now: datetime.datetime | None = None) -> set[str]:
    """The ids of the workers whose heartbeat is within the lease."""
    cutoff = (now or timezone.now()) - lease()
    return set(TaskWorker.objects.filter(seen_at__gte=cutoff).values_list("id", flat=True))


def alive() -> bool:
    """Whether background work gets done: a worker is alive, or tasks run in the request."""
    return not needed() or bool(alive_ids())


def stale_segmentations(now: datetime.datetime | None = None) -> QuerySet[Segmentation]:
    """Segmentations marked running whose task neither finished a batch nor had a live worker within the lease."""
    now = now or timezone.now()
    quiet = Q(heartbeat_at__lt=now - lease()) | Q(heartbeat_at__isnull=True)
    return Segmentation.objects.filter(quiet, status=SegmentationStatus.RUNNING).exclude(worker__in=alive_ids(now))
