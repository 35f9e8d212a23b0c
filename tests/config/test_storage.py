"""Original uploads on S3-compatible object storage (django-storages), against a local S3 server the tests start
(moto in server mode, on a free port): upload, read back, replace, export, delete — and nothing lands in MEDIA_ROOT.

The settings helper that turns STORAGE_URL / AWS_* into STORAGES["default"] is tested on its own first."""

import io
import socket
import zipfile
from pathlib import Path

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from config.settings import object_storage
from policies.models import Document

BUCKET = "policycoder-test"
TEXT = "关于推进数字经济发展的实施意见\n第一条 为加快数字经济发展，制定本意见。\n"


# --- settings: which storage the environment asks for ----------------------------------------------------------


def test_local_disk_is_the_default():
    assert object_storage({}) is None
    assert object_storage({"AWS_ACCESS_KEY_ID": "k"}) is None  # keys alone do not name a bucket


def test_storage_url_names_bucket_prefix_endpoint_and_keys():
    spec = object_storage(
        {"STORAGE_URL": "s3://AK%2Fx:se%2Bcret@policies/prod/media?endpoint_url=http://minio:9000&region_name=cn-1"}
    )
    assert spec["BACKEND"] == "storages.backends.s3.S3Storage"
    options = spec["OPTIONS"]
    assert options["bucket_name"] == "policies"
    assert options["location"] == "prod/media"
    assert options["endpoint_url"] == "http://minio:9000"
    assert options["region_name"] == "cn-1"
    assert (options["access_key"], options["secret_key"]) == ("AK/x", "se+cret")
    assert options["default_acl"] is None
    assert options["file_overwrite"] is False
    assert options["max_memory_size"] == 2 * 1024 * 1024  # a large original spills to a temporary file


def test_storage_url_keys_fall_back_to_the_aws_variables():
    options = object_storage(
        {"STORAGE_URL": "s3://policies", "AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret"}
    )["OPTIONS"]
    assert (options["bucket_name"], options["location"]) == ("policies", "")
    assert (options["access_key"], options["secret_key"]) == ("id", "secret")


def test_aws_variables_name_the_bucket_without_storage_url():
    options = object_storage(
        {
            "AWS_STORAGE_BUCKET_NAME": "docs",
            "AWS_S3_ENDPOINT_URL": "https://oss.example.cn",
            "AWS_S3_REGION_NAME": "cn-north-1",
            "AWS_LOCATION": "media",
            "AWS_S3_ADDRESSING_STYLE": "virtual",
        }
    )["OPTIONS"]
    assert options["bucket_name"] == "docs"
    assert options["endpoint_url"] == "https://oss.example.cn"
    assert options["region_name"] == "cn-north-1"
    assert options["location"] == "media"
    assert options["client_config"].s3 == {"addressing_style": "virtual"}
    assert options["client_config"].connect_timeout == 5  # an unreachable store fails within seconds
    assert "access_key" not in options  # boto3's own chain (an instance role) then


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://bucket/x", "STORAGE_URL must look like s3://"),
        ("s3:///no-bucket", "STORAGE_URL must look like s3://"),
        ("s3://bucket?acl=public-read", "unknown parameter(s) acl"),
    ],
)
def test_a_malformed_storage_url_stops_the_start_with_a_message(url, message):
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(").replace(")", r"\)")):
        object_storage({"STORAGE_URL": url})


