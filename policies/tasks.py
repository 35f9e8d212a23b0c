"""Background work on the task queue (django-tasks, database backend, `manage.py db_worker`): segmentation."""

from django_tasks import TaskContext, task

from policies.services.segmentation import segmentation_run


@task(takes_context=True)
def segment_project(context: TaskContext, project_id: int, version: int) -> int:
    """Segment the project's documents that lack tokens for dictionary `version`; returns how many were done."""
    worker_ids = context.task_result.worker_ids  # the last one is the worker running it now
    worker = worker_ids[-1] if worker_ids else ""
    return segmentation_run(project_id=project_id, version=version, worker=worker)
