"""config.postgresql: a connection that served a request without an error a moment ago is not pinged before the
next one; a connection that sat idle, or saw an error, is checked as Django checks it (CONN_HEALTH_CHECKS)."""

from types import SimpleNamespace
from unittest import mock

import pytest
from django.conf import settings
from django.db import close_old_connections, connection, connections

from config.postgresql import base

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: DATABASE_URL=postgres://…")


def _request() -> None:
    """What a request does to the connection: the start signal's handler, one query, the finish signal's handler."""
    close_old_connections()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    close_old_connections()


@pytest.fixture
def pings(transactional_db, monkeypatch):
    """The health check's calls; the connection persistent and health-checked, as under gunicorn."""
    monkeypatch.setitem(connections["default"].settings_dict, "CONN_MAX_AGE", 60)
    monkeypatch.setitem(connections["default"].settings_dict, "CONN_HEALTH_CHECKS", True)
    connection.close()
    connection.connect()
    with mock.patch.object(base.DatabaseWrapper, "is_usable", autospec=True, return_value=True) as is_usable:
        yield is_usable
    connection.close()


def test_the_production_engine_is_this_backend():
    assert settings.DATABASES["default"]["ENGINE"] == "config.postgresql"
    assert isinstance(connections["default"], base.DatabaseWrapper)  # `connection` is Django's proxy to it


def test_a_connection_in_steady_use_is_not_pinged_before_each_request(pings):
    _request()  # a new connection: Django counts the connect as its check
    for _ in range(3):
        _request()
    assert pings.call_count == 0


def test_a_connection_idle_longer_than_the_window_is_pinged_once(pings, monkeypatch):
    _request()
    now = base.time.monotonic()
    monkeypatch.setattr(base, "time", SimpleNamespace(monotonic=lambda: now + base.FRESH_SECONDS + 0.5))
    _request()
    assert pings.call_count == 1
    _request()  # checked, then used without an error: sound again
    assert pings.call_count == 1


def test_a_request_that_did_not_use_the_connection_does_not_vouch_for_it(pings, monkeypatch):
    _request()
    close_old_connections()
    close_old_connections()  # a request without a query: no evidence the connection still works
    now = base.time.monotonic()
    monkeypatch.setattr(base, "time", SimpleNamespace(monotonic=lambda: now + base.FRESH_SECONDS + 0.5))
    _request()
    assert pings.call_count == 1


def test_a_connection_that_saw_an_error_is_checked_as_before(pings):
    _request()
    close_old_connections()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    connection.errors_occurred = True  # as Django marks it after an OperationalError
    pings.return_value = False  # the server went away
    close_old_connections()
    assert pings.call_count == 1  # Django's own check of a connection that failed
    assert connection.connection is None  # closed: the next request opens a new one
    assert connection.sound_until == 0.0
    pings.return_value = True
    _request()
    assert pings.call_count == 1  # a new connection: the connect is its check
    assert connection.connection is not None
