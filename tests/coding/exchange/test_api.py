"""The .qdpx endpoints and page: export for owners, import as a new project of the caller's own."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from policies.models import Project


@pytest.mark.django_db
def test_export_endpoint_streams_a_qdpx_and_import_endpoint_restores_it(api_as, rich_project, coder):
    project, owner = rich_project["project"], rich_project["owner"]
    response = api_as(owner).get(reverse("api:project-export", args=[project.pk]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert "project.qde" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    upload = SimpleUploadedFile("备份.qdpx", data, content_type="application/zip")
    answer = api_as(coder).post(reverse("api:project-import"), {"file": upload}, format="multipart")
    assert answer.status_code == 201
    new = Project.objects.get(pk=answer.json()["project"])
    assert new.memberships.get(user=coder).role == "owner"
    assert answer.json()["counts"]["codings"] == 4


@pytest.mark.django_db
def test_import_endpoint_refuses_a_broken_file_with_a_detail_and_stores_nothing(api_as, coder):
    before = Project.objects.count()
    upload = SimpleUploadedFile("x.qdpx", b"PK\x03\x04 broken", content_type="application/zip")
    answer = api_as(coder).post(reverse("api:project-import"), {"file": upload}, format="multipart")
    assert answer.status_code == 400
    assert "zip" in answer.json()["detail"]
    assert Project.objects.count() == before


@pytest.mark.django_db
def test_import_page_shows_the_report_with_names_escaped(client, coder):
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="&lt;script&gt;x&lt;/script&gt;"><Sources>'
        '<TextSource guid="33333333-3333-3333-3333-333333333333" name="&lt;b&gt;" plainTextPath="/etc/passwd"/>'
        "</Sources></Project>"
    )
    client.force_login(coder)
    upload = SimpleUploadedFile("x.qde", qde.encode())
    response = client.post(reverse("coding:project-import"), {"file": upload})
    assert response.status_code == 200
    assert b"<script>x" not in response.content
    assert b"&lt;b&gt;" in response.content


@pytest.mark.django_db
def test_the_import_endpoints_take_files_larger_than_the_document_upload_limit(client, coder, settings, rich_project):
    from tests.coding.exchange.conftest import export_bytes

    data = export_bytes(rich_project["project"], rich_project["owner"])
    settings.MAX_UPLOAD_BYTES = len(data) // 2  # a document upload this size would be refused
    client.force_login(coder)
    upload = SimpleUploadedFile("备份.qdpx", data, content_type="application/zip")
    response = client.post(reverse("api:project-import"), {"file": upload})
    assert response.status_code == 201
    page = client.post(reverse("coding:project-import"), {"file": SimpleUploadedFile("b.qdpx", data)})
    assert b"import-report" in page.content
