"""Figures on pages and in files: the map and timeline files name their layer, and every figure as PNG (300 dpi).
The figures' own cores are tested in test_province_map.py and test_timeline.py."""

import pytest
from django.urls import reverse

from tests.coding.analysis.figure_inputs import ink


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
    assert ink(response.content) > 1000


@pytest.mark.django_db
def test_codebook_figure_png(client, coder, matrix_corpus):
    project_id = coder.memberships.first().project_id
    client.force_login(coder)
    response = client.get(reverse("framework:figure-png", args=[project_id]) + "?counts=documents")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert ink(response.content) > 1000


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
    assert ink(png.content) > 1000


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
