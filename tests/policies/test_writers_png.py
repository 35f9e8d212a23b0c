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
