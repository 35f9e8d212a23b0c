"""WSGI entry point (gunicorn config.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def tune_gc() -> None:
    """Keep what startup loaded out of garbage collection and collect less often: long pages allocate a lot."""
    get_resolver().url_patterns  # noqa: B018 - import every view now, not on a worker's first request
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


tune_gc()
