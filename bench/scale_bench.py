"""A 20,000-policy project on PostgreSQL: how the heavy reads grow from 2,000 to 20,000 documents.

Run: .venv/bin/python bench/scale_bench.py [--postgres [URL]] [--small N] [--large N]   (PostgreSQL only)
Builds one project of policy-like Chinese documents (15,000 characters each: title, issuer, date, 第X章 / 第X条
articles), 60 nodes, 100 codings per document by 5 coders, with COPY so the build itself is quick; its cached
segmentations are stored as the app stores them (each article body segmented once by the app's segmenter, the
tokens of a document concatenated: jieba cuts at every line break and ideographic space, so this is the
segmentation of the whole text). It times the app's own read functions at the small size, grows the same project
to the large size, times them again and prints each figure with the growth ratio.

Budgets (issue 17 item 4, at 20,000 documents): document table filtered and paginated < 200 ms; matrix documents /
references < 1 s, characters / coverage < 3 s; framework summary < 1 s; agreement of two coders over all
documents < 5 s; word frequency over all documents < 2 s; text search for a term < 1 s; coded-segment CSV export
>= 100,000 rows/s with flat memory; .qdpx export streams. The whole bench: < 15 minutes on 2 cores.
Every figure prints the wall and CPU medians of this process (the database's own CPU is not in it), the load
average and the peak RSS so far.
"""

import argparse
import datetime
import hashlib
import io
import os
import random
import resource
import statistics
import sys
import time
import uuid

import benchdb

SEED = 20261207
DOC_CHARS = 15_000
CATEGORIES, CHILDREN = 10, 5  # 10 + 50 = 60 nodes
CODERS = 5
PASSAGES = 20  # per document, each coded by the 5 coders (with shifted boundaries): 100 codings per document
CHUNK = 500  # documents generated and copied at a time: memory stays flat while building
REPEAT = 5
COPY_SECONDS: dict[str, float] = {}  # time spent in COPY per table, for the build line
BUDGETS = {  # ms, at the large size
    "document table, filtered page (page loader)": 200,
    "document table, page 1 (page loader)": 200,
    "document table, last page (page loader)": 200,
    "document table, filtered page (API loader)": 200,
    "document table, page 1 (API loader)": 200,
    "document table, last page (API loader)": 200,
    "matrix documents": 1000,
    "matrix references": 1000,
    "matrix characters": 3000,
    "matrix coverage": 3000,
    "framework summary": 1000,
    "agreement, 2 coders, all documents": 5000,
    "word frequency, all documents": 2000,
    "text search, 4-character term": 1000,
    "text search, 2-character term": 1000,
    "text search, rare 4-character term": 1000,
    "text search, rare 2-character term": 1000,
}
ISSUERS = ["人民政府办公厅", "发展和改革委员会", "大数据发展管理局", "经济和信息化厅", "网信办", "财政厅", "科学技术厅"]
TOPICS = ["数据要素市场化配置", "公共数据开放", "政务数据共享", "数字经济发展", "数据安全管理", "智慧城市建设"]
KINDS = ["实施意见", "管理办法", "若干措施", "行动方案", "条例", "暂行规定"]
CHAPTERS = ["总则", "数据资源", "数据共享", "数据开放", "数据安全", "开发利用", "保障措施", "法律责任", "附则"]
NUMERALS = "〇一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..999 as written in article labels: 十二, 二十, 一百零五."""
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = f"{NUMERALS[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else NUMERALS[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    return out + (NUMERALS[ones] if ones else "")


# --- the corpus: pieces segmented once, documents assembled from them -----------------------------------


