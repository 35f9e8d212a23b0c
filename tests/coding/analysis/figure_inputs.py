"""Inputs for the figure tests: a by-row matrix over one column, and how much ink a PNG holds."""

import io

from PIL import Image

from coding.analysis import matrix


def ink(png: bytes) -> int:
    """Pixels that are not (near) white."""
    image = Image.open(io.BytesIO(png)).convert("L")
    return sum(count for level, count in enumerate(image.histogram()) if level < 200)


def one_column(rows, value="documents"):
    """A by-row matrix over one column (node 7) from (label, [(doc id, codings)]) rows."""
    built = [matrix.Row(label, label, tuple(d for d, _n in docs), 100) for label, docs in rows]
    column = matrix.Column(7, "数据共享", "数据共享", "#4e79a7", frozenset({7}))
    facts = [(d, 7, n) for _label, docs in rows for d, n in docs if n]
    return matrix.compute(value, built, [column], facts, rows_by="province")
