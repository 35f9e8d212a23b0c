"""Sending files through the upload routes in tests, and what the storage holds afterwards."""

from pathlib import Path

from django.urls import reverse

HTMX = {"HX-Request": "true"}


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def api_upload(client, project, *files):
    url = reverse("api:documents", kwargs={"project_id": project.pk})
    return client.post(url, {"file": list(files)}, format="multipart")


def page_upload(client, project, *files):
    return client.post(reverse("policies:upload", args=[project.pk]), {"file": list(files)}, headers=HTMX)
