"""Lean-and-large benches (issue 17, items 1-3): opening a coded document, saving under load, memory per worker.

Run: .venv/bin/python bench/load_bench.py [--postgres [URL]] [--mode open|load|memory|all]
  open    in-process, no gunicorn: the codings list of a document with 2,000 codings (API, ?compact=1 feed, and a
          304 revalidation with If-None-Match) and the coding page; budget list < 25 ms, page < 40 ms server time.
  load    gunicorn with 3 sync workers (as in production): 20 coders save codings in a tight loop (no pause), each
          on its own keep-alive connection with an API token; p50/p95/max and throughput; budget p95 < 60 ms,
          no request over 500 ms. Peak RSS (VmHWM) of every gunicorn worker is printed.
  memory  gunicorn with 3 workers over the side-by-side workload: 20 coders x 100 codings, a 2,000-coding document
          fetched 10 times, 100 imports, a 20,000-coding CSV export; peak RSS per worker, budget <= 250 MB.
`load` and `memory` need PostgreSQL (--postgres); they start gunicorn themselves. The machine may be shared:
the load average is printed with every figure, and wall-clock numbers suffer from anything else running.
"""

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import benchdb

# the bench process and gunicorn must share the key (sessions and tokens are made here)
os.environ.setdefault("SECRET_KEY", "load-bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF")
os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="pc-bench-static-"))

import coding_bench as cb  # after the environment it reads at import

ROOT = benchdb.ROOT
PROD_WORKERS = 3  # the Dockerfile's WEB_WORKERS default
OPEN_REPEAT = 30
LOAD_CODERS = 20
LOAD_SECONDS = 20
MEMORY_EACH = 100  # codings per coder in the memory workload
MEMORY_FETCHES = 10
MEMORY_IMPORTS = 100
MEMORY_EXPORT = 20_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", nargs="?", const=benchdb.DEFAULT_PG)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--mode", choices=["open", "load", "memory", "all"], default="all")
    return parser.parse_args()


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f}/{five:.1f}/{fifteen:.1f} on {os.cpu_count()} CPUs"


def own_peak() -> str:
    return f"bench process peak RSS {cb.proc_status(os.getpid()).get('VmHWM', 0) / 1024:.0f} MB"


# --- open: the codings of a heavily coded document ---------------------------------------------------------


def bench_open(label: str, project, document, coder) -> None:
    from django.test import Client

    client = Client()
    client.force_login(coder)
    api = f"/api/projects/{project.pk}/codings/?document={document.pk}"
    compact = api + "&compact=1"
    page = f"/documents/{document.pk}/code/"
    for path in (api, compact, page):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    etag = client.get(compact).headers.get("ETag")
    rows = len(client.get(api).json())

    def measure(path: str, **headers) -> str:
        wall, cpu = [], []
        for _ in range(OPEN_REPEAT):
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(path, headers=headers)
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - t0) * 1000)
            assert response.status_code in (200, 304), response.status_code
        return f"{benchdb.summary(wall)}; CPU median {statistics.median(cpu):.1f} ms"

    print(f"[{label}] open a document with {rows:,} visible codings ({load_average()}; in-process, server time):")
    print(f"  codings list (API, with text): {measure(api)} (budget < 25 ms)")
    print(f"  coding page feed (?compact=1): {measure(compact)}")
    if etag:
        assert client.get(compact, headers={"If-None-Match": etag}).status_code == 304
        print(f"  team refresh, unchanged (304): {measure(compact, **{'If-None-Match': etag})}")
    else:
        print("  team refresh: no ETag")
    print(f"  coding page (HTML):            {measure(page)} (budget < 40 ms)")


# --- load: 20 coders saving in a tight loop under gunicorn -------------------------------------------------


def worker_memory(server) -> str:
    """Peak RSS (VmHWM) and current RSS of every gunicorn worker, and of the master."""
    parts = []
    for pid in server.worker_pids():
        status = cb.proc_status(pid)
        parts.append(f"{status.get('VmHWM', 0) / 1024:.0f}/{status.get('VmRSS', 0) / 1024:.0f}")
    master = cb.proc_status(server.process.pid)
    return (
        f"gunicorn workers peak/now RSS MB: {', '.join(parts)}; master {master.get('VmHWM', 0) / 1024:.0f} MB "
        f"(budget peak <= 250 MB a worker)"
    )


