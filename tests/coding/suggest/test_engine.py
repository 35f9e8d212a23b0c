"""The suggestion engine on a hand-built corpus where the node is a pattern (pure: no database)."""

import re

import numpy as np
import pytest

from coding.suggest import engine, units
from policies import structure
from policies.text import segment
from tests.coding.suggest_corpus import document


def _corpus(seeds, missed=0.15):
    """Examples, labels (is the article coded?) and document groups for the documents made from `seeds`."""
    segmenter = segment.segmenter_for(segment.builtin_lexicon())
    examples, labels, groups, texts = [], [], [], []
    for seed in seeds:
        text, coded = document(seed, missed=missed)
        sections = [(s.kind, s.label, s.start, s.end, s.level) for s in structure.detect_sections(text)]
        found = units.units_of(text, sections)
        segmented = segment.segment_text(text, segmenter)
        tokens = engine.unit_tokens(segmented.words, segmented.sequence, [(u.start, u.end) for u in found])
        positive = units.positives(found, [(s, e, 1) for s, e in coded], {}).get(1, set())
        for index, unit in enumerate(found):
            examples.append(engine.Example(tokens[index], units.body(text, unit)))
            labels.append(index in positive)
            groups.append(seed)
            texts.append((text, unit))
    return examples, np.array(labels), np.array(groups), texts


def test_unit_tokens_leave_out_punctuation_and_article_markers():
    segmenter = segment.segmenter_for(segment.builtin_lexicon())
    text = "第一条　编制开放目录。第二条　保障安全。"
    segmented = segment.segment_text(text, segmenter)
    tokens = engine.unit_tokens(segmented.words, segmented.sequence, [(0, 11), (11, len(text))])
    assert tokens[0] == ("编制", "开放目录")  # the built-in lexicon keeps 开放目录 whole
    assert tokens[1] == ("保障", "安全")


def test_grouped_folds_never_put_a_document_on_both_sides():
    groups = np.repeat(np.arange(7), 5)
    splits = engine.folds(groups)
    assert len(splits) == 5
    for train, test in splits:
        assert not set(groups[train]) & set(groups[test])
    assert sorted(np.concatenate([test for _train, test in splits])) == list(range(35))


def test_a_single_document_cannot_be_cross_validated():
    assert engine.folds(np.zeros(10, dtype=int)) == []


def test_the_threshold_is_the_lowest_where_precision_reaches_the_target():
    y = np.array([0, 0, 1, 0, 1, 1, 1], dtype=bool)
    scores = np.array([0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.9])
    threshold, reached = engine.choose_threshold(y, scores)
    # at 0.3 precision is 4/5; at 0.2 it is 4/6
    assert (threshold, reached) == (pytest.approx(0.3), True)
    assert engine.at_threshold(y, scores, threshold) == (4, 1, 0)


def test_an_unreachable_target_falls_back_to_one_half():
    y = np.array([1, 0, 1, 0], dtype=bool)
    scores = np.array([0.2, 0.9, 0.3, 0.8])
    assert engine.choose_threshold(y, scores) == (0.5, False)


def test_micro_pools_counts_and_macro_averages_nodes():
    a = engine.NodeEvaluation(5, 3, 0.5, 1.0, 0.5, 2 / 3, 1, 0, 1)
    b = engine.NodeEvaluation(5, 3, 0.5, 0.5, 1.0, 2 / 3, 3, 3, 0)
    figures = engine.summary([a, b])
    assert figures["micro_precision"] == pytest.approx(4 / 7)
    assert figures["micro_recall"] == pytest.approx(4 / 5)
    assert figures["macro_precision"] == pytest.approx(0.75)


def test_a_model_trained_on_half_finds_the_pattern_in_the_other_half_as_its_evaluation_said():
    examples, y, groups, _texts = _corpus(range(20))
    held_examples, held_y, _held_groups, _held_texts = _corpus(range(100, 120))
    vocabulary, x = engine.fit_vocabulary(examples)
    reported = engine.evaluate(y, engine.out_of_fold(x, y, engine.folds(groups)), groups)
    assert reported.target_reached
    assert reported.precision >= 0.8

    coef, intercept = engine.fit_classifier(x, y)
    scores = engine.probabilities(engine.vectorize(vocabulary, held_examples), coef, intercept)
    precision, recall, _f1 = engine.ratios(*engine.at_threshold(held_y, scores, reported.threshold))
    assert precision == pytest.approx(reported.precision, abs=0.1)
    assert recall == pytest.approx(reported.recall, abs=0.1)


