"""Coding suggestions speed: training 33 subcategories on 2,000 coded documents (~40,000 articles), and suggesting
for one 60,000-character document.

Run: .venv/bin/python bench/suggest_bench.py [--postgres [URL]]   (default: a temporary SQLite database)
Environment: SUGGEST_BENCH_DOCUMENTS=300 for a quick look (the budget is for 2,000), SUGGEST_BENCH_PROFILE=1 to print
cProfile's view of one suggestion run.
Budgets (the suggestions issue): training under 60 s in the worker, with progress; suggestions for one 60k-character
document under 200 ms. Documents are built from the articles of the demo corpus, renumbered; a subcategory is coded on
every article holding its keyword (33 frequent words of the corpus), so each node has thousands of examples. Printed:
the phases of training, the peak RSS of this process (which does what the worker does), and the suggestion time.
"""

import cProfile
import os
import pstats
import random
import resource
import time
from collections import Counter

import benchdb

SEED = 20261207
DOCUMENTS = int(os.environ.get("SUGGEST_BENCH_DOCUMENTS", "2000"))  # fewer for a quick look
PROFILE = os.environ.get("SUGGEST_BENCH_PROFILE") == "1"  # print cProfile's view of one suggestion run
ARTICLES = 20  # per document
CATEGORIES, CHILDREN = 11, 3  # 33 subcategories
BIG_CHARS = 60_000
TRAIN_BUDGET_S = 60
SUGGEST_BUDGET_MS = 200
REPEAT = 7


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def articles() -> list[str]:
    """The demo corpus's article bodies (without their 第X条 label)."""
    from policies import structure

    text = benchdb.corpus_text()
    return [
        text[s.start + len(s.label) : s.end].strip()
        for s in structure.detect_sections(text)
        if s.kind == "article" and s.end - s.start > 20
    ]


