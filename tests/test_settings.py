"""Settings that guard production: no start without a secret key, persistent connections only under gunicorn,
and Django's deployment checklist clean under the HTTPS settings the README documents."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config import settings as project_settings

# The production environment of the README's "Deploying behind HTTPS" (and of .ci/run's deploy check).
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "q2Vv3n7xJp0w_Lz8R4tKc1mYb6HsD9fGa5eNuTiOrWlXkQjZ-PyUoEhIgAdCxBvMnS",
    "ALLOWED_HOSTS": "policycoder.example.edu",
    "CSRF_TRUSTED_ORIGINS": "https://policycoder.example.edu",
    "SECURE_PROXY_SSL_HEADER": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SESSION_COOKIE_SECURE": "1",
    "CSRF_COOKIE_SECURE": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, "DATABASE_URL": "sqlite:///:memory:", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_a_secret_key_and_debug_off_the_settings_refuse():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        project_settings.secret_key({}, debug=False)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        project_settings.secret_key({"SECRET_KEY": "  "}, debug=False)


def test_the_secret_key_comes_from_the_environment_and_a_development_key_only_with_debug():
    assert project_settings.secret_key({"SECRET_KEY": "from-the-environment"}, debug=False) == "from-the-environment"
    assert project_settings.secret_key({}, debug=True).startswith("django-insecure-")


def test_manage_py_refuses_to_start_without_a_secret_key():
    refused = manage("check", DEBUG="0")
    assert refused.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in refused.stderr
    assert manage("check", DEBUG="1").returncode == 0


def test_persistent_connections_only_under_gunicorn():
    assert project_settings.conn_max_age({}, {"gunicorn", "django"}) == 60
    assert project_settings.conn_max_age({}, {"django", "django.core.management.commands.runserver"}) == 0
    assert project_settings.conn_max_age({}, {"django_tasks_db"}) == 0  # the task worker


def test_conn_max_age_in_the_environment_wins():
    assert project_settings.conn_max_age({"CONN_MAX_AGE": "0"}, {"gunicorn"}) == 0
    assert project_settings.conn_max_age({"CONN_MAX_AGE": "30"}, {"django"}) == 30


def test_the_test_process_keeps_no_persistent_connections():
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == int(os.environ.get("CONN_MAX_AGE") or 0)


def test_deployment_checklist_is_clean_under_the_documented_https_settings():
    checked = manage("check", "--deploy", "--fail-level", "WARNING", "--tag", "security", **PRODUCTION_ENV)
    assert checked.returncode == 0, checked.stderr
    assert "no issues" in checked.stdout


def test_deployment_checklist_fails_without_the_https_switches():
    plain = {k: v for k, v in PRODUCTION_ENV.items() if not k.startswith(("SECURE_", "SESSION_", "CSRF_COOKIE"))}
    checked = manage("check", "--deploy", "--fail-level", "WARNING", "--tag", "security", **plain)
    assert checked.returncode != 0
    assert "security.W004" in checked.stderr  # HSTS
    assert "security.W008" in checked.stderr  # SSL redirect


def test_postgresql_goes_through_the_projects_backend_and_transaction_pooling_turns_session_state_off():
    parsed = {"ENGINE": "django.db.backends.postgresql", "NAME": "policycoder"}
    direct = project_settings.postgresql_database(parsed, transaction_pooling=False)
    assert direct["ENGINE"] == "config.postgresql"
    assert "PREPARED_STATEMENTS" not in direct
    pooled = project_settings.postgresql_database(parsed, transaction_pooling=True)
    assert (pooled["DISABLE_SERVER_SIDE_CURSORS"], pooled["PREPARED_STATEMENTS"]) == (True, False)
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}
    assert project_settings.postgresql_database(sqlite, transaction_pooling=True) == sqlite
