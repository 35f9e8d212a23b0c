"""Text search indexes compared on the scale bench's corpus (issue 17 item 4): pg_trgm's GIN index on the document
text (migration policies 0008) against the bigram codes table under a GIN index (policies.models.DocumentBigrams,
migration 0009).

Run: .venv/bin/python bench/ngram_bench.py [--postgres URL] [--documents N] [--reuse]   (PostgreSQL only)
Builds N documents as bench/scale_bench.py does (or, with --reuse, takes the project a previous run left), then for
each index: its build time (per 1,000 documents), its size, each term's lookup in the database (EXPLAIN ANALYZE of
the query the search runs) and the whole search (policies.text.search.text_search; for pg_trgm with the read order
the app had before the bigram index), and the cost it adds to each imported document.
"""

import argparse
import json
import operator
import os
import sys
import time
from functools import reduce

import benchdb
import scale_bench

TERMS = (
    ("common 2-character", "数据"),
    ("rare 2-character", "鸿蒙"),
    ("common 3-character", "大数据"),
    ("rare 3-character", "鸿蒙系"),
    ("common 4-character", "数据安全"),
    ("rare 4-character", "鸿蒙系统"),
    ("uncommon 6-character", "贵州省财政厅"),
)
IMPORTS = 100  # documents inserted to price each index's upkeep


def sql(statement: str, params=()):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def mb(relation: str) -> str:
    return f"{sql('SELECT pg_total_relation_size(%s)', [relation])[0][0] / 2**20:.0f} MB"


def explain(statement: str, params) -> tuple[float, str]:
    """Execution time (ms) and the plan's node types, from EXPLAIN ANALYZE."""
    plan = sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params)[0][0]
    plan = plan if isinstance(plan, list) else json.loads(plan)

    def nodes(node):
        yield node.get("Node Type") + (f" on {node['Index Name']}" if "Index Name" in node else "")
        for child in node.get("Plans", []):
            yield from nodes(child)

    return plan[0]["Execution Time"], " > ".join(nodes(plan[0]["Plan"]))


def trigram_read_order(documents, query):
    """The read order of text search before the bigram index: LIKE on the trigram index, for 3+ characters only."""
    from django.db.models import Q

    from policies.text import search

    if query.mode != "terms" or min(map(len, query.terms)) < search.TRIGRAM:
        return documents.order_by("pk")
    holding = documents.filter(reduce(operator.or_, (Q(text__contains=term) for term in query.terms)))
    found = list(holding.order_by().values_list("pk", flat=True)[: search.RARE + 1])
    return documents.filter(pk__in=found).order_by("pk") if len(found) <= search.RARE else documents.order_by("pk")


def bigram_read_order(documents, query):
    """(b) alone: the bigram codes for every term of two characters or more (no trigram index)."""
    from policies.text import search

    if query.mode != "terms" or min(map(len, query.terms)) < 2:
        return documents.order_by("pk")
    found = search._indexed_holders(documents, query.terms)
    return documents.filter(pk__in=found).order_by("pk") if len(found) <= search.RARE else documents.order_by("pk")


def searches(corpus, label: str) -> None:
    for name, term in TERMS:
        run, note = scale_bench.timed_search(corpus, term)
        wall, cpu = scale_bench.measure(run, repeat=3)
        print(f"  {label} text_search {name} {term}: wall {wall:.0f} ms, CPU {cpu:.0f} ms ({note})", flush=True)


