"""Character bigram codes (pure): a text holding a term holds all of the term's codes."""

import numpy as np
import pytest

from policies import ngrams

TEXT = "第一条　鸿蒙系统接入𠮷野家的API。\nData开放\r\n数据𠮷𠮷"


def test_text_codes_are_sorted_distinct_int32():
    codes = ngrams.text_codes("数据数据数据安全")
    assert codes.dtype == np.int32
    assert codes.tolist() == sorted(set(codes.tolist()))
    assert len(codes) == 4  # 数据 据数 据安 安全: 数据 and 据数 counted once


def test_a_bigram_of_two_basic_characters_is_their_code_points_side_by_side():
    (code,) = ngrams.term_codes("鸿蒙")
    assert code % 2**32 == ord("鸿") << 16 | ord("蒙")
    assert ngrams.term_codes("AB") != ngrams.term_codes("BA") != ngrams.term_codes("ab")  # case counts, as in search


@pytest.mark.parametrize("term", ["鸿蒙", "鸿蒙系统", "𠮷野", "家的API", "API。\nData", "\r\n数", "𠮷𠮷", "开放\r"])
def test_every_term_of_a_text_has_its_codes_among_the_texts(term):
    assert term in TEXT
    assert set(ngrams.term_codes(term)) <= set(ngrams.text_codes(TEXT).tolist())


def test_a_character_beyond_the_basic_plane_counts_as_one_character_not_a_surrogate_pair():
    assert len(ngrams.term_codes("𠮷野")) == 1  # one bigram: 𠮷 is one code point (two UTF-16 units)
    assert len(ngrams.term_codes("𠮷")) == 0
    assert ngrams.term_codes("𠮷野") != ngrams.term_codes("吉野")


def test_terms_the_text_does_not_hold_miss_a_code():
    held = set(ngrams.text_codes(TEXT).tolist())
    for absent in ("鸿系", "数据安全", "api", "Data开发"):
        assert not set(ngrams.term_codes(absent)) <= held


def test_a_text_shorter_than_two_characters_has_no_codes():
    assert ngrams.text_codes("").tolist() == []
    assert ngrams.term_codes("数") == []


def test_a_lone_surrogate_gets_codes_not_an_error():
    assert len(ngrams.text_codes("数\ud842据")) == 2


def test_array_literal_is_postgresqls_text_form():
    assert ngrams.array_literal(np.array([-3, 0, 7], dtype=np.int32)) == "{-3,0,7}"
    assert ngrams.array_literal(np.empty(0, dtype=np.int32)) == "{}"
