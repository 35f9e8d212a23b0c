"""Control characters in what people send: which are refused in a name and which in a text. Pure.

PostgreSQL cannot store NUL, and the other C0/C1 controls (and lone surrogates, which cannot be encoded as UTF-8)
have no place in a policy document's attributes, a memo or a codebook. A *text* (a memo, a description, any value
whose kind is not known, such as a form field or a JSON string) may hold TAB, LF and CR; a *name* (a node name, a
custom attribute name, a parameter or JSON key) holds no control character at all, line breaks included.
"""

import re

_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_IN_NAME = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# Header values arrive as ISO-8859-1 decoded bytes, so bytes 0x80–0x9F are parts of UTF-8 text, not C1 controls.
_IN_HEADER = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


def in_text(value: str) -> str | None:
    """The first character a text may not hold (every control character but TAB, LF and CR), or None."""
    found = _IN_TEXT.search(value)
    return found.group() if found else None


def in_name(value: str) -> str | None:
    """The first character a name may not hold (every control character, line breaks too), or None."""
    found = _IN_NAME.search(value)
    return found.group() if found else None


def in_header(value: str) -> str | None:
    """The first control character (other than TAB) in an HTTP header value, or None."""
    found = _IN_HEADER.search(value)
    return found.group() if found else None


def code_point(char: str) -> str:
    """U+0000 notation, to name a character that cannot be shown."""
    return f"U+{ord(char):04X}"


def shown(value: str, limit: int = 60) -> str:
    """A name fit to quote in a message: control characters become U+FFFD, long names are cut."""
    value = _IN_NAME.sub("\ufffd", value)
    return value if len(value) <= limit else f"{value[: limit - 1]}…"