def numeral(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n >= 100:
        return str(n)  # 第120条: Arabic numerals are headings too
    tens, ones = divmod(n, 10)
    return ("十" if tens == 1 else digits[tens] + "十") + (digits[ones] if ones else "")


def make_document(rng: random.Random, bodies: list[str], count: int, title: str) -> str:
    chosen = [rng.choice(bodies) for _ in range(count)]
    return title + "\n第一章　总则\n" + "".join(f"第{numeral(n)}条　{b}\n" for n, b in enumerate(chosen, 1))


def keywords(bodies: list[str], segmenter, n: int) -> list[str]:
    """n frequent words found in 2–30 % of the articles: what a subcategory is about."""
    from policies.text import segment

    seen = Counter(w for b in bodies for w in set(segmenter.cut(b)) if len(w) >= 2 and not segment.is_punctuation(w))
    fitting = [w for w, c in seen.most_common() if 0.02 * len(bodies) <= c <= 0.3 * len(bodies)]
    return fitting[:n]


def build():
    from django.contrib.auth import get_user_model

    from coding.models import Coding
    from framework import services as framework_services
    from policies import structure
    from policies.models import Document, Section
    from policies.services.projects import project_create
    from policies.services.segmentation import tokens_store
    from policies.text import segment

    rng = random.Random(SEED)
    owner = get_user_model().objects.create_user("owner", password="bench-pass-1")
    project = project_create(user=owner, name="建议基准")
    nodes = []
    for i in range(CATEGORIES):
        top = framework_services.node_create(project=project, name=f"维度{i + 1}")
        nodes += [
            framework_services.node_create(project=project, name=f"类目{i + 1}.{j + 1}", parent=top)
            for j in range(CHILDREN)
        ]
    bodies = articles()
    terms = segment.project_terms(project)
    words = keywords(bodies, segment.segmenter_for(terms), len(nodes))
    texts = [make_document(rng, bodies, ARTICLES, f"某市数据管理办法（第{i}号）") for i in range(DOCUMENTS)]
    big = make_document(rng, bodies, 1, "大型文件")
    while len(big) < BIG_CHARS:
        big = make_document(rng, bodies, big.count("条　") + 40, "大型文件")
    big = big[: big.rfind("\n", 0, BIG_CHARS) + 1]
    documents = Document.objects.bulk_create(benchdb.document(project, i, t) for i, t in enumerate([*texts, big]))
    sections, codings = [], []
    for document in documents:
        found = structure.detect_sections(document.text)
        sections += [
            Section(document=document, kind=s.kind, label=s.label, level=s.level, start=s.start, end=s.end)
            for s in found
        ]
        if document is documents[-1]:
            continue  # the big document is the one suggested for
        for s in found:
            if s.kind != "article":
                continue
            body = document.text[s.start : s.end]
            codings += [
                Coding(document=document, node=node, coder=owner, start=s.start, end=s.end, text=body)
                for node, word in zip(nodes, words, strict=False)
                if word in body
            ]
    Section.objects.bulk_create(sections, batch_size=5000)
    Coding.objects.bulk_create(codings, batch_size=5000)
    for i in range(0, len(documents), 200):
        tokens_store(documents=documents[i : i + 200], terms=terms, version=1)
    return project, owner, nodes, documents[-1], len(sections), len(codings)


def main() -> None:
    args = benchdb.parse_args(__doc__)
    label = benchdb.setup(args)
    from django.conf import settings

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from coding.models import NodeClassifier, SuggestionModel
    from coding.suggest import dataset, engine, services

    start = time.perf_counter()
    project, owner, nodes, big, n_sections, n_codings = build()
    print(
        f"[{label}] built {DOCUMENTS:,} documents, {n_sections:,} sections, {n_codings:,} codings "
        f"in {time.perf_counter() - start:.0f} s; RSS so far {rss_mb():.0f} MB"
    )

    phases = {}
    original_load, original_fit = dataset.load, engine.fit_vocabulary

    def timed_load(*a, **k):
        t = time.perf_counter()
        result = original_load(*a, **k)
        phases.setdefault("read and units", time.perf_counter() - t)
        return result

    def timed_fit(*a, **k):
        t = time.perf_counter()
        result = original_fit(*a, **k)
        phases["features"] = time.perf_counter() - t
        return result

    dataset.load, engine.fit_vocabulary = timed_load, timed_fit
    before = rss_mb()
    start, cpu = time.perf_counter(), time.process_time()
    model = services.model_create(project=project, user=owner, coder_ids=[owner.pk], node_ids=[n.pk for n in nodes])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    model = SuggestionModel.objects.get(pk=model.pk)
    trained = NodeClassifier.objects.filter(model=model, trained=True).count()
    units = model.summary.get("units", 0)
    print(
        f"[{label}] training {trained} of {len(nodes)} subcategories on {model.summary.get('documents')} documents "
        f"({units:,} articles): {seconds:.1f} s wall, {cpu:.1f} s CPU over {services.TRAIN_THREADS} threads "
        f"(budget < {TRAIN_BUDGET_S} s); status {model.status}, "
        f"progress {model.done}/{model.total}"
    )
    print(
        f"[{label}]   read and units {phases['read and units']:.1f} s, features {phases['features']:.1f} s "
        f"({len(model.words.split(chr(31))):,} word + {len(model.chars.split(chr(31))):,} character features), "
        f"classifiers with grouped cross-validation (3 folds beyond 10,000 units) and storing the rest"
    )
    print(
        f"[{label}]   micro P/R/F1 {model.summary['micro_precision']:.3f}/{model.summary['micro_recall']:.3f}/"
        f"{model.summary['micro_f1']:.3f}, macro F1 {model.summary['macro_f1']:.3f}"
    )
    print(f"[{label}]   peak RSS {rss_mb():.0f} MB (before training {before:.0f} MB)")

    units_of = dataset.load(project, [owner.pk], model.layer_key, documents=type(big).objects.filter(pk=big.pk))
    candidate = units_of.candidates[0]
    trained_model = services.loaded(model)

    def suggest():
        document = dataset.load(project, [owner.pk], model.layer_key, documents=type(big).objects.filter(pk=big.pk))
        return services.suggest(services.loaded(model), document.candidates[0])

    found = suggest()
    times = benchdb.timed(suggest, repeat=REPEAT)
    print(
        f"[{label}] suggestions for one {big.char_count:,}-character document ({len(candidate.units)} articles, "
        f"{len(trained_model.nodes)} classifiers, {len(found)} suggestions with explanations), read and units "
        f"included: {benchdb.summary(times)} (budget < {SUGGEST_BUDGET_MS} ms)"
    )
    times = benchdb.timed(lambda: services.suggest(trained_model, candidate), repeat=REPEAT)
    print(f"[{label}]   the scoring and explaining alone: {benchdb.summary(times)}")
    from coding.suggest import engine as suggest_engine

    times = benchdb.timed(
        lambda: trained_model.scores(suggest_engine.vectorize(trained_model.vocabulary, candidate.examples)),
        repeat=REPEAT,
    )
    print(f"[{label}]   the scoring alone (features and 33 classifiers, no explanations): {benchdb.summary(times)}")
    cpu_times = []
    for _ in range(REPEAT):
        cpu = time.process_time()
        suggest()
        cpu_times.append((time.process_time() - cpu) * 1000)
    print(
        f"[{label}]   CPU time (the machine is shared: wall time waits for the cores), read and units included: "
        f"{benchdb.summary(cpu_times)} (budget < {SUGGEST_BUDGET_MS} ms)"
    )
    cpu = time.process_time()
    services.suggest(trained_model, candidate)
    print(f"[{label}]   CPU time of the scoring and explaining alone: {(time.process_time() - cpu) * 1000:.0f} ms")
    print(f"[{label}]   load average {os.getloadavg()}")
    if PROFILE:
        profiler = cProfile.Profile()
        profiler.runcall(suggest)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    services._LOADED.clear()
    times = benchdb.timed(lambda: services.loaded(model), repeat=1)
    print(f"[{label}]   loading the model into a process (once): {times[0]:.0f} ms")
    panel(label, owner, big)


def panel(label: str, owner, document) -> None:
    """The coding page's server time, and its suggestions panel's, which htmx asks for after the page has loaded
    (the page itself holds only an empty placeholder for it)."""
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(owner)
    for name, url in (
        ("coding page", reverse("coding:workspace", args=[document.pk])),
        (
            "suggestions panel (its own request, after the page)",
            reverse("coding:suggestions-panel", args=[document.pk]),
        ),
    ):
        assert client.get(url).status_code == 200
        cpu_times = []
        for _ in range(REPEAT):
            cpu = time.process_time()
            client.get(url)
            cpu_times.append((time.process_time() - cpu) * 1000)
        print(f"[{label}] {name}: server CPU time {benchdb.summary(cpu_times)}")


if __name__ == "__main__":
    main()
