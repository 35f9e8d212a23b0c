"""Co-occurrence benchmark: the matrix bench's corpus (2,000 documents, 40 nodes in two levels, 200,000 codings by
3 coders), with an article (第X条) every 300 characters.

Run: .venv/bin/python bench/cooccurrence_bench.py [--postgres [URL]]   (default: a temporary SQLite database)
Budget (issue 15, PostgreSQL): 40 × 40 nodes at passage level over 200,000 codings < 1 s.
Prints the peak RSS of this process (ru_maxrss, which never goes down), its CPU time per call (wall time on a shared
machine depends on the load) and the load average.
"""

import os
import resource
import time

import benchdb
import matrix_bench

ARTICLE_CHARS = 300
REPEAT = 5


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def add_articles(project) -> int:
    from policies.models import Section

    sections = []
    for document_id, length in project.documents.values_list("id", "char_count"):
        for number, start in enumerate(range(0, length, ARTICLE_CHARS), start=1):
            end = min(length, start + ARTICLE_CHARS)
            sections.append(
                Section(document_id=document_id, kind="article", label=f"第{number}条", level=1, start=start, end=end)
            )
    Section.objects.bulk_create(sections, batch_size=5_000)
    return len(sections)


def main() -> None:
    args = benchdb.parse_args(__doc__)
    label = benchdb.setup(args)
    from django.test import Client
    from django.urls import reverse

    from coding.analysis import cooccurrence, query_params

    project, owner = matrix_bench.build()
    articles = add_articles(project)
    matrix_bench.analyze()
    every_node = ",".join(str(pk) for pk in project.nodes.values_list("id", flat=True))
    print(
        f"[{label}] corpus: {matrix_bench.DOCUMENTS} documents, {project.nodes.count()} nodes, "
        f"{matrix_bench.CODINGS} codings, {articles} articles; load average {os.getloadavg()[0]:.2f}"
    )
    cases = [
        ("passage, count", {"unit": "passage", "nodes": every_node}, 1000),
        ("passage, c", {"unit": "passage", "value": "c", "nodes": every_node}, 1000),
        ("article, count", {"unit": "article", "nodes": every_node}, None),
        ("document, count", {"unit": "document", "nodes": every_node}, None),
        ("passage, 2 of 3 coders", {"unit": "passage", "nodes": every_node, "coders": "coder0,coder1"}, None),
        ("passage, level 2 (32 nodes)", {"unit": "passage", "level": "2"}, None),
    ]
    for name, params, budget in cases:
        _query, result = cooccurrence.load(project, owner, query_params.cooccurrence_query(params))
        cpu = time.process_time()
        load = lambda params=params: cooccurrence.load(project, owner, query_params.cooccurrence_query(params))  # noqa: E731
        times = benchdb.timed(load, repeat=REPEAT)
        cpu = (time.process_time() - cpu) * 1000 / REPEAT
        size = len(result.nodes)
        note = f" (budget < {budget} ms)" if budget else ""
        print(
            f"[{label}] co-occurrence {name}, {size}x{size}: {benchdb.summary(times)}{note}; "
            f"CPU of this process {cpu:.0f} ms a call (the database's not included); "
            f"peak RSS {rss_mb():.0f} MB; load average {os.getloadavg()[0]:.2f}"
        )
    client = Client()
    client.force_login(owner)
    url = reverse("cooccurrence:page", args=[project.pk])
    params = {"unit": "passage", "nodes": every_node}
    response = client.get(url, params)
    assert response.status_code == 200
    times = benchdb.timed(lambda: client.get(url, params), repeat=REPEAT)
    print(
        f"[{label}] co-occurrence page 40x40 with the network ({len(response.content) // 1024} KB): "
        f"{benchdb.summary(times)}; peak RSS {rss_mb():.0f} MB; load average {os.getloadavg()[0]:.2f}"
    )
    api = reverse("api:cooccurrence", args=[project.pk])
    times = benchdb.timed(lambda: client.get(api, params), repeat=REPEAT)
    print(f"[{label}] GET /api/…/cooccurrence/ 40x40: {benchdb.summary(times)}; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
