"""The word cloud and the bar chart of word frequency as SVG documents, for download as SVG or PNG. Pure.

The cloud is laid out as the page's script lays it out (an Archimedean spiral from the centre, largest word first),
with widths estimated rather than measured: a CJK character is one em wide, anything else about half."""

from collections.abc import Sequence
from html import escape
from math import cos, sin, sqrt

from django.utils.safestring import SafeString, mark_safe

from policies import writers

COLORS = ("#2f5d8a", "#4e79a7", "#c0504d", "#59a14f", "#b07aa1", "#e49444", "#76b7b2", "#9c755f")
CLOUD_WORDS = 150
BAR_WORDS = 30


def _document(width: float, height: float, title: str, body: str) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{escape(writers.FONT_FAMILY)}" fill="#1f2328" '
        f'role="img" aria-label="{escape(title)}"><rect width="100%" height="100%" fill="#ffffff"/>'
        f'<text x="12" y="22" font-size="15" font-weight="600">{escape(title)}</text>{body}</svg>'
    )


def cloud_svg(words: Sequence[tuple[str, int]], *, title: str, width: int = 800) -> SafeString:
    """The word cloud of (word, count) pairs, most frequent first; a word that finds no room is left out."""
    words = list(words)[:CLOUD_WORDS]
    height, top = round(width * 0.6), 32
    counts = [n for _w, n in words]
    high, low = max(counts, default=1), min(counts, default=1)

    def size(n: int) -> float:
        return 32.0 if high == low else 13 + sqrt(n - low) / sqrt(high - low) * 43

    placed: list[tuple[float, float, float, float]] = []
    parts = []
    for i, (word, count) in enumerate(words):
        px = size(count) * width / 640
        w, h = writers.text_width(word, px) + 4, px * 1.05
        for t in range(2400):
            angle = t * 0.25
            radius = 2.2 * angle * width / 640
            x = width / 2 + radius * cos(angle) * 1.4 - w / 2
            y = top + (height - top) / 2 + radius * sin(angle) - h / 2
            if x < 0 or y < top or x + w > width or y + h > height:
                continue
            if any(x < px_ + pw and px_ < x + w and y < py + ph and py < y + h for px_, py, pw, ph in placed):
                continue
            placed.append((x, y, w, h))
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{y + h * 0.82:.1f}" text-anchor="middle" font-size="{px:.1f}" '
                f'font-weight="600" fill="{COLORS[i % len(COLORS)]}"><title>{escape(word)}: {count}</title>'
                f"{escape(word)}</text>"
            )
            break
    return _document(width, height, title, "".join(parts))


def bars_svg(words: Sequence[tuple[str, int]], *, title: str) -> SafeString:
    """Horizontal bars of the most frequent (word, count) pairs, with the counts at their ends."""
    words = sorted(words, key=lambda pair: -pair[1])[:BAR_WORDS]
    size, bar_h, gap, span = 13, 18.0, 4.0, 460.0
    left = max([writers.text_width(word, size) for word, _n in words] + [40]) + 20
    peak = max((n for _w, n in words), default=1) or 1
    parts = []
    for i, (word, n) in enumerate(words):
        y = 36 + (bar_h + gap) * i
        w = span * n / peak
        parts.append(
            f'<text x="{left - 8:.1f}" y="{y + bar_h * 0.75:.1f}" text-anchor="end" font-size="{size}">'
            f"{escape(word)}</text>"
            f'<rect x="{left:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h}" rx="2" fill="#4e79a7"/>'
            f'<text x="{left + w + 6:.1f}" y="{y + bar_h * 0.75:.1f}" font-size="{size}">{n}</text>'
        )
    return _document(left + span + 70, 36 + (bar_h + gap) * len(words) + 12, title, "".join(parts))
