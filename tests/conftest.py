"""Shared fixtures: a project with one member of each role, and clients logged in as each."""

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from policies.models import Role
from tests.factories import MembershipFactory, ProjectFactory, UserFactory


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests need no real hashing
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # tasks run eagerly
    # Tests read messages in the English source; the Chinese default is tested where it matters.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def project(db):
    return ProjectFactory()


@pytest.fixture
def owner(project):
    return MembershipFactory(project=project, role=Role.OWNER, user=UserFactory(username="owner")).user


@pytest.fixture
def coder(project):
    return MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="coder")).user


@pytest.fixture
def viewer(project):
    return MembershipFactory(project=project, role=Role.VIEWER, user=UserFactory(username="viewer")).user


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


@pytest.fixture
def api_as():
    """An API client authenticated as the given user."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