def test_vectorize_gives_the_numbers_the_fit_gave():
    examples, _y, _groups, _texts = _corpus(range(4))
    vocabulary, x = engine.fit_vocabulary(examples)
    again = engine.vectorize(vocabulary, examples)
    assert abs(x - again).max() < 1e-6


def test_training_twice_on_the_same_data_gives_the_same_model():
    examples, y, _groups, _texts = _corpus(range(8))
    first = engine.fit_classifier(engine.fit_vocabulary(examples)[1], y)
    second = engine.fit_classifier(engine.fit_vocabulary(examples)[1], y)
    assert np.array_equal(first[0], second[0])
    assert first[1] == second[1]


def test_the_explanation_names_words_of_the_unit_that_weigh_for_the_node():
    examples, y, _groups, texts = _corpus(range(12), missed=0.0)
    vocabulary, x = engine.fit_vocabulary(examples)
    coef, _intercept = engine.fit_classifier(x, y)
    index = int(np.nonzero(y)[0][0])
    words = [text for text, _weight in engine.top_features(vocabulary, x[index], coef)]
    assert any("目录" in word for word in words)
    text, unit = texts[index]
    body = text[unit.start : unit.end]
    for word in words:
        for start, end in engine.occurrences(body, word, unit.start):
            assert text[start:end] == word


def test_explaining_many_pairs_at_once_gives_what_one_at_a_time_gives():
    examples, y, _groups, _texts = _corpus(range(6), missed=0.0)
    vocabulary, x = engine.fit_vocabulary(examples)
    first, _ = engine.fit_classifier(x, y)
    second, _ = engine.fit_classifier(x, ~y)
    coef = np.vstack([first, second])
    pairs = [(0, 0), (0, 1), (5, 1), (7, 0)]
    batch = engine.top_features_of(vocabulary, x, coef, pairs)
    for row, column in pairs:
        assert batch[row, column] == engine.top_features(vocabulary, x[row], coef[column])


def test_a_new_threshold_reads_its_figures_off_the_curve():
    stored = {"threshold": 0.2, "precision": 0.8, "recall": 1.0, "curve": [[0.1, 0.5, 1.0], [0.4, 0.9, 0.6]]}
    moved = engine.figures_on_curve(stored, 0.3)
    assert (moved["threshold"], moved["precision"], moved["recall"]) == (0.3, 0.9, 0.6)
    assert moved["f1"] == pytest.approx(0.72)
    assert engine.figures_on_curve(stored, 0.95)["recall"] == 0.0


def test_the_fast_transform_matches_the_fitted_vectorizers_on_mixed_text():
    texts = [
        "第一条　为了规范 Open Data 开放目录，制定本办法。",
        "数据（DATA）开放目录 2024年 更新；ab cd e",
        "公共数据开放目录应当 open data 开放目录 x",
        "",
        "a",
        "开放目录开放目录开放目录",
    ]
    examples = [engine.Example(tuple(re.findall("开放|目录|数据|open|data", t.lower())), t) for t in texts]
    vocabulary, x = engine.fit_vocabulary(examples)
    assert vocabulary.words
    assert vocabulary.chars
    again = engine.Transform(vocabulary)(examples)
    assert again.shape == x.shape
    assert abs(x - again).max() < 1e-6


@pytest.mark.parametrize(("corpus", "chunk"), [(range(6), 2000), (range(12), 2000), (range(12), 7)])
def test_the_character_features_are_those_tfidfvectorizer_fits(corpus, chunk, monkeypatch):
    monkeypatch.setattr(engine, "CHUNK", chunk)  # a batch of units at a time gives the same numbers
    examples, _y, _groups, _texts = _corpus(corpus)
    mixed = [engine.Example(("开放",), "Open DATA 开放目录（2024）；数据_目录 a"), engine.Example((), "")]
    examples = [*examples, *mixed]
    vocabulary, x = engine.fit_vocabulary(examples)
    reference = engine._char_vectorizer(min_df=2)
    expected = reference.fit_transform([engine._char_text(e.text) for e in examples])
    assert vocabulary.chars == list(reference.get_feature_names_out())
    assert np.allclose(vocabulary.char_idf, reference.idf_, atol=1e-6)
    assert abs(x[:, len(vocabulary.words) :] - expected).max() < 1e-6
