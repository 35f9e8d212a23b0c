"""The test suite's settings: the project's own, with a throwaway SECRET_KEY when the environment sets none.

With DEBUG off the project refuses to start without a key; this lets `pytest` run on a fresh clone. Subprocesses
that the tests start (`manage.py db_worker`) inherit the key through the environment."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH")

from config.settings import *  # noqa: F403

# A second alias on the same database, as a read replica would be: config.routers sends the heavy read pages' reads
# to it only where a test sets READ_REPLICA = "replica" (tests/config/test_storage_replica.py).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
