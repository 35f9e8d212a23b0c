"""Methods report benchmark: the matrix bench's corpus (2,000 documents, 40 nodes, 200,000 codings by 3 coders),
segmented, and the whole report built as Word (.docx with four 300 dpi figures) and as HTML.

Run: .venv/bin/python bench/report_bench.py [--postgres [URL]]   (default: a temporary SQLite database)
Budget (issue 15, PostgreSQL): the report for 2,000 documents / 200,000 codings / 40 nodes in under 10 s.
Prints each step's time, the peak RSS of this process (server and client in one) and the load average (the
machine is shared).
"""

import os
import resource
import time

import benchdb
import matrix_bench

REPEAT = 2


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    args = benchdb.parse_args(__doc__)
    label = benchdb.setup(args)
    from django.test import Client
    from django.urls import reverse

    from coding import layers
    from coding.analysis import methods_report
    from policies import writers
    from policies.models import Segmentation
    from policies.services.segmentation import segmentation_run

    started = time.perf_counter()
    project, owner = matrix_bench.build()
    Segmentation.objects.get_or_create(project=project)
    segmentation_run(project_id=project.pk, version=1)  # word frequency reads the segmentation cache
    matrix_bench.analyze()
    print(f"[{label}] corpus built and segmented in {time.perf_counter() - started:.0f} s; peak RSS {rss_mb():.0f} MB")

    report = methods_report.Report(title="", layer=layers.default_layer(project, owner), date="")
    steps = [
        ("corpus", lambda: methods_report._corpus(report, project)),
        ("word frequency", lambda: methods_report._words(report, project, owner, methods_report.DEFAULT_TOP)),
        ("stakeholders", lambda: methods_report._stakeholders(report, project, owner, {})),
        ("codebook table and figure", lambda: methods_report._codebook(report, project, owner, {})),
        ("matrix, heatmap, map, timeline", lambda: methods_report._matrix(report, project, owner, {})),
        ("coders and agreement", lambda: methods_report._agreement(report, project, owner)),
    ]
    for name, step in steps:
        cpu = time.process_time()
        (ms,) = benchdb.timed(step)
        cpu_ms = 1000 * (time.process_time() - cpu)
        print(f"[{label}]   section {name}: {ms:.0f} ms (this process's CPU {cpu_ms:.0f} ms)")
    for block in report.blocks:
        if block.kind == "figure":
            cpu = time.process_time()
            (ms,) = benchdb.timed(lambda block=block: writers.png_bytes(block.svg))
            print(f"[{label}]   PNG {block.text[:12]}…: {ms:.0f} ms (CPU {1000 * (time.process_time() - cpu):.0f} ms)")
    report = methods_report.build(project, owner, {})
    tables = sum(1 for b in report.blocks if b.kind == "table")
    figures = sum(1 for b in report.blocks if b.kind == "figure")
    times = benchdb.timed(lambda: methods_report.build(project, owner, {}), repeat=REPEAT)
    print(f"[{label}] report built ({tables} tables, {figures} figures): {benchdb.summary(times)}")
    times = benchdb.timed(lambda: writers.docx_bytes(report.title, report.blocks_for_docx()), repeat=REPEAT)
    print(f"[{label}] Word written (figures rasterized at 300 dpi): {benchdb.summary(times)}")

    client = Client()
    client.force_login(owner)
    for fmt in ("docx", "html"):
        url = reverse(f"api:report-{fmt}", args=[project.pk])
        response = client.get(url)
        assert response.status_code == 200, response.content[:200]
        size = len(response.content) // 1024
        times = benchdb.timed(lambda url=url: client.get(url), repeat=REPEAT)
        print(f"[{label}] GET report.{fmt} ({size} KB): {benchdb.summary(times)} (budget < 10000 ms)")
    one, five, _fifteen = os.getloadavg()
    print(f"[{label}] peak RSS {rss_mb():.0f} MB; load average {one:.1f} (1 min), {five:.1f} (5 min)")


if __name__ == "__main__":
    main()
