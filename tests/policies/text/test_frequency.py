"""The whole-corpus word frequency from running sums: the sums equal a recount after every change, and a change
touches only the documents it concerns."""

import numpy as np
import pytest

from policies.models import CorpusWords, CountedDocument, DictionaryTerm, DocumentTokens, Segmentation
from policies.services.documents import document_delete, document_import
from policies.services.segmentation import segmentation_run, stopwords_set, tokens_store
from policies.text import frequency, search, segment

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


# --- the loader ----------------------------------------------------------------------------------------


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
