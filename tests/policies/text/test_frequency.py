"""Word frequency (policies/text/frequency.py): counts against a brute-force count, its options and their refusals,
row sorting, the project loader over a scope (province, the text coded at a node and its descendants, a coder), and
the whole-corpus running sums: they equal a recount after every change, and a change touches only the documents it
concerns."""

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from policies.models import CorpusWords, CountedDocument, DictionaryTerm, DocumentTokens, Segmentation
from policies.services.documents import document_delete, document_import
from policies.services.segmentation import segmentation_run, stopwords_set, tokens_store
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


# --- the whole-corpus running sums -----------------------------------------------------------------

TEXTS = (
    "第一条　网信部门负责统筹协调。公共数据由数据主管部门管理！\n"
    "第二条　网信部门和公安机关依法监督；数据开放应当公平。",
    "第一条　本省网信部门负责数据安全。\n第二条　数据安全管理制度由省人民政府制定。",
    "为了促进数据开发利用，保障数据安全，制定本条例。数据开发利用应当公平。",
)
OPTIONS = frequency.Options(top=1000, min_length=1, stopwords=True)


# --- the sums (pure) ---------------------------------------------------------------------------------


def test_sums_after_adding_and_taking_out_equal_a_recount():
    documents = [
        frequency.DocumentWords(1, ["数据", "安全"], ["n", "a"], np.array([3, 1], np.uint32)),
        frequency.DocumentWords(2, ["安全", "管理"], ["a", "vn"], np.array([2, 5], np.uint32)),
        frequency.DocumentWords(3, ["数据"], ["n"], np.array([4], np.uint32)),
    ]
    totals = frequency.Totals()
    shares = [totals.add(d.words, d.tags, d.counts) for d in documents]
    totals.remove(shares[1], documents[1].counts)
    kept = [documents[0], documents[2]]
    expected = frequency.word_frequency(kept, OPTIONS, frozenset())
    found = frequency.frequency_of_totals(totals, OPTIONS, frozenset())
    assert found.rows == expected.rows
    assert (found.counted, found.distinct, found.documents) == (8, 2, 2)
    assert totals.words == ["数据", "安全", "管理"]  # a word taken out keeps its place, at zero


def test_a_document_without_words_is_not_counted():
    totals = frequency.Totals()
    ids = totals.add([], [], np.zeros(0, np.uint32))
    assert totals.counted == 0
    totals.remove(ids, np.zeros(0, np.uint32))
    assert totals.counted == 0


# --- the sums over a project -------------------------------------------------------------------------


def recount(project, owner):
    found, _pending = frequency.scope_words(project, owner, search.Scope())
    return frequency.word_frequency(found, OPTIONS, segment.project_stopwords(project))


def corpus_frequency(project, owner):
    return frequency.project_word_frequency(project, owner, scope=search.Scope(), options=OPTIONS)


def as_table(result):
    return ({(r.word, r.count, r.documents, r.tag) for r in result.rows}, result.counted, result.documents)


def add(project, owner, i):
    outcome = document_import(project=project, user=owner, filename=f"{i}.txt", data=TEXTS[i].encode())
    return outcome[0].document


@pytest.mark.django_db
def test_corpus_sums_equal_a_recount_after_adding_deleting_and_resegmenting(project, owner):
    first, second = add(project, owner, 0), add(project, owner, 1)
    assert as_table(corpus_frequency(project, owner)) == as_table(recount(project, owner))
    assert CountedDocument.objects.filter(project=project).count() == 2

    third = add(project, owner, 2)
    assert as_table(corpus_frequency(project, owner)) == as_table(recount(project, owner))

    document_delete(document=second)
    result = corpus_frequency(project, owner)
    assert as_table(result) == as_table(recount(project, owner))
    assert result.documents == 2
    assert "省人民政府" not in {r.word for r in result.rows}

    DictionaryTerm.objects.create(project=project, word="数据开发利用", frequency=100000, tag="n")
    tokens_store(documents=[third], terms=segment.project_terms(project), version=2)
    result = corpus_frequency(project, owner)
    assert as_table(result) == as_table(recount(project, owner))
    assert ("数据开发利用", 2, 1, "n") in as_table(result)[0]
    assert set(CountedDocument.objects.filter(project=project).values_list("document_id", "version")) == {
        (first.pk, 1),
        (third.pk, 2),
    }


@pytest.mark.django_db
def test_a_resegmentation_in_the_worker_brings_the_sums_up_to_date_before_anyone_asks(project, owner):
    first, second = add(project, owner, 0), add(project, owner, 2)  # the third text holds 数据开发利用
    corpus_frequency(project, owner)
    DictionaryTerm.objects.create(project=project, word="数据开发利用", frequency=100000, tag="n")
    Segmentation.objects.filter(project=project).update(version=2)
    assert segmentation_run(project_id=project.pk, version=2, worker="worker-a") == 2
    # no word-frequency request since: the worker counted the new segmentations in
    assert set(CountedDocument.objects.filter(project=project).values_list("document_id", "version")) == {
        (first.pk, 2),
        (second.pk, 2),
    }
    sums = CorpusWords.objects.get(project=project)
    assert "数据开发利用" in sums.words.split("\x1f")
    assert as_table(corpus_frequency(project, owner)) == as_table(recount(project, owner))


@pytest.mark.django_db
def test_a_new_document_adds_its_share_and_leaves_the_others_alone(project, owner):
    first = add(project, owner, 0)
    corpus_frequency(project, owner)
    share = CountedDocument.objects.get(document_id=first.pk)
    add(project, owner, 1)
    corpus_frequency(project, owner)
    again = CountedDocument.objects.get(document_id=first.pk)
    assert (again.pk, bytes(again.ids), bytes(again.counts)) == (share.pk, bytes(share.ids), bytes(share.counts))
    assert CountedDocument.objects.filter(project=project).count() == 2


@pytest.mark.django_db
def test_documents_not_segmented_yet_are_pending_and_not_counted(project, owner):
    add(project, owner, 0)
    second = add(project, owner, 1)
    DocumentTokens.objects.filter(document=second).delete()
    result = corpus_frequency(project, owner)
    assert (result.documents, result.pending) == (1, 1)
    assert as_table(result) == as_table(recount(project, owner))


@pytest.mark.django_db
def test_stopwords_and_options_apply_to_the_sums_at_query_time(project, owner):
    add(project, owner, 0)
    add(project, owner, 2)
    options = frequency.Options(top=3, min_length=2)
    stopwords_set(project=project, text="网信部门")
    found = frequency.project_word_frequency(project, owner, scope=search.Scope(), options=options)
    scoped, _pending = frequency.scope_words(project, owner, search.Scope())
    expected = frequency.word_frequency(scoped, options, segment.project_stopwords(project))
    assert [(r.word, r.count) for r in found.rows] == [(r.word, r.count) for r in expected.rows]
    assert "网信部门" not in {r.word for r in found.rows}
    assert found.counted == expected.counted


@pytest.mark.django_db
def test_the_sums_start_afresh_when_every_document_is_gone(project, owner):
    document = add(project, owner, 0)
    corpus_frequency(project, owner)
    document_delete(document=document)
    result = corpus_frequency(project, owner)
    assert (result.rows, result.counted, result.documents) == ([], 0, 0)
    state = CorpusWords.objects.get(project=project)
    assert (state.words, state.counted) == ("", 0)
    assert not CountedDocument.objects.filter(project=project).exists()