def plan_codings(rng: random.Random, document, nodes: list, count: int) -> list[bytes]:
    text, keys, plan = document.text, set(), []
    while len(plan) < count:
        s, e = cb.random_span(rng, text)
        node = rng.choice(nodes).pk
        if (node, s, e) not in keys:
            keys.add((node, s, e))
            plan.append(json.dumps({"document": document.pk, "node": node, "start": s, "end": e}).encode())
    return plan


def save_codings(server, project, document, nodes: list, coders: list, *, seconds=None, each=None, seed=1000) -> dict:
    """Every coder saves new codings one after another (no pause) on its own connection, for `seconds` or `each`
    codings; returns the latencies, errors and the wall time."""
    from rest_framework.authtoken.models import Token

    tokens = [Token.objects.get_or_create(user=coder)[0].key for coder in coders]
    path = f"/api/projects/{project.pk}/codings/"
    plans = [plan_codings(random.Random(seed + n), document, nodes, each or 2_000) for n in range(len(coders))]
    times, errors = [[] for _ in coders], [[] for _ in coders]
    begin = threading.Barrier(len(coders) + 1, timeout=60)
    stop_at = [0.0]

    def coder(n: int) -> None:
        headers = {"Authorization": f"Token {tokens[n]}", "Content-Type": "application/json"}
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        begin.wait()
        try:
            for body in plans[n]:
                if seconds is not None and time.monotonic() > stop_at[0]:
                    break
                t0 = time.perf_counter()
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                times[n].append((time.perf_counter() - t0) * 1000)
                if response.status != 201:
                    errors[n].append((response.status, payload[:200]))
        except Exception as error:  # reported with the errors
            errors[n].append(("exception", repr(error)))
        finally:
            conn.close()

    threads = [threading.Thread(target=coder, args=(n,)) for n in range(len(coders))]
    for thread in threads:
        thread.start()
    pids = server.worker_pids()
    cpu = sum(cb.cpu_seconds(pid) for pid in pids)
    db_cpu = {pid: cb.cpu_seconds(pid) for pid in cb.backend_pids()}
    stop_at[0] = time.monotonic() + (seconds or 0)
    begin.wait()
    wall, client_cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join()
    wall, client_cpu = time.perf_counter() - wall, time.process_time() - client_cpu
    cpu = sum(cb.cpu_seconds(pid) for pid in pids) - cpu
    db_cpu = sum(cb.cpu_seconds(pid) - db_cpu.get(pid, 0.0) for pid in cb.backend_pids())
    flat = [t for per in times for t in per]
    return {
        "times": flat,
        "errors": [e for per in errors for e in per],
        "wall": wall,
        "cpu": cpu,
        "db_cpu": db_cpu,
        "client_cpu": client_cpu,
    }


def percentiles(times: list[float]) -> str:
    ordered = sorted(times)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    over = sum(1 for t in ordered if t > 500)
    return (
        f"p50 {at(0.5):.0f} ms, p95 {at(0.95):.0f} ms, p99 {at(0.99):.0f} ms, max {ordered[-1]:.0f} ms, "
        f"{over} over 500 ms"
    )


def bench_load(label: str, project, document, nodes: list, coders: list) -> None:
    from coding.models import Coding

    before = Coding.objects.count()
    with cb.Gunicorn(PROD_WORKERS) as server:
        server.warm(f"/api/projects/{project.pk}/nodes/", _token_headers(coders[0]))
        result = save_codings(server, project, document, nodes, coders[:LOAD_CODERS], seconds=LOAD_SECONDS)
        memory = worker_memory(server)
    saved = len(result["times"])
    print(
        f"[{label}] {LOAD_CODERS} coders saving codings in a tight loop, gunicorn {PROD_WORKERS} sync workers, "
        f"{result['wall']:.1f} s ({load_average()}):"
    )
    print(
        f"  {saved:,} saves, {saved / result['wall']:.0f} saves/s; {percentiles(result['times'])} "
        f"(budget p95 < 60 ms, none over 500 ms)"
    )
    print(
        f"  CPU a save: gunicorn {result['cpu'] / saved * 1000:.1f} ms + PostgreSQL "
        f"{result['db_cpu'] / saved * 1000:.1f} ms + the bench's client threads "
        f"{result['client_cpu'] / saved * 1000:.1f} ms; errors {len(result['errors'])} "
        f"{result['errors'][:3] if result['errors'] else ''}; rows added {Coding.objects.count() - before:,}"
    )
    print(f"  {memory}")


