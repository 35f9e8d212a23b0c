"""Decompression bombs, generated: files small on disk that unpack to `inflated` bytes. Used by the upload security
tests (with small sizes) and by bench/upload_bench.py (with real ones)."""

import io
import struct
import zipfile
import zlib

CHUNK = 1024 * 1024

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="word/document.xml" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    b"</Relationships>"
)
DOCUMENT_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    "<w:p><w:r><w:t>第一条 为了规范数据处理活动，制定本条例。</w:t></w:r></w:p>"
).encode()
DOCUMENT_END = b"</w:body></w:document>"


def _write_padded(archive: zipfile.ZipFile, name: str, start: bytes, padding: int, end: bytes) -> None:
    """Write a member made of start, `padding` spaces and end, streamed so the bomb never sits in memory."""
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = 9  # Python 3.11 names it so (3.13 adds compress_level)
    with archive.open(info, "w") as member:
        member.write(start)
        while padding > 0:
            member.write(b" " * min(CHUNK, padding))
            padding -= CHUNK
        member.write(end)


def docx(inflated: int = 0) -> bytes:
    """A real Word document whose document.xml unpacks to about `inflated` bytes (whitespace between elements)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        padding = max(0, inflated - len(DOCUMENT_START) - len(DOCUMENT_END))
        _write_padded(archive, "word/document.xml", DOCUMENT_START, padding, DOCUMENT_END)
    return buffer.getvalue()


def docx_with_lying_sizes(inflated: int, declared: int = 1000) -> bytes:
    """docx(inflated) whose zip headers claim document.xml unpacks to only `declared` bytes."""
    return understate_size(docx(inflated), "word/document.xml", declared)


def understate_size(data: bytes, member: str, declared: int) -> bytes:
    """The zip `data` with both headers of `member` (local and central) claiming it unpacks to `declared` bytes."""
    patched = bytearray(data)
    name = member.encode()
    local = patched.find(name) - 30  # the first occurrence is in the local header, after its 30 fixed bytes
    central = patched.rfind(name) - 46  # the last is in the central directory, after its 46 fixed bytes
    assert patched[local : local + 4] == b"PK\x03\x04"
    assert patched[central : central + 4] == b"PK\x01\x02"
    struct.pack_into("<I", patched, local + 22, declared)
    struct.pack_into("<I", patched, central + 24, declared)
    return bytes(patched)


def pdf(inflated: int = 0) -> bytes:
    """A one-page PDF with a line of text whose Flate content stream unpacks to about `inflated` bytes (zeros)."""
    text = b"BT /F1 12 Tf 72 720 Td (Regulation on data processing) Tj ET\n"
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(text)]
    padding = max(0, inflated - len(text))
    zeros = b"\x00" * CHUNK
    while padding > 0:
        parts.append(compressor.compress(zeros[: min(CHUNK, padding)]))
        padding -= CHUNK
    parts.append(compressor.flush())
    stream = b"".join(parts)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def zipped(*entries: tuple[str, bytes]) -> bytes:
    """A .zip of the given (name, bytes) entries, stored (the bombs inside are compressed already)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()
