"""Units from stored sections, and which units a layer's codings make positive (pure)."""

from coding.suggest import units
from policies import structure


def _sections(text):
    return [(s.kind, s.label, s.start, s.end, s.level) for s in structure.detect_sections(text)]


def test_a_document_with_articles_is_suggested_article_by_article():
    text = "某条例\n第一章　总则\n第一条　为了规范管理。\n第二条　本条例所称数据。\n"
    found = units.units_of(text, _sections(text))
    assert [(u.kind, u.label, text[u.start : u.end]) for u in found] == [
        ("article", "第一条", "第一条　为了规范管理。"),
        ("article", "第二条", "第二条　本条例所称数据。"),
    ]


def test_without_articles_the_outermost_items_are_the_units():
    text = "某方案\n一、总体要求\n（一）指导思想。\n（二）基本原则。\n二、主要任务\n（一）建设平台。\n"
    found = units.units_of(text, _sections(text))
    assert [u.label for u in found] == ["一、", "二、"]
    assert text[found[0].start : found[0].end] == "一、总体要求\n（一）指导思想。\n（二）基本原则。"


def test_without_headings_each_non_blank_line_is_a_unit():
    text = "第一段讲数据开放。\n\n  第二段讲数据安全。  \n"
    found = units.units_of(text, [])
    assert [(u.kind, text[u.start : u.end]) for u in found] == [
        ("paragraph", "第一段讲数据开放。"),
        ("paragraph", "第二段讲数据安全。"),
    ]


def test_the_body_leaves_out_the_heading_label():
    text = "第三条　开放目录应当公布。"
    unit = units.Unit(0, len(text), "article", "第三条")
    assert units.body(text, unit) == "　开放目录应当公布。"


def test_any_overlap_makes_the_unit_positive_for_the_node_and_its_ancestors():
    found = [units.Unit(0, 10, "article", ""), units.Unit(10, 20, "article", ""), units.Unit(20, 30, "article", "")]
    positive = units.positives(found, [(12, 13, 7)], {7: (7, 1)})
    assert positive == {7: {1}, 1: {1}}


def test_a_minimum_share_leaves_out_units_barely_touched():
    found = [units.Unit(0, 10, "article", ""), units.Unit(10, 20, "article", "")]
    assert units.positives(found, [(8, 20, 3)], {}, min_share=0.5) == {3: {1}}
    assert units.positives(found, [(8, 20, 3)], {}, min_share=0.0) == {3: {0, 1}}


def test_marked_cuts_the_unit_into_plain_and_explaining_pieces():
    from coding.suggest import review

    text = "前言。编制开放目录，开放目录定期更新。"
    words = [{"word": "开放目录", "spans": [[5, 9], [10, 14]]}, {"word": "目录", "spans": [[7, 9]]}]
    assert review.marked(text, 3, len(text), words) == [
        ("编制", False),
        ("开放目录", True),
        ("，", False),
        ("开放目录", True),
        ("定期更新。", False),
    ]
