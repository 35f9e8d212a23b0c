"""Background work on the task queue (django-tasks, database backend, `manage.py db_worker`): segmentation."""

from django_tasks import task

from policies import services


@task()
def segment_project(project_id: int, version: int) -> int:
    """Segment the project's documents that lack tokens for dictionary `version`; returns how many were done."""
    return services.segmentation_run(project_id=project_id, version=version)
