"""Figures on pages and in files: the province map, the timeline, and every figure as PNG (300 dpi)."""

import io

import pytest
from django.urls import reverse
from PIL import Image


def _ink(png: bytes) -> int:
    """Pixels that are not (near) white."""
    image = Image.open(io.BytesIO(png)).convert("L")
    return sum(count for level, count in enumerate(image.histogram()) if level < 200)


@pytest.mark.django_db
def test_matrix_heatmap_png_holds_the_drawn_labels(client, coder, matrix_corpus):
    client.force_login(coder)
    svg = client.get(reverse("coding:matrix-svg", args=[coder.memberships.first().project_id]))
    assert "数据归集".encode() in svg.content
    assert "贵州省".encode() in svg.content
    response = client.get(reverse("coding:matrix-png", args=[coder.memberships.first().project_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].endswith('.png"') or ".png" in response["Content-Disposition"]
    assert _ink(response.content) > 1000


@pytest.mark.django_db
def test_codebook_figure_png(client, coder, matrix_corpus):
    project_id = coder.memberships.first().project_id
    client.force_login(coder)
    response = client.get(reverse("framework:figure-png", args=[project_id]) + "?counts=documents")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert _ink(response.content) > 1000


# --- the province tile map -------------------------------------------------------------------------


def _matrix(rows, value="documents"):
    """A by-row matrix over one column (node 7) from (label, [(doc id, codings)]) rows."""
    from coding.analysis import matrix

    built = [matrix.Row(label, label, tuple(d for d, _n in docs), 100) for label, docs in rows]
    column = matrix.Column(7, "数据共享", "数据共享", "#4e79a7", frozenset({7}))
    facts = [(d, 7, n) for _label, docs in rows for d, n in docs if n]
    return matrix.compute(value, built, [column], facts, rows_by="province")


def test_every_division_has_its_own_tile():
    from coding.analysis import province_map
    from policies.provinces import PROVINCES

    assert set(province_map.TILES) == set(PROVINCES)
    places = [(col, row) for _short, col, row in province_map.TILES.values()]
    assert len(set(places)) == len(places) == 34
    assert (0, 7) not in places  # the corner the 全国 marker takes


def test_map_values_follow_the_column_and_leave_provinces_without_documents_empty():
    from coding.analysis import province_map

    result = _matrix([("贵州省", [(1, 2), (2, 0)]), ("云南省", [(3, 0)]), ("全国", [(4, 1)])])
    shown = province_map.from_matrix(result, "7", "数据共享")
    assert shown.values["贵州省"] == 1  # documents coded at the node
    assert shown.values["云南省"] == 0  # documents there, none coded
    assert shown.values["北京市"] is None  # no document at all
    assert shown.national == 1
    by_documents = province_map.from_matrix(result, "documents", "documents")
    assert by_documents.values["贵州省"] == 2


def test_map_refuses_a_column_not_in_the_matrix():
    from django.core.exceptions import ValidationError

    from coding.analysis import province_map

    with pytest.raises(ValidationError, match="99"):
        province_map.from_matrix(_matrix([("贵州省", [(1, 1)])]), "99", "x")


def test_map_svg_holds_the_labels_escaped_and_renders_with_ink():
    from coding.analysis import province_map
    from policies import writers

    shown = province_map.from_matrix(_matrix([("贵州省", [(1, 3)]), ("全国", [(2, 1)])]), "7", "<b>共享</b>")
    svg = province_map.svg(shown, title="项目 <script>")
    assert "贵州" in svg
    assert "全国" in svg
    assert "&lt;b&gt;共享&lt;/b&gt;" in svg
    assert "<script>" not in svg
    assert _ink(writers.png_bytes(svg)) > 5000


# --- the timeline ------------------------------------------------------------------------------------


def test_timeline_fills_missing_years_and_counts_undated_apart():
    from coding.analysis import timeline

    result = _matrix([("2019", [(1, 1)]), ("2021", [(2, 2), (3, 0)]), ("(no date)", [(4, 1)])])
    line = timeline.from_matrix(result)
    assert line.years == (2019, 2020, 2021)
    assert line.documents == (1, 0, 2)
    assert line.series[0][0] == "数据共享"
    assert line.series[0][2] == (1, 0, 1)
    assert line.undated == 1


@pytest.mark.parametrize("chart", ["bar", "line"])
def test_timeline_svg_names_years_and_categories(chart):
    from coding.analysis import timeline
    from policies import writers

    line = timeline.from_matrix(_matrix([("2019", [(1, 1)]), ("2021", [(2, 2)])]))
    svg = timeline.svg(line, title="时间线", value_label="Documents coded", chart=chart)
    assert "2020" in svg
    assert "数据共享" in svg
    assert _ink(writers.png_bytes(svg)) > 3000


@pytest.mark.django_db
def test_map_and_timeline_files_name_the_layer(client, coder, matrix_corpus):
    project_id = coder.memberships.first().project_id
    client.force_login(coder)
    share = matrix_corpus["nodes"][3]
    svg = client.get(reverse("analysis:map-svg", args=[project_id]) + f"?map={share.pk}&coders=bob")
    assert svg.status_code == 200
    assert "云南" in svg.content.decode()
    assert svg["X-PolicyCoder-Layer"].startswith("coder; coders=bob")
    png = client.get(reverse("analysis:timeline-png", args=[project_id]))
    assert png["Content-Type"] == "image/png"
    assert _ink(png.content) > 1000


@pytest.mark.django_db
def test_map_with_an_unknown_column_is_a_400_that_says_so(client, coder, matrix_corpus):
    project_id = coder.memberships.first().project_id
    client.force_login(coder)
    response = client.get(reverse("analysis:map-png", args=[project_id]) + "?map=123456")
    assert response.status_code == 400
    message = "Colour the map by “documents” or by one of the matrix&#x27;s columns (a node id): not “123456”."
    assert f'<p class="error">{message}</p>' in response.content.decode()


@pytest.mark.django_db
def test_matrix_page_shows_map_and_timeline(client, coder, matrix_corpus):
    project_id = coder.memberships.first().project_id
    client.force_login(coder)
    page = client.get(reverse("coding:matrix", args=[project_id])).content.decode()
    assert reverse("analysis:map-svg", args=[project_id]) in page
    assert reverse("analysis:timeline-svg", args=[project_id]) in page
    assert reverse("coding:matrix-png", args=[project_id]) in page  # the heatmap's PNG is drawn on the server
