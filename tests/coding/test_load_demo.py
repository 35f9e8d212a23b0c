"""`make run` loads the demo: users, the project, four real documents, the codebook and seed codings, idempotently."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from coding.models import Coding
from policies.models import Project


@pytest.mark.django_db
def test_load_demo_builds_the_demo_project_once():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    project = Project.objects.get()
    assert project.documents.count() == 4
    assert set(project.documents.values_list("province", flat=True)) == {"上海市", "北京市", "全国"}
    assert project.nodes.filter(parent__isnull=True, name="数据开放").exists()
    assert project.nodes.count() == 40 + 9  # lifecycle 7 + 33; stakeholders 4 roots + 5 government bodies
    assert authenticate(RequestFactory().post("/"), username="demo", password="policycoder-demo") is not None
    coders = set(Coding.objects.values_list("coder__username", flat=True))
    assert coders == {"coder1", "coder2"}
    assert project.memberships.count() == 4
