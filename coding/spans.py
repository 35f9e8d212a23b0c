"""Pure: text spans as code-point intervals — checking, trimming and merging them."""

from collections.abc import Iterable


class SpanError(ValueError):
    """A span that cannot be coded; str() is the researcher-facing message."""


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without leading and trailing whitespace; raises SpanError when out of range or only whitespace."""
    if not (0 <= start < end <= len(text)):
        raise SpanError(f"{start}–{end}")
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise SpanError("whitespace")
    return start, end


def merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of spans as sorted, non-overlapping, non-touching intervals (sort and sweep)."""
    result: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def covered(spans: Iterable[tuple[int, int]]) -> int:
    """Number of characters inside at least one span."""
    return sum(end - start for start, end in merged(spans))
