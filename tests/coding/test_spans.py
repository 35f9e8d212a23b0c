"""Pure span arithmetic: trimming selections and merging overlaps."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coding import spans


def test_trimmed_drops_surrounding_whitespace_and_line_breaks():
    text = "第一条\n　数据开放。 \n"
    assert spans.trimmed(text, 3, len(text)) == (5, 10)
    assert text[5:10] == "数据开放。"


def test_trimmed_refuses_whitespace_only_and_out_of_range():
    with pytest.raises(spans.SpanError):
        spans.trimmed("a \n b", 1, 4)
    with pytest.raises(spans.SpanError):
        spans.trimmed("abc", 2, 4)
    with pytest.raises(spans.SpanError):
        spans.trimmed("abc", 2, 2)


def test_merged_joins_overlapping_and_touching_spans():
    assert spans.merged([(5, 8), (0, 3), (2, 4), (8, 9), (20, 25)]) == [(0, 4), (5, 9), (20, 25)]


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 30)).map(lambda t: (t[0], t[0] + t[1])), max_size=25))
def test_covered_equals_a_per_character_count(intervals):
    characters = set()
    for start, end in intervals:
        characters.update(range(start, end))
    assert spans.covered(intervals) == len(characters)
