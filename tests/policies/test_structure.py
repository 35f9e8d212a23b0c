"""Tests for heading detection: kinds, labels, code-point spans, nesting, and the numbered-item fallback."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies.structure import SectionSpan, chinese_numeral_to_int, detect_sections

LAW = (
    "某某市数据条例\n"
    "第一章　总则\n"
    "第一条　为了规范数据处理活动，制定本条例。\n"
    "第二条　本条例适用于本市。\n"
    "第二章　数据资源\n"
    "第三条　依照本条例第三十条规定，公共数据应当共享。\n"
)


def _spans(text: str) -> list[tuple[str, str, int]]:
    return [(s.kind, s.label, s.level) for s in detect_sections(text)]


def test_detect_sections_finds_chapters_and_articles_with_labels_levels_and_exact_spans():
    sections = detect_sections(LAW)
    assert _spans(LAW) == [
        ("chapter", "第一章", 1),
        ("article", "第一条", 3),
        ("article", "第二条", 3),
        ("chapter", "第二章", 1),
        ("article", "第三条", 3),
    ]
    for section in sections:
        assert LAW[section.start : section.end].startswith(section.label)
    chapter_one, article_one, article_two, chapter_two, article_three = sections
    assert chapter_one.start == LAW.index("第一章")
    assert chapter_one.end == LAW.index("第二章") == chapter_two.start
    assert article_one.end == LAW.index("第二条") == article_two.start
    assert article_two.end == chapter_two.start  # an article ends at the next chapter too
    assert chapter_two.end == article_three.end == len(LAW)
    assert LAW[article_two.start : article_two.end] == "第二条　本条例适用于本市。\n"


def test_detect_sections_returns_frozen_section_spans():
    section = detect_sections(LAW)[0]
    assert isinstance(section, SectionSpan)
    with pytest.raises(AttributeError):
        section.start = 5  # type: ignore[misc]


def test_an_article_reference_inside_a_sentence_is_not_a_heading():
    labels = [s.label for s in detect_sections(LAW)]
    assert "第三十条" not in labels
    assert len(labels) == 5


def test_a_wrapped_line_that_starts_with_a_reference_is_not_a_heading():
    text = "第一条　有下列情形之一的，依照本条例\n第三十条规定处罚；\n第二条　本条例自公布之日起施行。\n"
    assert [s.label for s in detect_sections(text)] == ["第一条", "第二条"]


def test_detect_sections_reads_arabic_and_full_width_article_numbers():
    text = "第1条 总体要求。\n第2条 适用范围。\n第１０条 附则。\n"
    sections = detect_sections(text)
    assert [(s.kind, s.label) for s in sections] == [
        ("article", "第1条"),
        ("article", "第2条"),
        ("article", "第１０条"),
    ]
    assert sections[0].end == sections[1].start == text.index("第2条")
    assert sections[2].end == len(text)


def test_headings_may_be_indented_with_full_width_spaces():
    text = "前言\n\u3000\u3000第一条　内容。\n  第二条 内容。\n"
    sections = detect_sections(text)
    assert [s.label for s in sections] == ["第一条", "第二条"]
    assert sections[0].start == text.index("第一条")


def test_parts_chapters_sections_and_articles_nest_by_level():
    text = (
        "第一编　总则\n第一章　一般规定\n第一节　目的\n第一条　甲。\n第二节　范围\n第二条　乙。\n"
        "第二章　数据\n第三条　丙。\n第二编　分则\n第一章　安全\n第四条　丁。\n"
    )
    sections = {(s.label, s.start): s for s in detect_sections(text)}
    by_label = [(s.kind, s.label, s.level) for s in detect_sections(text)]
    assert by_label[:4] == [
        ("part", "第一编", 0),
        ("chapter", "第一章", 1),
        ("section", "第一节", 2),
        ("article", "第一条", 3),
    ]
    part_one = sections[("第一编", 0)]
    assert part_one.end == text.index("第二编")
    first_section = sections[("第一节", text.index("第一节"))]
    assert first_section.end == text.index("第二节")
    second_section = sections[("第二节", text.index("第二节"))]
    assert second_section.end == text.index("第二章")  # a section ends at the next chapter
    last_chapter = sections[("第一章", text.index("第一章　安全"))]
    assert last_chapter.end == len(text)


def test_a_table_of_contents_before_the_body_is_not_taken_for_chapters():
    text = "某某条例\n目录\n第一章 总则\n第二章 附则\n第一章 总则\n第一条 甲。\n第二章 附则\n第二条 乙。\n"
    sections = detect_sections(text)
    assert [(s.label, s.start) for s in sections] == [
        ("第一章", text.index("第一章 总则\n第一条")),
        ("第一条", text.index("第一条")),
        ("第二章", text.index("第二章 附则\n第二条")),
        ("第二条", text.index("第二条")),
    ]


def test_numbered_items_are_detected_when_a_text_has_no_articles():
    text = (
        "关于推进数据专区建设的指导意见\n"
        "一、总体要求\n"
        "（一）指导思想\n内容。\n"
        "(二)总体定位\n内容。\n"
        "二、主要任务\n"
        "（一）建立体系\n内容。\n"
    )
    sections = detect_sections(text)
    assert [(s.kind, s.label, s.level) for s in sections] == [
        ("item", "一、", 4),
        ("item", "（一）", 5),
        ("item", "(二)", 5),
        ("item", "二、", 4),
        ("item", "（一）", 5),
    ]
    first, sub_one, sub_two, second, sub_three = sections
    assert first.end == second.start == text.index("二、")
    assert sub_one.end == sub_two.start
    assert sub_two.end == second.start  # a sub-item ends at the next top-level item
    assert second.end == sub_three.end == len(text)
    assert all(text[s.start : s.end].startswith(s.label) for s in sections)


def test_arabic_numbered_items_nest_inside_parenthesised_items():
    text = "一、任务\n（一）建设\n1．平台。\n2．制度。\n（二）保障\n"
    sections = detect_sections(text)
    assert [(s.label, s.level) for s in sections] == [("一、", 4), ("（一）", 5), ("1．", 6), ("2．", 6), ("（二）", 5)]
    assert sections[3].end == text.index("（二）")


def test_numbered_items_are_ignored_when_the_text_has_articles():
    text = "第一条　有下列情形之一的：\n（一）甲；\n（二）乙。\n第二条　附则。\n"
    assert [s.kind for s in detect_sections(text)] == ["article", "article"]


def test_offsets_count_code_points_past_characters_outside_the_bmp():
    text = "𠮷𠮷市数据条例\n第一条　甲。\n第二条　乙𠮷。\n"
    sections = detect_sections(text)
    assert [s.start for s in sections] == [text.index("第一条"), text.index("第二条")]
    assert sections[0].start == 8
    assert [text[s.start : s.end] for s in sections] == ["第一条　甲。\n", "第二条　乙𠮷。\n"]


def test_text_without_headings_gives_no_sections():
    assert detect_sections("") == []
    assert detect_sections("这是一段没有标题的文字。\n另一段。") == []


def test_detect_sections_finds_every_heading_of_a_60000_character_text():
    article = "第{}条　为了规范数据处理活动，保障数据安全，促进数据开发利用，制定本条例。本条例第三条另有规定的除外。\n"
    chapter = "第{}章　总则\n"
    numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
    parts = []
    for chapter_number in numerals:
        parts.append(chapter.format(chapter_number))
        parts.extend(article.format(n) for n in numerals * 10)
    text = "".join(parts)
    text = (text * (60_000 // len(text) + 1))[:60_000]
    sections = detect_sections(text)
    assert len(sections) == text.count("\n第") + 1


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("二十一", 21),
        ("一百", 100),
        ("一百零五", 105),
        ("一百二十三", 123),
        ("两百", 200),
        ("一千零一", 1001),
        ("三千二百", 3200),
        ("二〇二一", 2021),
        ("二零二二", 2022),
        ("〇", 0),
        ("零", 0),
        ("两", 2),
        ("3", 3),
        ("１２", 12),
    ],
)
def test_chinese_numeral_to_int_reads_numbers(numeral, value):
    assert chinese_numeral_to_int(numeral) == value


@pytest.mark.parametrize("numeral", ["", "百", "十十", "二三十", "一十百", "条", "五a"])
def test_chinese_numeral_to_int_refuses_malformed_numerals(numeral):
    assert chinese_numeral_to_int(numeral) is None


_UNITS = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"]


def _to_chinese(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = (_UNITS[hundreds] + "百") if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _UNITS[tens]) + "十"  # 十五 but 一百一十五
    elif hundreds and ones:
        out += "零"
    return out + _UNITS[ones]


@given(st.integers(min_value=1, max_value=999))
def test_chinese_numeral_to_int_round_trips_article_numbers(n):
    assert chinese_numeral_to_int(_to_chinese(n)) == n


@given(st.text(alphabet="第一二三十条章节编、（）()1．\n\u3000 甲。𠮷", max_size=200))
def test_detect_sections_spans_are_sorted_within_the_text_and_start_with_their_label(text):
    sections = detect_sections(text)
    assert [s.start for s in sections] == sorted(s.start for s in sections)
    for section in sections:
        assert 0 <= section.start < section.end <= len(text)
        assert text[section.start : section.end].startswith(section.label)


def test_an_article_on_its_chapter_heading_line_is_still_an_article():
    text = "第一章　总则　　第一条　为了规范数据。\n第二条　本条例适用。\n"
    text += "第二章　数据共享　第一节　一般规定　第三条　共享。\n"
    sections = detect_sections(text)
    assert _spans(text) == [
        ("chapter", "第一章", 1),
        ("article", "第一条", 3),
        ("article", "第二条", 3),
        ("chapter", "第二章", 1),
        ("section", "第一节", 2),
        ("article", "第三条", 3),
    ]
    chapter_one, article_one, article_two, *_ = sections
    assert text[article_one.start : article_one.end] == "第一条　为了规范数据。\n"
    assert chapter_one.end == article_two.end == text.index("第二章")


def test_a_reference_after_a_chapter_title_is_not_taken_for_an_article():
    text = "第一章　关于第五条的适用\n第一条　内容。\n"
    assert _spans(text) == [("chapter", "第一章", 1), ("article", "第一条", 3)]
