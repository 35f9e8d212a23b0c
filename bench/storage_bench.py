"""Original uploads on local disk against S3-compatible object storage, and the read replica router's cost.

For each storage (local disk under MEDIA_ROOT; a local S3 server: moto's `moto_server`, run as its own process so
that this process's peak RSS is the app's), through the real API (Django test client: WSGI handler, multipart
parser, views, services): import DOCUMENTS .txt files one request each, download each original, export the project
as .qdpx (originals included), delete every document. Then the matrix page with and without replica routing (the
"replica" alias on the same database file, so the difference is the router's own work, not a second server).

Run: .venv/bin/python bench/storage_bench.py [--postgres [URL]] (default: a temporary SQLite database).
Numbers are for the record (issue 17 item 5 sets no budget); the S3 figures are a local mock server's, not a
network's: a real bucket adds its round trip (a few ms in one data centre) to each upload, download and delete.
"""

import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

import benchdb

DOCUMENTS = int(os.environ.get("BENCH_DOCUMENTS", "50"))
MATRIX_REPEAT = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_s3() -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, endpoint
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("moto_server did not start")


def run_storage(label: str, owner, texts: list[str]) -> None:
    from django.urls import reverse
    from rest_framework.test import APIClient

    from policies.models import Document, Project

    project = Project.objects.create(name=f"storage bench {label}")
    project.memberships.create(user=owner, role="owner")
    client = APIClient()
    client.force_authenticate(owner)
    url = reverse("api:documents", kwargs={"project_id": project.pk})

    def upload(n: int):
        from django.core.files.uploadedfile import SimpleUploadedFile

        file = SimpleUploadedFile(f"{n}.txt", texts[n].encode("utf-8"), content_type="text/plain")
        response = client.post(url, {"file": [file]})
        assert response.status_code == 201, response.content[:300]

    uploads = [benchdb.timed(lambda n=n: upload(n))[0] for n in range(len(texts))]
    ids = list(Document.objects.filter(project=project).values_list("id", flat=True))

    def download(pk: int):
        response = client.get(reverse("api:document-file", kwargs={"document_id": pk}))
        assert response.status_code == 200
        b"".join(response.streaming_content)

    downloads = [benchdb.timed(lambda pk=pk: download(pk))[0] for pk in ids]

    def export():
        response = client.get(reverse("api:project-export", kwargs={"project_id": project.pk}))
        assert response.status_code == 200
        b"".join(response.streaming_content) if response.streaming else response.content

    exports = benchdb.timed(export)

    def delete(pk: int):
        from django.db import connection

        # on_commit runs the storage delete; under autocommit it runs at once, as in a request
        response = client.delete(reverse("api:document", kwargs={"document_id": pk}))
        assert response.status_code == 204
        assert not connection.in_atomic_block

    deletes = [benchdb.timed(lambda pk=pk: delete(pk))[0] for pk in ids]
    print(f"[{label}] import one .txt per request: {benchdb.summary(uploads)}")
    print(f"[{label}] download an original:       {benchdb.summary(downloads)}")
    print(f"[{label}] .qdpx export, {len(ids)} originals: {exports[0]:.1f} ms")
    print(f"[{label}] delete a document:          {benchdb.summary(deletes)}")


def run_matrix() -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from policies.models import Project

    call_command("load_demo", verbosity=0)  # the demo project with its codings
    project = Project.objects.get(name__contains="示例")
    client = Client()
    client.force_login(get_user_model().objects.get(username="demo"))
    url = reverse("coding:matrix", args=[project.pk])
    for replica in ("", "replica"):
        settings.READ_REPLICA = replica
        client.get(url)  # warm
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            assert client.get(url).status_code == 200
        routed = len(on_replica)  # now: the next request clears the connection's query log
        times = benchdb.timed(lambda: client.get(url), MATRIX_REPEAT)
        label = "reads on the replica alias" if replica else "no replica, all reads on default"
        print(f"[matrix page] {label} ({routed} queries on the replica): {benchdb.summary(times)}")
    settings.READ_REPLICA = ""


def main() -> None:
    args = benchdb.parse_args(__doc__.splitlines()[0])
    os.environ.pop("STORAGE_URL", None)
    os.environ.pop("AWS_STORAGE_BUCKET_NAME", None)
    label = benchdb.setup(args)
    import boto3
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.storage import storages
    from django.db import connections

    from config.settings import object_storage

    # the "replica" alias: the same database, as tests/settings.py does
    connections.settings["replica"] = {**connections.settings["default"]}

    corpus = benchdb.corpus_text()
    texts = [f"第{n}号\n{corpus[n * 97 : n * 97 + 15000]}" for n in range(DOCUMENTS)]
    owner = get_user_model().objects.create_user("storage-bench", password="x")
    print(f"{label}, {DOCUMENTS} documents of about 15,000 characters, load average {os.getloadavg()}")

    run_storage("local disk", owner, texts)
    media = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    print(f"[local disk] files left in MEDIA_ROOT: {len(media)}")

    server, endpoint = start_s3()
    try:
        boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
        ).create_bucket(Bucket="storage-bench")
        settings.STORAGES = {
            **settings.STORAGES,
            "default": object_storage({"STORAGE_URL": f"s3://k:s@storage-bench/media?endpoint_url={endpoint}"}),
        }
        storages._backends = None
        storages._storages = {}
        from django.core.files.storage import default_storage
        from django.utils.functional import empty

        default_storage._wrapped = empty
        before = len([p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()])
        run_storage("S3 (local moto_server)", owner, texts)
        after = len([p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()])
        print(f"[S3] files written to MEDIA_ROOT: {after - before}")
    finally:
        server.terminate()
        server.wait()

    run_matrix()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MB; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
