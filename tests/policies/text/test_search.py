"""Text search: KWIC offsets, regular expressions, spreading hits, whole words and headings, the project loader."""

import time
from pathlib import Path

import pytest
from django.db import connection

from coding import autocode, query_params
from policies import structure
from policies.models import DocumentBigrams, DocumentTokens
from policies.services.documents import document_import
from policies.text import search, segment
from tests.factories import DocumentFactory, NodeFactory, ProjectFactory

DEMO = Path(__file__).resolve().parents[3] / "demo" / "documents"
TEXT = (  # the first document of the search corpus (tests/conftest.py)
    "第一条　网信部门负责统筹协调。公共数据由数据主管部门管理！\n"
    "第二条　网信部门和公安机关依法监督；数据开放应当公平。\n附则"
)


# --- text search (pure) -------------------------------------------------------------------------------


def test_kwic_offsets_point_at_the_hit_in_the_stored_text():
    query = search.parse_query("网信部门 公安机关")
    hits, truncated = search.find_hits([(7, TEXT)], query)
    assert not truncated
    assert [TEXT[h.start : h.end] for h in hits] == ["网信部门", "网信部门", "公安机关"]
    left, hit, right = search.context(TEXT, hits[1].start, hits[1].end, width=5)
    assert hit == "网信部门"
    assert left == TEXT[hits[1].start - 5 : hits[1].start].replace("\n", " ")
    assert right == TEXT[hits[1].end : hits[1].end + 5]


def test_the_longest_of_overlapping_terms_wins():
    hits, _ = search.find_hits([(1, TEXT)], search.parse_query("数据 数据主管部门"))
    assert "数据主管部门" in [TEXT[h.start : h.end] for h in hits]


def test_a_regular_expression_finds_article_markers():
    hits, _ = search.find_hits([(1, TEXT)], search.parse_query(r"第[一二三]条", "regex"))
    assert [TEXT[h.start : h.end] for h in hits] == ["第一条", "第二条"]


def test_hits_outside_the_coded_spans_are_left_out():
    hits, _ = search.find_hits([(1, TEXT)], search.parse_query("网信部门"), spans={1: [(0, 20)]})
    assert len(hits) == 1


@pytest.mark.parametrize(
    ("pattern", "message"), [("(unclosed", "not valid"), ("a*", "matches empty text"), ("", "Enter a word")]
)
def test_bad_regular_expressions_are_refused_with_a_message(pattern, message):
    with pytest.raises(search.SearchError, match=message):
        search.parse_query(pattern, "regex")


def test_a_catastrophic_regular_expression_is_stopped_in_time():
    query = search.parse_query(r"(\w|\w\w)+$", "regex")
    started = time.monotonic()
    with pytest.raises(search.SearchError, match="took longer"):
        search.find_hits([(1, "数" * 80 + "！")], query, seconds=0.3)
    assert time.monotonic() - started < 5


def test_a_search_that_matches_everything_is_capped_and_says_so():
    hits, truncated = search.find_hits([(1, "数" * 100)], search.parse_query("数"), limit=10)
    assert len(hits) == 10
    assert truncated


def test_lines_sort_by_left_and_right_context():
    lines = [
        search.Line(1, 0, 1, "ab", "x", "c"),
        search.Line(1, 5, 6, "ba", "x", "b"),
    ]
    assert [line.start for line in search.sort_lines(lines, "left")] == [5, 0]  # read backwards: "ab" before "ba"
    assert [line.start for line in search.sort_lines(lines, "right")] == [5, 0]


# --- spreading a hit ----------------------------------------------------------------------------------

HIT = TEXT.index("公共数据"), TEXT.index("公共数据") + 4
ARTICLES = [(0, TEXT.index("第二条")), (TEXT.index("第二条"), TEXT.index("附则"))]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("hit", "公共数据"),
        ("sentence", "公共数据由数据主管部门管理！"),
        ("paragraph", "第一条　网信部门负责统筹协调。公共数据由数据主管部门管理！"),
        ("article", "第一条　网信部门负责统筹协调。公共数据由数据主管部门管理！\n"),
    ],
)
def test_a_hit_spreads_to_its_sentence_paragraph_or_article(mode, expected):
    start, end = search.spread(TEXT, *HIT, mode, ARTICLES)
    assert TEXT[start:end] == expected


