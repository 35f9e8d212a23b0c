"""Pure text passages (policies/passages.py): lines with code-point offsets, the paragraph holding an offset, heading
lines, the text as escaped <p>s, and the outline built in Python (escaped labels, anchors, "code this" buttons)."""

from types import SimpleNamespace

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from policies import passages


def section(kind, label, start, end, level=2):
    return SimpleNamespace(kind=kind, label=label, start=start, end=end, level=level)


TEXT = "第一章　总则\n第一条　<b>数据</b>。\n第二条　共享。"


def items():
    lines = passages.paragraphs(TEXT)
    return passages.outline(
        TEXT,
        lines,
        [
            section("chapter", "第一章", 0, 6, 1),
            section("article", "第一条", 7, 20),
            section("article", "第二条", 22, 28),
        ],
    )


def test_outline_html_lists_every_section_with_its_paragraph_anchor():
    html = passages.outline_html(items())
    assert html.count("<li ") == 3
    assert '<a href="#p-0" data-start="0" data-end="6" title="第一章　总则">第一章　总则</a>' in html
    assert 'href="#p-7"' in html
    assert 'href="#p-22"' in html
    assert 'class="outline-article level-2"' in html
    assert "code-section" not in html


def test_outline_html_escapes_labels():
    hostile = [{"section": section("article", '"><script>x</script>', 0, 5), "anchor": 0, "heading": ""}]
    html = passages.outline_html(hostile, code_articles=True)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&quot;&gt;" in html


def test_outline_html_code_buttons_only_for_articles_and_items_in_the_active_language():
    with translation.override("en"):
        html = passages.outline_html(items(), code_articles=True)
    assert html.count('class="code-section"') == 2
    assert 'data-start="7" data-end="20" title="Code this article" aria-label="Code 第一条"' in html


# --- lines and offsets ---------------------------------------------------------------------------------------


def test_paragraphs_are_the_lines_with_code_point_offsets_and_no_line_breaks():
    assert passages.paragraphs("𠮷a\n\nbc\n") == [
        passages.Paragraph(0, "𠮷a"),
        passages.Paragraph(3, ""),
        passages.Paragraph(4, "bc"),
        passages.Paragraph(7, ""),
    ]


@given(st.text(alphabet="ab\n𠮷", max_size=30))
def test_each_paragraph_is_the_text_at_its_offset_and_they_rejoin_to_the_text(text):
    lines = passages.paragraphs(text)
    assert "\n".join(p.text for p in lines) == text
    assert all(text[p.start : p.start + len(p.text)] == p.text for p in lines)
    starts = [p.start for p in lines]
    for offset in range(len(text)):
        holding = passages.paragraph_start_for(starts, offset)
        assert holding == max(s for s in starts if s <= offset)


def test_an_offset_before_the_first_paragraph_belongs_to_the_first():
    assert passages.paragraph_start_for([5, 9], 2) == 5
    assert passages.paragraph_start_for([0, 5, 9], 5) == 5
    assert passages.paragraph_start_for([0, 5, 9], 100) == 9


def test_heading_line_is_the_line_from_the_start_stopped_by_a_heading_on_it_and_cut_to_the_limit():
    text = "前言\n第一章　总则　第一条　为了规范。\n下一行"
    chapter = text.index("第一章")
    assert passages.heading_line(text, chapter) == "第一章　总则　第一条　为了规范。"
    assert passages.heading_line(text, chapter, stop=text.index("第一条")) == "第一章　总则"
    assert passages.heading_line(text, chapter, stop=chapter) == "第一章　总则　第一条　为了规范。"  # no empty cut
    assert passages.heading_line(text, chapter, limit=6) == "第一章　总…"
    assert passages.heading_line("第二章　附则", 0) == "第二章　附则"  # the last line has no break


def test_paragraphs_html_escapes_each_line_and_carries_its_offset():
    html = passages.paragraphs_html(passages.paragraphs('<b>&\n"x"'))
    assert html == '<p id="p-0" data-start="0">&lt;b&gt;&amp;</p><p id="p-5" data-start="5">"x"</p>'


def test_outline_sections_come_from_value_rows_in_their_order():
    rows = [("chapter", "第一章", 1, 0, 6), ("article", "第一条", 2, 7, 20)]
    found = passages.outline_sections(rows)
    assert [(s.kind, s.label, s.level, s.start, s.end) for s in found] == rows


def test_outline_anchors_each_section_to_its_paragraph_and_gives_no_heading_to_articles():
    entries = items()
    assert [(e["section"].label, e["anchor"], e["heading"]) for e in entries] == [
        ("第一章", 0, "第一章　总则"),
        ("第一条", 7, ""),
        ("第二条", 22, ""),
    ]
