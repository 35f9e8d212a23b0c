"""Character bigrams as integer codes, for the text search index (policies.models.DocumentBigrams). Pure.

A bigram's code is (first << 16) ^ second over the two code points, kept to 32 bits and read as a signed int4 (what
PostgreSQL's integer arrays hold). Two characters of the Basic Multilingual Plane (every common Chinese character,
ASCII, punctuation) get a code of their own; a pair with a character beyond it (𠮷) may share its code with another
pair, which costs the search a text it reads for nothing, never a hit it misses. Search is case-sensitive, so the
codes are too."""

import numpy as np

SHORTEST = 2  # characters: a term this long or longer has at least one bigram to look up


def _points(text: str) -> np.ndarray:
    # surrogatepass: a lone surrogate (which normalized text should not hold) still gets a code, never an error
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def text_codes(text: str) -> np.ndarray:
    """The distinct bigram codes of a text, sorted ascending (int32); empty for a text shorter than two characters."""
    points = _points(text)
    if len(points) < SHORTEST:
        return np.empty(0, dtype=np.int32)
    return np.unique(((points[:-1] << np.uint32(16)) ^ points[1:]).view(np.int32))


def term_codes(term: str) -> list[int]:
    """The codes a text must hold all of to contain `term`; empty for a one-character term (no bigram)."""
    return text_codes(term).tolist()


def array_literal(codes: np.ndarray) -> str:
    """PostgreSQL's text form of an integer array: {1,-2,3}."""
    return "{" + ",".join(map(str, codes.tolist())) + "}"
