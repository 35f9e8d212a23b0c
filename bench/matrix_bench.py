"""Matrix benchmark: 2,000 documents in 35 provinces, 40 nodes in two levels, 200,000 codings by 3 coders.

Run: .venv/bin/python bench/matrix_bench.py [--postgres [URL]]   (default: a temporary SQLite database)
Budgets (the matrices issue, PostgreSQL): the matrix with documents or references < 300 ms, with characters or
coverage < 1 s; the matrix page renders in < 1 s; the codebook sidebar counts in < 150 ms.
"""

import random

import benchdb

DOCUMENTS = 2_000
DOC_CHARS = 6_000
CATEGORIES, CHILDREN = 8, 4  # 8 + 32 = 40 nodes
CODINGS = 200_000
CODERS = 3
BATCH = 5_000
REPEAT = 7
SEED = 20240611


def build():
    from django.contrib.auth import get_user_model

    from coding.models import Coding
    from framework.models import Node
    from policies.models import Document, IssuerType, Membership, PolicyType, Project, Role
    from policies.provinces import PROVINCE_CHOICES

    rng = random.Random(SEED)
    users = [get_user_model().objects.create_user(f"coder{i}", password="bench-pass-1") for i in range(CODERS)]
    project = Project.objects.create(name="矩阵基准")
    for i, user in enumerate(users):
        Membership.objects.create(project=project, user=user, role=Role.OWNER if i == 0 else Role.CODER)
    nodes = []
    for i in range(CATEGORIES):
        top = Node.objects.create(project=project, name=f"类目{i + 1}", order=i)
        nodes.append(top)
        nodes += [
            Node.objects.create(project=project, name=f"子类{i + 1}.{j + 1}", parent=top, order=j)
            for j in range(CHILDREN)
        ]
    source = benchdb.corpus_text()
    source = source * (DOC_CHARS // len(source) + 2)
    documents = []
    for i in range(DOCUMENTS):
        text = f"政策文件第{i}号\n" + source[(i * 997) % 5000 :][:DOC_CHARS]
        documents.append(
            benchdb.document(
                project,
                i,
                text,
                title=f"关于推进政府数据开放共享的实施意见（第{i}号）",
                province=PROVINCE_CHOICES[i % len(PROVINCE_CHOICES)],
                issuer_type=rng.choice(IssuerType.values),
                issue_date=f"20{rng.randint(15, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                policy_type=rng.choice(PolicyType.values),
                attributes={"层级": rng.choice(["省级", "市级"])},
            )
        )
    documents = Document.objects.bulk_create(documents)
    batch = []
    per_document = CODINGS // DOCUMENTS
    for document in documents:
        seen = set()
        while len(seen) < per_document:
            start = rng.randrange(0, document.char_count - 10)
            end = min(document.char_count, start + int(rng.triangular(5, 400, 40)))
            key = (rng.choice(nodes).pk, rng.choice(users).pk, start, end)
            if key in seen:
                continue
            seen.add(key)
            batch.append(
                Coding(
                    document_id=document.pk,
                    node_id=key[0],
                    coder_id=key[1],
                    start=start,
                    end=end,
                    text=document.text[start:end],
                )
            )
        if len(batch) >= BATCH:
            Coding.objects.bulk_create(batch, batch_size=BATCH)
            batch = []
    Coding.objects.bulk_create(batch, batch_size=BATCH)
    return project, users[0]


def analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main() -> None:
    args = benchdb.parse_args(__doc__)
    label = benchdb.setup(args)
    from django.test import Client
    from django.urls import reverse

    from coding import counts
    from coding.analysis import matrix, query_params

    project, owner = build()
    analyze()
    print(
        f"[{label}] corpus: {DOCUMENTS} documents, 35 provinces, {CATEGORIES * (CHILDREN + 1)} nodes, {CODINGS} codings"
    )
    cases = [
        ("documents", {"value": "documents", "level": "2"}, 300),
        ("references", {"value": "references", "level": "2"}, 300),
        ("presence", {"value": "presence", "level": "1"}, 300),
        ("characters", {"value": "characters", "level": "2"}, 1000),
        ("coverage", {"value": "coverage", "level": "1"}, 1000),
        ("characters, 2 of 3 coders", {"value": "characters", "level": "1", "coders": "coder0,coder1"}, 1000),
    ]
    for name, params, budget in cases:
        result = matrix.load_query(project, owner, query_params.matrix_query(project, params))
        load = lambda params=params: matrix.load_query(project, owner, query_params.matrix_query(project, params))  # noqa: E731
        times = benchdb.timed(load, repeat=REPEAT)
        print(
            f"[{label}] matrix {name} (province x level {params['level']}, "
            f"{len(result.rows)}x{len(result.columns)}): {benchdb.summary(times)} (budget < {budget} ms)"
        )
    client = Client()
    client.force_login(owner)
    for params in ({"value": "documents", "level": "2"}, {"value": "coverage", "level": "2", "transpose": "1"}):
        url = reverse("coding:matrix", args=[project.pk])
        response = client.get(url, params)
        assert response.status_code == 200
        times = benchdb.timed(lambda params=params, url=url: client.get(url, params), repeat=REPEAT)
        print(
            f"[{label}] matrix page ({params['value']}, {len(response.content) // 1024} KB): "
            f"{benchdb.summary(times)} (budget < 1000 ms)"
        )
    times = benchdb.timed(lambda: counts.node_counts(project), repeat=REPEAT)
    print(f"[{label}] codebook sidebar counts (node_counts): {benchdb.summary(times)} (budget < 150 ms)")
    tree_url = reverse("framework:tree", args=[project.pk])
    assert client.get(tree_url).status_code == 200
    times = benchdb.timed(lambda: client.get(tree_url), repeat=REPEAT)
    print(f"[{label}] codebook sidebar panel with counts (GET tree): {benchdb.summary(times)} (budget < 150 ms)")
    summary_url = reverse("coding:framework-summary", args=[project.pk])
    times = benchdb.timed(lambda: client.get(summary_url), repeat=REPEAT)
    print(f"[{label}] framework summary page: {benchdb.summary(times)}")


if __name__ == "__main__":
    main()