def test_a_hit_in_no_article_spreads_to_its_paragraph():
    start = TEXT.index("附则")
    assert TEXT[slice(*search.spread(TEXT, start, start + 2, "article", ARTICLES))] == "附则"


def test_a_sentence_ends_at_a_semicolon_or_the_line():
    start = TEXT.index("公安机关")
    assert TEXT[slice(*search.spread(TEXT, start, start + 4, "sentence"))] == "第二条　网信部门和公安机关依法监督；"


# --- the loader -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_text_search_lists_hits_with_province_article_and_counts(project, owner, search_corpus):
    result = search.text_search(project, owner, query=search.parse_query("网信部门"), scope=search.Scope())
    assert result.total == 3
    assert [(line.province, line.article) for line in result.lines] == [
        ("贵州省", "第一条"),
        ("贵州省", "第二条"),
        ("浙江省", "第一条"),
    ]
    assert dict(result.per_province) == {"贵州省": 2, "浙江省": 1}
    assert result.per_document[0][3] == 2


# --- whole words, headings, the first hit of each document (issue 14, item 5) -----------------------------------

WORDS = "大数据中心和数据"


def test_whole_word_keeps_only_hits_on_word_boundaries():
    boundaries = {0, 5, 6, 8}  # 大数据中心|和|数据
    query = search.parse_query("数据", whole_word=True)
    hits, _ = search.find_hits([(1, WORDS)], query, boundaries=lambda _d, _t: boundaries)
    assert [(h.start, h.end) for h in hits] == [(6, 8)]
    loose, _ = search.find_hits([(1, WORDS)], search.parse_query("数据"))
    assert [(h.start, h.end) for h in loose] == [(1, 3), (6, 8)]
    ascending = search.find_hits([(1, WORDS)], query, boundaries=lambda _d, _t: [0, 5, 6, 8])[0]
    assert [(h.start, h.end) for h in ascending] == [(6, 8)]


def test_whole_word_uses_the_segmentation():
    segmenter = segment.segmenter_for(segment.builtin_lexicon())
    tokens = segmenter.cut(WORDS)
    assert "大数据中心" in tokens  # the premise: the lexicon keeps 大数据中心 whole
    ends = [sum(map(len, tokens[: i + 1])) for i in range(len(tokens))]
    boundaries = set(ends) | {0}
    query = search.parse_query("数据", whole_word=True)
    hits, _ = search.find_hits([(1, WORDS)], query, boundaries=lambda *_: boundaries)
    assert [WORDS[h.start - 1 : h.end] for h in hits] == ["和数据"]


def test_whole_word_without_a_segmentation_is_refused():
    with pytest.raises(search.SearchError, match="segmentation"):
        search.find_hits([(1, WORDS)], search.parse_query("数据", whole_word=True))


HEADED = "数据条例\n第一章　总则\n第一条　数据应当开放。数据应当安全。\n第二章　数据安全　第二条　数据不得泄露。"


def _headings():
    sections = [(s.start, s.kind) for s in structure.detect_sections(HEADED)]
    return search.heading_lines(HEADED, sections)


def test_heading_lines_are_the_title_and_the_chapter_headings():
    assert [HEADED[s:e] for s, e in _headings()] == ["数据条例", "第一章　总则", "第二章　数据安全　"]


@pytest.mark.parametrize("word", ["数据条例", "数据安全　"])
def test_a_hit_in_a_heading_spreads_to_no_sentence(word):
    start = HEADED.index(word)
    assert search.spread(HEADED, start, start + 2, "sentence", headings=_headings()) is None


def test_a_sentence_after_an_inline_heading_starts_after_it():
    start = HEADED.index("数据不得")
    found = search.spread(HEADED, start, start + 2, "sentence", headings=_headings())
    assert HEADED[slice(*found)] == "第二条　数据不得泄露。"


