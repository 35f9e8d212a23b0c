"""Every API error is JSON {"detail": …}, a crash included; pages keep the page layout."""

import logging

import pytest
from django.test import RequestFactory
from django.urls import reverse

from config import errors
from policies.models import Project

JSON = "application/json"


def _boom(*args, **kwargs):
    raise RuntimeError("boom: <b>internal</b>")


@pytest.mark.django_db
def test_a_crash_in_an_api_view_is_a_logged_json_500_that_leaks_nothing(client, owner, project, monkeypatch, caplog):
    monkeypatch.setattr("policies.access.membership_for", _boom)
    client.force_login(owner)
    with caplog.at_level(logging.ERROR, logger="config.api"):
        response = client.get(reverse("api:project", kwargs={"project_id": project.pk}))
    assert response.status_code == 500
    assert response["Content-Type"].startswith(JSON)
    assert response.json() == {
        "detail": "Server error: the request failed. Please try again; nothing you saved before was lost."
    }
    assert "boom" in caplog.text  # the traceback goes to the log, not to the client


@pytest.mark.django_db
def test_a_crash_inside_a_write_rolls_back_and_answers_json(client, owner, monkeypatch):
    monkeypatch.setattr("framework.services.apply_template", _boom)
    client.force_login(owner)
    response = client.post(reverse("api:projects"), {"name": "新项目", "templates": ["lifecycle"]}, content_type=JSON)
    assert response.status_code == 500
    assert set(response.json()) == {"detail"}
    assert not Project.objects.filter(name="新项目").exists()


@pytest.mark.django_db
def test_a_crash_outside_drf_answers_json_under_api_and_the_500_page_elsewhere(client, owner, monkeypatch):
    client.raise_request_exception = False
    monkeypatch.setattr("config.middleware.request_problem", _boom)
    client.force_login(owner)
    api = client.get(reverse("api:projects"))
    assert api.status_code == 500
    assert api["Content-Type"].startswith(JSON)
    assert api.json()["detail"].startswith("Server error")
    page = client.get(reverse("policies:project-list"))
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")
    assert "Server error" in page.content.decode()
    assert "boom" not in page.content.decode()


@pytest.mark.django_db
def test_an_address_under_api_that_matches_no_route_answers_json_404(client, owner):
    client.force_login(owner)
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found: it does not exist or you are not a member of its project."}
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_a_request_django_refuses_before_the_view_answers_json_400_under_api(client, owner, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    client.force_login(owner)
    response = client.get(reverse("api:projects"), {"a": 1, "b": 2, "c": 3})
    assert response.status_code == 400
    assert response.json() == {"detail": "The request could not be understood. Nothing was changed."}


def test_a_403_outside_drf_answers_json_under_api_and_a_page_elsewhere():
    factory = RequestFactory()
    api = errors.permission_denied(factory.get("/api/projects/"), PermissionError())
    assert (api.status_code, api["Content-Type"]) == (403, JSON)
    page = errors.permission_denied(factory.get("/projects/"), PermissionError())
    assert page.status_code == 403
    assert page["Content-Type"].startswith("text/html")