class Pieces:
    """Article bodies, headings and labels with their segmentation, in one vocabulary of word ids."""

    def __init__(self, rng: random.Random):
        import numpy as np

        from policies.provinces import PROVINCE_CHOICES
        from policies.text import segment

        self.segmenter = segment.segmenter_for(())
        self.vocabulary: dict[str, int] = {}
        self.words: list[str] = []
        self.tags: list[str] = []
        sentences = [
            s.strip() + "。"
            for s in benchdb.corpus_text().replace("\n", "。").split("。")
            if 12 <= len(s.strip()) <= 160 and not s.strip().startswith("第")
        ]
        provinces = [p for p in PROVINCE_CHOICES if p != "全国"]
        for province in provinces:  # sentences naming provinces, issuers and dates: what researchers search for
            for issuer in ISSUERS:
                sentences.append(
                    f"{province}{issuer}应当会同有关部门，于{rng.randint(2015, 2025)}年{rng.randint(1, 12)}月"
                    f"{rng.randint(1, 28)}日前建立{rng.choice(TOPICS)}工作机制，定期向社会公布进展情况。"
                )
        # common nouns and verbs of jieba's dictionary in templated clauses: a vocabulary as wide as a real corpus's
        lexicon = [
            line[0]
            for line in segment._jieba_dictionary_lines()
            if len(line) == 3 and 2 <= len(line[0]) <= 4 and line[2] in ("n", "vn", "v") and int(line[1]) >= 50
        ]
        for _ in range(6000):
            a, b, c = rng.sample(lexicon, 3)
            sentences.append(f"各地区应当加强{a}和{b}工作，推动{c}{rng.choice(TOPICS)}。")
        self.bodies = []
        for _ in range(4000):
            body = "".join(rng.sample(sentences, rng.randint(1, 4))) + "\n"
            self.bodies.append((body, self.segment(body)))
        self.labels = [
            (f"第{chinese_number(n)}条　", self.segment(f"第{chinese_number(n)}条　")) for n in range(1, 400)
        ]
        self.chapters = [
            (f"第{chinese_number(i + 1)}章　{name}\n", self.segment(f"第{chinese_number(i + 1)}章　{name}\n"))
            for i, name in enumerate(CHAPTERS)
        ]
        self.np = np
        self.lengths = np.zeros(0, dtype=np.int64)

    def word_lengths(self):
        """Code points of each word id (extended as new words come in)."""
        if len(self.lengths) < len(self.vocabulary):
            new = self.words[len(self.lengths) :]
            self.lengths = self.np.concatenate([self.lengths, self.np.fromiter(map(len, new), dtype=self.np.int64)])
        return self.lengths

    def segment(self, text: str):
        from policies.text import segment

        found = segment.segment_text(text, self.segmenter)
        ids = []
        for word, tag in zip(found.words, found.tags, strict=True):
            if word not in self.vocabulary:
                self.vocabulary[word] = len(self.vocabulary)
                self.words.append(word)
                self.tags.append(tag)
            ids.append(self.vocabulary[word])
        return self.np_ids(ids)[found.sequence.astype("int64")]

    @staticmethod
    def np_ids(ids):
        import numpy as np

        return np.asarray(ids, dtype=np.int64)


