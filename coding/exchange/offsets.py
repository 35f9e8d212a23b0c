"""Positions in a producing tool's text mapped onto the text after our one-time normalization. Pure.

Another tool counts code points in the text exactly as it stored it (after a BOM). Our documents hold that text
normalized once (policies.extraction.normalize_text: CRLF/CR → LF, controls dropped, NFC, no trailing space), so
each selection boundary is moved to the same character in the normalized text. A boundary that falls inside
characters NFC composed into one has no counterpart: it maps to None and the caller reports the selection.
"""

import re
import unicodedata
from array import array

from policies.extraction import normalize_text

_LINE_BREAK = re.compile("\r\n?|[\u0085\u2028\u2029]")
_DROPPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ufeff]")


class PositionMap:
    """Boundary i of the raw text (0 … len(raw)) → boundary of the normalized text, or None."""

    def __init__(self, raw: str):
        self.raw_length = len(raw)
        self.text = normalize_text(raw)
        self._raw = raw if self.text != raw else None  # the table is built on the first position asked for
        self._table: array | None = None

    def __call__(self, position: int) -> int | None:
        if self._raw is None:
            return position
        if self._table is None:  # a source nobody coded never pays for the per-character table
            self._table = _table(self._raw, self.text)
        value = self._table[position]
        return None if value < 0 else value


def _table(raw: str, final: str) -> array:
    """Boundary table: line breaks become one LF, dropped characters vanish, NFC clusters map as a whole."""
    table = array("q", [0]) * (len(raw) + 1)
    kept: list[str] = []  # the text after line breaks and drops, before NFC
    origin: list[int] = []  # raw index of each kept character
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\r" and i + 1 < len(raw) and raw[i + 1] == "\n":
            kept.append("\n")
            origin.append(i)
            i += 2
            continue
        if _LINE_BREAK.match(ch):
            kept.append("\n")
        elif not _DROPPED.match(ch):
            kept.append(ch)
        else:
            i += 1
            continue
        origin.append(i)
        i += 1
    # boundary before raw[i] → count of kept characters before it (a dropped character or the LF of CRLF
    # maps to the boundary of the next kept character)
    middle = [0] * (len(raw) + 1)
    k = 0
    for index in range(len(raw) + 1):
        while k < len(origin) and origin[k] < index:
            k += 1
        middle[index] = k
    composed, text = _compose(kept)
    if text[: len(final)] != final:  # NFC joined across clusters (rare): no boundary can be trusted
        return array("q", [-1]) * (len(raw) + 1)
    for index, value in enumerate(middle):
        position = composed[value]
        table[index] = min(position, len(final)) if position >= 0 else -1
    return table


def _compose(kept: list[str]) -> tuple[list[int], str]:
    """Boundary of the kept text → boundary after NFC (or -1 inside a cluster NFC changed), and the NFC text."""
    boundaries = [-1] * (len(kept) + 1)
    out = 0
    start = 0
    pieces = []
    while start < len(kept):
        end = start + 1
        while end < len(kept) and unicodedata.combining(kept[end]):
            end += 1
        cluster = "".join(kept[start:end])
        normal = unicodedata.normalize("NFC", cluster)
        boundaries[start] = out
        pieces.append(normal)
        if normal == cluster:
            for offset in range(1, end - start):
                boundaries[start + offset] = out + offset
        out += len(normal)
        start = end
    boundaries[len(kept)] = out
    return boundaries, "".join(pieces)