def test_a_sentence_in_an_article_is_unchanged_by_headings():
    start = HEADED.index("数据应当安全")
    found = search.spread(HEADED, start, start + 2, "sentence", headings=_headings())
    assert HEADED[slice(*found)] == "数据应当安全。"


@pytest.mark.django_db
def test_each_document_count_carries_its_first_hit(project, owner, search_corpus):
    result = search.text_search(project, owner, query=search.parse_query("网信部门"), scope=search.Scope())
    first = {row[0]: row[4] for row in result.per_document}
    assert search_corpus[0].text[slice(*first[search_corpus[0].pk])] == "网信部门"
    assert first[search_corpus[0].pk][0] == search_corpus[0].text.index("网信部门")


@pytest.mark.django_db
def test_whole_word_search_over_the_project_skips_hits_inside_longer_words(project, owner):
    text = "大数据中心和数据。"
    document_import(project=project, user=owner, filename="w.txt", data=text.encode())
    boundaries = segment.word_boundaries(project)
    whole = search.text_search(
        project, owner, query=search.parse_query("数据", whole_word=True), scope=search.Scope(), boundaries=boundaries
    )
    loose = search.text_search(project, owner, query=search.parse_query("数据"), scope=search.Scope())
    assert (loose.total, whole.total) == (2, 1)
    assert whole.lines[0].start == text.index("和数据") + 1


@pytest.mark.django_db
def test_sentence_auto_code_skips_a_hit_in_a_chapter_heading(project, coder, owner):
    document_import(project=project, user=owner, filename="h.txt", data=HEADED.encode())
    node = NodeFactory(project=project, name="安全")
    plan = autocode.plan_for_search(
        project, coder, query_params.autocode_search({"q": "数据安全", "spread": "sentence"}), node
    )
    assert plan.headings == 1
    assert plan.spans == []
    plan = autocode.plan_for_search(
        project, coder, query_params.autocode_search({"q": "数据", "spread": "sentence"}), node
    )
    texts = [HEADED[s:e] for _d, s, e in plan.spans]
    assert "数据条例" not in texts
    assert "第二章　数据安全　第二条　数据不得泄露。" not in texts
    assert "第二条　数据不得泄露。" in texts


@pytest.mark.django_db
def test_word_boundaries_read_cached_segmentations_in_chunks_and_segment_the_rest(project, owner, monkeypatch):
    texts = ["大数据中心和数据。", "数据安全和网络安全。", "公共数据由数据主管部门管理。"]
    documents = [
        document_import(project=project, user=owner, filename=f"b{i}.txt", data=t.encode())[0].document
        for i, t in enumerate(texts)
    ]
    assert DocumentTokens.objects.filter(document__in=documents).count() == 3  # cached at import
    DocumentTokens.objects.filter(document=documents[1]).delete()  # this one is segmented on the fly
    monkeypatch.setattr(segment, "WORD_BOUNDARY_CHUNK", 1)
    boundaries = segment.word_boundaries(project)
    segmenter = segment.segmenter_for(segment.project_terms(project))
    for document, text in zip(documents, texts, strict=True):
        tokens = segmenter.cut(text)
        expected = {0} | {sum(map(len, tokens[: i + 1])) for i in range(len(tokens))}
        assert set(boundaries(document.pk, text).tolist()) == expected


# --- which documents a term search reads ------------------------------------------------------------


@pytest.mark.django_db
def test_a_rare_term_reads_only_the_documents_holding_it(project):
    holding = DocumentFactory(project=project, text="第一条　鸿蒙系统的数据安全。")
    DocumentFactory(project=project, text="第一条　公共数据开放。")
    DocumentFactory(text="鸿蒙系统在另一个项目里。")  # another project's document is never read
    read = search.read_order(project.documents.all(), search.parse_query("鸿蒙系统 数据开发"))
    assert list(read.values_list("pk", flat=True)) == [holding.pk]


def _reads(project, text: str) -> list[int]:
    return list(search.read_order(project.documents.all(), search.parse_query(text)).values_list("pk", flat=True))


def _found(project, owner, text: str) -> list[tuple[int, int, int]]:
    result = search.text_search(project, owner, query=search.parse_query(text), scope=search.Scope())
    return [(line.document_id, line.start, line.end) for line in result.lines]