def trigram(corpus, size: int) -> None:
    print(f"\n(a) pg_trgm GIN on policies_document.text; {scale_bench.conditions()}", flush=True)
    sql("DROP INDEX IF EXISTS document_text_trigram")
    started = time.perf_counter()
    sql("SET maintenance_work_mem = '512MB'")
    sql("CREATE INDEX document_text_trigram ON policies_document USING gin (text gin_trgm_ops)")
    sql("RESET maintenance_work_mem")
    seconds = time.perf_counter() - started
    print(
        f"  build {seconds:.1f} s = {seconds * 1000 / size:.1f} s per 1,000 documents "
        f"(~{seconds * 20_000 / size:.0f} s at 20,000, build time ~linear); index {mb('document_text_trigram')}",
        flush=True,
    )
    sql("ANALYZE policies_document")
    for name, term in TERMS:
        ms, plan = explain(
            "SELECT id FROM policies_document WHERE project_id = %s AND text LIKE %s LIMIT 501",
            [corpus.project.pk, f"%{term}%"],
        )
        count = sql(
            "SELECT count(*) FROM policies_document WHERE project_id = %s AND text LIKE %s",
            [corpus.project.pk, f"%{term}%"],
        )[0][0]
        print(f"  LIKE {name} {term}: {ms:.0f} ms, {count} documents hold it; plan {plan}", flush=True)
    from policies.text import search

    app_order = search.read_order
    search.read_order = trigram_read_order
    try:
        searches(corpus, "(a)")
    finally:
        search.read_order = app_order


def bigram(corpus, size: int) -> None:
    from django.db import transaction

    from policies import ngrams
    from policies.services import bigrams
    from policies.text import search

    print(f"\n(b) bigram codes table under GIN (codes @> term's codes); {scale_bench.conditions()}", flush=True)
    sql("DROP INDEX IF EXISTS document_bigrams_codes")
    sql("TRUNCATE policies_documentbigrams")
    started = time.perf_counter()
    cpu = time.process_time()
    bigrams.document_bigrams_backfill()
    fill, fill_cpu = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    sql("SET maintenance_work_mem = '512MB'")
    sql("CREATE INDEX document_bigrams_codes ON policies_documentbigrams USING gin (codes)")
    sql("RESET maintenance_work_mem")
    index = time.perf_counter() - started
    rows, codes = sql("SELECT count(*), sum(cardinality(codes)) FROM policies_documentbigrams")[0]
    print(
        f"  codes (read texts, numpy, COPY; the app's backfill) {fill:.1f} s (CPU here {fill_cpu:.1f} s) + GIN "
        f"{index:.1f} s = {(fill + index) * 1000 / size:.1f} s per 1,000 documents "
        f"(~{(fill + index) * 20_000 / size:.0f} s at 20,000, build time ~linear); {codes / rows:.0f} codes per "
        f"document; table with its indexes {mb('policies_documentbigrams')} (heap and TOAST "
        f"{sql('SELECT pg_table_size(%s)', ['policies_documentbigrams'])[0][0] / 2**20:.0f} MB), "
        f"index {mb('document_bigrams_codes')}",
        flush=True,
    )
    sql("VACUUM ANALYZE policies_documentbigrams")

    for name, term in TERMS:
        statement = "SELECT document_id FROM policies_documentbigrams WHERE codes @> %s::int4[]"
        codes = [ngrams.term_codes(term)]
        free, free_plan = explain(statement, codes)
        with transaction.atomic():
            sql("SET LOCAL enable_seqscan = off")
            ms, plan = explain(statement, codes)
        wall, cpu = scale_bench.measure(lambda t=term: search.bigram_holders("default", [t]))
        count = len(search.bigram_holders("default", [term]))
        print(
            f"  codes @> {name} {term}: {count} candidate documents; as the app asks (seq scan off) {ms:.1f} ms, "
            f"plan {plan}; bigram_holders wall {wall:.1f} ms, CPU {cpu:.1f} ms; the planner's own choice "
            f"{free:.1f} ms, plan {free_plan}",
            flush=True,
        )
    ms, plan = explain(
        "SELECT d.id FROM policies_document d LEFT JOIN policies_documentbigrams b ON b.document_id = d.id "
        "WHERE d.project_id = %s AND b.document_id IS NULL LIMIT 501",
        [corpus.project.pk],
    )
    print(f"  documents without codes (none here): {ms:.0f} ms; plan {plan}", flush=True)
    app_order = search.read_order
    search.read_order = bigram_read_order
    try:
        searches(corpus, "(b) alone")
    finally:
        search.read_order = app_order
    searches(corpus, "(c) the app: bigrams for 2 characters, trigrams for 3+")


