"""Coding benchmarks: the coding page of a heavily coded document, saving codings under load, the CSV export.

Run: .venv/bin/python bench/coding_bench.py [--postgres [URL]]   (default: a temporary SQLite database)
Budgets (the coding issue):
  1. a 60,000-character document with 2,000 codings by 3 coders on 30 nodes: the coding page renders on the server
     in under 100 ms, and in Chromium its highlights near the top are painted and a click on one is answered in
     under 1 s from navigation start, with hundreds (not thousands) of .hl and .stripe elements;
  2. PostgreSQL only: creating a coding under gunicorn has p95 < 50 ms with 20 coders each saving one every 0.5 s,
     and no coding is lost or doubled (exact repeats and racing double-sends answer 200 and add no row);
  3. 200,000 codings stream as CSV through gunicorn in under 3 s, with memory that stays flat.
Parts 1 and 3 start gunicorn (sync workers; BENCH_GUNICORN_WORKERS overrides the count) and Chromium
(/usr/bin/chromium through Playwright). --postgres drops and recreates its database: while other benches run, give
this one a database of its own (--postgres postgres://postgres@127.0.0.1:5432/policycoder_coding_bench).
Wall-clock numbers suffer from anything else running on the machine: the load average is printed, and CPU times too.
"""

import csv
import http.client
import io
import json
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

import benchdb

# The bench process and gunicorn must share the key: the browser logs in with a session made here.
os.environ.setdefault("SECRET_KEY", "coding-bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="pc-bench-static-"))  # whitenoise serves from finders

ROOT = benchdb.ROOT
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS") or 2 * (os.cpu_count() or 1) + 1)
SEED = 20240611

DOC_CHARS = 60_000
PAGE_CODINGS = 2_000
PAGE_CODERS = 3
PAGE_TREE = (6, 4)  # 6 categories with 4 children each: 30 nodes
PAGE_REPEAT = 30

LOAD_CODERS = 20
LOAD_EACH = 40  # new codings per coder, one every LOAD_INTERVAL seconds
LOAD_INTERVAL = 0.5
LOAD_REPEATS = 3  # exact repeats per coder, sent after the original was answered: must answer 200
LOAD_RACES = 2  # codings per coder sent twice at once on two connections: one 201, one 200
LOAD_MAX_SECONDS = 40

EXPORT_CODINGS = 200_000
EXPORT_DOCUMENTS = 200
EXPORT_DOC_CHARS = 20_000
EXPORT_TREE = (8, 4)  # 40 nodes
EXPORT_CODERS = 3
BATCH = 5_000

SPAN_MIN, SPAN_MAX = 5, 300
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_LOADS = 5  # measured page loads, after one warm-up load
VIEWPORT = {"width": 1280, "height": 800}
COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]
MEMOS = ["供给型工具：数据基础设施", "与上位法表述一致", "需要与第二编码员讨论", "环境型工具，偏重规范"]


# --- data ----------------------------------------------------------------------------------------------


