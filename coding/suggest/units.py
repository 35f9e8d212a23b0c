"""Pure: the units a document is suggested by (its articles 第X条, else its items, else its paragraphs), and which
units a layer's codings make positive examples of a node."""

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ARTICLE, ITEM, PARAGRAPH = "article", "item", "paragraph"
_PARAGRAPH = re.compile(r"[^\n]+")


@dataclass(frozen=True, slots=True)
class Unit:
    start: int  # code-point offset into the document text, inclusive
    end: int  # exclusive
    kind: str  # article, item or paragraph
    label: str  # the heading as written (第三条, 一、) or "" for a paragraph


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def units_of(text: str, sections: Iterable[tuple[str, str, int, int, int]]) -> list[Unit]:
    """The document's units from its stored sections (kind, label, start, end, level), sorted by start.

    Articles when the document has any; else the items of its outermost item level; else its non-blank lines."""
    sections = list(sections)
    chosen = [s for s in sections if s[0] == ARTICLE]
    kind = ARTICLE
    if not chosen:
        items = [s for s in sections if s[0] == ITEM]
        if items:
            top = min(s[4] for s in items)
            chosen, kind = [s for s in items if s[4] == top], ITEM
    units: list[Unit] = []
    if chosen:
        for _kind, label, start, end, _level in sorted(chosen, key=lambda s: s[2]):
            start, end = _trim(text, start, end)
            if start < end:
                units.append(Unit(start, end, kind, label))
        return units
    for match in _PARAGRAPH.finditer(text):
        start, end = _trim(text, match.start(), match.end())
        if start < end:
            units.append(Unit(start, end, PARAGRAPH, ""))
    return units


def body(text: str, unit: Unit) -> str:
    """The unit's text without its heading label (第三条 says where, not what)."""
    skip = len(unit.label) if unit.label and text.startswith(unit.label, unit.start) else 0
    return text[unit.start + skip : unit.end]


def positives(
    units: list[Unit],
    codings: Iterable[tuple[int, int, int]],
    nodes_of: Mapping[int, Iterable[int]],
    min_share: float = 0.0,
) -> dict[int, set[int]]:
    """Node id -> indexes of the units a coding (start, end, node id) at the node or a descendant covers.

    `nodes_of` maps a coded node to itself and its ancestors. A unit counts when the codings' share of its characters
    exceeds `min_share` (0: any overlap) — measured per coding, the largest one deciding."""
    starts = [u.start for u in units]
    found: dict[int, set[int]] = {}
    for start, end, node_id in codings:
        first = max(bisect.bisect_right(starts, start) - 1, 0)
        for index in range(first, len(units)):
            unit = units[index]
            if unit.start >= end:
                break
            overlap = min(end, unit.end) - max(start, unit.start)
            if overlap > 0 and overlap / (unit.end - unit.start) >= min_share:
                for node in nodes_of.get(node_id, (node_id,)):
                    found.setdefault(node, set()).add(index)
    return found
