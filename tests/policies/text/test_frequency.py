"""Word frequency (policies/text/frequency.py) against a brute-force count, its options and their refusals, row
sorting, and the project loader over a scope (province, the text coded at a node and its descendants, a coder)."""

from collections import Counter
from pathlib import Path

import pytest

from policies.text import frequency, search, segment
from policies.text import query_params as text_params
from tests.factories import CodingFactory, NodeFactory

DEMO = Path(__file__).resolve().parents[3] / "demo" / "documents"
TEXT = (  # the first document of the search corpus (tests/conftest.py)
    "第一条　网信部门负责统筹协调。公共数据由数据主管部门管理！\n"
    "第二条　网信部门和公安机关依法监督；数据开放应当公平。\n附则"
)


def demo_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(DEMO.glob("*.txt"))]


def brute_force(texts: list[str], options: frequency.Options) -> tuple[Counter, Counter]:
    segmenter = segment.segmenter_for(segment.builtin_lexicon())
    counts: Counter = Counter()
    documents: Counter = Counter()
    for text in texts:
        words = [
            w
            for w in segmenter.cut(text)
            if len(w) >= options.min_length and not segment.is_punctuation(w) and not segment.is_builtin_stopword(w)
        ]
        counts.update(words)
        documents.update(set(words))
    return counts, documents


def test_word_counts_match_a_brute_force_count_over_the_demo_corpus():
    texts = demo_texts()
    segmenter = segment.segmenter_for(segment.builtin_lexicon())
    found = [segment.segment_text(t, segmenter) for t in texts]
    documents = [frequency.DocumentWords(i, f.words, f.tags, f.counts) for i, f in enumerate(found)]
    options = frequency.Options(top=1000)
    result = frequency.word_frequency(documents, options, frozenset())
    counts, in_documents = brute_force(texts, options)
    assert result.counted == sum(counts.values())
    assert result.distinct == len(counts)
    for row in result.rows:
        assert row.count == counts[row.word]
        assert row.documents == in_documents[row.word]
        assert row.percent == pytest.approx(100 * counts[row.word] / sum(counts.values()))
    assert [r.count for r in result.rows] == sorted((n for _w, n in counts.most_common(1000)), reverse=True)


def test_options_filter_by_length_part_of_speech_and_stopwords():
    segmenter = segment.segmenter_for(segment.builtin_lexicon())
    found = segment.segment_text(TEXT, segmenter)
    documents = [frequency.DocumentWords(1, found.words, found.tags, found.counts)]
    organizations = frequency.word_frequency(documents, frequency.Options(pos=("nt",)), frozenset())
    assert {r.word for r in organizations.rows} == {"网信部门", "数据主管部门", "公安机关"}
    assert organizations.rows[0].word == "网信部门"
    own = frequency.word_frequency(documents, frequency.Options(), frozenset({"网信部门"}))
    assert "网信部门" not in {r.word for r in own.rows}
    single = frequency.word_frequency(documents, frequency.Options(min_length=1, stopwords=True), frozenset())
    assert {"和", "第一条"} <= {r.word for r in single.rows} or {"和", "第一"} <= {r.word for r in single.rows}
    top = frequency.word_frequency(documents, frequency.Options(top=2), frozenset())
    assert len(top.rows) == 2


def test_rows_sort_by_word_count_or_documents():
    rows = [frequency.Row("b", 1, 10.0, 2, "n"), frequency.Row("a", 3, 30.0, 1, "n")]
    assert [r.word for r in frequency.sort_rows(rows, "word")] == ["a", "b"]
    assert [r.word for r in frequency.sort_rows(rows, "count")] == ["a", "b"]
    assert [r.word for r in frequency.sort_rows(rows, "documents")] == ["b", "a"]
    assert [r.word for r in frequency.sort_rows(rows, "-count")] == ["b", "a"]


@pytest.mark.parametrize(("params", "message"), [({"top": "x"}, "top"), ({"pos": "nouns!"}, "part of speech")])
def test_bad_options_are_refused_with_a_message(params, message):
    with pytest.raises(frequency.FrequencyError, match=message):
        text_params.frequency_options(params)


# --- the loader ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_word_frequency_over_the_project_matches_brute_force(project, owner, search_corpus):
    options = frequency.Options(top=1000)
    result = frequency.project_word_frequency(project, owner, scope=search.Scope(), options=options)
    counts, documents = brute_force([d.text for d in search_corpus], options)
    assert {r.word: (r.count, r.documents) for r in result.rows} == {w: (n, documents[w]) for w, n in counts.items()}
    only = frequency.project_word_frequency(project, owner, scope=search.Scope(province="浙江"), options=options)
    assert only.documents == 1


@pytest.mark.django_db
def test_word_frequency_of_the_text_coded_at_a_node_counts_its_descendants(project, owner, search_corpus):
    parent = NodeFactory(project=project, name="政府机构")
    child = NodeFactory(project=project, name="网信部门", parent=parent)
    start = search_corpus[0].text.index("公共数据")
    CodingFactory(document=search_corpus[0], node=child, coder=owner, start=start, end=start + 14)
    result = frequency.project_word_frequency(
        project, owner, scope=search.Scope(node=parent.pk), options=frequency.Options()
    )
    assert {r.word: r.count for r in result.rows} == {"公共数据": 1, "数据主管部门": 1, "管理": 1}
    by_coder = frequency.project_word_frequency(
        project, owner, scope=search.Scope(coder="owner"), options=frequency.Options()
    )
    assert by_coder.counted == result.counted
