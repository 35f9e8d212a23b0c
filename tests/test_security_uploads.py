"""Upload bombs and oversized requests: a .docx or PDF that unpacks past MAX_INFLATED_MB, a zip holding one, headers
that lie, too many files, too many MB. Each is refused with a message naming the file, and nothing is stored.

The bombs are generated here (tests/bombs.py), a few kB on disk; the caps are set small so the tests stay quick.
bench/upload_bench.py runs real-size bombs and measures the memory they take."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from policies import extraction, inflation
from policies.models import Document
from tests import bombs
from tests.factories import DocumentFactory
from tests.uploading import api_upload, page_upload, stored_files

MB = 1024 * 1024


@pytest.fixture
def small_caps(settings):
    """One file may unpack to 1 MB; an archive to 3 MB in all."""
    settings.MAX_INFLATED_MB = 1
    settings.MAX_ZIP_UNPACKED_MB = 3
    return settings


# --- the extractors under a budget, without a database ------------------------------------------------------------


def test_a_docx_part_that_unpacks_past_the_cap_is_too_large_and_names_the_file():
    with pytest.raises(extraction.TooLarge) as refused:
        extraction.extract_text("规定.docx", bombs.docx(3 * MB), budget=inflation.Budget(MB))
    assert str(refused.value).startswith("“规定.docx” unpacks to more than 1 MB")


def test_a_docx_whose_headers_understate_its_size_is_damaged_not_read_past_its_header():
    with pytest.raises(extraction.ExtractionError, match="damaged") as refused:
        extraction.extract_text("a.docx", bombs.docx_with_lying_sizes(3 * MB), budget=inflation.Budget(MB))
    assert not isinstance(refused.value, extraction.TooLarge)


def test_a_pdf_stream_that_unpacks_past_the_cap_is_too_large():
    data = bombs.pdf(5 * MB)
    assert len(data) < 10_000
    with pytest.raises(extraction.TooLarge, match=r"“x\.pdf” unpacks to more than 1 MB"):
        extraction.extract_text("x.pdf", data, budget=inflation.Budget(MB))


def test_small_docx_and_pdf_files_still_read_under_the_cap():
    assert extraction.extract_text("a.docx", bombs.docx(), budget=inflation.Budget(MB)).startswith("第一条")
    assert extraction.extract_text("a.pdf", bombs.pdf(), budget=inflation.Budget(MB)) == "Regulation on data processing"


def test_a_bzip2_member_is_refused_since_zipfile_cannot_bound_its_reads():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("bomb.txt", b"0" * MB)
    (member,) = extraction.iter_zip(buffer.getvalue())
    assert member.data is None
    assert "other than deflate" in member.error
    with pytest.raises(extraction.ExtractionError, match="damaged"):
        extraction.extract_text("bomb.docx", buffer.getvalue())


# --- through the API and the upload page: refused, named, nothing stored ------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "status", "phrase"),
    [
        ("通知.docx", bombs.docx(3 * MB), 413, "“通知.docx” unpacks to more than 1 MB"),
        ("通知.docx", bombs.docx_with_lying_sizes(3 * MB), 400, "damaged"),
        ("办法.pdf", bombs.pdf(3 * MB), 413, "“办法.pdf” unpacks to more than 1 MB"),
    ],
    ids=["docx-bomb", "docx-lying-sizes", "pdf-bomb"],  # the bombs' bytes differ between runs: named, not by bytes
)
def test_api_refuses_a_bomb_with_its_name_and_stores_nothing(
    api_as, project, owner, small_caps, name, data, status, phrase
):
    response = api_upload(api_as(owner), project, SimpleUploadedFile(name, data))
    assert response.status_code == status
    assert phrase in response.json()["detail"]
    assert not Document.objects.exists()
    assert stored_files(small_caps) == []


@pytest.mark.django_db
def test_a_zip_holding_a_docx_bomb_refuses_it_by_name(api_as, project, owner, small_caps):
    archive = bombs.zipped(("批量/炸弹.docx", bombs.docx(3 * MB)))
    response = api_upload(api_as(owner), project, SimpleUploadedFile("批量.zip", archive))
    assert response.status_code == 413
    body = response.json()
    assert [(r["file"], r["status"]) for r in body["refused"]] == [("批量/炸弹.docx", 413)]
    assert "“炸弹.docx” unpacks to more than 1 MB" in body["refused"][0]["detail"]
    assert not Document.objects.exists()
    assert stored_files(small_caps) == []


@pytest.mark.django_db
def test_a_zip_counts_what_its_docx_and_pdf_files_unpack_to_against_its_own_budget(api_as, project, owner, settings):
    settings.MAX_INFLATED_MB = 2
    settings.MAX_ZIP_UNPACKED_MB = 3
    # Each unpacks to 1.5 MB, under the per-file cap; the second takes the archive past its 3 MB.
    archive = bombs.zipped(("一.docx", bombs.docx(int(1.5 * MB))), ("二.pdf", bombs.pdf(int(1.6 * MB))))
    assert len(archive) < 20_000
    response = api_upload(api_as(owner), project, SimpleUploadedFile("batch.zip", archive))
    body = response.json()
    assert response.status_code == 201
    assert [d["title"] for d in body["documents"]] == ["一"]
    assert [(r["file"], r["status"]) for r in body["refused"]] == [("二.pdf", 413)]
    assert "the archive it came in unpacks to more than 3 MB" in body["refused"][0]["detail"]
    assert list(Document.objects.values_list("title", flat=True)) == ["一"]
    assert len(stored_files(settings)) == 1


@pytest.mark.django_db
def test_the_upload_page_lists_a_bomb_with_its_name_escaped_and_stores_nothing(client, project, owner, small_caps):
    client.force_login(owner)
    response = page_upload(client, project, SimpleUploadedFile("<svg onload=alert(1)>.docx", bombs.docx(3 * MB)))
    html = response.content.decode()
    assert response.status_code == 200
    shown = "&lt;svg onload=alert(1)&gt;.docx"
    assert f"✗ {shown}: “{shown}” unpacks to more than 1 MB" in html
    assert "<svg" not in html
    assert not Document.objects.exists()
    assert stored_files(small_caps) == []


@pytest.mark.django_db
def test_replacing_a_document_with_a_bomb_keeps_its_text_and_file(api_as, project, owner, small_caps):
    document = DocumentFactory(project=project)
    before = (document.text, document.original.name)
    url = reverse("api:document-file", kwargs={"document_id": document.pk})
    response = api_as(owner).put(url, {"file": SimpleUploadedFile("新.pdf", bombs.pdf(3 * MB))}, format="multipart")
    assert response.status_code == 413
    assert "“新.pdf” unpacks to more than 1 MB" in response.json()["detail"]
    document.refresh_from_db()
    assert (document.text, document.original.name) == before