@pytest.mark.django_db
def test_a_common_or_one_character_term_reads_from_the_start(project, monkeypatch):
    documents = [DocumentFactory(project=project, text=f"第{i}条　数据安全管理。") for i in range(3)]
    everything = [d.pk for d in documents]
    assert _reads(project, "数") == everything  # one character: no bigram to look up
    monkeypatch.setattr(search, "RARE", 2)
    assert _reads(project, "数据") == everything
    assert _reads(project, "数据安全") == everything


@pytest.mark.django_db
def test_a_rare_two_character_term_reads_only_its_holders_on_postgresql(project, owner):
    holding = DocumentFactory(project=project, text="第一条　鸿蒙系统的数据安全。")
    other = DocumentFactory(project=project, text="第一条　公共数据开放，蒙古包和鸿雁。")  # 鸿 and 蒙, never 鸿蒙
    third = DocumentFactory(project=project, text="第二条　网络安全。")
    DocumentFactory(text="鸿蒙在另一个项目里。")
    postgres = connection.vendor == "postgresql"
    everything = [holding.pk, other.pk, third.pk]  # what SQLite reads for a two-character term
    assert _reads(project, "鸿蒙") == ([holding.pk] if postgres else everything)
    assert _reads(project, "鸿蒙 公共数据") == ([holding.pk, other.pk] if postgres else everything)  # codes, then LIKE
    assert _found(project, owner, "鸿蒙") == [(holding.pk, 4, 6)]
    assert _found(project, owner, "数据") == [(holding.pk, 9, 11), (other.pk, 6, 8)]
    if postgres:  # the index lookup turned sequential scans off for itself only
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_seqscan")
            assert cursor.fetchone() == ("on",)


@pytest.mark.django_db
def test_a_document_without_bigram_codes_is_still_read_and_found(project, owner):
    indexed = DocumentFactory(project=project, text="第一条　公共数据开放。")
    unindexed = DocumentFactory(project=project, text="第一条　鸿蒙系统。", bigrams=False)
    postgres = connection.vendor == "postgresql"
    if postgres:
        assert DocumentBigrams.objects.filter(document__project=project).count() == 1  # the indexed one only
    assert _reads(project, "鸿蒙") == ([unindexed.pk] if postgres else [indexed.pk, unindexed.pk])
    assert _found(project, owner, "鸿蒙 鸿蒙系统") == [(unindexed.pk, 4, 8)]


@pytest.mark.django_db
def test_a_term_common_in_another_project_reads_only_this_projects_holders(project, owner, monkeypatch):
    monkeypatch.setattr(search, "RARE", 2)
    elsewhere = ProjectFactory()
    for i in range(4):
        DocumentFactory(project=elsewhere, text=f"鸿蒙系统第{i}版。")
    DocumentFactory(project=project, text="第一条　公共数据开放。")
    holding = DocumentFactory(project=project, text="第二条　鸿蒙系统。")
    unindexed = DocumentFactory(project=project, text="第三条　数据安全。", bigrams=False)
    everything = [d.pk for d in project.documents.order_by("pk")]
    postgres = connection.vendor == "postgresql"
    assert _reads(project, "鸿蒙") == ([holding.pk, unindexed.pk] if postgres else everything)
    assert _found(project, owner, "鸿蒙") == [(holding.pk, 4, 6)]


@pytest.mark.django_db
def test_the_search_finds_the_same_hits_whichever_documents_it_reads(project, owner, monkeypatch):
    for i in range(4):
        DocumentFactory(project=project, text=f"第{i}条　网信部门负责数据安全。" + "数据安全" * i)
    query = search.parse_query("数据安全 网信部门")
    rare = search.text_search(project, owner, query=query, scope=search.Scope())
    monkeypatch.setattr(search, "RARE", 0)
    common = search.text_search(project, owner, query=query, scope=search.Scope())
    assert [(line.document_id, line.start, line.end) for line in rare.lines] == [
        (line.document_id, line.start, line.end) for line in common.lines
    ]
    assert (rare.total, rare.searched) == (common.total, common.searched) == (4 * 2 + 6, 4)
