"""Text analytics speed: segmentation at import, re-segmentation, word frequency and text search.

Run: .venv/bin/python bench/text_bench.py [--postgres [URL]] (default: a temporary SQLite database).
Budgets (issue "Chinese text analytics"):
- segmentation at import: at least 90% of the bare segmenter's throughput on the same text (jieba alone: yardstick)
- re-segmenting 2,000 documents (60 M characters) after a dictionary change: under 60 s, progress shown, app usable
- word frequency over 2,000 documents (40 MB of text), cached segmentation: under 1 s; with a node scope: under 2 s
- text search over the same corpus: under 1 s for a term, under 3 s for a regular expression
"""

import logging
import random
import threading
import time

import benchdb

DOCUMENTS = 2000
RESEGMENT_CHARS = 30_000  # x 2,000 = 60 M characters
QUERY_CHARS = 6_700  # x 2,000 = 13.4 M characters = 40 MB of UTF-8
IMPORT_SAMPLE = 200  # documents of RESEGMENT_CHARS for the import throughput


def make_texts(n: int, length: int, seed: int) -> list[str]:
    """Policy-like documents: paragraphs of the demo corpus in a random order, each document unique."""
    paragraphs = [p for p in benchdb.corpus_text().split("\n") if p.strip()]
    rng = random.Random(seed)
    texts = []
    for i in range(n):
        parts, size = [f"测试文件第{i}号"], 0
        while size < length:
            paragraph = rng.choice(paragraphs)
            parts.append(paragraph)
            size += len(paragraph) + 1
        texts.append("\n".join(parts)[:length])
    return texts


def insert_documents(project, user, texts: list[str]) -> list:
    from policies.models import Document
    from policies.services.bigrams import document_bigrams_store
    from policies.services.documents import _store_sections

    documents = [
        benchdb.document(
            project,
            i,
            text,
            title=f"文件{i}",
            province=["北京市", "上海市", "浙江省", "贵州省"][i % 4],
            uploaded_by=user,
        )
        for i, text in enumerate(texts)
    ]
    created = []
    for i in range(0, len(documents), 100):
        created += Document.objects.bulk_create(documents[i : i + 100])
    for document in created:
        _store_sections(document)
    document_bigrams_store(documents=((d.pk, d.text) for d in created))  # the search index, as an import stores it
    return created


def rate(chars: int, seconds: float) -> str:
    return f"{chars / seconds / 1e6:.2f} M chars/s"


def bench_import(label: str, project, user) -> None:
    import jieba
    from django.db import transaction

    from policies.models import DocumentTokens
    from policies.services.segmentation import tokens_store
    from policies.text import segment

    jieba.setLogLevel(logging.WARNING)
    texts = make_texts(IMPORT_SAMPLE, RESEGMENT_CHARS, seed=1)
    chars = sum(map(len, texts))
    terms = segment.project_terms(project)
    segmenter = segment.segmenter_for(terms)
    reference = jieba.Tokenizer()
    reference.initialize()
    for term in terms:
        reference.add_word(term.word, term.frequency, term.tag or None)
    tokens_store(documents=[], terms=terms, version=1)
    segment.segment_text(texts[0], segmenter)  # load jieba's tag table once, as a running worker has
    sample = texts[:20]
    sample_chars = sum(map(len, sample))
    start = time.perf_counter()
    for text in sample:
        reference.lcut(text)
    jieba_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for text in texts:
        segmenter.engine.cut(text)
    bare = time.perf_counter() - start
    start = time.perf_counter()
    for text in texts:
        segmenter.cut(text)
    cut = time.perf_counter() - start
    documents = insert_documents(project, user, texts)
    start = time.perf_counter()
    with transaction.atomic():
        for i in range(0, len(documents), 50):
            tokens_store(documents=documents[i : i + 50], terms=terms, version=1)
    stored = time.perf_counter() - start
    assert DocumentTokens.objects.filter(document__project=project).count() == IMPORT_SAMPLE
    jieba_rate = sample_chars / jieba_seconds
    print(f"[{label}] segmentation at import, {IMPORT_SAMPLE} documents x {RESEGMENT_CHARS} chars:")
    print(f"    jieba alone (the yardstick):          {rate(sample_chars, jieba_seconds)}")
    print(f"    rjieba engine, bare cut:              {rate(chars, bare)}")
    print(f"    segment.cut (jieba-identical tokens): {rate(chars, cut)}")
    print(
        f"    segment + encode + store in the DB:   {rate(chars, stored)} = "
        f"{chars / stored / jieba_rate:.1f}x jieba alone, {bare / stored:.0%} of the bare engine (budget >= 90%)"
    )


