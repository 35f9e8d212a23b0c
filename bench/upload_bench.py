"""Bad uploads: real-size decompression bombs and oversized requests, each sent through the real upload path (WSGI
handler, multipart parser and upload handler, API view, services, extraction) in a fresh worker-like process, with
its time and the peak memory (ru_maxrss) of that process; then the whole suite again in one process.

Run: .venv/bin/python bench/upload_bench.py [--postgres [URL]] (default: a temporary SQLite database).
Budget (issue 10, item 2): every bad upload is refused and stores nothing, and no process goes over 300 MB peak RSS,
the one that runs the whole suite included. Two accepted files just under the caps are measured too, for the record.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import benchdb

MB = 1024 * 1024
BUDGET_MB = 300
BOUNDARY = "----upload-bench-boundary"
FILLER = "第一条　为了规范数据处理活动，保障数据安全，促进数据开发利用，制定本条例。\n".encode()


# --- the cases: (name, what it is, the files it sends, the status it must get) ---------------------------------


def cases(work: Path) -> list[tuple[str, str, list, int]]:
    from_file = lambda name: [(name, (work / name).stat().st_size, lambda: [(work / name).read_bytes()])]  # noqa: E731

    def filler(count: int, size: int) -> list:
        return [(f"{n}.txt", size, lambda size=size: _filler_chunks(size)) for n in range(count)]

    return [
        ("docx-1g", "a .docx whose document.xml unpacks to 1 GB", from_file("bomb-1g.docx"), 413),
        ("docx-1g-lying", "the same, its zip headers claiming 1 kB", from_file("bomb-1g-lying.docx"), 400),
        ("pdf-512m", "a PDF with a 512 MB Flate stream", from_file("bomb-512m.pdf"), 413),
        ("zip-docx-1g", "a .zip holding the 1 GB .docx", from_file("bomb-docx.zip"), 413),
        (
            "zip-3x99m",
            "a .zip of three .docx of 99 MB each (under the file cap, over the archive's)",
            from_file("three-99m.zip"),
            400,
        ),
        ("files-60x19m", "60 files of 19 MB in one request (Content-Length over)", filler(60, 19 * MB), 413),
        ("files-60x1m", "60 files of 1 MB in one request (too many files)", filler(60, MB), 413),
        (
            "files-200m",
            "10 files of 19 MB and one of 10.5 MB (read until over)",
            filler(10, 19 * MB) + filler(1, 21 * MB // 2),
            413,
        ),
    ]


def _filler_chunks(size: int):
    block = (FILLER * (MB // len(FILLER) + 1))[:MB]
    while size > 0:
        yield block[: min(MB, size)]
        size -= MB


class MultipartBody:
    """A multipart/form-data body of `file` fields, produced as it is read: a 1 GB request never sits in memory."""

    def __init__(self, files: list):
        self.files = files
        self.length = sum(len(self._head(name)) + size + 2 for name, size, _chunks in files) + len(self._tail())
        self._segments = self._produce()
        self._buffer = b""

    @staticmethod
    def _head(name: str) -> bytes:
        return (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()

    @staticmethod
    def _tail() -> bytes:
        return f"--{BOUNDARY}--\r\n".encode()

    def _produce(self):
        for name, _size, chunks in self.files:
            yield self._head(name)
            yield from chunks()
            yield b"\r\n"
        yield self._tail()

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            segment = next(self._segments, None)
            if segment is None:
                break
            self._buffer += segment
        if size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


# --- the child: one worker-like process ----------------------------------------------------------------------------


def child(names: list[str], work: Path) -> None:
    sys.path.insert(0, str(benchdb.ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    from policies.models import Document

    settings.ALLOWED_HOSTS = ["*"]
    handler = WSGIHandler()
    path = f"/api/projects/{os.environ['BENCH_PROJECT']}/documents/"
    table = {name: (files, expected) for name, _what, files, expected in cases(work)}
    table.update(extra_cases(work))
    _post(handler, path, [])  # warm up (imports, first connection): a request with no file, answered 400
    results = []
    for name in names:
        files, expected = table[name]
        before = Document.objects.count()
        start = time.perf_counter()
        status, body = _post(handler, path, files)
        seconds = time.perf_counter() - start
        stored = Document.objects.count() - before
        detail = json.loads(body).get("detail", "") if body.startswith(b"{") else body[:200].decode(errors="replace")
        results.append(
            {
                "name": name,
                "status": status,
                "expected": expected,
                "seconds": seconds,
                "stored": stored,
                "detail": detail,
            }
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"results": results, "peak_mb": peak}))


def extra_cases(work: Path) -> dict:
    """Accepted files just under the caps: what an upload that passes every check may still cost."""
    single = lambda name: [(name, (work / name).stat().st_size, lambda: [(work / name).read_bytes()])]  # noqa: E731
    return {
        "baseline": (single("small.docx"), 201),
        "docx-xml-10m": (single("xml-10m.docx"), 201),
        "pdf-content-5m": (single("content-5m.pdf"), 201),
    }


def _post(handler, path: str, files: list) -> tuple[int, bytes]:
    body = MultipartBody(files)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "bench",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "bench",
        "wsgi.url_scheme": "http",
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(body.length),
        "HTTP_AUTHORIZATION": f"Token {os.environ['BENCH_TOKEN']}",
    }
    answer = {}
    response = handler(environ, lambda status, headers, exc_info=None: answer.setdefault("status", status))
    try:
        content = b"".join(response)
    finally:
        response.close()
    return int(answer["status"].split()[0]), content


# --- the parent: generate the files, run each case in its own process, then the suite in one ---------------------


def generate(work: Path) -> None:
    import io
    import zipfile

    from tests import bombs

    bomb = bombs.docx(1024 * MB)
    (work / "bomb-1g.docx").write_bytes(bomb)
    (work / "bomb-1g-lying.docx").write_bytes(bombs.understate_size(bomb, "word/document.xml", 1000))
    (work / "bomb-docx.zip").write_bytes(bombs.zipped(("政策/炸弹.docx", bomb)))
    (work / "bomb-512m.pdf").write_bytes(bombs.pdf(512 * MB))
    near = bombs.docx(99 * MB)
    (work / "three-99m.zip").write_bytes(bombs.zipped(*((f"{n}.docx", near) for n in range(3))))
    (work / "small.docx").write_bytes(bombs.docx())
    paragraph = "<w:p><w:r><w:t>第一条</w:t></w:r></w:p>".encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", bombs.CONTENT_TYPES)
        archive.writestr("_rels/.rels", bombs.RELS)
        xml = bombs.DOCUMENT_START + paragraph * (10 * MB // len(paragraph)) + bombs.DOCUMENT_END
        archive.writestr("word/document.xml", xml)
    (work / "xml-10m.docx").write_bytes(buffer.getvalue())
    (work / "content-5m.pdf").write_bytes(bombs.pdf(5 * MB))


def run_child(names: list[str], work: Path) -> dict:
    command = [sys.executable, __file__, "--child", str(work), *names]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=os.environ)
    if done.returncode:
        raise SystemExit(f"child {names} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[3:], Path(sys.argv[2]))
        return
    args = benchdb.parse_args(__doc__)
    label = benchdb.setup(args)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from policies.services.projects import project_create

    user = get_user_model().objects.create_user("bench", password="bench-pass-1")
    project = project_create(user=user, name="bench")
    os.environ["BENCH_TOKEN"] = Token.objects.create(user=user).key
    os.environ["BENCH_PROJECT"] = str(project.pk)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"

    work = Path(tempfile.mkdtemp(prefix="pc-upload-bench-"))
    start = time.perf_counter()
    generate(work)
    sizes = ", ".join(f"{p.name} {p.stat().st_size / 1024:.0f} kB" for p in sorted(work.iterdir()))
    print(f"[{label}] generated in {time.perf_counter() - start:.0f} s: {sizes}")
    limits = ("MAX_INFLATED_MB", "MAX_ZIP_UNPACKED_MB", "MAX_UPLOAD_MB", "MAX_UPLOAD_FILES", "MAX_REQUEST_MB")
    print(f"[{label}] limits: " + ", ".join(f"{name} {getattr(settings, name)}" for name in limits))

    baseline = run_child(["baseline"], work)
    status = baseline["results"][0]["status"]
    print(f"[{label}] baseline: one small .docx, status {status}, peak RSS {baseline['peak_mb']:.0f} MB")
    bad = [name for name, *_rest in cases(work)]
    worst = 0.0
    failures = []
    for name, what, _files, _expected in cases(work):
        outcome = run_child([name], work)
        (result,) = outcome["results"]
        worst = max(worst, outcome["peak_mb"])
        ok = result["status"] == result["expected"] and result["stored"] == 0
        failures += [] if ok else [name]
        print(
            f"[{label}] {name:<14} {what}: {result['status']} (expect {result['expected']}), "
            f"{result['seconds']:.2f} s, peak RSS {outcome['peak_mb']:.0f} MB, stored {result['stored']}"
            f"{'' if ok else '  <-- FAILED'}\n    {result['detail'][:160]}"
        )
    suite = run_child(bad, work)
    worst = max(worst, suite["peak_mb"])
    total = sum(r["seconds"] for r in suite["results"])
    stored = sum(r["stored"] for r in suite["results"])
    peak = suite["peak_mb"]
    print(f"[{label}] whole bad-upload suite in one process: {total:.1f} s, peak RSS {peak:.0f} MB, stored {stored}")
    from policies.models import Document

    # The baseline's document is the one stored file there should be; anything more is an orphan of a refusal.
    media = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    orphans = len(media) - Document.objects.count()
    print(f"[{label}] files in MEDIA_ROOT: {len(media)}, documents: {Document.objects.count()}, orphans: {orphans}")
    print(f"[{label}] largest peak RSS over the bad uploads: {worst:.0f} MB (budget < {BUDGET_MB} MB)")
    verdict = "FAILED: " + ", ".join(failures) if failures or stored or orphans else "all refused, nothing stored"
    print(f"[{label}] {verdict}")

    for name in ("docx-xml-10m", "pdf-content-5m"):
        outcome = run_child([name], work)
        (result,) = outcome["results"]
        print(
            f"[{label}] accepted, for the record: {name}: {result['status']}, {result['seconds']:.1f} s, "
            f"peak RSS {outcome['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
