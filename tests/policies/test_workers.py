"""Task workers: the pages say when none is alive, and a segmentation a dead worker left running starts again."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from policies import tasks, workers
from policies.models import DocumentTokens, Segmentation, SegmentationStatus, TaskWorker
from policies.services.segmentation import segmentation_run
from policies.services.workers import work_recover, worker_beat, worker_stop
from tests.factories import DocumentFactory

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
NO_WORKER = "No background worker is running: start <code>manage.py db_worker</code>"


@pytest.fixture
def queued_tasks(settings):
    """Tasks wait in the database for a db_worker, as in production."""
    settings.TASKS = DATABASE_TASKS


def long_ago() -> datetime.datetime:
    return timezone.now() - workers.lease() - datetime.timedelta(seconds=1)


def beat(worker_id: str, seen_at: datetime.datetime | None = None) -> None:
    worker_beat(worker_id=worker_id, host="lab-server", pid=4242, started_at=timezone.now())
    if seen_at is not None:
        TaskWorker.objects.filter(pk=worker_id).update(seen_at=seen_at)


def left_running(project, *, worker: str, heartbeat_at: datetime.datetime | None) -> Segmentation:
    """A re-segmentation that a worker started and, as far as the database knows, is still running."""
    state = Segmentation.objects.get_or_create(project=project)[0]
    Segmentation.objects.filter(pk=state.pk).update(
        version=2, status=SegmentationStatus.RUNNING, done=50, total=120, worker=worker, heartbeat_at=heartbeat_at
    )
    return Segmentation.objects.get(pk=state.pk)


def status_panel(client, project) -> str:
    return client.get(reverse("policies:segmentation-status", args=[project.pk])).content.decode()


def status_json(api_client, project) -> dict:
    return api_client.get(reverse("api:segmentation", args=[project.pk])).json()


@pytest.mark.django_db
@pytest.mark.usefixtures("queued_tasks")
def test_without_a_worker_the_panel_and_the_api_say_so(client, api_as, project, viewer):
    client.force_login(viewer)
    assert NO_WORKER in status_panel(client, project)
    assert status_json(api_as(viewer), project)["worker_alive"] is False


@pytest.mark.django_db
@pytest.mark.usefixtures("queued_tasks")
def test_a_worker_with_a_recent_heartbeat_is_alive(client, api_as, project, viewer):
    beat("worker-a")
    client.force_login(viewer)
    assert "No background worker" not in status_panel(client, project)
    assert status_json(api_as(viewer), project)["worker_alive"] is True


@pytest.mark.django_db
@pytest.mark.usefixtures("queued_tasks")
def test_a_worker_silent_for_longer_than_the_lease_is_gone(api_as, project, viewer):
    beat("worker-a", seen_at=long_ago())
    assert workers.alive_ids() == set()
    assert status_json(api_as(viewer), project)["worker_alive"] is False


@pytest.mark.django_db
def test_tasks_run_in_the_request_need_no_worker(client, api_as, project, viewer):
    client.force_login(viewer)
    assert "No background worker" not in status_panel(client, project)
    assert status_json(api_as(viewer), project)["worker_alive"] is True


@pytest.mark.django_db
def test_the_panel_escapes_a_failure_message(client, project, viewer):
    Segmentation.objects.create(project=project, status=SegmentationStatus.FAILED, error="<img src=x onerror=alert(1)>")
    client.force_login(viewer)
    panel = status_panel(client, project)
    assert "<img src=x" not in panel
    assert "&lt;img src=x onerror=alert(1)&gt;" in panel


@pytest.mark.django_db
@pytest.mark.usefixtures("queued_tasks")
def test_a_segmentation_a_dead_worker_left_running_is_queued_again_when_the_page_asks(client, project, viewer):
    beat("dead-worker", seen_at=long_ago())
    state = left_running(project, worker="dead-worker", heartbeat_at=long_ago())
    client.force_login(viewer)
    panel = status_panel(client, project)
    assert "Segmentation is waiting for the task worker" in panel
    assert NO_WORKER in panel
    state.refresh_from_db()
    assert (state.status, state.version, state.worker) == (SegmentationStatus.QUEUED, 2, "")
    queued = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert queued.args_kwargs["args"] == [project.pk, 2]


@pytest.mark.django_db
def test_with_tasks_in_the_request_the_pages_recovery_finishes_the_work(api_as, project, viewer):
    documents = DocumentFactory.create_batch(3, project=project)
    left_running(project, worker="gone", heartbeat_at=long_ago())
    payload = status_json(api_as(viewer), project)
    assert (payload["status"], payload["segmented"], payload["documents"]) == ("ready", 3, 3)
    assert set(DocumentTokens.objects.values_list("document", "version")) == {(d.pk, 2) for d in documents}


@pytest.mark.django_db
@pytest.mark.usefixtures("queued_tasks")
def test_a_segmentation_that_made_progress_within_the_lease_is_left_alone(project):
    state = left_running(project, worker="dead-worker", heartbeat_at=timezone.now())
    assert work_recover() == 0
    state.refresh_from_db()
    assert state.status == SegmentationStatus.RUNNING
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("queued_tasks")
def test_a_segmentation_whose_worker_is_alive_is_left_alone(project):
    beat("busy-worker")  # e.g. one batch of very long documents takes longer than the lease
    state = left_running(project, worker="busy-worker", heartbeat_at=long_ago())
    assert work_recover() == 0
    state.refresh_from_db()
    assert state.status == SegmentationStatus.RUNNING


@pytest.mark.django_db
@pytest.mark.usefixtures("queued_tasks")
def test_a_segmentation_running_since_before_heartbeats_existed_is_queued_again(project):
    state = left_running(project, worker="", heartbeat_at=None)
    assert work_recover() == 1
    state.refresh_from_db()
    assert state.status == SegmentationStatus.QUEUED


@pytest.mark.django_db
@pytest.mark.usefixtures("queued_tasks")
def test_two_recoverers_queue_a_stale_segmentation_once(project):
    left_running(project, worker="dead-worker", heartbeat_at=long_ago())
    assert work_recover() == 1
    assert work_recover() == 0
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("queued_tasks")
def test_a_task_left_running_by_a_dead_worker_is_marked_failed(project):
    beat("live-worker")
    orphan = tasks.segment_project.enqueue(project.pk, 1)
    running = tasks.segment_project.enqueue(project.pk, 1)
    DBTaskResult.objects.filter(pk=orphan.id).update(
        status=TaskResultStatus.RUNNING, started_at=long_ago(), worker_ids=["dead-worker"]
    )
    DBTaskResult.objects.filter(pk=running.id).update(
        status=TaskResultStatus.RUNNING, started_at=long_ago(), worker_ids=["live-worker"]
    )
    work_recover()
    failed = DBTaskResult.objects.get(pk=orphan.id)
    assert failed.status == TaskResultStatus.FAILED
    assert failed.exception_class_path == "policies.workers.WorkerLost"
    assert DBTaskResult.objects.get(pk=running.id).status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_recovery_forgets_workers_gone_for_longer_than_the_lease():
    beat("old-worker", seen_at=long_ago())
    beat("new-worker")
    work_recover()
    assert set(TaskWorker.objects.values_list("id", flat=True)) == {"new-worker"}


@pytest.mark.django_db
def test_a_worker_that_stops_cleanly_is_no_longer_counted():
    beat("worker-a")
    worker_stop(worker_id="worker-a")
    assert not TaskWorker.objects.exists()


@pytest.mark.django_db
def test_a_running_segmentation_records_its_worker_and_heartbeat(project):
    DocumentFactory.create_batch(2, project=project)
    state = Segmentation.objects.create(project=project, version=3)
    before = timezone.now()
    assert segmentation_run(project_id=project.pk, version=3, worker="worker-a") == 2
    state.refresh_from_db()
    assert (state.status, state.worker) == (SegmentationStatus.READY, "worker-a")
    assert state.heartbeat_at >= before
