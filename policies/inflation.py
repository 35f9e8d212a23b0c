"""Caps on what an uploaded file may unpack to: one budget that every decompression draws on. Pure.

A 1 MB .docx can hold a part that inflates to 1 GB, a PDF a Flate stream as large, and zip headers may lie about
sizes. So every part of a .docx is measured with a bounded reader before its text is parsed, and pdfminer's stream
filters (Flate, LZW, RunLength) are replaced by versions that stop as soon as the budget runs out, rather than after
the whole stream sits in memory.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import types
import zipfile
import zlib
from collections.abc import Iterator

from pdfminer import lzw, pdftypes

CHUNK = 1024 * 1024
DEFAULT_LIMIT = 100 * 1024 * 1024
# The only methods a .docx (or a zip from Windows, macOS or Linux) uses. bzip2 and LZMA members are refused: zipfile
# decompresses each read of theirs without an output bound, so one read of a bzip2 bomb is already the whole bomb.
READABLE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


class LimitExceeded(Exception):
    """Decompression went past a budget; `budget` is the one exceeded (the file's own, or its archive's)."""

    def __init__(self, budget: Budget):
        super().__init__(budget.limit)
        self.budget = budget


class UnreadableMethod(Exception):
    """A zip member is compressed with a method other than stored or deflate."""


class Budget:
    """Bytes that decompression may still produce for one file; `shared` is its archive's budget, when it has one."""

    def __init__(self, limit: int = DEFAULT_LIMIT, shared: Budget | None = None):
        self.limit = limit
        self.used = 0
        self.shared = shared

    def check(self, size: int) -> None:
        """Raise LimitExceeded if `size` more bytes would not fit (the file's own limit is named first)."""
        if self.used + size > self.limit:
            raise LimitExceeded(self)
        if self.shared is not None:
            self.shared.check(size)

    def take(self, size: int) -> None:
        """Count `size` bytes just produced, raising LimitExceeded once they go past the limit."""
        self.check(size)
        self.used += size
        if self.shared is not None:
            self.shared.used += size


# --- zip-based files (.docx) ---------------------------------------------------------------------------------------


def measure_zip(data: bytes, budget: Budget) -> int:
    """Inflate every member of a zip without keeping it, charging `budget`; return the inflated total.

    Declared sizes are checked first (a cheap refusal), then each member is read to its end in chunks, so a header
    that understates a size cannot smuggle more past the budget. Raises zipfile.BadZipFile and friends for damage."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if any(info.compress_type not in READABLE_METHODS for info in infos):
            raise UnreadableMethod
        budget.check(sum(info.file_size for info in infos))
        start = budget.used
        for info in infos:
            with archive.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    budget.take(len(chunk))
        return budget.used - start


# --- PDF streams -------------------------------------------------------------------------------------------------

_pdf_budget: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("pdf_budget", default=None)


@contextlib.contextmanager
def pdf_streams_limited(budget: Budget) -> Iterator[None]:
    """Within the block, every PDF stream pdfminer decodes (in this thread) draws on `budget`."""
    token = _pdf_budget.set(budget)
    try:
        yield
    finally:
        _pdf_budget.reset(token)


def _current() -> Budget:
    # Outside pdf_streams_limited (pdfminer used elsewhere), each stream still gets the default cap of its own.
    budget = _pdf_budget.get()
    return budget if budget is not None else Budget()


def inflate(data: bytes) -> bytes:
    """zlib.decompress with an output bound: stops with LimitExceeded once the budget is spent.

    A stream that breaks off (a bad checksum, a truncated end) gives what was decoded before the break, as
    pdfminer's own recovery does; one that yields nothing raises zlib.error."""
    budget = _current()
    inflater = zlib.decompressobj()
    out = bytearray()
    pending = data
    try:
        while not inflater.eof:
            piece = inflater.decompress(pending, CHUNK)
            budget.take(len(piece))
            out += piece
            pending = inflater.unconsumed_tail
            if not pending and len(piece) < CHUNK:
                break  # input used up and nothing held back
    except zlib.error:
        if not out:
            raise
    return bytes(out)


class _BoundedInflater:
    """zlib.decompressobj() whose output is charged to the budget (pdfminer's byte-by-byte recovery path uses it)."""

    def __init__(self) -> None:
        self._budget = _current()
        self._inflater = zlib.decompressobj()

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        piece = self._inflater.decompress(data, max_length or CHUNK)
        self._budget.take(len(piece))
        return piece


def lzw_decode(data: bytes) -> bytes:
    """pdfminer's LZW decoder, stopping once the budget is spent."""
    budget = _current()
    out = bytearray()
    for piece in lzw.LZWDecoder(io.BytesIO(data)).run():
        budget.take(len(piece))
        out += piece
    return bytes(out)


def run_length_decode(data: bytes) -> bytes:
    """RunLengthDecode (PDF 1.7, 7.4.5), stopping once the budget is spent; a truncated run ends the data."""
    budget = _current()
    out = bytearray()
    i, end = 0, len(data)
    while i < end:
        length = data[i]
        i += 1
        if length == 128:
            break
        if length < 128:
            piece = data[i : i + length + 1]
            i += length + 1
        elif i < end:
            piece = data[i : i + 1] * (257 - length)
            i += 1
        else:
            break
        budget.take(len(piece))
        out += piece
    return bytes(out)


def _install_pdf_limits() -> None:
    # pdfminer decodes every stream in PDFStream.decode through these three module-level names: replacing them there
    # (and nowhere else) bounds every decoded stream, whichever object, page or font asks for it.
    pdftypes.zlib = types.SimpleNamespace(decompress=inflate, decompressobj=_BoundedInflater, error=zlib.error)
    pdftypes.lzwdecode = lzw_decode
    pdftypes.rldecode = run_length_decode


_install_pdf_limits()
