"""Find the headings of a policy text (第X编/章/节/条, or 一、/（一） items) and the spans they govern (pure)."""

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SectionSpan:
    kind: str
    label: str
    start: int
    end: int
    level: int


_DIGITS = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL = "一二三四五六七八九十百千零〇两"
_SMALL_NUMERAL = "一二三四五六七八九十百零〇"
_LINE_START = r"^[^\S\n]*"  # leading spaces, tabs and full-width spaces, never crossing a line

_UNIT_KIND = {"编": ("part", 0), "章": ("chapter", 1), "节": ("section", 2), "条": ("article", 3)}
# A line that starts with a wrapped cross-reference (第三条规定的…, 第十条第二款) is not a heading.
_HEADING = re.compile(
    rf"{_LINE_START}(?P<label>第(?P<number>[{_NUMERAL}]+|[0-9０-９]+)(?P<unit>[编章节条]))"
    r"(?![的之规所和或与及、，,至中第款项])",
    re.MULTILINE,
)
# A heading that follows a chapter's title on the same line (第一章　总则　　第一条 …), as legal databases export
# them: after white space, never right after other text.
_INLINE_HEADING = re.compile(
    rf"[^\S\n]+(?P<label>第(?P<number>[{_NUMERAL}]+|[0-9０-９]+)(?P<unit>[节条]))(?![的之规所和或与及、，,至中第款项])"
)
_ITEMS = (
    (re.compile(rf"{_LINE_START}(?P<label>(?P<number>[{_SMALL_NUMERAL}]+)、)", re.MULTILINE), 4),
    (re.compile(rf"{_LINE_START}(?P<label>[（(](?P<number>[{_SMALL_NUMERAL}]+)[）)])", re.MULTILINE), 5),
    (re.compile(rf"{_LINE_START}(?P<label>(?P<number>[0-9０-９]{{1,2}})[．.、])(?![0-9０-９])", re.MULTILINE), 6),
)
_CONTAINER_LEVELS = (0, 1, 2)


def chinese_numeral_to_int(s: str) -> int | None:
    """Read a Chinese (一百二十三, 二〇二一, 两) or Arabic (12, １２) numeral; None when it is not well formed."""
    s = s.strip()
    if not s:
        return None
    if s.isdecimal():
        return int(s)
    if all(ch in _DIGITS for ch in s):
        if len(s) == 1 or "两" not in s:
            return int("".join(str(_DIGITS[ch]) for ch in s))
        return None
    total = 0
    current: int | None = None
    last_unit = 10_000
    for ch in s:
        if ch in _DIGITS:
            if current is not None:  # two digits in a row inside a unit numeral (二三十)
                return None
            current = _DIGITS[ch] if _DIGITS[ch] else None
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit >= last_unit:
                return None
            if current is None:
                if ch != "十":  # only 十 may stand for 一十
                    return None
                current = 1
            total += current * unit
            current = None
            last_unit = unit
        else:
            return None
    return total + (current or 0)


def _spans(text: str, headings: list[tuple[int, str, str, int]]) -> list[SectionSpan]:
    """Close each heading where the next heading of the same or a higher level starts."""
    ends = [len(text)] * len(headings)
    open_: list[int] = []
    for index, (start, _kind, _label, level) in enumerate(headings):
        while open_ and headings[open_[-1]][3] >= level:
            ends[open_.pop()] = start
        open_.append(index)
    return [
        SectionSpan(kind=kind, label=label, start=start, end=end, level=level)
        for (start, kind, label, level), end in zip(headings, ends, strict=True)
    ]


def _without_contents_lists(text: str, headings: list[tuple[int, str, str, int]]) -> list[tuple[int, str, str, int]]:
    """Drop 编/章/节 headings that govern no article while others do: the lines of a table of contents."""
    for _ in _CONTAINER_LEVELS:  # each pass can empty the container one level up
        spans = _spans(text, headings)
        empty = {
            index
            for index, span in enumerate(spans)
            if span.level in _CONTAINER_LEVELS and (index + 1 == len(spans) or spans[index + 1].start >= span.end)
        }
        if not empty or len(empty) == sum(1 for s in spans if s.level in _CONTAINER_LEVELS):
            break
        headings = [heading for index, heading in enumerate(headings) if index not in empty]
    return headings


def _inline_headings(text: str, position: int, level: int) -> list[tuple[int, str, str, int]]:
    """Headings of lower levels on the rest of a container heading's line: 第一节 or 第一条 after 第一章　总则."""
    found: list[tuple[int, str, str, int]] = []
    line_end = text.find("\n", position)
    line_end = len(text) if line_end == -1 else line_end
    while level < 3:
        match = _INLINE_HEADING.search(text, position, line_end)
        if match is None or chinese_numeral_to_int(match.group("number")) is None:
            break
        kind, inner_level = _UNIT_KIND[match.group("unit")]
        if inner_level <= level:
            break
        found.append((match.start("label"), kind, match.group("label"), inner_level))
        position, level = match.end("label"), inner_level
    return found


def detect_sections(text: str) -> list[SectionSpan]:
    """Return the headings found at line starts with the spans they govern, sorted by start (code-point offsets)."""
    headings: list[tuple[int, str, str, int]] = []
    has_articles = False
    for match in _HEADING.finditer(text):
        if chinese_numeral_to_int(match.group("number")) is None:
            continue
        kind, level = _UNIT_KIND[match.group("unit")]
        has_articles = has_articles or level == 3
        headings.append((match.start("label"), kind, match.group("label"), level))
        inline = _inline_headings(text, match.end("label"), level)
        has_articles = has_articles or any(heading[3] == 3 for heading in inline)
        headings.extend(inline)
    if not has_articles:
        for pattern, level in _ITEMS:
            for match in pattern.finditer(text):
                if chinese_numeral_to_int(match.group("number")) is not None:
                    headings.append((match.start("label"), "item", match.group("label"), level))
        headings.sort(key=lambda h: (h[0], h[3]))
    if has_articles:
        headings = _without_contents_lists(text, headings)
    return _spans(text, headings)