# --- against a local S3 server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_server, settings, monkeypatch):
    """The app's default storage on a fresh bucket of the local S3 server; yields a boto3 client to look inside."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": object_storage(
            {"STORAGE_URL": f"s3://testing:testing@{BUCKET}/media?endpoint_url={s3_server}&region_name=us-east-1"}
        ),
    }
    yield client
    keys = [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    for key in keys:
        client.delete_object(Bucket=BUCKET, Key=key)
    client.delete_bucket(Bucket=BUCKET)


def bucket_keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def local_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_default_storage_is_the_bucket(s3, settings):
    assert type(storages["default"]).__name__ == "S3Storage"
    name = default_storage.save("probe/a.txt", ContentFile("探针".encode()))
    assert bucket_keys(s3) == [f"media/{name}"]
    with default_storage.open(name, "rb") as handle:
        assert handle.read().decode() == "探针"
    default_storage.delete(name)
    assert bucket_keys(s3) == []
    with pytest.raises(FileNotFoundError):
        default_storage.open(name, "rb")
    assert local_files(settings) == []


@pytest.mark.django_db
def test_upload_read_back_replace_export_and_delete_go_to_the_bucket(
    s3, settings, api_as, project, owner, outsider, django_capture_on_commit_callbacks
):
    client = api_as(owner)
    upload = SimpleUploadedFile("数字经济.txt", TEXT.encode("utf-8"), content_type="text/plain")
    response = client.post(reverse("api:documents", kwargs={"project_id": project.pk}), {"file": [upload]})
    assert response.status_code == 201, response.content
    document = Document.objects.get(project=project)
    first_key = f"media/{document.original.name}"
    assert document.original.name.startswith(f"originals/project-{project.pk}/")
    assert bucket_keys(s3) == [first_key]
    stored = s3.get_object(Bucket=BUCKET, Key=first_key)["Body"].read()
    assert stored == TEXT.encode("utf-8")

    # read back through the app: the API and the page's download both stream it out of the bucket
    response = client.get(reverse("api:document-file", kwargs={"document_id": document.pk}))
    assert response.status_code == 200
    assert body(response) == TEXT.encode("utf-8")
    assert "attachment" in response["Content-Disposition"]
    client.force_login(owner)
    response = client.get(reverse("policies:document-original", args=[document.pk]))
    assert response.status_code == 200
    assert body(response) == TEXT.encode("utf-8")
    assert api_as(outsider).get(reverse("api:document-file", kwargs={"document_id": document.pk})).status_code in {
        403,
        404,
    }

    # replace: the new file goes in, the old one is removed from the bucket once the change is committed
    newer = TEXT + "第二条 本意见自发布之日起施行。\n"
    replacement = SimpleUploadedFile("新版.txt", newer.encode("utf-8"), content_type="text/plain")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.put(
            reverse("api:document-file", kwargs={"document_id": document.pk}), {"file": replacement}, format="multipart"
        )
    assert response.status_code == 200, response.content
    document.refresh_from_db()
    second_key = f"media/{document.original.name}"
    assert second_key != first_key
    assert bucket_keys(s3) == [second_key]

    # the .qdpx export carries the original, read from the bucket
    response = client.get(reverse("api:project-export", kwargs={"project_id": project.pk}))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(body(response))) as archive:
        originals = [name for name in archive.namelist() if name.endswith("-original.txt")]
        assert len(originals) == 1
        assert archive.read(originals[0]) == newer.encode("utf-8")

    # delete: the document and its object go
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(reverse("api:document", kwargs={"document_id": document.pk}))
    assert response.status_code == 204
    assert not Document.objects.filter(pk=document.pk).exists()
    assert bucket_keys(s3) == []
    assert local_files(settings) == []  # nothing of it ever touched the local disk


@pytest.mark.django_db
def test_an_original_missing_from_the_bucket_is_a_404_not_a_500(s3, api_as, project, owner):
    client = api_as(owner)
    upload = SimpleUploadedFile("a.txt", TEXT.encode("utf-8"), content_type="text/plain")
    response = client.post(reverse("api:documents", kwargs={"project_id": project.pk}), {"file": [upload]})
    assert response.status_code == 201
    document = Document.objects.get(project=project)
    s3.delete_object(Bucket=BUCKET, Key=f"media/{document.original.name}")
    response = client.get(reverse("api:document-file", kwargs={"document_id": document.pk}))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found: it does not exist or you are not a member of its project."}
    assert Document.objects.filter(pk=document.pk).exists()
    # the export still succeeds: the text is what counts, the missing original is left out
    response = client.get(reverse("api:project-export", kwargs={"project_id": project.pk}))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(body(response))) as archive:
        assert not [name for name in archive.namelist() if "-original" in name]


@pytest.mark.django_db
def test_a_project_import_writes_its_originals_to_the_bucket(s3, settings, api_as, project, owner):
    client = api_as(owner)
    upload = SimpleUploadedFile("规划.txt", TEXT.encode("utf-8"), content_type="text/plain")
    assert (
        client.post(reverse("api:documents", kwargs={"project_id": project.pk}), {"file": [upload]}).status_code == 201
    )
    archive = body(client.get(reverse("api:project-export", kwargs={"project_id": project.pk})))
    qdpx = SimpleUploadedFile("备份.qdpx", archive, content_type="application/zip")
    response = client.post(reverse("api:project-import"), {"file": qdpx}, format="multipart")
    assert response.status_code == 201, response.content
    imported = Document.objects.exclude(project=project).get()
    assert imported.original.name.startswith(f"originals/project-{imported.project_id}/")
    key = f"media/{imported.original.name}"
    assert key in bucket_keys(s3)
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == TEXT.encode("utf-8")
    assert len(bucket_keys(s3)) == 2  # the first project's original and the imported copy
    assert local_files(settings) == []


@pytest.fixture
def dead_store(settings, monkeypatch):
    """The default storage on an S3 endpoint where nothing listens (the store is down)."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    endpoint = f"http://127.0.0.1:{free_port()}"  # bound and released: nothing listens there
    spec = object_storage({"STORAGE_URL": f"s3://k:s@{BUCKET}?endpoint_url={endpoint}&region_name=us-east-1"})
    spec["OPTIONS"]["client_config"] = spec["OPTIONS"]["client_config"].merge(
        __import__("botocore.config").config.Config(connect_timeout=1, retries={"max_attempts": 1})
    )
    settings.STORAGES = {**settings.STORAGES, "default": spec}
    return endpoint


