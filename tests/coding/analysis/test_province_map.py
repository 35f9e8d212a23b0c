"""The province tile map (coding/analysis/province_map.py): a tile per division, values from one matrix column or
the documents per province, the heat colours, and the SVG with its labels escaped."""

import pytest
from django.core.exceptions import ValidationError

from coding.analysis import province_map
from policies import writers
from policies.provinces import PROVINCES
from tests.coding.analysis.figure_inputs import ink, one_column


def test_every_division_has_its_own_tile():
    assert set(province_map.TILES) == set(PROVINCES)
    places = [(col, row) for _short, col, row in province_map.TILES.values()]
    assert len(set(places)) == len(places) == 34
    assert (0, 7) not in places  # the corner the 全国 marker takes


def test_map_values_follow_the_column_and_leave_provinces_without_documents_empty():
    result = one_column([("贵州省", [(1, 2), (2, 0)]), ("云南省", [(3, 0)]), ("全国", [(4, 1)])])
    shown = province_map.from_matrix(result, "7", "数据共享")
    assert shown.values["贵州省"] == 1  # documents coded at the node
    assert shown.values["云南省"] == 0  # documents there, none coded
    assert shown.values["北京市"] is None  # no document at all
    assert shown.national == 1
    by_documents = province_map.from_matrix(result, "documents", "documents")
    assert by_documents.values["贵州省"] == 2


def test_map_refuses_a_column_not_in_the_matrix():
    with pytest.raises(ValidationError) as refused:
        province_map.from_matrix(one_column([("贵州省", [(1, 1)])]), "99", "x")
    assert refused.value.messages == [
        "Colour the map by “documents” or by one of the matrix's columns (a node id): not “99”."
    ]


def test_map_svg_holds_the_labels_escaped_and_renders_with_ink():
    shown = province_map.from_matrix(one_column([("贵州省", [(1, 3)]), ("全国", [(2, 1)])]), "7", "<b>共享</b>")
    svg = province_map.svg(shown, title="项目 <script>")
    assert "贵州" in svg
    assert "全国" in svg
    assert "&lt;b&gt;共享&lt;/b&gt;" in svg
    assert "<script>" not in svg
    assert ink(writers.png_bytes(svg)) > 5000


@pytest.mark.parametrize(
    ("share", "colour"),
    [
        (0, "#ffffff"),  # nothing: white
        (-1, "#ffffff"),
        (0.001, "#e4eafa"),  # the smallest value still shows a tint (12 % of the way)
        (0.5, "#809ce9"),
        (1, "#1d4ed8"),  # the accent blue
        (3, "#1d4ed8"),  # no darker than the accent
    ],
)
def test_heat_colour_runs_from_white_to_the_accent_blue(share, colour):
    assert province_map.heat_colour(share) == colour


def test_without_national_documents_the_national_marker_is_empty():
    shown = province_map.from_matrix(one_column([("贵州省", [(1, 1)])]), "7", "数据共享")
    assert shown.national is None
    assert (shown.label, shown.kind) == ("数据共享", "documents")
    assert sum(value is not None for value in shown.values.values()) == 1


def test_a_map_by_documents_counts_every_document_coded_or_not():
    result = one_column([("贵州省", [(1, 0), (2, 0), (3, 5)]), ("全国", [(4, 0)])])
    shown = province_map.from_matrix(result, "documents", "Documents")
    assert (shown.values["贵州省"], shown.national, shown.kind) == (3, 1, "documents")
