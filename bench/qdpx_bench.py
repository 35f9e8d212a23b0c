"""REFI-QDA .qdpx benchmark: export and re-import a generated project; prints wall time and peak RSS.

Run: .venv/bin/python bench/qdpx_bench.py [--postgres [URL]] [DOCUMENTS CODINGS_PER_DOCUMENT]
Default 500 documents x 40 codings (3,000 characters each, 2 coders, 20 nodes). Peak RSS is the process's
ru_maxrss after each step (it never goes down, so the import figure includes the export's).
"""

import datetime
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import benchdb

SEED = 20261207


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    numbers = [int(a) for a in sys.argv[1:] if a.isdigit()]
    sys.argv = [a for a in sys.argv if not a.isdigit()]
    documents, per_document = numbers[:2] if len(numbers) >= 2 else (500, 40)
    label = benchdb.setup(benchdb.parse_args(__doc__))
    from django.contrib.auth import get_user_model

    from coding.exchange import qdpx, services
    from coding.models import Coding
    from framework.models import Node
    from policies.models import Document, Membership
    from policies.services.documents import text_hash
    from policies.services.projects import project_create

    rng = random.Random(SEED)
    owner = get_user_model().objects.create_user("owner")
    alice = get_user_model().objects.create_user("alice")
    project = project_create(user=owner, name="基准项目")
    Membership.objects.create(project=project, user=alice, role="coder")
    nodes = [Node.objects.create(project=project, name=f"节点{i}", order=i) for i in range(20)]
    words = "数据开放共享安全治理条例办法规定意见通知规划方案细则政府部门公共资源"
    started = time.perf_counter()
    for number in range(documents):
        text = "".join(rng.choice(words) for _ in range(3000)) + f"第{number}号"
        document = Document(
            project=project,
            title=f"文件{number}",
            original_name=f"{number}.txt",
            file_format="txt",
            text=text,
            char_count=len(text),
            text_hash=text_hash(text),
            province="贵州省",
            issue_date=datetime.date(2021, 1, 1),
        )
        document.save()
        rows = []
        for i in range(per_document):
            start = rng.randrange(0, 2900)
            rows.append(
                Coding(
                    document=document,
                    node=nodes[i % 20],
                    coder=(owner, alice)[i % 2],
                    start=start,
                    end=start + rng.randrange(5, 100),
                    text=text[start : start + 5],
                )
            )
        Coding.objects.bulk_create(rows, ignore_conflicts=True)
    codings = Coding.objects.filter(document__project=project).count()
    print(f"{label}: {documents} documents, {codings} codings generated in {time.perf_counter() - started:.1f} s")
    path = Path(tempfile.mkdtemp(prefix="pc-qdpx-")) / "bench.qdpx"
    started, cpu = time.perf_counter(), time.process_time()
    with path.open("wb") as handle:
        qdpx.write(handle, project, owner)
    print(
        f"export: {time.perf_counter() - started:.2f} s ({time.process_time() - cpu:.2f} s CPU in this process), "
        f"{path.stat().st_size / 1e6:.1f} MB, peak RSS {rss_mb():.0f} MB; load average {os.getloadavg()[0]:.1f}"
    )
    data = path.read_bytes()
    started, cpu = time.perf_counter(), time.process_time()
    report = services.project_import(user=owner, filename=path.name, data=data, match_users=True)
    print(
        f"import: {time.perf_counter() - started:.2f} s ({time.process_time() - cpu:.2f} s CPU in this process), "
        f"{report.counts['codings']} codings, peak RSS {rss_mb():.0f} MB; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
