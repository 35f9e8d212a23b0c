"""Pure: a text cut into its lines (paragraphs) with code-point offsets, for rendering and anchors."""

from bisect import bisect_right
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Paragraph:
    start: int  # code-point offset of the first character
    text: str  # without the trailing line break


def paragraphs(text: str) -> list[Paragraph]:
    """Every line of the text with its offset; line breaks themselves belong to no paragraph."""
    result = []
    start = 0
    for line in text.split("\n"):
        result.append(Paragraph(start, line))
        start += len(line) + 1
    return result


def paragraph_start_for(starts: list[int], offset: int) -> int:
    """The start of the paragraph that holds `offset`, given the sorted paragraph starts."""
    return starts[max(bisect_right(starts, offset) - 1, 0)]