def make_document(number: int, rng: random.Random, pieces: Pieces, provinces: list[str]) -> dict:
    """One document: its text, attributes, articles and chapters as (kind, label, level, start, end), token ids."""
    from policies.models import IssuerType, PolicyType

    province = provinces[number % len(provinces)]
    year = rng.randint(2015, 2025)
    issuer = province + rng.choice(ISSUERS)
    title = f"{province}关于{rng.choice(TOPICS)}的{rng.choice(KINDS)}"
    day = f"{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
    header = f"{title}\n{issuer[:2]}政发〔{year}〕{number}号\n{issuer}　{day}\n"
    parts, tokens, sections = [header], [pieces.segment(header)], []
    size, article, chapter = len(header), 0, 0
    chapter_start = None
    while size < DOC_CHARS:
        if article % 12 == 0 and chapter < len(pieces.chapters):
            if chapter_start is not None:
                sections.append(("chapter", pieces.chapters[chapter - 1][0][:6].strip(), 1, chapter_start, size))
            heading, heading_tokens = pieces.chapters[chapter]
            chapter_start = size
            parts.append(heading)
            tokens.append(heading_tokens)
            size += len(heading)
            chapter += 1
        label, label_tokens = pieces.labels[article % len(pieces.labels)]
        body, body_tokens = pieces.bodies[rng.randrange(len(pieces.bodies))]
        sections.append(("article", label.strip(), 2, size, size + len(label) + len(body) - 1))
        parts += [label, body]
        tokens += [label_tokens, body_tokens]
        size += len(label) + len(body)
        article += 1
    text = "".join(parts)[:DOC_CHARS]
    sections = [(k, lab, lev, s, min(e, DOC_CHARS)) for k, lab, lev, s, e in sections if s < DOC_CHARS]
    if chapter_start is not None and chapter_start < DOC_CHARS:
        sections.append(("chapter", pieces.chapters[chapter - 1][0][:6].strip(), 1, chapter_start, DOC_CHARS))
    sequence = pieces.np.concatenate(tokens)
    lengths = pieces.word_lengths()
    return {
        "title": f"{title}（{number}）",
        "province": province,
        "issuer": issuer,
        "issuer_type": rng.choice(IssuerType.values),
        "issue_date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "doc_number": f"{issuer[:2]}政发〔{year}〕{number}号",
        "policy_type": rng.choice(PolicyType.values),
        "text": text,
        "sections": sections,
        "tokens": _cut_tokens(sequence, lengths, len(text)),
    }


def _cut_tokens(sequence, lengths, chars: int):
    """The token ids of the text cut to `chars` characters (the last article is cut at a token boundary)."""
    ends = lengths[sequence].cumsum()
    return sequence[: int((ends <= chars).sum())]


def copy_rows(cursor, table: str, columns: tuple[str, ...], rows) -> None:
    """COPY rows (tuples of str/int/None/bytes) into table, in PostgreSQL's text format."""

    def field(value) -> str:
        kind = value.__class__
        if kind is int:
            return str(value)
        if kind is str:
            return escape(value)
        if value is None:
            return r"\N"
        if kind is bytes:
            return "\\\\x" + value.hex()
        if kind is bool:
            return "t" if value else "f"
        return escape(str(value))

    def escape(text: str) -> str:  # COPY's text format
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(map(field, row)))
        buffer.write("\n")
    buffer.seek(0)
    quoted = ", ".join(f'"{c}"' for c in columns)
    started = time.perf_counter()
    cursor.copy_expert(f"COPY {table} ({quoted}) FROM STDIN", buffer)
    COPY_SECONDS[table] = COPY_SECONDS.get(table, 0.0) + time.perf_counter() - started


