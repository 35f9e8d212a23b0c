"""Pure: a text cut into its lines (paragraphs) with code-point offsets, for rendering and anchors."""

from bisect import bisect_right
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext


@dataclass(frozen=True, slots=True)
class OutlineSection:
    """A section as the outline needs it (a model instance each cost more than the outline itself)."""

    kind: str
    label: str
    level: int
    start: int
    end: int


OUTLINE_FIELDS = ("kind", "label", "level", "start", "end")


def outline_sections(rows) -> list[OutlineSection]:
    """Sections from `values_list(*OUTLINE_FIELDS)` rows, in their order (start, level)."""
    return [OutlineSection(*row) for row in rows]


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


def heading_line(text: str, start: int, limit: int = 24, stop: int | None = None) -> str:
    """The heading's own line from `start` (第一章　总则), up to `stop` (a heading on the same line), cut to `limit`."""
    end = text.find("\n", start)
    end = len(text) if end == -1 else end
    line = text[start : min(end, stop) if stop is not None and stop > start else end].strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


def paragraphs_html(lines: list[Paragraph]) -> SafeString:
    """The text as one <p> per line carrying its code-point offset (built here: a template loop is too slow).

    Every line is escaped here, so this function, and no caller, marks the result safe."""
    return mark_safe(
        "".join(f'<p id="p-{p.start}" data-start="{p.start}">{escape(p.text, quote=False)}</p>' for p in lines)
    )


def outline(text: str, lines: list[Paragraph], sections) -> list[dict]:
    """Outline entries for sections (anything with kind/start): the paragraph to jump to and a heading to show."""
    starts = [p.start for p in lines]
    sections = list(sections)
    following = [s.start for s in sections[1:]] + [None]  # where each heading's line is cut by the next heading
    return [
        {
            "section": s,
            "anchor": paragraph_start_for(starts, s.start),
            "heading": heading_line(text, s.start, stop=stop) if s.kind != "article" else "",
        }
        for s, stop in zip(sections, following, strict=False)
    ]


def outline_html(items: list[dict], code_articles: bool = False) -> SafeString:
    """The outline list of `outline(...)` entries as HTML (built here like the text: a template loop over a few
    hundred articles was most of the coding page's server time). `code_articles` adds the "code this" buttons.

    Every label is escaped here, so this function, and no caller, marks the result safe."""
    title = escape(gettext("Code this article"))
    label_format = gettext("Code %(label)s")
    rows = []
    for item in items:
        section = item["section"]
        shown = escape(item["heading"] or section.label)
        button = ""
        if code_articles and section.kind in ("article", "item"):
            label = escape(label_format % {"label": section.label})
            button = (
                f'<button type="button" class="code-section" data-start="{section.start}" data-end="{section.end}" '
                f'title="{title}" aria-label="{label}">⊕</button>'
            )
        rows.append(
            f'<li class="outline-{escape(section.kind)} level-{int(section.level)}"><a href="#p-{item["anchor"]}" '
            f'data-start="{section.start}" data-end="{section.end}" title="{shown}">{shown}</a>{button}</li>'
        )
    return mark_safe('<ol class="outline-list">' + "".join(rows) + "</ol>")
