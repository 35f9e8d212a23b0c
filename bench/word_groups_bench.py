"""Word groups speed: counting the project's word groups over the cached segmentation, beside word frequency
(the same loader reads the tokens), whole corpus and node scope; peak RSS of this process and the load average.

Run: .venv/bin/python bench/word_groups_bench.py [--postgres [URL]] [--documents N] (default: temporary SQLite,
1,000 documents of 6,700 characters). Budget: no slower than word frequency over the same scope (< 1 s for 2,000
documents, < 2 s with a node scope).
"""

import os
import random
import resource
import sys

import benchdb
import text_bench

GROUPS = {
    ("subjects", "监管主体"): "网信部门 公安机关 数据主管部门 人民政府 有关部门 大数据管理部门 行政机关 主管部门",
    ("actions", "行动"): "推进 加强 建立 完善 统筹 协调 监督 指导 组织 负责",
    ("focus", "焦点"): "安全 共享 开放 标准 目录 平台 质量 隐私 考核 评估",
    ("data", "数据活动"): "采集 归集 汇聚 存储 加工 使用 提供 交易 销毁 共享开放",
}


def main() -> None:
    documents = 1000
    if "--documents" in sys.argv:
        at = sys.argv.index("--documents")
        documents = int(sys.argv[at + 1])
        del sys.argv[at : at + 2]
    args = benchdb.parse_args(__doc__)
    label = benchdb.setup(args)
    from django.contrib.auth import get_user_model

    from coding.models import Coding
    from framework.models import Node
    from policies.models import Segmentation
    from policies.services.projects import project_create
    from policies.services.segmentation import segmentation_run, word_group_save
    from policies.text import frequency, search, word_groups

    user = get_user_model().objects.create_user("bench", password="bench-pass-1")
    project = project_create(user=user, name="word groups")
    texts = text_bench.make_texts(documents, text_bench.QUERY_CHARS, seed=3)
    created = text_bench.insert_documents(project, user, texts)
    Segmentation.objects.get_or_create(project=project)
    segmentation_run(project_id=project.pk, version=1)
    for (kind, name), words in GROUPS.items():
        word_group_save(project=project, kind=kind, name=name, words=words)
    node = Node.objects.create(project=project, name="政府机构")
    rng = random.Random(4)
    codings = []
    for document in created:
        for _ in range(5):
            start = rng.randrange(0, text_bench.QUERY_CHARS - 600)
            end = start + rng.randrange(50, 600)
            codings.append(
                Coding(document=document, node=node, coder=user, start=start, end=end, text=document.text[start:end])
            )
    Coding.objects.bulk_create(codings, batch_size=500, ignore_conflicts=True)
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    print(f"[{label}] {documents} documents, {megabytes:.1f} MB of text, {len(codings)} codings, 4 groups of 10 words")
    print(f"    load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())} (2 cores, shared)")
    for title, scope in (("all documents", search.Scope()), ("node scope", search.Scope(node=node.pk))):
        groups, _pending = word_groups.project_word_groups(project, user, scope=scope)
        assert len(groups) == 4
        times = benchdb.timed(lambda s=scope: word_groups.project_word_groups(project, user, scope=s), repeat=5)
        print(f"    word groups, {title}:    {benchdb.summary(times)}")
        times = benchdb.timed(
            lambda s=scope: frequency.project_word_frequency(project, user, scope=s, options=frequency.Options()),
            repeat=5,
        )
        print(f"    word frequency, {title}: {benchdb.summary(times)} (yardstick)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"    peak RSS of this process: {peak:.0f} MB")
    print(f"    load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
