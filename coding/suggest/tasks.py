"""Background work for suggestions on the task queue (django-tasks): training a model."""

from django_tasks import TaskContext, task

from coding.suggest import services


@task(takes_context=True)
def train_suggestions(context: TaskContext, model_id: int) -> int:
    """Train the queued suggestion model; returns how many suggestions it stored."""
    worker_ids = context.task_result.worker_ids  # the last one is the worker running it now
    return services.model_train(model_id=model_id, worker=worker_ids[-1] if worker_ids else "")
