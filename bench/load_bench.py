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

import coding_bench as cb  # noqa: E402 - after the environment it reads at import

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


def main() -> None:
    args = parse_args()
    label = benchdb.setup(args)
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.create_user("owner", password="bench-pass-1")
    project, document, nodes, coders = cb.build_page_project(owner)
    cb.analyze()
    if args.mode in ("open", "all"):
        bench_open(label, project, document, coders[0])
    print(f"[{label}] {own_peak()}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
