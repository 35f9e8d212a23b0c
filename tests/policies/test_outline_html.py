"""The outline built in Python (passages.outline_html): escaped labels, anchors, and the "code this" buttons."""

from types import SimpleNamespace

from django.utils import translation

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
