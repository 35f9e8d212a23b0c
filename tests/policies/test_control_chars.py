"""policies/control_chars.py: which control characters a text, a name and a header value may hold."""

import pytest

from policies import control_chars


@pytest.mark.parametrize("allowed", ["\t", "\n", "\r", "数据𠮷", ""])
def test_a_text_may_hold_tab_and_line_breaks(allowed):
    assert control_chars.in_text(f"第一条{allowed}") is None


@pytest.mark.parametrize("refused", ["\x00", "\x0b", "\x0c", "\x1f", "\x7f", "\x85", "\x9f", "\ud800"])
def test_a_text_refuses_other_controls_and_lone_surrogates(refused):
    assert control_chars.in_text(f"第一条{refused}第二条") == refused


@pytest.mark.parametrize("refused", ["\t", "\n", "\r", "\x00", "\x85", "\udfff"])
def test_a_name_refuses_every_control_line_breaks_included(refused):
    assert control_chars.in_name(f"数据{refused}共享") == refused
    assert control_chars.in_name("数据共享 / 分级分类") is None


def test_a_header_value_may_hold_tab_and_latin1_decoded_utf8_bytes():
    utf8_as_latin1 = "数据".encode().decode("latin-1")  # how a server hands over a UTF-8 header value
    assert control_chars.in_header(f"a\tb{utf8_as_latin1}") is None
    assert control_chars.in_header("a\nb") == "\n"
    assert control_chars.in_header("a\x00b") == "\x00"


def test_code_point_names_any_character():
    assert control_chars.code_point("\x00") == "U+0000"
    assert control_chars.code_point("\x85") == "U+0085"
    assert control_chars.code_point("𠮷") == "U+20BB7"


def test_shown_replaces_controls_and_cuts_long_names():
    assert control_chars.shown("数据\x00共享\n") == "数据\ufffd共享\ufffd"
    long = "数" * 100
    cut = control_chars.shown(long)
    assert len(cut) == 60
    assert cut.endswith("…")
    assert control_chars.shown(long, limit=10) == "数" * 9 + "…"
