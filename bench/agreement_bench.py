"""Coding comparison speed: the full character-level report, 100 documents × 50,000 characters × 30 nodes × 3 coders.

Run: .venv/bin/python bench/agreement_bench.py [--postgres [URL]]   (default: a temporary SQLite database)
Budget (the agreement issue): about 150,000 codings; the report with every pair, the kappa matrix and alpha, in under
1 s on PostgreSQL including the database read. Also printed: the pure core alone, the read alone, and the article and
document units.
"""

import math
import random
import statistics
import time

import benchdb

SEED = 20240612
DOCUMENTS = 100
DOC_CHARS = 50_000
TREE = (6, 4)  # 6 categories with 4 children each: 30 nodes
CODERS = 3
PASSAGES = 556  # per document, each coded by the lead coder and usually by the others with shifted boundaries
ARTICLE_CHARS = 500  # one 第X条 every so many characters, for the article unit
REPEAT = 7
BATCH = 10_000
BUDGET_MS = 1000


def make_text(i: int) -> str:
    source = benchdb.corpus_text()
    source = source * (DOC_CHARS // len(source) + 2)
    return (f"政策文件第{i}号\n" + source[(i * 997) % 5000 :])[:DOC_CHARS]


def span(rng: random.Random, start: int | None = None, length: int | None = None) -> tuple[int, int]:
    """Log-uniform 5–300 characters: clauses, sentences, some paragraphs."""
    length = max(1, length) if length is not None else int(math.exp(rng.uniform(math.log(5), math.log(301))))
    start = rng.randrange(0, DOC_CHARS - 5) if start is None else max(0, min(start, DOC_CHARS - 5))
    return start, min(DOC_CHARS, start + length)


def build():
    from django.contrib.auth import get_user_model

    from coding.models import Coding
    from framework import services as framework_services
    from policies.models import Document, Role, Section
    from policies.services.projects import member_add, project_create

    rng = random.Random(SEED)
    user_model = get_user_model()
    owner = user_model.objects.create_user("owner", password="bench-pass-1")
    project = project_create(user=owner, name="一致性基准")
    coders = [user_model.objects.create_user(f"coder{i}", password="bench-pass-1") for i in range(CODERS)]
    for coder in coders:
        member_add(project=project, username=coder.username, role=Role.CODER)
    nodes = []
    for i in range(TREE[0]):
        top = framework_services.node_create(project=project, name=f"维度{i + 1}")
        nodes += [
            framework_services.node_create(project=project, name=f"类目{j + 1}", parent=top) for j in range(TREE[1])
        ]
        nodes.append(top)
    texts = [make_text(i) for i in range(DOCUMENTS)]
    documents = Document.objects.bulk_create(benchdb.document(project, i, text) for i, text in enumerate(texts))
    Section.objects.bulk_create(
        (
            Section(document=d, kind="article", label=f"第{k + 1}条", level=3, start=s, end=s + ARTICLE_CHARS)
            for d in documents
            for k, s in enumerate(range(0, DOC_CHARS, ARTICLE_CHARS))
        ),
        batch_size=BATCH,
    )
    batch, total = [], 0
    for document, text in zip(documents, texts, strict=True):
        seen = set()
        for _ in range(PASSAGES):
            start, end = span(rng)
            node = rng.choice(nodes)
            for k, coder in enumerate(coders):
                if k and rng.random() < 0.15:
                    continue  # the others miss some passages
                s, e = (
                    (start, end)
                    if k == 0
                    else span(rng, start + rng.randint(-10, 10), end - start + rng.randint(-10, 10))
                )
                at = node if rng.random() < 0.85 else rng.choice(nodes)
                if (at.pk, coder.pk, s, e) in seen:
                    continue
                seen.add((at.pk, coder.pk, s, e))
                batch.append(Coding(document=document, node=at, coder=coder, start=s, end=e, text=text[s:e]))
        if len(batch) >= BATCH:
            total += len(Coding.objects.bulk_create(batch, batch_size=BATCH))
            batch = []
    total += len(Coding.objects.bulk_create(batch, batch_size=BATCH))
    return project, owner, [c.username for c in coders], total


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def main() -> None:
    args = benchdb.parse_args(__doc__)
    label = benchdb.setup(args)
    from coding import layers
    from coding.analysis import agreement
    from framework import tree

    started = time.perf_counter()
    project, owner, coders, total = build()
    analyze()
    print(
        f"[{label}] built {DOCUMENTS} documents × {DOC_CHARS:,} chars, 30 nodes, {CODERS} coders, "
        f"{total:,} codings in {time.perf_counter() - started:.1f} s"
    )

    def report(unit: str = "character"):
        return agreement.comparison_for_project(project=project, user=owner, coders=coders, unit=unit)

    result = report()
    rows = sum(len(n.documents) for n in result.nodes)
    print(
        f"[{label}] report: {len(result.nodes)} nodes × {rows // len(result.nodes)} documents, pair "
        f"{'/'.join(result.pair)}: pooled κ {result.overall.pooled_kappa:.4f}, α {result.overall.alpha:.4f}, "
        f"agreement {result.overall.table.agreement:.2f} %"
    )
    print(f"[{label}] pairwise κ matrix {[[round(k, 4) for k in row] for row in result.matrix]}")
    times = benchdb.timed(report, repeat=REPEAT)
    print(f"[{label}] full character-level report, read included: {benchdb.summary(times)} (budget < {BUDGET_MS} ms)")
    times = benchdb.timed(lambda: report().as_dict(), repeat=REPEAT)
    print(f"[{label}]   … and as_dict() for the API: {benchdb.summary(times)}")

    query = layers.visible_codings(project, owner).filter(coder__username__in=coders).order_by()
    query = query.values_list("document_id", "node_id", "coder__username", "start", "end")
    times = benchdb.timed(lambda: list(query.iterator(chunk_size=20_000)), repeat=REPEAT)
    print(f"[{label}]   the codings read alone ({total:,} rows): {benchdb.summary(times)}")
    codings = list(query)
    specs = agreement.node_specs(tree.rows_for(project))
    lengths = dict(project.documents.order_by("id").values_list("id", "char_count"))

    def core():
        return agreement.compare(codings, lengths=lengths, nodes=specs, coders=coders)

    times = benchdb.timed(core, repeat=REPEAT)
    print(f"[{label}]   the pure core alone: {benchdb.summary(times)}")
    for unit in ("article", "document"):
        times = benchdb.timed(lambda unit=unit: report(unit), repeat=REPEAT)
        print(f"[{label}] {unit}-level report: {benchdb.summary(times)}")
    median = statistics.median(benchdb.timed(report, repeat=REPEAT))
    verdict = "within" if median < BUDGET_MS else "OVER"
    print(f"[{label}] verdict: character-level report median {median:.0f} ms, {verdict} the {BUDGET_MS} ms budget")


if __name__ == "__main__":
    main()
