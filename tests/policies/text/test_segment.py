"""Segmentation with the project dictionary: jieba's tokens, the policy lexicon, stopwords, the cache at import."""

import logging
from collections import Counter
from pathlib import Path

import jieba
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.models import DocumentTokens, Segmentation
from policies.services.documents import document_import
from policies.services.segmentation import dictionary_import, dictionary_term_add, dictionary_term_remove, stopwords_set
from policies.text import segment
from tests.factories import DocumentFactory

jieba.setLogLevel(logging.WARNING)
DEMO = Path(__file__).resolve().parents[3] / "demo" / "documents"
EXTRA = (segment.Term("数据二十条", 3, "n"), segment.Term("首席数据官", 5, "nr"), segment.Term("COVID-19", 2, "eng"))


@pytest.fixture(scope="module")
def reference():
    """jieba itself, holding the same dictionary: the standard the engine must match token for token."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for term in segment.builtin_lexicon() + EXTRA:
        tokenizer.add_word(term.word, term.frequency, term.tag or None)
    return tokenizer


def demo_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(DEMO.glob("*.txt"))]


def test_tokens_are_identical_to_jieba_with_the_project_dictionary_on_the_demo_corpus(reference):
    segmenter = segment.segmenter_for(segment.builtin_lexicon() + EXTRA)
    texts = demo_texts()
    assert sum(map(len, texts)) > 20_000
    for text in texts:
        assert segmenter.cut(text) == list(reference.cut(text))


@settings(max_examples=1000, deadline=None)
@given(
    st.text(
        alphabet=list("数据开放共享公共平台网信部门第一条的和。，；！？ \n\u3000ab12-.%#&_+ＡＢ１—（）《》:年月日"),
        max_size=40,
    )
)
def test_tokens_are_identical_to_jieba_on_mixed_scripts_and_punctuation(reference, text):
    assert segment.segmenter_for(segment.builtin_lexicon() + EXTRA).cut(text) == list(reference.cut(text))


@pytest.mark.parametrize("text", ["条条条11", "层层层层落实", "研究研究研究", "第一条条条"])
def test_runs_of_repeated_characters_are_cut_as_jieba_cuts_them(reference, text):
    assert segment.segmenter_for(segment.builtin_lexicon() + EXTRA).cut(text) == list(reference.cut(text))


def test_tokens_cover_the_text_so_offsets_are_running_sums():
    text = demo_texts()[0]
    found = segment.segment_text(text, segment.segmenter_for(segment.builtin_lexicon()))
    starts, ends = segment.token_offsets(found.words, found.sequence)
    assert all(text[s:e] == found.words[i] for s, e, i in zip(starts, ends, found.sequence, strict=True))
    assert ends[-1] == len(text)


def test_the_policy_lexicon_keeps_policy_terms_whole():
    words = {t.word for t in segment.builtin_lexicon()}
    assert len(words) >= 150
    assert {"数据开放", "政务数据", "数据主管部门", "网信部门", "无条件开放", "不予开放", "责任豁免"} <= words
    cut = segment.segmenter_for(segment.builtin_lexicon()).cut("省网信部门应当建立公共数据无条件开放和责任豁免制度")
    assert {"网信部门", "公共数据", "无条件开放", "责任豁免"} <= set(cut)


def test_one_projects_words_do_not_leak_into_another_dictionary_or_jieba():
    text = "落实数据二十条"
    with_term = segment.segmenter_for((*segment.builtin_lexicon(), segment.Term("数据二十条", 1000, "n")))
    without = segment.segmenter_for(segment.builtin_lexicon())
    assert "数据二十条" in with_term.cut(text)
    assert "数据二十条" not in without.cut(text)
    assert "数据二十条" not in jieba.lcut(text)


def test_suggested_frequency_is_the_one_jieba_suggests(reference):
    for word in ("数据要素市场化配置", "一网协同", "政务服务"):
        assert segment.suggest_frequency(word, segment.builtin_lexicon() + EXTRA) == reference.suggest_freq(word, False)


def test_tags_come_from_the_dictionary_then_the_shape_of_the_word():
    segmenter = segment.segmenter_for(segment.builtin_lexicon())
    assert segmenter.tag("网信部门") == "nt"
    assert segmenter.tag("2021") == "m"
    assert segmenter.tag("API") == "eng"


@pytest.mark.parametrize("word", ["的", "和", "及", "等", "第三条", "第十二章", "2021", "一百", "十"])
def test_builtin_stopwords_cover_function_words_numerals_and_article_markers(word):
    assert segment.is_builtin_stopword(word)


def test_punctuation_is_never_a_word():
    assert segment.is_punctuation("，")
    assert segment.is_punctuation("\u3000\n")
    assert not segment.is_punctuation("数据")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("网信部门 10 nt\n\n数据局\n".encode(), "Line 2 is empty"),
        ("网信部门 nt\n".encode("gbk"), "GBK"),
        ("数据 开放 部门 n\n".encode(), "without spaces"),
        ("网信部门 10 n1\n".encode(), "neither a frequency nor a part-of-speech tag"),
        ("网信部门\n网信部门\n".encode(), "repeats"),
        (b"\n", "no words"),
    ],
)
def test_bad_dictionary_files_are_refused_with_a_message(data, message):
    with pytest.raises(segment.DictionaryError, match=message):
        segment.parse_dictionary(segment.decode_upload(data))


def test_a_utf8_dictionary_with_bom_and_optional_columns_parses():
    entries = segment.parse_dictionary("\ufeff网信部门 100 nt\n数据局\n首席数据官 nr\n".encode().decode("utf-8-sig"))
    assert entries == [("网信部门", 100, "nt"), ("数据局", None, ""), ("首席数据官", None, "nr")]


# --- the cache, at import and after dictionary edits ---------------------------------------------------


def _import(project, owner, text: str, name: str = "政策.txt"):
    outcome = document_import(project=project, user=owner, filename=name, data=text.encode())[0]
    assert outcome.document, outcome.error
    return outcome.document


def test_import_segments_the_document_once_and_caches_counts(project, owner):
    document = _import(project, owner, "第一条　网信部门负责统筹协调公共数据安全工作。网信部门应当加强监督。")
    cached = DocumentTokens.objects.get(document=document)
    words = cached.words.split(segment.WORD_SEPARATOR)
    counts = dict(zip(words, segment.np.frombuffer(cached.counts, segment.np.uint32).tolist(), strict=True))
    assert counts["网信部门"] == 2
    assert cached.version == Segmentation.objects.get(project=project).version


def test_a_large_import_is_segmented_by_the_task_queue_with_progress(project, owner, settings):
    settings.SEGMENT_INLINE_CHARS = 10
    document = _import(project, owner, "第一条　公共数据开放平台由数据主管部门建设。")
    state = Segmentation.objects.get(project=project)
    assert state.status == "ready"
    assert (state.done, state.total) == (1, 1)
    assert DocumentTokens.objects.filter(document=document).exists()


def test_adding_a_word_resegments_the_project_and_counts_change(project, owner):
    document = _import(project, owner, "落实数据二十条，推进数据二十条。")
    before = DocumentTokens.objects.get(document=document)
    assert "数据二十条" not in before.words.split(segment.WORD_SEPARATOR)
    term = dictionary_term_add(project=project, word="数据二十条")
    assert term.suggested
    assert term.frequency >= 1
    after = DocumentTokens.objects.get(document=document)
    assert "数据二十条" in after.words.split(segment.WORD_SEPARATOR)
    assert after.version == before.version + 1


def test_removing_a_word_resegments_again(project, owner):
    document = _import(project, owner, "落实数据二十条。")
    term = dictionary_term_add(project=project, word="数据二十条", frequency=5000, tag="n")
    dictionary_term_remove(project=project, term_id=term.pk)
    assert "数据二十条" not in DocumentTokens.objects.get(document=document).words.split(segment.WORD_SEPARATOR)


@pytest.mark.parametrize(
    "data", ["网信部门 nt\n\n数据局\n".encode(), "网信部门 nt\n".encode("gbk"), "数据 开放\n".encode()]
)
def test_a_bad_dictionary_upload_changes_nothing(project, owner, data):
    DocumentFactory(project=project)
    version = segment.segmentation_state(project)["version"]
    with pytest.raises(ValidationError):
        dictionary_import(project=project, data=data)
    assert not project.dictionary_terms.exists()
    assert segment.segmentation_state(project)["version"] == version


@pytest.mark.parametrize("word", ["数据 开放", "", " "])
def test_a_word_with_spaces_or_no_word_is_refused(project, word):
    with pytest.raises(ValidationError):
        dictionary_term_add(project=project, word=word)
    assert not project.dictionary_terms.exists()


def test_a_dictionary_upload_adds_every_line_and_resegments_once(project, owner):
    document = _import(project, owner, "首席数据官负责数据要素工作。")
    assert dictionary_import(project=project, data="首席数据官 nr\n数据要素 100 n\n".encode()) == 2
    words = DocumentTokens.objects.get(document=document).words.split(segment.WORD_SEPARATOR)
    assert {"首席数据官", "数据要素"} <= set(words)
    assert segment.segmentation_state(project)["version"] == 2


def test_stopwords_are_saved_without_duplicates(project):
    assert stopwords_set(project=project, text="本市，本条例\n本市") == 2
    assert sorted(segment.project_stopwords(project)) == ["本市", "本条例"]


def test_counts_within_spans_match_a_brute_force_count():
    text = demo_texts()[1]
    segmenter = segment.segmenter_for(segment.builtin_lexicon())
    found = segment.segment_text(text, segmenter)
    spans = [(100, 400), (1000, 1600), (3000, 3100)]
    counts = segment.counts_within(found.words, found.sequence, spans)
    brute: Counter = Counter()
    offset = 0
    for token in segmenter.cut(text):
        if any(s <= offset and offset + len(token) <= e for s, e in spans):
            brute[token] += 1
        offset += len(token)
    assert {w: int(n) for w, n in zip(found.words, counts, strict=True) if n} == dict(brute)


def test_stored_tokens_equal_the_cut_when_non_chinese_runs_are_split():
    text = "第2-3项，见GB/T 35273-2020和C++_v1.5标准，比例3.5%。" * 3
    segmenter = segment.segmenter_for(segment.builtin_lexicon())
    found = segment.segment_text(text, segmenter)
    assert [found.words[i] for i in found.sequence] == segmenter.cut(text)
    assert found.counts.sum() == len(found.sequence)
