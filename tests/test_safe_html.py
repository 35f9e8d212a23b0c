"""HTML and SVG built in Python: each function escapes every piece of text it is given and returns a SafeString
itself, so no caller ever marks someone else's string safe (and a template prints the result as it is)."""

from html import escape

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from coding.analysis import cooccurrence, disagreement, matrix, matrix_table, matrix_writers, province_map, timeline
from framework import figure, panel, tree
from policies import passages
from policies.text import word_figures

HOSTILE = "\"'><svg onload=alert(1)>&"
RAW = "<svg onload"
ESCAPED = "&lt;svg onload=alert(1)&gt;"  # in text and in attributes alike


def _column(name=HOSTILE):
    return matrix.Column(7, name, "数据/" + name, "#4e79a7", frozenset({7}))


def _by(rows_by, labels, column=None):
    """A matrix of one column (node 7) with a row per label, each holding one coded document."""
    rows = [matrix.Row(label, label, (i,), 100) for i, label in enumerate(labels, start=1)]
    facts = [(i, 7, 1) for i in range(1, len(labels) + 1)]
    return matrix.compute("documents", rows, [column or _column()], facts, rows_by=rows_by)


def _cooccurrence():
    columns = [_column(), matrix.Column(8, "开放", "开放", "#e15759", frozenset({8}))]
    return cooccurrence.compute([(1, 7, 0, 10), (1, 8, 5, 15)], columns, "passage", "count")


def _panel_row():
    return panel.PanelRow(
        id=3, name=HOSTILE, path=HOSTILE, color=HOSTILE, hint=HOSTILE, level=1, has_children=False, closes=range(0)
    )


def _heatmap():
    docs = [matrix.Doc(1, HOSTILE, 10, {"province": ""})]
    result = matrix.compute(
        "documents",
        matrix.group_rows(docs, "document"),
        [_column()],
        [(1, 7, 1)],
        rows_by="document",
    )
    return matrix_table.table(result)


# Each builder with hostile text in every place that takes text: titles, labels, names, hints, colours, the text.
BUILDERS = {
    "passages.paragraphs_html": lambda: passages.paragraphs_html([passages.Paragraph(0, HOSTILE)]),
    "passages.outline_html": lambda: passages.outline_html(
        [{"section": passages.OutlineSection("article", HOSTILE, 2, 0, 5), "anchor": 0, "heading": HOSTILE}],
        code_articles=True,
    ),
    "word_figures.cloud_svg": lambda: word_figures.cloud_svg([(HOSTILE, 3), ("数据", 2)], title=HOSTILE),
    "word_figures.bars_svg": lambda: word_figures.bars_svg([(HOSTILE, 3)], title=HOSTILE),
    "panel.panel_html": lambda: panel.panel_html([_panel_row()], node_url=HOSTILE, can_edit=True, with_counts=True),
    "figure.svg": lambda: figure.svg(
        tree.build([tree.Row(1, None, HOSTILE, color=HOSTILE)]), title=HOSTILE, counts={1: 2}
    ),
    "matrix_writers.heatmap_svg": lambda: matrix_writers.heatmap_svg(_heatmap(), title=HOSTILE),
    "matrix_writers.bar_chart_svg": lambda: matrix_writers.bar_chart_svg([(HOSTILE, 2)], title=HOSTILE),
    "cooccurrence.heatmap_svg": lambda: cooccurrence.heatmap_svg(_cooccurrence(), title=HOSTILE),
    "cooccurrence.network_svg": lambda: cooccurrence.network_svg(_cooccurrence(), title=HOSTILE),
    "province_map.svg": lambda: province_map.svg(
        province_map.from_matrix(_by("province", ["贵州省"]), "7", HOSTILE), title=HOSTILE
    ),
    "timeline.svg bar": lambda: timeline.svg(
        timeline.from_matrix(_by("year", ["2019", "2021", "(no date)"])), title=HOSTILE, value_label=HOSTILE
    ),
    "timeline.svg line": lambda: timeline.svg(
        timeline.from_matrix(_by("year", ["2019", "2021"])), title=HOSTILE, value_label=HOSTILE, chart="line"
    ),
    "disagreement.text_html": lambda: disagreement.text_html(
        HOSTILE + "\n" + HOSTILE,
        disagreement.marks([(1, "a", 2, 8), (1, "c", 4, 12)]),
        {1: HOSTILE},
        {"a": HOSTILE, "b": HOSTILE},
    ),
}


@pytest.mark.parametrize("name", BUILDERS)
def test_the_builder_escapes_hostile_text_and_returns_a_safe_string(name):
    built = BUILDERS[name]()
    assert isinstance(built, SafeString), name
    assert RAW not in built, f"{name}: …{built[max(built.find(RAW) - 80, 0) :][:160]}…"
    assert ESCAPED in built, name


@pytest.mark.parametrize("name", BUILDERS)
def test_a_template_prints_the_built_markup_unchanged(name):
    """The builder's SafeString needs no |safe (and is not escaped twice): the template adds nothing."""
    built = BUILDERS[name]()
    assert Template("{{ built }}").render(Context({"built": built})) == built


def test_text_in_element_content_keeps_its_quotes_and_escapes_markup():
    """Paragraph text is escaped for element content: quotes stay as typed (the text's code points are the offsets)."""
    html = passages.paragraphs_html([passages.Paragraph(0, HOSTILE)])
    assert html == f'<p id="p-0" data-start="0">{escape(HOSTILE, quote=False)}</p>'
    assert "\"'&gt;&lt;svg" in html


def test_attribute_values_escape_quotes():
    html = panel.panel_html([_panel_row()], node_url=HOSTILE, can_edit=False, with_counts=False)
    assert f'title="{escape(HOSTILE)}"' in html
    assert f'style="--node-color:{escape(HOSTILE)}"' in html
    assert f'href="{escape(HOSTILE)}3"' in html
