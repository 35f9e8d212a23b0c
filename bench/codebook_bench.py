"""Codebook benchmark: 2,000 nodes 6 levels deep, 200,000 codings; times the tree panel, a move and a merge.

Run: .venv/bin/python bench/codebook_bench.py [--postgres [URL]] (default: a temporary SQLite database).
Budgets: panel < 150 ms, move/merge < 500 ms.
"""

import statistics
import time

import benchdb

LABEL = benchdb.setup(benchdb.parse_args(__doc__))

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from coding import counts  # noqa: E402
from coding.models import Coding  # noqa: E402
from framework import panel as tree_panel  # noqa: E402
from framework import services, tree  # noqa: E402
from framework.models import Node  # noqa: E402
from policies.models import Document, Membership, Project, Role  # noqa: E402

LEVEL_SIZES = [7, 28, 112, 448, 700, 705]  # 2,000 nodes, 6 levels
CODINGS = 200_000
HOT = 10_000  # codings on the node that is moved and merged
DUPLICATES = 2_000  # of those, already at the merge target (same document, coder, start, end)
DOCUMENTS, CODERS = 50, 5


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def timed(fn, repeat: int = 1) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def build() -> tuple[Project, object, list[Node], Node, Node]:
    users = get_user_model().objects.bulk_create([get_user_model()(username=f"bench{i}") for i in range(CODERS + 1)])
    owner = get_user_model().objects.get(username="bench0")
    project = Project.objects.create(name="基准项目")
    Membership.objects.create(project=project, user=owner, role=Role.OWNER)
    text = "第一条　为了推动政府数据共享开放，制定本条例。" * 80
    documents = Document.objects.bulk_create(
        [
            Document(
                project=project,
                title=f"条例{i}",
                original_name=f"{i}.txt",
                original=f"bench/{i}.txt",
                file_format="txt",
                text=f"{text}{i}",
                char_count=len(text) + len(str(i)),
                text_hash=f"{i:064d}",
            )
            for i in range(DOCUMENTS)
        ]
    )
    levels: list[list[Node]] = []
    for depth, size in enumerate(LEVEL_SIZES):
        parents = levels[-1] if levels else [None]
        nodes = [
            Node(
                project=project,
                parent=parents[i % len(parents)],
                name=f"L{depth + 1}-节点{i}",
                description="编码规则：定义、何时使用、何时不用、示例。",
                color="#4e79a7",
                order=i // len(parents),
            )
            for i in range(size)
        ]
        levels.append(Node.objects.bulk_create(nodes))
    nodes = [n for level in levels for n in level]
    hot, target = levels[3][5], levels[3][200]
    coders = users[1:]

    def coding(node, m):
        start = m // (DOCUMENTS * CODERS)
        return Coding(
            document=documents[m % DOCUMENTS],
            node=node,
            coder=coders[(m // DOCUMENTS) % CODERS],
            start=start,
            end=start + 10,
            text="政府数据共享开放条例",
        )

    batch = []
    others = [n for n in nodes if n.pk not in (hot.pk, target.pk)]
    rest = CODINGS - HOT - DUPLICATES
    for k in range(rest):
        batch.append(coding(others[k % len(others)], k // len(others)))
        if len(batch) == 10_000:
            Coding.objects.bulk_create(batch)
            batch = []
    batch += [coding(hot, m) for m in range(HOT)]
    batch += [coding(target, m) for m in range(DUPLICATES)]
    Coding.objects.bulk_create(batch)
    return project, owner, nodes, hot, target


def main() -> None:
    print(f"database: {LABEL} ({connection.settings_dict['NAME']})")
    start = time.perf_counter()
    project, owner, nodes, hot, target = build()
    with connection.cursor() as cursor:
        # what autovacuum does after a bulk load: statistics, and the visibility map index-only scans need
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"built {Node.objects.count():,} nodes ({max(tree.levels(tree.rows_for(project)).values())} levels), "
        f"{Coding.objects.count():,} codings in {time.perf_counter() - start:.1f} s"
    )

    client = Client()
    client.force_login(owner)
    url = reverse("framework:tree", args=[project.pk])
    client.get(url)  # warm the template cache and the connection
    panel = timed(lambda: client.get(url), repeat=7)
    count = timed(lambda: counts.node_counts(project), repeat=7)
    rows = timed(lambda: tree_panel.panel_rows(tree.walk(tree.rows_for(project)), {}), repeat=7)
    size = len(client.get(url).content)
    print(f"tree panel (GET {url}, {size // 1024} KB): median {ms(statistics.median(panel))}, best {ms(min(panel))}")
    print(f"  of which counts query: median {ms(statistics.median(count))}; rows + tree: {ms(statistics.median(rows))}")

    new_parents = [nodes[1], nodes[2], nodes[3]]
    move = [timed(lambda p=p: services.node_move(node=hot, parent=p, position=0))[0] for p in new_parents]
    moved = hot.codings.count()
    print(f"move of a node with {moved:,} codings: median {ms(statistics.median(move))}, worst {ms(max(move))}")
    reports = []
    merge = timed(lambda: reports.append(services.node_merge(source=hot, target=target, actor=owner)))
    print(f"merge of a node with {HOT:,} codings ({DUPLICATES:,} duplicates at the target): {ms(merge[0])}")
    print(f"  {reports[0]}")


if __name__ == "__main__":
    main()
