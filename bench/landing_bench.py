"""Search that lands, and disagreements as cases (issue 14, items 5 and 6): what the new options cost.
Run: .venv/bin/python bench/landing_bench.py [--postgres [URL]] (default: a temporary SQLite database).

- text search for one term over 2,000 documents (13 M characters): plain, whole words from the cached
  segmentation, and whole words on documents without a cached segmentation (segmented on the fly)
- the auto-code plan for a sentence spread (headings skipped) and one page of its preview
- the disagreement view of a 13,000-character document with 400 codings of two coders (cases, labels, progress)
Prints the machine's load average and the peak memory of this process.
"""

import os
import random
import resource

import benchdb
from text_bench import QUERY_CHARS, insert_documents, make_texts

DOCUMENTS = 2000


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_search(project, user) -> None:
    from coding import autocode, query_params
    from framework.models import Node
    from policies.models import DocumentTokens, Segmentation
    from policies.services.segmentation import segmentation_run
    from policies.text import search, segment

    texts = make_texts(DOCUMENTS, QUERY_CHARS, seed=3)
    insert_documents(project, user, texts)
    Segmentation.objects.get_or_create(project=project)
    segmentation_run(project_id=project.pk, version=1)
    print(f"corpus: {DOCUMENTS} documents, {sum(map(len, texts)) / 1e6:.1f} M characters")

    def run(query, boundaries=None):
        return lambda: search.text_search(project, user, query=query, scope=search.Scope(), boundaries=boundaries)

    plain = search.parse_query("数据")
    whole = search.parse_query("数据", whole_word=True)
    found = run(plain)()
    print(
        f"  text search 数据, plain ({found.total} hits, truncated {found.truncated}): "
        f"{benchdb.summary(benchdb.timed(run(plain), repeat=5))}"
    )
    found = run(whole, segment.word_boundaries(project))()
    times = benchdb.timed(lambda: run(whole, segment.word_boundaries(project))(), repeat=5)
    print(f"  text search 数据, whole words, cached tokens ({found.total} hits): {benchdb.summary(times)}")
    term = search.parse_query("网信部门", whole_word=True)
    found = run(term, segment.word_boundaries(project))()
    times = benchdb.timed(lambda: run(term, segment.word_boundaries(project))(), repeat=5)
    print(f"  text search 网信部门, whole words, cached tokens ({found.total} hits): {benchdb.summary(times)}")
    DocumentTokens.objects.filter(document__project=project).delete()
    times = benchdb.timed(lambda: run(term, segment.word_boundaries(project))(), repeat=3)
    print(f"  text search 网信部门, whole words, no cached tokens (segmented on the fly): {benchdb.summary(times)}")

    node = Node.objects.create(project=project, name="网信部门")
    params = query_params.autocode_search({"q": "网信部门", "spread": "sentence"})
    plan = autocode.plan_for_search(project, user, params, node)
    times = benchdb.timed(lambda: autocode.plan_for_search(project, user, params, node), repeat=5)
    print(
        f"  auto-code plan, sentence spread ({len(plan.spans)} passages, {plan.headings} hits in headings): "
        f"{benchdb.summary(times)}"
    )
    times = benchdb.timed(lambda: autocode.preview_page(project, plan, 3), repeat=10)
    print(f"  auto-code preview, one page of 20 passages: {benchdb.summary(times)}")


def bench_disagreement(project, owner) -> None:
    from django.contrib.auth import get_user_model

    from coding.analysis import disagreement
    from coding.models import Coding
    from framework.models import Node
    from policies.models import Membership, Role

    users = get_user_model().objects
    coders = [users.create_user(name, password="bench-pass-1") for name in ("alice", "bob")]
    for coder in coders:
        Membership.objects.create(project=project, user=coder, role=Role.CODER)
    text = make_texts(1, 13_000, seed=7)[0]
    document = insert_documents(project, owner, [text])[0]
    nodes = [Node.objects.create(project=project, name=f"节点{i}") for i in range(20)]
    rng = random.Random(5)
    codings = []
    for i in range(200):
        start = rng.randrange(0, len(text) - 300)
        end = start + rng.randrange(20, 300)
        for j, coder in enumerate(coders):
            node = nodes[i % 20] if rng.random() < 0.6 else nodes[(i + 1 + j) % 20]
            shift = rng.randrange(-15, 15)
            s, e = max(0, start + shift), min(len(text), end + shift)
            codings.append(Coding(document=document, node=node, coder=coder, start=s, end=e, text=text[s:e]))
    Coding.objects.bulk_create(codings, ignore_conflicts=True)
    view = disagreement.load(project, owner, document, "alice", "bob")
    kinds = {}
    for case in view.cases:
        kinds[case.kind] = kinds.get(case.kind, 0) + 1
    times = benchdb.timed(lambda: disagreement.load(project, owner, document, "alice", "bob"), repeat=10)
    print(f"  disagreement view, 13,000 characters, {len(codings)} codings, cases {kinds}: {benchdb.summary(times)}")


def main() -> None:
    args = benchdb.parse_args(__doc__)
    label = benchdb.setup(args)
    from django.contrib.auth import get_user_model

    from policies.services.projects import project_create

    print(f"[{label}] load average before: {os.getloadavg()}")
    user = get_user_model().objects.create_user("bench", password="bench-pass-1")
    bench_search(project_create(user=user, name="search"), user)
    bench_disagreement(project_create(user=user, name="cases"), user)
    print(f"[{label}] load average after: {os.getloadavg()}; peak RSS of this process: {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