def make_text(length: int, shift: int) -> str:
    source = benchdb.corpus_text()
    source = source * (length // len(source) + 2)
    return source[shift % 5000 :][:length]


def span_length(rng: random.Random) -> int:
    """Log-uniform between SPAN_MIN and SPAN_MAX: mostly clauses and sentences, some whole paragraphs."""
    return int(math.exp(rng.uniform(math.log(SPAN_MIN), math.log(SPAN_MAX + 1))))


def random_span(rng: random.Random, text: str, start: int | None = None, length: int | None = None) -> tuple[int, int]:
    """A span as a coder selects it (trimmed of surrounding whitespace, as the service stores it)."""
    from coding import spans

    while True:
        s = rng.randrange(0, len(text) - SPAN_MIN) if start is None else max(0, min(start, len(text) - SPAN_MIN))
        e = min(len(text), s + (length or span_length(rng)))
        try:
            return spans.trimmed(text, s, e)
        except spans.SpanError:
            start = None


def make_tree(project, categories: int, children: int, prefix: str) -> list:
    from framework import services as framework_services

    nodes = []
    for i in range(categories):
        top = framework_services.node_create(project=project, name=f"{prefix}{i + 1}", color=COLORS[i % len(COLORS)])
        nodes.append(top)
        for j in range(children):
            color = COLORS[(i + j + 3) % len(COLORS)]
            name = f"{prefix}{i + 1}.{j + 1}"
            nodes.append(framework_services.node_create(project=project, name=name, parent=top, color=color))
    return nodes


def make_users(prefix: str, n: int) -> list:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return [User.objects.create_user(f"{prefix}{i}", password="bench-pass-1") for i in range(n)]


def page_codings(document, nodes: list, coders: list) -> list:
    """PAGE_CODINGS codings the way a team codes: passages coded by 1-3 coders with slightly different boundaries."""
    from coding.models import Coding

    rng = random.Random(SEED)
    text = document.text
    seen, codings = set(), []
    while len(codings) < PAGE_CODINGS:
        start, end = random_span(rng, text)
        node = rng.choice(nodes)
        for k, coder in enumerate(rng.sample(coders, rng.choice([1, 1, 2, 3]))):
            s, e = (start, end) if k == 0 else random_span(rng, text, start + rng.randint(-8, 8), end - start)
            at = node if rng.random() < 0.8 else rng.choice(nodes)  # sometimes the coders disagree on the node
            key = (at.pk, coder.pk, s, e)
            if key in seen or len(codings) == PAGE_CODINGS:
                continue
            seen.add(key)
            memo = rng.choice(MEMOS) if rng.random() < 0.05 else ""
            codings.append(Coding(document=document, node=at, coder=coder, start=s, end=e, text=text[s:e], memo=memo))
    return Coding.objects.bulk_create(codings, batch_size=BATCH)


def build_page_project(owner) -> tuple:
    from policies.models import Role
    from policies.services.documents import document_import
    from policies.services.projects import member_add, project_create

    project = project_create(user=owner, name="编码基准")
    coders = make_users("coder", max(LOAD_CODERS, PAGE_CODERS))
    for coder in coders:
        member_add(project=project, username=coder.username, role=Role.CODER)
    nodes = make_tree(project, *PAGE_TREE, prefix="政策工具")
    data = make_text(DOC_CHARS, 0).encode()
    outcome = document_import(project=project, user=owner, filename="大文件.txt", data=data)[0]
    assert outcome.document is not None, outcome.error
    page_codings(outcome.document, nodes, coders[:PAGE_CODERS])
    return project, outcome.document, nodes, coders


def build_export_project(owner):
    """EXPORT_DOCUMENTS documents and EXPORT_CODINGS codings on 40 nodes by 3 coders, bulk-created."""

    from coding.models import Coding
    from policies.models import Document, IssuerType, PolicyType, Role
    from policies.provinces import PROVINCE_CHOICES
    from policies.services.projects import member_add, project_create

    rng = random.Random(SEED + 1)
    project = project_create(user=owner, name="导出基准")
    coders = make_users("exporter", EXPORT_CODERS)
    for coder in coders:
        member_add(project=project, username=coder.username, role=Role.CODER)
    nodes = [n.pk for n in make_tree(project, *EXPORT_TREE, prefix="维度")]
    documents = []
    for i in range(EXPORT_DOCUMENTS):
        text = f"政策文件第{i}号\n" + make_text(EXPORT_DOC_CHARS, i * 997)
        documents.append(
            benchdb.document(
                project,
                i,
                text,
                province=rng.choice(PROVINCE_CHOICES),
                issuer="市人民政府办公厅",
                issuer_type=rng.choice(IssuerType.values),
                issue_date=f"20{rng.randint(15, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                policy_type=rng.choice(PolicyType.values),
            )
        )
    documents = Document.objects.bulk_create(documents)
    per_document = EXPORT_CODINGS // EXPORT_DOCUMENTS
    batch = []
    for document in documents:
        seen = set()
        while len(seen) < per_document:
            s, e = random_span(rng, document.text)
            key = (rng.choice(nodes), rng.choice(coders).pk, s, e)
            if key in seen:
                continue
            seen.add(key)
            memo = rng.choice(MEMOS) if rng.random() < 0.05 else ""
            batch.append(
                Coding(
                    document_id=document.pk,
                    node_id=key[0],
                    coder_id=key[1],
                    start=s,
                    end=e,
                    text=document.text[s:e],
                    memo=memo,
                )
            )
        if len(batch) >= BATCH:
            Coding.objects.bulk_create(batch, batch_size=BATCH)
            batch = []
    Coding.objects.bulk_create(batch, batch_size=BATCH)
    return project


def analyze() -> None:
    """Fresh planner statistics after the bulk loads, as autovacuum would give a long-running database."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- gunicorn --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {one:.1f} (1 min) / {five:.1f} (5 min)"


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process in kB (empty when it is gone)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    return {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in lines) if k in ("VmRSS", "VmHWM")}


class Gunicorn:
    """gunicorn on a free loopback port for the bench database; stopped on exit, also after an error."""

    def __init__(self, workers: int):
        self.workers = workers
        self.port = free_port()
        self.process = None
        self.log = tempfile.NamedTemporaryFile(prefix="pc-bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115

    def __enter__(self):
        executable = Path(sys.executable).with_name("gunicorn")
        command = [str(executable)] if executable.exists() else [sys.executable, "-m", "gunicorn"]
        command += [
            "config.wsgi",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={self.workers}",
            "--threads=1",
            f"--chdir={ROOT}",
            "--timeout=120",
        ]
        env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", "DEBUG": "0"}
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.tail()}")
            if len(self.worker_pids()) == self.workers:
                try:
                    for _ in range(2 * self.workers):  # every worker has imported the app and answers
                        status, _body, _headers = request(self.port, "GET", "/accounts/login/")
                        assert status == 200, status
                    return
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer on port {self.port}:\n{self.tail()}")

    def warm(self, path: str, headers: dict, rounds: int = 3) -> list[list[float]]:
        """GET path from as many threads as there are workers at once, `rounds` times, so that every worker has
        loaded its templates, translations and database connection; the milliseconds of each round."""

        def get(done: list[float]) -> None:
            start = time.perf_counter()
            status, _body, _headers = request(self.port, "GET", path, headers=headers)
            assert status == 200, status
            done.append((time.perf_counter() - start) * 1000)

        times = []
        for _ in range(rounds):
            done = []
            threads = [threading.Thread(target=get, args=(done,)) for _ in range(self.workers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            times.append(done)
        return times

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return sorted(pids)

    def tail(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-3000:]

    def __exit__(self, *exc_info):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def request(port: int, method: str, path: str, body=None, headers=None, connection=None) -> tuple[int, bytes, dict]:
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        if connection is None:
            conn.close()


# --- 1. the coding page ----------------------------------------------------------------------------------


def bench_page_server(label: str, document, coder) -> str:
    """Server-side render with the test client; returns the session key for the browser."""
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(coder)
    path = f"/documents/{document.pk}/code/"
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
        client.get(path)
    cpu = []

    def render() -> None:
        start = time.process_time()
        client.get(path)
        cpu.append((time.process_time() - start) * 1000)

    times = benchdb.timed(render, repeat=PAGE_REPEAT)
    print(
        f"[{label}] coding page, {document.char_count:,} chars, {document.codings.count():,} codings by "
        f"{PAGE_CODERS} coders on {PAGE_TREE[0] * (1 + PAGE_TREE[1])} nodes ({len(response.content) / 1024:.0f} kB "
        f"HTML, {len(queries)} queries), server render: {benchdb.summary(times)}; CPU median "
        f"{statistics.median(cpu):.1f} ms (budget < 100 ms)"
    )
    return client.cookies["sessionid"].value


# Runs before the page's own scripts on every navigation: records when the first highlight is inserted and the
# frame after it (painted), long tasks, and when a click is answered by the "codings here" panel.
INIT_SCRIPT = """
(() => {
  const b = (window.__bench = { hl: null, hlPaint: null, longTasks: [], down: null, here: null });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch (_e) {}
  const seen = new MutationObserver(() => {
    if (b.hl === null && document.querySelector("#doc-text .hl")) {
      b.hl = performance.now();
      seen.disconnect();
      requestAnimationFrame(() => { b.hlPaint = performance.now(); });
    }
  });
  seen.observe(document, { childList: true, subtree: true });
  document.addEventListener("mousedown", (e) => { b.down = e.timeStamp; }, true);
  document.addEventListener("DOMContentLoaded", () => {
    const panel = document.getElementById("here-panel");
    if (!panel) return;
    new MutationObserver(() => {
      if (b.here === null && !panel.hidden) b.here = performance.now();
    }).observe(panel, { attributes: true });
  });
})();
"""

VISIBLE_HIGHLIGHT = """
() => {
  const pane = document.getElementById("text-pane").getBoundingClientRect();
  for (const el of document.querySelectorAll("#doc-text .hl")) {
    const r = el.getClientRects()[0];
    if (r && r.width > 4 && r.top >= pane.top && r.bottom <= Math.min(pane.bottom, innerHeight)) {
      return { x: r.left + Math.min(r.width / 2, 8), y: r.top + r.height / 2 };
    }
  }
  return null;
}
"""

METRICS = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  const b = window.__bench;
  return {
    ttfb: nav.responseStart, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
    fcp: fcp ? fcp.startTime : null, hl: b.hl, hlPaint: b.hlPaint, down: b.down, here: b.here,
    blocking: b.longTasks.filter(([s]) => s < b.hlPaint).reduce((t, [, d]) => t + d, 0),
    longest: b.longTasks.reduce((m, [, d]) => Math.max(m, d), 0),
  };
}
"""

COUNTS = """
() => ({
  hl: document.querySelectorAll("#doc-text .hl").length,
  stripes: document.querySelectorAll(".stripe").length,
  text: document.getElementById("doc-text").clientWidth,
  gutter: document.getElementById("stripes").offsetWidth,
  height: document.getElementById("text-pane").scrollHeight,
})
"""

# Scroll the text pane to the middle paragraph; resolve with the milliseconds until highlights are on screen there
# and a frame has been painted with them.
SCROLL_TO_MIDDLE = """
() => new Promise((resolve) => {
  const pane = document.getElementById("text-pane");
  const paras = document.querySelectorAll("#doc-text > p");
  const target = paras[Math.floor(paras.length / 2)];
  const t0 = performance.now();
  pane.scrollTop = target.offsetTop - pane.clientHeight / 2;
  const check = () => {
    const box = pane.getBoundingClientRect();
    const onScreen = Array.from(target.parentElement.querySelectorAll(".hl")).some((el) => {
      const r = el.getBoundingClientRect();
      return r.bottom > box.top && r.top < box.bottom;
    });
    if (onScreen) requestAnimationFrame(() => resolve(performance.now() - t0));
    else if (performance.now() - t0 > 10000) resolve(null);
    else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})
"""


def bench_page_browser(label: str, port: int, document, session_key: str) -> None:
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{port}"
    url = f"{base}/documents/{document.pk}/code/"
    runs = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # the bench's probes (wait_for_function, init script) are evaluated code, which the app's CSP refuses
            context = browser.new_context(viewport=VIEWPORT, bypass_csp=True)
            context.add_cookies([{"name": "sessionid", "value": session_key, "url": base}])
            context.add_init_script(INIT_SCRIPT)
            page = context.new_page()
            for _ in range(1 + BROWSER_LOADS):
                page.goto(url, wait_until="commit")
                page.wait_for_function("window.__bench && window.__bench.hlPaint !== null", timeout=20_000)
                point = page.evaluate(VISIBLE_HIGHLIGHT)
                assert point, "no highlight on screen"
                page.mouse.click(point["x"], point["y"])
                page.wait_for_function("window.__bench.here !== null", timeout=10_000)
                page.wait_for_load_state("load")
                page.wait_for_timeout(300)  # let late frames (fonts, a focus refresh) settle before counting
                run = page.evaluate(METRICS) | {"top": page.evaluate(COUNTS)}
                run["scroll"] = page.evaluate(SCROLL_TO_MIDDLE)
                page.wait_for_timeout(300)
                run["middle"] = page.evaluate(COUNTS)
                runs.append(run)
        finally:
            browser.close()
    runs = runs[1:]  # the first load warmed the caches

    def med(key):
        return statistics.median(r[key] for r in runs)

    def worst(key):
        return max(r[key] for r in runs)

    print(
        f"[{label}] coding page in Chromium ({VIEWPORT['width']}x{VIEWPORT['height']}, median of {len(runs)} loads "
        f"/ max): first byte {med('ttfb'):.0f} ms, DOMContentLoaded {med('dcl'):.0f} ms, load {med('load'):.0f} ms, "
        f"first highlights painted {med('hlPaint'):.0f}/{worst('hlPaint'):.0f} ms, a click on one answered at "
        f"{med('here'):.0f}/{worst('here'):.0f} ms ({statistics.median(r['here'] - r['down'] for r in runs):.0f} ms "
        f"after the click); long tasks before the paint {med('blocking'):.0f} ms, longest {worst('longest'):.0f} ms "
        f"(budget interactive < 1000 ms)"
    )
    scrolls = [r["scroll"] for r in runs]
    print(
        f"[{label}] coding page DOM: {max(r['top']['hl'] for r in runs)} .hl / "
        f"{max(r['top']['stripes'] for r in runs)} .stripe at the top, "
        f"{max(r['middle']['hl'] for r in runs)} / {max(r['middle']['stripes'] for r in runs)} after scrolling to "
        f"the middle, painted there {statistics.median(s for s in scrolls if s is not None):.0f}/"
        f"{max(s if s is not None else math.inf for s in scrolls):.0f} ms after the scroll "
        f"(budget: hundreds of elements, not thousands)"
    )
    top = runs[-1]["top"]
    print(
        f"[{label}] coding page layout: text column {top['text']} px wide next to a {top['gutter']} px stripe "
        f"gutter, {top['height']:,} px of scrolling (no budget; for reading the counts above)"
    )


# --- 2. creating codings under load ----------------------------------------------------------------------


def backend_pids() -> list[int]:
    """The other PostgreSQL backends on the bench database (the gunicorn workers' connections)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [pid for (pid,) in cursor.fetchall()]


def bench_create_load(label: str, server: "Gunicorn", project, document, nodes: list, coders: list) -> None:
    from rest_framework.authtoken.models import Token

    from coding.models import Coding

    port = server.port
    tokens = [Token.objects.get_or_create(user=coder)[0].key for coder in coders[:LOAD_CODERS]]
    before = Coding.objects.filter(document=document).count()
    path = f"/api/projects/{project.pk}/codings/"
    text = document.text
    deadline = time.monotonic() + LOAD_MAX_SECONDS
    results = [None] * LOAD_CODERS
    begin = threading.Barrier(LOAD_CODERS + 1, timeout=60)

    def coder_thread(n: int) -> None:
        rng = random.Random(SEED + 100 + n)
        headers = {"Authorization": f"Token {tokens[n]}", "Content-Type": "application/json"}
        plan, keys = [], set()
        while len(plan) < LOAD_EACH:
            s, e = random_span(rng, text)
            node = rng.choice(nodes).pk
            if (node, s, e) not in keys:
                keys.add((node, s, e))
                plan.append(json.dumps({"document": document.pk, "node": node, "start": s, "end": e}).encode())
        repeat_at = set(rng.sample(range(1, LOAD_EACH), LOAD_REPEATS))
        race_at = set(rng.sample(sorted(set(range(LOAD_EACH)) - repeat_at), LOAD_RACES))
        out = {key: [] for key in ("new", "again", "created", "answered", "repeats", "races", "errors")}
        out["late"] = 0
        conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(2)]

        def post(body: bytes, conn, kind: str) -> tuple[int, dict]:
            t0 = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            out[kind].append((time.perf_counter() - t0) * 1000)
            data = json.loads(payload) if payload else {}
            if response.status == 201:
                out["created"].append(data["id"])
            elif response.status == 200:
                out["answered"].append(data["id"])
            else:
                out["errors"].append((response.status, payload[:200]))
            return response.status, data

        begin.wait()
        start = time.monotonic() + rng.uniform(0, LOAD_INTERVAL)  # coders are not in step
        try:
            for i, body in enumerate(plan):
                wait = start + i * LOAD_INTERVAL - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                else:
                    out["late"] += 1
                if time.monotonic() > deadline:
                    break
                if i in race_at:  # a double-click or a retry racing the first save: both in flight at once
                    t0 = time.perf_counter()
                    for conn in conns:
                        conn.request("POST", path, body=body, headers=headers)
                    statuses = []
                    for conn in conns:
                        response = conn.getresponse()
                        payload = response.read()
                        out["again"].append((time.perf_counter() - t0) * 1000)
                        data = json.loads(payload) if payload else {}
                        statuses.append(response.status)
                        if response.status in (200, 201):
                            (out["created"] if response.status == 201 else out["answered"]).append(data["id"])
                        else:
                            out["errors"].append((response.status, payload[:200]))
                    out["races"].append(sorted(statuses) == [200, 201])
                else:
                    post(body, conns[0], "new")
                if i in repeat_at:  # the same coding again, e.g. a retry after a timeout
                    status, _data = post(body, conns[0], "again")
                    out["repeats"].append(status == 200)
        except Exception as error:  # reported with the errors below
            out["errors"].append(("exception", repr(error)))
        finally:
            for conn in conns:
                conn.close()
        results[n] = out

    threads = [threading.Thread(target=coder_thread, args=(n,)) for n in range(LOAD_CODERS)]
    for thread in threads:
        thread.start()
    workers = server.worker_pids()
    cpu = sum(cpu_seconds(pid) for pid in workers)
    db_cpu = {pid: cpu_seconds(pid) for pid in backend_pids()}
    begin.wait()
    wall = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - wall
    cpu = sum(cpu_seconds(pid) for pid in workers) - cpu
    db_cpu = sum(cpu_seconds(pid) - db_cpu.get(pid, 0.0) for pid in backend_pids())

    times = [t for r in results for t in r["new"]]
    again = [t for r in results for t in r["again"]]
    requests = len(times) + len(again)
    created = [i for r in results for i in r["created"]]
    answered = [i for r in results for i in r["answered"]]
    errors = [e for r in results for e in r["errors"]]
    repeats = [ok for r in results for ok in r["repeats"]]
    races = [ok for r in results for ok in r["races"]]
    rows = Coding.objects.filter(document=document).count() - before
    known = set(Coding.objects.filter(pk__in=set(created) | set(answered)).values_list("pk", flat=True))
    lost = len(set(created) - known)
    print(
        f"[{label}] create a coding under gunicorn ({server.workers} sync workers), {LOAD_CODERS} coders x {LOAD_EACH} "
        f"every {LOAD_INTERVAL} s, {requests / wall:.0f} requests/s over {wall:.1f} s, new codings: "
        f"{benchdb.summary(times)}; CPU a request: gunicorn {cpu / requests * 1000:.1f} ms + PostgreSQL "
        f"{db_cpu / requests * 1000:.1f} ms (budget p95 < 50 ms)"
    )
    print(
        f"[{label}] the same load, {LOAD_REPEATS} exact repeats and {LOAD_RACES} racing double-sends per coder "
        f"(a race counts from sending both): {benchdb.summary(again)} (no budget)"
    )
    print(
        f"[{label}] after the load: {rows} new rows for {len(created)} answers 201 ({len(set(created))} distinct "
        f"ids, {lost} missing), repeats answered 200: {sum(repeats)}/{len(repeats)}, races one 201 + one 200: "
        f"{sum(races)}/{len(races)}, errors {len(errors)}{' ' + repr(errors[:3]) if errors else ''}, "
        f"late sends {sum(r['late'] for r in results)} (budget: none lost, none doubled)"
    )


# --- 3. the CSV export ------------------------------------------------------------------------------------


def dechunk(raw: bytes) -> tuple[int, bytes, int]:
    """Status, body and number of chunks of a raw HTTP/1.1 response (chunked or not)."""
    head, _sep, rest = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if b"transfer-encoding: chunked" not in head.lower():
        return status, rest, 1
    parts, at, chunks = [], 0, 0
    while True:
        eol = rest.index(b"\r\n", at)
        size = int(rest[at:eol].split(b";")[0], 16)
        if size == 0:
            return status, b"".join(parts), chunks
        parts.append(rest[eol + 2 : eol + 2 + size])
        chunks += 1
        at = eol + 2 + size + 2


def bench_export_http(label: str, server: Gunicorn, project, token: str) -> None:
    """Stream the export like curl would: read the raw response in 64 kB pieces, decode the framing afterwards."""
    workers = server.worker_pids()
    before = {pid: proc_status(pid) for pid in workers}
    peak = {pid: status.get("VmRSS", 0) for pid, status in before.items()}
    cpu = {pid: cpu_seconds(pid) for pid in workers}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for pid in workers:
                peak[pid] = max(peak[pid], proc_status(pid).get("VmRSS", 0))
            stop.wait(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    path = f"/api/projects/{project.pk}/codings/export.csv"
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Token {token}\r\nConnection: close\r\n\r\n"
    pieces = []
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=120) as sock:
            t0 = time.perf_counter()
            sock.sendall(head.encode())
            first = None
            while piece := sock.recv(1 << 16):
                first = first or time.perf_counter() - t0
                pieces.append(piece)
            elapsed = time.perf_counter() - t0
    finally:
        stop.set()
        sampler.join()
    after = {pid: proc_status(pid) for pid in workers}
    served = max(workers, key=lambda pid: cpu_seconds(pid) - cpu[pid])
    used = cpu_seconds(served) - cpu[served]
    status, body, chunks = dechunk(b"".join(pieces))
    pieces.clear()
    assert status == 200, (status, body[:300])
    rows = sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8-sig")))) - 1
    size = len(body)
    growth = (peak[served] - before[served].get("VmRSS", 0)) / 1024
    print(
        f"[{label}] CSV export through gunicorn ({server.workers} sync workers): {rows:,} rows, "
        f"{size / 2**20:.1f} MB in {chunks:,} HTTP chunks, streamed in {elapsed:.2f} s "
        f"(first byte {first * 1000:.0f} ms, {size / 2**20 / elapsed:.0f} MB/s, worker CPU {used:.2f} s) "
        f"(budget < 3 s)"
    )
    print(
        f"[{label}] CSV export memory, gunicorn worker: RSS {before[served].get('VmRSS', 0) / 1024:.0f} MB before, "
        f"peak {peak[served] / 1024:.0f} MB during (+{growth:.1f} MB); VmHWM "
        f"{before[served].get('VmHWM', 0) / 1024:.0f} -> {after[served].get('VmHWM', 0) / 1024:.0f} MB "
        f"(budget: flat, growth < 10% of the "
        f"{size / 2**20:.0f} MB body)"
    )


def bench_export_inprocess(label: str, project, user) -> None:
    from coding import downloads, export
    from coding.models import Coding

    extra = [user]

    def drain() -> tuple[int, int]:
        size = chunks = 0
        for part in downloads.csv_response(project, export.ExportSelection(), *extra).streaming_content:
            size += len(part)
            chunks += 1
        return size, chunks

    t0, cpu = time.perf_counter(), time.process_time()
    size, chunks = drain()
    rows = Coding.objects.filter(document__project=project).count()
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    drain()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    print(
        f"[{label}] CSV export in-process (csv_response().streaming_content): {rows:,} rows in {chunks:,} chunks, "
        f"{elapsed:.2f} s "
        f"(CPU {cpu:.2f} s), "
        f"tracemalloc peak {peak / 2**20:.1f} MB for a {size / 2**20:.0f} MB body (budget: flat, < 10% of the body)"
    )


# --- main ---------------------------------------------------------------------------------------------------


def main() -> None:
    args = benchdb.parse_args(__doc__)
    label = benchdb.setup(args)
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    t0 = time.perf_counter()
    owner = get_user_model().objects.create_user("owner", password="bench-pass-1")
    project, document, nodes, coders = build_page_project(owner)
    export_project = build_export_project(owner)
    analyze()
    print(
        f"[{label}] setup: {document.char_count:,}-char document with {PAGE_CODINGS:,} codings, "
        f"{EXPORT_CODINGS:,} codings on {EXPORT_DOCUMENTS} documents, in {time.perf_counter() - t0:.1f} s; "
        f"{machine()}"
    )

    session_key = bench_page_server(label, document, coders[0])
    with Gunicorn(WORKERS) as server:
        path = f"/documents/{document.pk}/code/"
        cold, *_warm, warm = server.warm(path, {"Cookie": f"sessionid={session_key}"})
        print(
            f"[{label}] gunicorn ({server.workers} sync workers) warm-up, the coding page from {server.workers} "
            f"clients at once: first round (cold workers) max {max(cold):.0f} ms, last round max {max(warm):.0f} ms "
            f"(no budget; the measurements below start with warm workers)"
        )
        bench_page_browser(label, server.port, document, session_key)
        if label == "PostgreSQL":
            bench_create_load(label, server, project, document, nodes, coders)
        else:
            print(f"[{label}] create a coding under gunicorn with {LOAD_CODERS} coders: skipped (PostgreSQL only)")
        bench_export_http(label, server, export_project, Token.objects.create(user=owner).key)
    bench_export_inprocess(label, export_project, owner)
    print(f"[{label}] done: {machine()} (other processes on the machine slow every wall-clock number above)")


if __name__ == "__main__":
    main()