@pytest.mark.django_db
def test_an_unreachable_store_refuses_an_import_with_503_and_stores_nothing(
    dead_store, settings, api_as, project, owner
):
    upload = SimpleUploadedFile("a.txt", TEXT.encode("utf-8"), content_type="text/plain")
    response = api_as(owner).post(reverse("api:documents", kwargs={"project_id": project.pk}), {"file": [upload]})
    assert response.status_code == 503
    assert response.json() == {
        "detail": "The file store cannot be reached just now. Nothing was changed; please try again in a minute."
    }
    assert not Document.objects.filter(project=project).exists()
    assert local_files(settings) == []


@pytest.mark.django_db
def test_an_unreachable_store_answers_a_download_with_503_in_the_page(dead_store, client, project, owner):
    document = Document.objects.create(
        project=project,
        title="t",
        original_name="a.txt",
        original="originals/a.txt",
        file_format="txt",
        text=TEXT,
        char_count=len(TEXT),
        text_hash="x",
    )
    client.force_login(owner)
    response = client.get(reverse("policies:document-original", args=[document.pk]))
    assert response.status_code == 503
    assert "The file store cannot be reached just now." in response.content.decode()
    response = client.get(reverse("api:document-file", kwargs={"document_id": document.pk}))
    assert response.status_code == 503


@pytest.mark.django_db
def test_deleting_a_document_while_the_store_is_down_still_deletes_it(
    dead_store, api_as, project, owner, django_capture_on_commit_callbacks, caplog
):
    document = Document.objects.create(
        project=project,
        title="t",
        original_name="a.txt",
        original="originals/a.txt",
        file_format="txt",
        text=TEXT,
        char_count=len(TEXT),
        text_hash="x",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(owner).delete(reverse("api:document", kwargs={"document_id": document.pk}))
    assert response.status_code == 204
    assert not Document.objects.filter(pk=document.pk).exists()
    # the file could not be removed: the failure is logged, the deletion stands
    assert any(record.levelname == "ERROR" and record.exc_info for record in caplog.records)
