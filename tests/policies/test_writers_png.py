"""SVG figures as PNG at print resolution: not blank, Chinese drawn with ink, 300 dpi said in the file."""

import io
import struct

import pytest
from PIL import Image

from policies import writers


def _ink(png: bytes) -> int:
    """Pixels that are not (near) white."""
    image = Image.open(io.BytesIO(png)).convert("L")
    return sum(count for level, count in enumerate(image.histogram()) if level < 200)


def _svg(body: str, width: int = 240, height: int = 60) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="\'Noto Sans CJK SC\', sans-serif" font-size="24">{body}</svg>'
    )


def test_chinese_label_is_drawn_with_ink():
    png = writers.png_bytes(_svg('<text x="10" y="40">全国数据</text>'))
    assert png.startswith(b"\x89PNG")
    assert _ink(png) > 500  # a missing CJK font draws nothing (resvg skips glyphs it cannot find)


def test_blank_figure_has_no_ink_and_print_size():
    png = writers.png_bytes(_svg(""))
    image = Image.open(io.BytesIO(png))
    assert _ink(png) == 0
    assert image.size == (round(240 * 300 / 96), round(60 * 300 / 96))


def test_png_says_300_dpi():
    png = writers.png_bytes(_svg('<rect width="10" height="10"/>'))
    at = png.index(b"pHYs")
    x, y, unit = struct.unpack(">IIB", png[at + 4 : at + 13])
    assert (x, y, unit) == (11811, 11811, 1)
    assert png.count(b"pHYs") == 1
    assert Image.open(io.BytesIO(png)).info["dpi"] == pytest.approx((300, 300), abs=0.1)


def test_broken_svg_is_a_figure_error():
    with pytest.raises(writers.FigureError):
        writers.png_bytes("<svg")


# --- the word cloud and the bar chart ----------------------------------------------------------------


def test_word_cloud_places_the_words_escaped_and_draws_them():
    from policies.text import word_figures

    words = [("公共数据", 40), ("<b>网信</b>", 20), *((f"词语{i}", 10 - i % 9) for i in range(60))]
    svg = word_figures.cloud_svg(words, title="词云")
    assert "公共数据" in svg
    assert "&lt;b&gt;网信&lt;/b&gt;" in svg
    assert "<b>" not in svg
    assert svg.count("<text") > 30  # most words find room
    assert _ink(writers.png_bytes(svg)) > 5000


def test_bar_chart_holds_the_top_words_with_counts():
    from policies.text import word_figures

    svg = word_figures.bars_svg([("数据", 5), ("共享", 9)], title="词频")
    assert svg.index("共享") < svg.index("数据")  # the largest first
    assert ">9</text>" in svg
    assert _ink(writers.png_bytes(svg)) > 1000