def bench_resegment(label: str, project, user) -> None:
    from policies.models import Segmentation
    from policies.services.segmentation import dictionary_term_add, segmentation_run
    from policies.text import frequency, search

    texts = make_texts(DOCUMENTS, RESEGMENT_CHARS, seed=2)
    insert_documents(project, user, texts)
    chars = sum(map(len, texts))
    Segmentation.objects.get_or_create(project=project)
    segmentation_run(project_id=project.pk, version=1)  # the cache as import leaves it
    from django.test.utils import override_settings

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        dictionary_term_add(project=project, word="数据二十条", tag="n")  # queued, not run
    version = Segmentation.objects.get(project=project).version
    seen: list[str] = []
    query_times: list[float] = []
    finished = threading.Event()

    def watch() -> None:
        from django.db import connection

        while not finished.wait(3):
            state = Segmentation.objects.get(project=project)
            start = time.perf_counter()
            frequency.project_word_frequency(project, user, scope=search.Scope(), options=frequency.Options())
            query_times.append(time.perf_counter() - start)
            seen.append(f"{state.done}/{state.total}")
        connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    start = time.perf_counter()
    done = segmentation_run(project_id=project.pk, version=version)
    elapsed = time.perf_counter() - start
    finished.set()
    watcher.join()
    print(
        f"[{label}] re-segment {done} documents ({chars / 1e6:.0f} M chars) after a dictionary edit: {elapsed:.1f} s "
        f"= {rate(chars, elapsed)} (budget < 60 s)"
    )
    print(f"    progress seen every 3 s: {', '.join(seen)}")
    if query_times:
        worst = max(query_times) * 1000
        print(f"    word frequency served meanwhile: max {worst:.0f} ms over {len(query_times)} queries")


def bench_queries(label: str, project, user) -> None:
    from coding.models import Coding
    from framework.models import Node
    from policies.models import Segmentation
    from policies.services.segmentation import segmentation_run
    from policies.text import frequency, search

    texts = make_texts(DOCUMENTS, QUERY_CHARS, seed=3)
    documents = insert_documents(project, user, texts)
    Segmentation.objects.get_or_create(project=project)
    segmentation_run(project_id=project.pk, version=1)
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    parent = Node.objects.create(project=project, name="政府机构")
    child = Node.objects.create(project=project, name="网信部门", parent=parent)
    rng = random.Random(4)
    codings = []
    for document in documents:
        for _ in range(5):
            start = rng.randrange(0, QUERY_CHARS - 600)
            node = child if rng.random() < 0.5 else parent
            end = start + rng.randrange(50, 600)
            codings.append(
                Coding(document=document, node=node, coder=user, start=start, end=end, text=document.text[start:end])
            )
    Coding.objects.bulk_create(codings, batch_size=500, ignore_conflicts=True)
    print(f"[{label}] corpus for queries: {DOCUMENTS} documents, {megabytes:.1f} MB of text, {len(codings)} codings")

    def word_frequency(scope):
        return lambda: frequency.project_word_frequency(project, user, scope=scope, options=frequency.Options())

    result = frequency.project_word_frequency(project, user, scope=search.Scope(), options=frequency.Options())
    assert result.documents == DOCUMENTS, result.documents
    times = benchdb.timed(word_frequency(search.Scope()), repeat=5)
    print(f"    word frequency, all documents, top 100:    {benchdb.summary(times)} (budget < 1 s)")
    times = benchdb.timed(word_frequency(search.Scope(province="浙江省")), repeat=5)
    print(f"    word frequency, one province:              {benchdb.summary(times)}")
    times = benchdb.timed(word_frequency(search.Scope(node=parent.pk)), repeat=5)
    print(f"    word frequency, node scope (+descendants): {benchdb.summary(times)} (budget < 2 s)")

    def text_search(text: str, mode: str):
        query = search.parse_query(text, mode)
        return lambda: search.text_search(project, user, query=query, scope=search.Scope())

    found = search.text_search(project, user, query=search.parse_query("网信部门"), scope=search.Scope())
    times = benchdb.timed(text_search("网信部门", "terms"), repeat=5)
    print(f"    text search, one term ({found.total} hits):     {benchdb.summary(times)} (budget < 1 s)")
    times = benchdb.timed(text_search("网信部门 公安机关 数据主管部门", "terms"), repeat=5)
    print(f"    text search, three terms:                  {benchdb.summary(times)} (budget < 1 s)")
    pattern = r"(?:网信|公安|数据主管)部门[^。；]{0,15}(?:负责|监督|统筹)"
    found = search.text_search(project, user, query=search.parse_query(pattern, "regex"), scope=search.Scope())
    times = benchdb.timed(text_search(pattern, "regex"), repeat=5)
    print(f"    text search, regex ({found.total} hits):        {benchdb.summary(times)} (budget < 3 s)")


def bench_sections() -> None:
    """Heading detection on a 60,000-character regulation (10 chapters x 100 articles, repeated)."""
    from policies.structure import detect_sections

    article = "第{}条　为了规范数据处理活动，保障数据安全，促进数据开发利用，制定本条例。本条例第三条另有规定的除外。\n"
    numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
    parts = []
    for chapter_number in numerals:
        parts.append(f"第{chapter_number}章　总则　　")  # the first article on the chapter's line, as legal databases
        parts.extend(article.format(n) for n in numerals * 10)
    text = "".join(parts)
    text = (text * (60_000 // len(text) + 1))[:60_000]
    times = benchdb.timed(lambda: detect_sections(text), repeat=20)
    print(f"heading detection, 60,000 characters: {benchdb.summary(times)} (budget < 10 ms)")


def main() -> None:
    args = benchdb.parse_args(__doc__)
    label = benchdb.setup(args)
    bench_sections()
    from django.contrib.auth import get_user_model

    from policies.services.projects import project_create

    user = get_user_model().objects.create_user("bench", password="bench-pass-1")
    bench_import(label, project_create(user=user, name="import"), user)
    bench_resegment(label, project_create(user=user, name="resegment"), user)
    bench_queries(label, project_create(user=user, name="queries"), user)


if __name__ == "__main__":
    main()