class Corpus:
    """The project and what grows it."""

    def __init__(self, *, reuse: bool = False):
        from django.contrib.auth import get_user_model

        from framework import services as framework_services
        from policies.models import Role
        from policies.provinces import PROVINCE_CHOICES
        from policies.services.projects import member_add, project_create

        self.rng = random.Random(SEED)
        users = get_user_model().objects
        if reuse and self._attach(users):
            return
        self.owner = users.create_user("owner", password="bench-pass-1")
        self.project = project_create(user=self.owner, name="两万件政策")
        self.coders = [users.create_user(f"coder{i}", password="bench-pass-1") for i in range(CODERS)]
        for coder in self.coders:
            member_add(project=self.project, username=coder.username, role=Role.CODER)
        self.nodes = []
        for i in range(CATEGORIES):
            top = framework_services.node_create(project=self.project, name=f"政策工具{i + 1}")
            self.nodes.append(top.pk)
            for j in range(CHILDREN):
                child = framework_services.node_create(project=self.project, name=f"工具{i + 1}.{j + 1}", parent=top)
                self.nodes.append(child.pk)
        self.provinces = [p for p in PROVINCE_CHOICES if p != "全国"]
        started = time.perf_counter()
        self.pieces = Pieces(self.rng)
        self.pieces_seconds = time.perf_counter() - started
        self.size = 0
        self.codings = 0
        self.index_seconds = self.bigram_seconds = self.bigram_index_seconds = 0.0

    def _attach(self, users) -> bool:
        """The project a previous run built (--reuse), or False when there is none."""
        from coding.models import Coding
        from policies.models import Project

        project = Project.objects.filter(name="两万件政策").first()
        if project is None:
            return False
        self.project, self.owner = project, users.get(username="owner")
        self.coders = list(users.filter(username__startswith="coder").order_by("username"))
        self.nodes = list(project.nodes.order_by("id").values_list("id", flat=True))
        self.size = project.documents.count()
        self.codings = Coding.objects.filter(document__project=project).count()
        self.pieces = None
        self.pieces_seconds = self.index_seconds = self.bigram_seconds = self.bigram_index_seconds = 0.0
        return True

    def grow(self, to: int) -> float:
        """Add documents up to `to` (with sections, codings, cached segmentations and the search index's bigram
        codes); the seconds it took."""
        from django.db import connection, transaction

        started = time.perf_counter()
        COPY_SECONDS.clear()
        self.index_seconds = self.bigram_seconds = 0.0
        with connection.cursor() as cursor:  # a bulk load drops the search indexes and builds them once at the end
            cursor.execute("DROP INDEX IF EXISTS document_text_trigram")
            cursor.execute("DROP INDEX IF EXISTS document_bigrams_codes")
        while self.size < to:
            batch = min(CHUNK, to - self.size)
            with transaction.atomic(), connection.cursor() as cursor:
                self._copy_batch(cursor.cursor, range(self.size, self.size + batch))
            self.size += batch
        index_started = time.perf_counter()
        with connection.cursor() as cursor:  # as migrations policies 0008 and 0009 make them
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute("CREATE INDEX document_text_trigram ON policies_document USING gin (text gin_trgm_ops)")
            self.index_seconds = time.perf_counter() - index_started
            index_started = time.perf_counter()
            cursor.execute("CREATE INDEX document_bigrams_codes ON policies_documentbigrams USING gin (codes)")
            self.bigram_index_seconds = time.perf_counter() - index_started
            cursor.execute("RESET maintenance_work_mem")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        return time.perf_counter() - started

    def _copy_batch(self, cursor, numbers: range) -> None:
        import numpy as np

        from policies.services import bigrams

        now = datetime.datetime.now(datetime.UTC).isoformat()
        docs = [make_document(n, self.rng, self.pieces, self.provinces) for n in numbers]
        copy_rows(
            cursor,
            "policies_document",
            (
                "project_id",
                "title",
                "original_name",
                "original",
                "file_format",
                "text",
                "char_count",
                "text_hash",
                "province",
                "issuer",
                "issuer_type",
                "issue_date",
                "doc_number",
                "policy_type",
                "attributes",
                "created_at",
                "uploaded_by_id",
                "guid",
            ),
            (
                (
                    self.project.pk,
                    d["title"],
                    f"{n}.txt",
                    "",
                    "txt",
                    d["text"],
                    len(d["text"]),
                    hashlib.sha256(d["text"].encode()).hexdigest(),
                    d["province"],
                    d["issuer"],
                    d["issuer_type"],
                    d["issue_date"],
                    d["doc_number"],
                    d["policy_type"],
                    "{}",
                    now,
                    self.owner.pk,
                    uuid.uuid4(),
                )
                for n, d in zip(numbers, docs, strict=True)
            ),
        )
        cursor.execute(
            "SELECT id FROM policies_document WHERE project_id = %s ORDER BY id DESC LIMIT %s",
            [self.project.pk, len(docs)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
        copy_rows(
            cursor,
            "policies_section",
            ("document_id", "kind", "label", "level", "start", "end"),
            ((pk, *section) for pk, d in zip(ids, docs, strict=True) for section in d["sections"]),
        )
        copy_rows(
            cursor,
            "coding_coding",
            ("document_id", "node_id", "coder_id", "start", "end", "text", "memo", "created_at", "updated_at"),
            (row for pk, d in zip(ids, docs, strict=True) for row in self._codings(pk, d["text"], now)),
        )
        words = self.pieces.words
        tags = self.pieces.tags
        rows = []
        for pk, d in zip(ids, docs, strict=True):
            distinct, sequence = np.unique(d["tokens"], return_inverse=True)
            counts = np.bincount(sequence, minlength=len(distinct)).astype(np.uint32)
            wide = len(distinct) > 65536
            rows.append(
                (
                    pk,
                    1,
                    "\x1f".join(words[i] for i in distinct),
                    " ".join(tags[i] for i in distinct),
                    counts.tobytes(),
                    sequence.astype(np.uint32 if wide else np.uint16).tobytes(),
                    wide,
                )
            )
        copy_rows(
            cursor,
            "policies_documenttokens",
            ("document_id", "version", "words", "tags", "counts", "sequence", "wide"),
            rows,
        )
        started = time.perf_counter()  # the search index's codes, as the app stores them at import
        bigrams.document_bigrams_store(documents=((pk, d["text"]) for pk, d in zip(ids, docs, strict=True)))
        self.bigram_seconds += time.perf_counter() - started

    def _codings(self, document_id: int, text: str, now: str):
        rng, seen = self.rng, set()
        for _ in range(PASSAGES):
            length = int(rng.triangular(5, 400, 40))
            start = rng.randrange(0, len(text) - length)
            node = rng.choice(self.nodes)
            for k, coder in enumerate(self.coders):
                s = start if k == 0 else max(0, start + rng.randint(-8, 8))
                e = min(len(text), max(s + 1, start + length + (0 if k == 0 else rng.randint(-8, 8))))
                at = node if rng.random() < 0.85 else rng.choice(self.nodes)
                if (at, coder.pk, s, e) in seen:
                    continue
                seen.add((at, coder.pk, s, e))
                self.codings += 1
                yield document_id, at, coder.pk, s, e, text[s:e], "", now, now


# --- measuring ---------------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(function, repeat: int = REPEAT) -> tuple[float, float]:
    """Median wall and CPU milliseconds over `repeat` calls, after one warm-up call."""
    function()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def conditions() -> str:
    return f"load {os.getloadavg()[0]:.2f}, peak RSS {peak_rss_mb():.0f} MB"


class Figures:
    def __init__(self):
        self.by_size: dict[int, dict[str, tuple[float, float]]] = {}

    def record(self, size: int, name: str, wall: float, cpu: float, note: str = "") -> None:
        self.by_size.setdefault(size, {})[name] = (wall, cpu)
        budget = BUDGETS.get(name)
        verdict = f" (budget < {budget} ms)" if budget else ""
        print(f"  [{size:>6}] {name}: wall {wall:.0f} ms, CPU {cpu:.0f} ms{verdict}{note}; {conditions()}", flush=True)

    def table(self, small: int, large: int) -> None:
        print(f"\n{'figure':<45} {small:>8} {large:>8} {'ratio':>6}  budget   (wall ms; CPU ms of this process)")
        for name, (wall, cpu) in self.by_size.get(large, {}).items():
            before = self.by_size.get(small, {}).get(name)
            if before is None:
                continue
            ratio = wall / before[0] if before[0] else float("nan")
            budget = BUDGETS.get(name)
            mark = "" if budget is None else ("ok" if wall < budget else "MISS")
            print(
                f"{name:<45} {before[0]:>8.0f} {wall:>8.0f} {ratio:>5.1f}x  {mark:<4}   CPU {before[1]:.0f} → {cpu:.0f}"
            )


def run_figures(corpus: Corpus, figures: Figures, *, qdpx: bool) -> None:
    from coding import downloads
    from coding.analysis import matrix, query_params, reliability
    from coding.exchange import qdpx as qdpx_export
    from policies import corpus as document_table
    from policies import queries
    from policies.api import DocumentSerializer
    from policies.text import frequency, search

    project, owner, size = corpus.project, corpus.owner, corpus.size
    filtered = {"province": "浙江省", "policy_type": "条例", "sort": "-issue_date", "page": "2"}

    def page_loader(params):  # what the project page's view calls (policies.views.documents._document_table_context)
        table = document_table.document_table(project, queries.document_query(params, lenient=True))
        return list(table.page), table.page.paginator.count

    def api_loader(params):  # what DocumentListApi.get calls: one page of 50, serialized
        page = document_table.documents_page(project, queries.document_query(params, lenient=False))
        return DocumentSerializer(page.object_list, many=True).data, page.paginator.count

    for name, params in (
        ("document table, filtered page (page loader)", filtered),
        ("document table, page 1 (page loader)", {}),
        ("document table, last page (page loader)", {"page": "999999999"}),
    ):
        figures.record(size, name, *measure(lambda p=params: page_loader(p)))
    last = str(-(-project.documents.count() // 50))
    for name, params in (
        ("document table, filtered page (API loader)", {**filtered, "page_size": "50"}),
        ("document table, page 1 (API loader)", {"page_size": "50"}),
        ("document table, last page (API loader)", {"page_size": "50", "page": last}),
    ):
        figures.record(size, name, *measure(lambda p=params: api_loader(p)))
    for value in ("documents", "references", "characters", "coverage"):
        params = {"value": value, "level": "2"}
        figures.record(
            size,
            f"matrix {value}",
            *measure(
                lambda p=params: matrix.load_query(project, owner, query_params.matrix_query(project, p)), repeat=2
            ),
        )
    figures.record(
        size,
        "framework summary",
        *measure(lambda: matrix.framework_summary(project, owner, query_params.matrix_query(project, {})), 2),
    )
    query = reliability.resolve(project, query_params.agreement_query({"coders": "coder0,coder1"}))
    figures.record(
        size, "agreement, 2 coders, all documents", *measure(lambda: reliability.run(project, owner, query), 2)
    )

    def word_frequency():
        return frequency.project_word_frequency(project, owner, scope=search.Scope(), options=frequency.Options())

    wall, cpu = time.perf_counter(), time.process_time()
    first = word_frequency()
    figures.record(
        size,
        "word frequency, first call after growth",
        (time.perf_counter() - wall) * 1000,
        (time.process_time() - cpu) * 1000,
        f" ({first.documents} documents, {first.distinct} distinct words)",
    )
    figures.record(size, "word frequency, all documents", *measure(word_frequency, repeat=3))
    terms = (
        ("4-character term", "数据安全"),
        ("2-character term", "数据"),
        ("rare 4-character term", "鸿蒙系统"),
        ("rare 2-character term", "鸿蒙"),
    )
    for name, term in terms:
        search_once, note = timed_search(corpus, term)
        figures.record(size, f"text search, {name}", *measure(search_once, repeat=3), f" ({term}: {note})")
    export_csv(corpus, figures, downloads)
    if qdpx:
        export_qdpx(corpus, figures, qdpx_export)


def timed_search(corpus: Corpus, term: str):
    """A text search for `term` as the page runs it (a search stopped at the time limit answers with its message),
    and what its first run found, for the printed line."""
    from policies.text import search

    parsed = search.parse_query(term)

    def search_once():
        try:
            return search.text_search(corpus.project, corpus.owner, query=parsed, scope=search.Scope())
        except search.SearchError as error:
            return error

    found = search_once()
    if isinstance(found, search.SearchError):
        return search_once, f"stopped at the {search.REGEX_SECONDS} s limit, no answer"
    truncated = ", truncated" if found.truncated else ""
    return search_once, f"{found.total} hits{truncated} in {found.document_count} docs"


def export_csv(corpus: Corpus, figures: Figures, downloads) -> None:
    """The coded-segment CSV as the download streams it: rows per second and how far memory moves meanwhile."""
    low = high = current_rss_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    response = downloads.csv_response(
        corpus.project, downloads.ExportSelection(), corpus.owner
    )  # its set-up counts too
    size = 0
    for lines, chunk in enumerate(response.streaming_content, 1):
        size += len(chunk)
        if lines % 20_000 == 0:
            rss = current_rss_mb()
            low, high = min(low, rss), max(high, rss)
    seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu
    rows = corpus.codings
    print(
        f"  [{corpus.size:>6}] coded-segment CSV export: {rows:,} rows, {size / 2**20:.0f} MB in {seconds:.1f} s = "
        f"{rows / seconds:,.0f} rows/s wall, {rows / cpu_seconds:,.0f} rows/s CPU (budget >= 100,000); RSS during "
        f"the export {low:.0f}–{high:.0f} MB; {conditions()}",
        flush=True,
    )
    figures.record(corpus.size, "CSV export (ms per 100,000 rows)", seconds * 1e8 / rows, cpu_seconds * 1e8 / rows)


def export_qdpx(corpus: Corpus, figures: Figures, qdpx_export) -> None:
    """The .qdpx export as the download writes it (to a temporary file), and how far memory moves meanwhile."""
    import tempfile
    import threading

    low = high = current_rss_mb()
    done = threading.Event()

    def watch():
        nonlocal low, high
        while not done.wait(0.5):
            rss = current_rss_mb()
            low, high = min(low, rss), max(high, rss)

    watcher = threading.Thread(target=watch)
    watcher.start()
    wall, cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryFile() as handle:
        qdpx_export.write(handle, corpus.project, corpus.owner)
        size = handle.tell()
    seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu
    done.set()
    watcher.join()
    print(
        f"  [{corpus.size:>6}] .qdpx export: {size / 2**20:.0f} MB in {seconds:.1f} s (CPU {cpu_seconds:.1f} s) = "
        f"{corpus.codings / seconds:,.0f} codings/s; RSS during the export {low:.0f}–{high:.0f} MB; {conditions()}",
        flush=True,
    )
    figures.record(corpus.size, ".qdpx export (whole project)", seconds * 1000, cpu_seconds * 1000)


def _copy_split() -> str:
    return ", ".join(f"{table.split('_', 1)[1]} {seconds:.0f} s" for table, seconds in COPY_SECONDS.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", nargs="?", const=benchdb.DEFAULT_PG, default=benchdb.DEFAULT_PG)
    parser.add_argument("--small", type=int, default=2_000)
    parser.add_argument("--large", type=int, default=20_000)
    parser.add_argument("--no-qdpx-large", action="store_true", help="time the .qdpx export at the small size only")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the figures on the project a previous run left in the database (no build, no growth ratio)",
    )
    args = parser.parse_args()
    args.sqlite = False
    started = time.perf_counter()
    label = benchdb.setup(args, keep=args.reuse)
    if label != "PostgreSQL":
        sys.exit("scale_bench runs on PostgreSQL only")
    corpus = Corpus(reuse=args.reuse)
    figures = Figures()
    if corpus.pieces is None:
        print(f"[{label}] reusing {corpus.size:,} documents, {corpus.codings:,} codings; {conditions()}", flush=True)
        run_figures(corpus, figures, qdpx=not args.no_qdpx_large)
        return
    print(
        f"[{label}] project: {CATEGORIES * (CHILDREN + 1)} nodes, {CODERS} coders; {len(corpus.pieces.bodies)} article "
        f"bodies segmented in {corpus.pieces_seconds:.1f} s; {conditions()}",
        flush=True,
    )
    for size in (args.small, args.large):
        seconds = corpus.grow(size)
        print(
            f"[{label}] built {corpus.size:,} documents × {DOC_CHARS:,} chars, {corpus.codings:,} codings, "
            f"with sections and segmentations, in {seconds:.0f} s (COPY {_copy_split()}; trigram index "
            f"{corpus.index_seconds:.0f} s; bigram codes {corpus.bigram_seconds:.0f} s + "
            f"index {corpus.bigram_index_seconds:.0f} s; the rest generating and VACUUM ANALYZE); {conditions()}",
            flush=True,
        )
        run_figures(corpus, figures, qdpx=size == args.small or not args.no_qdpx_large)
    figures.table(args.small, args.large)
    print(f"\n[{label}] whole bench: {(time.perf_counter() - started) / 60:.1f} minutes (budget < 15); {conditions()}")


if __name__ == "__main__":
    main()