def _token_headers(user) -> dict:
    from rest_framework.authtoken.models import Token

    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


# --- memory: the side-by-side workload ---------------------------------------------------------------------


def multipart(filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = "----pc-load-bench-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def bench_memory(label: str, project, document, nodes: list, coders: list, owner) -> None:
    cb.EXPORT_CODINGS, cb.EXPORT_DOCUMENTS = MEMORY_EXPORT, 20  # a 20,000-coding export, 1,000 codings a document
    export_project = cb.build_export_project(owner)
    cb.analyze()
    headers = _token_headers(owner)
    texts = [t.encode() for t in _import_texts(MEMORY_IMPORTS)]
    with cb.Gunicorn(PROD_WORKERS) as server:
        server.warm(f"/api/projects/{project.pk}/nodes/", headers)
        print(f"[{label}] the side-by-side workload, gunicorn {PROD_WORKERS} sync workers ({load_average()}):")
        print(f"  after start-up and warm-up: {worker_memory(server)}")
        path = f"/api/projects/{project.pk}/codings/?document={document.pk}"
        times = []
        for _ in range(MEMORY_FETCHES):
            t0 = time.perf_counter()
            status, body, _headers = cb.request(server.port, "GET", path, headers=headers)
            times.append((time.perf_counter() - t0) * 1000)
            assert status == 200, status
        print(
            f"  a document with {len(json.loads(body)):,} codings fetched {MEMORY_FETCHES} times "
            f"({len(body) / 1024:.0f} kB): {benchdb.summary(times)}"
        )
        print(f"    {worker_memory(server)}")
        result = save_codings(server, project, document, nodes, coders[:LOAD_CODERS], each=MEMORY_EACH, seed=5000)
        print(
            f"  {LOAD_CODERS} coders x {MEMORY_EACH} codings: {len(result['times']):,} saves in "
            f"{result['wall']:.1f} s, "
            f"{percentiles(result['times'])}, errors {len(result['errors'])}"
        )
        print(f"    {worker_memory(server)}")
        upload = f"/api/projects/{project.pk}/documents/"
        t0 = time.perf_counter()
        for i, data in enumerate(texts):
            body, content_type = multipart(f"policy-{i}.txt", data)
            status, answer, _headers = cb.request(
                server.port, "POST", upload, body=body, headers={**headers, "Content-Type": content_type}
            )
            assert status == 201, (status, answer[:300])
        print(f"  {MEMORY_IMPORTS} imports (20,000-character txt): {time.perf_counter() - t0:.1f} s")
        print(f"    {worker_memory(server)}")
        t0 = time.perf_counter()
        status, body, _headers = cb.request(
            server.port, "GET", f"/api/projects/{export_project.pk}/codings/export.csv", headers=headers
        )
        assert status == 200, status
        print(
            f"  a {MEMORY_EXPORT:,}-coding CSV export ({len(body) / 2**20:.1f} MB): "
            f"{(time.perf_counter() - t0) * 1000:.0f} ms"
        )
        print(f"    {worker_memory(server)}")


def _import_texts(n: int) -> list[str]:
    source = benchdb.corpus_text()
    source = source * (20_000 // len(source) + 2)
    return [f"测试文件第{i}号\n" + source[(i * 997) % 5000 :][:19_990] for i in range(n)]


def main() -> None:
    args = parse_args()
    label = benchdb.setup(args)
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.create_user("owner", password="bench-pass-1")
    project, document, nodes, coders = cb.build_page_project(owner)
    cb.analyze()
    if args.mode in ("open", "all"):
        bench_open(label, project, document, coders[0])
    if args.mode in ("load", "memory", "all") and label != "PostgreSQL":
        sys.exit("load and memory need --postgres (gunicorn workers write at once)")
    if args.mode in ("load", "all"):
        bench_load(label, project, document, nodes, coders)
    if args.mode in ("memory", "all"):
        bench_memory(label, project, document, nodes, coders, owner)
    print(f"[{label}] {own_peak()}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