def upkeep(corpus) -> None:
    """What each index adds to importing a document: IMPORTS documents inserted with and without the trigram index,
    and their codes stored with the bigram index in place (its pending list flushed on the way, as imports do)."""
    from django.db import transaction

    from policies.services import bigrams

    texts = [
        (text + f"\n附件{i}", title)
        for i, (text, title) in enumerate(
            sql("SELECT text, title FROM policies_document ORDER BY id LIMIT %s", [IMPORTS])
        )
    ]

    def insert() -> list[int]:
        ids = []
        for text, title in texts:
            ids.append(
                sql(
                    "INSERT INTO policies_document (project_id, title, original_name, original, file_format, text, "
                    "char_count, text_hash, province, issuer, issuer_type, doc_number, policy_type, attributes, "
                    "created_at, guid) VALUES (%s, %s, 'x.txt', '', 'txt', %s, %s, md5(random()::text), '', '', '', "
                    "'', '', '{}', now(), gen_random_uuid()) RETURNING id",
                    [corpus.project.pk, title, text, len(text)],
                )[0][0]
            )
        return ids

    print(f"\nupkeep: {IMPORTS} documents inserted in one transaction, rolled back; {scale_bench.conditions()}")
    timings = {}
    for name, drop in (("with the trigram index", False), ("without it", True)):
        with transaction.atomic():
            if drop:
                sql("DROP INDEX document_text_trigram")
            started = time.perf_counter()
            ids = insert()
            timings[name] = (time.perf_counter() - started) * 1000 / IMPORTS
            if not drop:
                started = time.perf_counter()
                bigrams.document_bigrams_store(documents=zip(ids, (t for t, _ in texts), strict=True))
                timings["bigram codes stored, GIN in place"] = (time.perf_counter() - started) * 1000 / IMPORTS
            transaction.set_rollback(True)
    trigram_cost = timings["with the trigram index"] - timings["without it"]
    print(
        f"  insert per document: {timings['with the trigram index']:.1f} ms with the trigram index, "
        f"{timings['without it']:.1f} ms without: the trigram index costs {trigram_cost:.1f} ms per document; "
        f"the bigram codes cost {timings['bigram codes stored, GIN in place']:.1f} ms per document (codes + COPY + "
        f"GIN pending list)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    default = "postgres://postgres@127.0.0.1:5432/pc_ngram_bench"
    parser.add_argument("--postgres", nargs="?", const=default, default=default)
    parser.add_argument("--documents", type=int, default=2_000)
    parser.add_argument("--reuse", action="store_true", help="the project a previous run left (grown to N if smaller)")
    args = parser.parse_args()
    args.sqlite = False
    if benchdb.setup(args, keep=args.reuse) != "PostgreSQL":
        sys.exit("ngram_bench runs on PostgreSQL only")
    print(f"[PostgreSQL] load average {os.getloadavg()}", flush=True)
    corpus = scale_bench.Corpus(reuse=args.reuse)
    if corpus.size < args.documents:
        if corpus.pieces is None:
            sys.exit("--reuse grows no project: run without it")
        seconds = corpus.grow(args.documents)
        print(
            f"built {corpus.size:,} documents in {seconds:.0f} s (as scale_bench builds them: trigram index "
            f"{corpus.index_seconds:.0f} s, bigram codes {corpus.bigram_seconds:.0f} s + index "
            f"{corpus.bigram_index_seconds:.0f} s); {scale_bench.conditions()}",
            flush=True,
        )
    size = corpus.size
    print(f"{size:,} documents × {scale_bench.DOC_CHARS:,} characters; text {mb('policies_document')}", flush=True)
    trigram(corpus, size)
    bigram(corpus, size)
    upkeep(corpus)


if __name__ == "__main__":
    main()
