"""coding/exchange/offsets.py: another tool's code-point positions moved onto our normalized text."""

from hypothesis import given
from hypothesis import strategies as st

from coding.exchange.offsets import PositionMap
from policies.extraction import normalize_text

ORDINARY = "数据𠮷a"  # characters normalization keeps as they are (𠮷 is outside the BMP: one code point)
PIECES = [*ORDINARY, "\r\n", "\r", "\n", "\u2028", "\x85", "\ufeff", "\x07", "\x00"]


def test_a_text_that_needs_no_normalization_maps_every_position_to_itself():
    raw = "第一条　数据𠮷\n第二条"
    positions = PositionMap(raw)
    assert positions.text == raw
    assert [positions(i) for i in range(len(raw) + 1)] == list(range(len(raw) + 1))


def test_crlf_is_one_line_feed_and_later_characters_move_back_by_one():
    raw = "第一条\r\n第二条"
    positions = PositionMap(raw)
    assert positions.text == "第一条\n第二条"
    assert positions(3) == 3  # before the CR: before the LF
    assert positions(4) == 4  # between CR and LF: the boundary of the next kept character
    assert positions(5) == 4  # 第 of 第二条
    assert positions(8) == 7  # the end


def test_a_bom_and_controls_vanish():
    raw = "\ufeff数\x07据"
    positions = PositionMap(raw)
    assert positions.text == "数据"
    assert [positions(i) for i in range(len(raw) + 1)] == [0, 0, 1, 1, 2]


def test_a_boundary_inside_characters_nfc_composes_has_no_counterpart():
    raw = "ce\u0301x"  # e + combining acute: é after NFC
    positions = PositionMap(raw)
    assert positions.text == "céx"
    assert positions(1) == 1
    assert positions(2) is None  # between e and its accent
    assert positions(3) == 2
    assert positions(4) == 3


def test_positions_past_trailing_whitespace_stop_at_the_end_of_the_text():
    raw = "数据  \r\n"
    positions = PositionMap(raw)
    assert positions.text == "数据"
    assert positions(len(raw)) == 2
    assert positions(3) == 2


@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_every_kept_character_lands_on_itself_and_positions_never_go_back(raw):
    positions = PositionMap(raw)
    assert positions.text == normalize_text(raw)
    mapped = [positions(i) for i in range(len(raw) + 1)]
    assert None not in mapped  # nothing here composes
    assert mapped == sorted(mapped)
    assert mapped[-1] == len(positions.text)
    for i, char in enumerate(raw):
        if char in ORDINARY:
            assert positions.text[mapped[i]] == char
            assert mapped[i + 1] == mapped[i] + 1
