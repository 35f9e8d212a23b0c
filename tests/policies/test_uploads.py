"""The upload handler of policies/uploads.py: a file over the size limit is dropped by name, a request with too many
files or too many MB is refused as a whole with a message, before anything is stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from policies import uploads
from policies.models import Document
from tests.uploading import api_upload, page_upload, stored_files

MB = 1024 * 1024


# --- the request as a whole, through the API and the upload page ----------------------------------------------


def texts(count: int, size: int = 10) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(f"{n}.txt", f"第{n}条".encode() + b"x" * size) for n in range(count)]


@pytest.mark.django_db
def test_too_many_files_in_one_request_answer_413_and_import_none(api_as, project, owner, settings):
    settings.MAX_UPLOAD_FILES = 3
    response = api_upload(api_as(owner), project, *texts(4))
    assert response.status_code == 413
    assert response.json() == {
        "detail": "This upload holds more than 3 files: send at most 3 files at a time, or a .zip."
    }
    assert not Document.objects.exists()
    assert stored_files(settings) == []
    assert api_upload(api_as(owner), project, *texts(3)).status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("sizes", [[700_000, 700_000], [3 * MB]], ids=["read-until-over", "content-length-over"])
def test_a_request_over_the_total_answers_413_and_imports_none(api_as, project, owner, settings, sizes):
    settings.MAX_REQUEST_MB, settings.MAX_REQUEST_BYTES = 1, MB
    files = [SimpleUploadedFile(f"{n}.txt", b"x" * size) for n, size in enumerate(sizes)]
    response = api_upload(api_as(owner), project, *files)
    assert response.status_code == 413
    assert response.json() == {"detail": "This upload is larger than 1 MB in all: send the files in smaller batches."}
    assert not Document.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_the_upload_page_answers_a_request_over_the_limits_with_the_message(client, project, owner, settings):
    settings.MAX_UPLOAD_FILES = 2
    client.force_login(owner)
    response = page_upload(client, project, *texts(3))
    assert response.status_code == 413
    assert 'id="upload-results"' in response.content.decode()
    assert "This upload holds more than 2 files" in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(settings) == []


# --- the handler on its own ------------------------------------------------------------------------------------


def _parsed(path: str, files: dict[str, list[SimpleUploadedFile]]):
    """A multipart request to `path` parsed with the project's upload handler, as a view would see it."""
    request = RequestFactory().post(path, files)
    request.upload_handlers = [uploads.SizeLimitedUploadHandler(request)]
    return request, request.FILES


def test_a_file_over_the_limit_is_dropped_by_name_and_the_others_kept(settings):
    settings.MAX_UPLOAD_BYTES = 1000
    big = SimpleUploadedFile("大文件.txt", b"x" * 1001)
    small = SimpleUploadedFile("small.txt", b"x" * 1000)
    request, files = _parsed("/nowhere/", {"file": [big, small]})
    assert [f.name for f in files.getlist("file")] == ["small.txt"]
    assert request.oversized_uploads == ["大文件.txt"]
    assert uploads.refusal(request) is None


def test_more_files_than_allowed_refuses_the_request_with_the_message(settings):
    settings.MAX_UPLOAD_FILES = 2
    request, _files = _parsed("/nowhere/", {"file": [SimpleUploadedFile(f"{n}.txt", b"x") for n in range(3)]})
    assert uploads.refusal(request) == uploads.too_many_files_message()
    assert uploads.too_many_files_message() == (
        "This upload holds more than 2 files: send at most 2 files at a time, or a .zip."
    )


def test_a_content_length_over_the_total_is_refused_without_reading_the_body(settings):
    settings.MAX_REQUEST_MB, settings.MAX_REQUEST_BYTES = 1, 100
    body = b"x" * (uploads.REQUEST_OVERHEAD_BYTES + 200)
    request, files = _parsed("/nowhere/", {"file": [SimpleUploadedFile("a.txt", body)]})
    assert files.getlist("file") == []
    assert request.oversized_uploads == []
    assert uploads.refusal(request) == "This upload is larger than 1 MB in all: send the files in smaller batches."


def test_a_project_import_may_be_larger_than_a_document_upload(settings):
    settings.MAX_UPLOAD_BYTES = 1000
    settings.UPLOAD_LIMITS_MB = {"api:project-import": 1}
    data = b"x" * 5000
    path = reverse("api:project-import")
    request, files = _parsed(path, {"file": [SimpleUploadedFile("项目.qdpx", data)]})
    assert [(f.name, f.size) for f in files.getlist("file")] == [("项目.qdpx", 5000)]
    assert request.oversized_uploads == []
    other, _files = _parsed("/nowhere/", {"file": [SimpleUploadedFile("项目.qdpx", data)]})
    assert other.oversized_uploads == ["项目.qdpx"]


def test_no_refusal_is_read_from_a_request_the_handler_never_saw():
    assert uploads.refusal(RequestFactory().get("/")) is None
