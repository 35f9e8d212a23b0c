"""Shared fixtures: a project with one member of each role, and clients logged in as each."""

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from policies.models import Role
from policies.services.documents import document_import
from policies.text.cache import TEXTS
from tests.factories import MembershipFactory, ProjectFactory, UserFactory


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests need no real hashing
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # tasks run eagerly
    # Tests read messages in the English source; the Chinese default is tested where it matters.
    settings.LANGUAGE_CODE = "en"
    TEXTS.clear()  # each test starts with no document text held, as a new worker does (ids are reused between tests)
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


# The search corpus: two imported (so segmented) documents, the first in 贵州省 and the second in 浙江省. 网信部门 is
# in both, three times in all; the first has two articles and ends in an unnumbered line.
SEARCH_TEXTS = (
    (
        "第一条　网信部门负责统筹协调。公共数据由数据主管部门管理！\n"
        "第二条　网信部门和公安机关依法监督；数据开放应当公平。\n附则"
    ),
    "第一条　本省网信部门负责数据安全。\n第二条　其他。",
)


@pytest.fixture
def search_corpus(project, owner):
    """The two documents of SEARCH_TEXTS, imported into the project by its owner, with their provinces."""
    documents = []
    for i, (text, province) in enumerate(zip(SEARCH_TEXTS, ("贵州省", "浙江省"), strict=True)):
        outcome = document_import(project=project, user=owner, filename=f"doc{i}.txt", data=text.encode())
        document = outcome[0].document
        document.province = province
        document.save()
        documents.append(document)
    return documents
