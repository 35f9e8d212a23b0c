"""The timeline (coding/analysis/timeline.py): years from the first to the last dated document with the gaps filled,
undated documents counted apart, and the SVG as bars or lines."""

import pytest

from coding.analysis import timeline
from policies import writers
from tests.coding.analysis.figure_inputs import ink, one_column


def test_timeline_fills_missing_years_and_counts_undated_apart():
    result = one_column([("2019", [(1, 1)]), ("2021", [(2, 2), (3, 0)]), ("(no date)", [(4, 1)])])
    line = timeline.from_matrix(result)
    assert line.years == (2019, 2020, 2021)
    assert line.documents == (1, 0, 2)
    assert line.series[0][0] == "数据共享"
    assert line.series[0][2] == (1, 0, 1)
    assert line.undated == 1


@pytest.mark.parametrize("chart", ["bar", "line"])
def test_timeline_svg_names_years_and_categories(chart):
    line = timeline.from_matrix(one_column([("2019", [(1, 1)]), ("2021", [(2, 2)])]))
    svg = timeline.svg(line, title="时间线", value_label="Documents coded", chart=chart)
    assert "2020" in svg
    assert "数据共享" in svg
    assert ink(writers.png_bytes(svg)) > 3000


def test_a_timeline_without_dated_documents_has_no_years_and_counts_them_all_as_undated():
    line = timeline.from_matrix(one_column([("(no date)", [(1, 1), (2, 0)])]))
    assert (line.years, line.documents, line.undated) == ((), (), 2)
    assert line.series == (("数据共享", "#4e79a7", ()),)


def test_one_dated_year_is_a_timeline_of_one_year():
    line = timeline.from_matrix(one_column([("2020", [(1, 3), (2, 0)])]))
    assert (line.years, line.documents, line.series[0][2], line.kind) == ((2020,), (2,), (1,), "documents")
