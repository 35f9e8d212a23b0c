"""Read replica routing: the heavy read pages (matrix, framework summary, word frequency) read from a PostgreSQL
replica when DATABASE_REPLICA_URL is set; everything else, and every write, uses the primary.

The middleware marks a request as replica-readable when its view is named in settings.REPLICA_VIEWS and its method
is GET or HEAD; the router then sends that request's reads to settings.READ_REPLICA. A read inside a transaction on
the primary stays on the primary (a transaction that writes must read its own writes), and so does everything the
middleware chain did before the view (session, user, login throttling); users and API tokens are always read on the
primary (an API view authenticates inside the view). A replica lags its primary by a moment: a coding saved a second
ago may be missing from the matrix until the replica catches up."""

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)

READ_METHODS = frozenset({"GET", "HEAD"})
# The app's own data; users, API tokens, sessions and login throttling are always read on the primary, so that a
# password or token changed a moment ago is never judged by a replica that has not seen the change yet.
REPLICA_APPS = frozenset({"policies", "framework", "coding"})


class ReplicaRouter:
    """Reads of a replica-readable request go to the replica alias; writes and migrations always to the primary."""

    def db_for_read(self, model, **hints) -> str | None:
        replica = settings.READ_REPLICA
        if (
            replica
            and _replica_reads.get()
            and model._meta.app_label in REPLICA_APPS
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return replica
        return None

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        return True  # one database and its copy: objects read from either relate freely

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool | None:
        return False if db == settings.READ_REPLICA else None  # the replica copies the primary's schema itself


class ReplicaReadsMiddleware:
    """Marks the requests of the views in settings.REPLICA_VIEWS (GET/HEAD) for the replica; a no-op without one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _replica_reads.set(False)
        try:
            return self.get_response(request)
        finally:
            _replica_reads.reset(token)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        match = request.resolver_match
        if settings.READ_REPLICA and request.method in READ_METHODS and match.view_name in settings.REPLICA_VIEWS:
            _replica_reads.set(True)
        return None
