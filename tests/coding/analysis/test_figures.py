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
