"""Turn uploaded .txt/.docx/.pdf/.html bytes and .zip archives into normalized text; pure, no database access."""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString
from django.utils.translation import gettext as _
from lxml import etree
from pdfminer.high_level import extract_text as pdfminer_extract_text
from pdfminer.pdfdocument import PDFEncryptionError

from policies import control_chars, inflation

SUPPORTED_EXTENSIONS = (".txt", ".docx", ".pdf", ".html", ".htm")

NESTED_ARCHIVE_EXTENSIONS = (".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz")


class UnsupportedFormat(Exception):
    """The file's extension is not one we can read; str(exc) is shown to the researcher."""


class ExtractionError(Exception):
    """The file could not be turned into text; str(exc) is shown to the researcher."""


class TooLarge(ExtractionError):
    """The file unpacks to more than its budget allows (a decompression bomb, or simply too big); answered with 413."""


@dataclass(frozen=True)
class ZipMember:
    """One file inside an uploaded archive: either its bytes or the reason it was refused."""

    name: str
    data: bytes | None
    error: str | None


# --- normalization -----------------------------------------------------------------------------------------------

# U+2028/U+2029 and NEL are real line breaks in some exports, so they become LF rather than vanishing.
_LINE_BREAK_RE = re.compile("\r\n?|[\u0085\u2028\u2029]")
# Every Cc character except TAB and LF (CR is already gone), plus any stray BOM / zero-width no-break space.
_DROP_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ufeff]+")


def normalize_text(text: str) -> str:
    """Return text with BOMs and control characters removed, line breaks as LF, NFC form and no trailing whitespace."""
    text = _LINE_BREAK_RE.sub("\n", text)
    text = _DROP_RE.sub("", text)
    # Removing controls first lets a combining mark that followed one compose with its base.
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text.rstrip()


# --- dispatch ----------------------------------------------------------------------------------------------------


def _extension(filename: str) -> str:
    basename = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = basename.rpartition(".")
    return f".{ext.lower()}" if dot and stem else ""


def extract_text(filename: str, data: bytes, *, budget: inflation.Budget | None = None) -> str:
    """Return the normalized text of an uploaded file, choosing the reader by its (case-insensitive) extension.

    What a .docx or .pdf unpacks to draws on `budget` (100 MB unless given); going past it raises TooLarge."""
    ext = _extension(filename)
    readers = {
        ".txt": _extract_txt,
        ".docx": _extract_docx,
        ".pdf": _extract_pdf,
        ".html": _extract_html,
        ".htm": _extract_html,
    }
    reader = readers.get(ext)
    if reader is None:
        if not ext:
            raise UnsupportedFormat(_("This file has no extension: upload .txt, .docx, .pdf, .html or .zip."))
        raise UnsupportedFormat(
            _("Unsupported file type “%(ext)s”: upload .txt, .docx, .pdf, .html or .zip.") % {"ext": ext}
        )
    if not data:
        raise ExtractionError(_("This file is empty."))
    budget = budget or inflation.Budget()
    try:
        raw = reader(data, budget)
    except inflation.LimitExceeded as exceeded:
        raise _too_large(filename, budget, exceeded.budget) from None
    text = normalize_text(raw)
    if not text.strip():
        if ext == ".pdf":
            raise ExtractionError(_("This PDF has no text layer: this looks like a scanned PDF, run OCR first."))
        raise ExtractionError(_("This file contains no text."))
    return text


def _too_large(filename: str, own: inflation.Budget, exceeded: inflation.Budget) -> TooLarge:
    name = control_chars.shown(filename.replace("\\", "/").rsplit("/", 1)[-1])
    if exceeded is own:
        return TooLarge(
            _(
                "“%(name)s” unpacks to more than %(mb)d MB, the limit for one file, so it was refused "
                "(it may be a decompression bomb). Split it into smaller files."
            )
            % {"name": name, "mb": _megabytes(exceeded.limit)}
        )
    return TooLarge(
        _(
            "“%(name)s” was not imported: the archive it came in unpacks to more than %(mb)d MB in all, counting "
            "what its .docx and .pdf files unpack to. Split the archive into smaller ones."
        )
        % {"name": name, "mb": _megabytes(exceeded.limit)}
    )


def _megabytes(size: int) -> int:
    return max(1, size // (1024 * 1024))


# --- plain text and charset detection ----------------------------------------------------------------------------

_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Controls (bar TAB/LF/FF/CR), replacement characters and private-use code points are what mis-decoded binary yields.
_IMPLAUSIBLE_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd\ue000-\uf8ff]")
_HAN_SAMPLE = 4000


def _plausible(text: str) -> bool:
    if "\x00" in text:
        return False
    return len(_IMPLAUSIBLE_RE.findall(text)) * 50 <= len(text)


def _strict_decode(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return text if _plausible(text) else None


def _gbk_score(text: str) -> float:
    """Share of Han characters inside GB2312, which covers nearly all characters of real Simplified text."""
    hans = "".join(_HAN_RE.findall(text)[:_HAN_SAMPLE])
    if not hans:
        return 0.0
    # No Han character encodes to "?", so each "?" is one character outside GB2312.
    return 1 - hans.encode("gb2312", errors="replace").count(b"?") / len(hans)


def _big5_score(text: str) -> float:
    """Share of Han characters in Big5's frequently-used level 1 (0xA440-0xC67E), where real Traditional text lives."""
    hans = "".join(_HAN_RE.findall(text)[:_HAN_SAMPLE])
    if not hans:
        return 0.0
    encoded = hans.encode("cp950", errors="replace")
    pairs = re.findall(rb"[\x81-\xfe][\x40-\xfe]", encoded)
    level1 = sum(1 for pair in pairs if 0xA4 <= pair[0] < 0xC6 or (pair[0] == 0xC6 and pair[1] <= 0x7E))
    return level1 / len(hans)


def _decode_text(data: bytes) -> str:
    """Decode bytes as UTF-8 (BOM optional), UTF-16 with BOM, GB18030/GBK or Big5, else raise ExtractionError."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _strict_decode(data, "utf-16")
        if text is not None:
            return text
    text = _strict_decode(data, "utf-8-sig")
    if text is not None:
        return text
    # Big5 byte ranges are a subset of GBK's, so Big5 files also decode as GB18030: decide by which reading
    # yields common characters, since the wrong reading scatters over rare ones.
    candidates = []
    gbk_text = _strict_decode(data, "gb18030")
    if gbk_text is not None:
        candidates.append((_gbk_score(gbk_text), 1, gbk_text))
    big5_text = _strict_decode(data, "cp950")
    if big5_text is not None:
        candidates.append((_big5_score(big5_text), 0, big5_text))
    if not candidates:
        raise ExtractionError(_("This file could not be decoded as text: it is not UTF-8, GB18030/GBK or Big5."))
    return max(candidates, key=lambda candidate: candidate[:2])[2]


def _extract_txt(data: bytes, _budget: inflation.Budget) -> str:
    return _decode_text(data)


# --- docx --------------------------------------------------------------------------------------------------------


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
# Which elements carry text, by their parent's role: the parts python-docx reads for body paragraphs (direct runs and
# hyperlinked runs), table rows (each cell's own paragraphs) and content controls (w:sdt) around either.
_ROLES = {
    ("root", _W + "document"): "document",
    ("document", _W + "body"): "blocks",
    ("blocks", _W + "sdt"): "sdt",
    ("sdt", _W + "sdtContent"): "blocks",
    ("blocks", _W + "p"): "paragraph",
    ("blocks", _W + "tbl"): "table",
    ("table", _W + "tr"): "row",
    ("row", _W + "tc"): "cell",
    ("cell", _W + "p"): "cell-paragraph",
    ("paragraph", _W + "r"): "run",
    ("paragraph", _W + "hyperlink"): "link",
    ("cell-paragraph", _W + "r"): "run",
    ("cell-paragraph", _W + "hyperlink"): "link",
    ("link", _W + "r"): "run",
}
_RUN_CONTENT = {_W + "tab": "\t", _W + "ptab": "\t", _W + "cr": "\n", _W + "noBreakHyphen": "-"}


def _extract_docx(data: bytes, budget: inflation.Budget) -> str:
    damaged = _("This .docx file is damaged or is not a Word document.")
    try:
        # Measure every part against the budget with a bounded reader before anything is parsed.
        inflation.measure_zip(data, budget)
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(_docx_main_part(archive)) as stream:
            return _docx_text(stream)
    except inflation.LimitExceeded:
        raise
    except Exception as exc:
        # zipfile and lxml report damage (a bad CRC, a size that does not match its header, broken XML, a text node
        # over lxml's 10 MB) with many exception types.
        raise ExtractionError(damaged) from exc


def _docx_main_part(archive: zipfile.ZipFile) -> str:
    """The name of the main document part, as the package's relationships name it."""
    with archive.open("_rels/.rels") as stream:
        root = etree.parse(stream, etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    for relationship in root.iter(_RELS + "Relationship"):
        if relationship.get("Type") == _OFFICE_DOCUMENT:
            return relationship.get("Target", "").lstrip("/")
    raise KeyError("officeDocument")


def _docx_text(stream) -> str:
    """The text of document.xml as python-docx gives it (paragraphs; table rows as cells joined by tabs), read as a
    stream: each element is dropped once read, so memory stays flat however large the part is."""
    lines: list[str] = []
    paragraph: list[str] = []
    cell: list[str] = []
    row: list[str] = []
    roles: list[str | None] = ["root"]
    events = etree.iterparse(
        stream, events=("start", "end"), remove_blank_text=True, resolve_entities=False, no_network=True
    )
    for event, element in events:
        if event == "start":
            parent = roles[-1]
            roles.append(_ROLES.get((parent, element.tag)) if parent else None)
            continue
        role = roles.pop()
        if roles[-1] == "run":
            if element.tag == _W + "t":
                paragraph.append(element.text or "")
            elif element.tag == _W + "br":
                paragraph.append("\n" if element.get(_W + "type", "textWrapping") == "textWrapping" else "")
            else:
                paragraph.append(_RUN_CONTENT.get(element.tag, ""))
        elif role == "paragraph":
            lines.append("".join(paragraph))
            paragraph.clear()
        elif role == "cell-paragraph":
            cell.append("".join(paragraph))
            paragraph.clear()
        elif role == "cell":
            row.append(" ".join("\n".join(cell).split("\n")))
            cell.clear()
        elif role == "row":
            lines.append("\t".join(row))
            row.clear()
        elif role is None and roles == ["root"]:
            raise ValueError("not a Word document")
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
    return "\n".join(lines)


# --- pdf ---------------------------------------------------------------------------------------------------------

_CJK_CONTINUING_END_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]$")
_SENTENCE_END = "。！？；：!?;:"
_PARAGRAPH_START_RE = re.compile(
    r"[\s\u3000]"
    r"|第[一二三四五六七八九十百千零〇两\d]+[条章节编款部分]"
    r"|[一二三四五六七八九十]+、"
    r"|[（(][一二三四五六七八九十\d]+[）)]"
    r"|\d+[、.．](?!\d)"
    r"|[①-⑳]"
    r"|附件"
)


def _join_wrapped_lines(page: str) -> str:
    """Join PDF lines that are a Chinese paragraph wrapped by the page width, keeping real paragraph breaks."""
    lines: list[str] = []
    for raw in page.split("\n"):
        line = raw.rstrip()
        previous = lines[-1] if lines else ""
        if (
            line
            and previous
            and _CJK_CONTINUING_END_RE.search(previous)
            and previous[-1] not in _SENTENCE_END
            and not _PARAGRAPH_START_RE.match(raw)
        ):
            lines[-1] = previous + line
        else:
            lines.append(line)
    return "\n".join(lines).strip("\n")


def _extract_pdf(data: bytes, budget: inflation.Budget) -> str:
    damaged = _("This .pdf file is damaged or is not a PDF.")
    # pdfminer returns "" for arbitrary bytes, which would be misreported as a scanned PDF.
    if b"%PDF-" not in data[:1024]:
        raise ExtractionError(damaged)
    try:
        with inflation.pdf_streams_limited(budget):
            raw = pdfminer_extract_text(io.BytesIO(data))
    except inflation.LimitExceeded:
        raise
    except PDFEncryptionError as exc:
        raise ExtractionError(_("This PDF is password-protected or forbids text extraction.")) from exc
    except Exception as exc:
        # pdfminer signals malformed input with many unrelated exception types.
        raise ExtractionError(damaged) from exc
    # pdfminer ends every page with a form feed; pages become paragraphs.
    pages = (_join_wrapped_lines(page) for page in raw.split("\f"))
    return "\n\n".join(page for page in pages if page.strip())


# --- html --------------------------------------------------------------------------------------------------------

_META_CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_DROPPED_TAGS = ("head", "title", "script", "style", "noscript", "template", "iframe", "object", "embed", "svg")
_BLOCK_TAG_NAMES = (
    "address article aside blockquote body caption center dd details dialog dir div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main menu nav ol p pre section summary "
    "table tbody tfoot thead tr ul"
)
_BLOCK_TAGS = frozenset(_BLOCK_TAG_NAMES.split())
_CELL_TAGS = frozenset(("td", "th"))
_HTML_SPACE_RE = re.compile(r"[ \t\n\r\f]+")
# A source line break between two Han characters is layout, not a word space.
_SOFT_BREAK = "\x01"
_HAN_SOFT_BREAK_RE = re.compile(
    "(?<=[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef])\x01"
    "(?=[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef])"
)
_SPACES_RE = re.compile(" {2,}")
_SPACED_TAB_RE = re.compile(" *\t *")


_WESTERN_SINGLE_BYTE = frozenset(("ascii", "iso8859-1", "cp1252"))


def _declared_encoding(data: bytes) -> str | None:
    match = _META_CHARSET_RE.search(data[:4096])
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    # Pages labelled gb2312/gbk routinely use GBK-only characters, and "big5" pages use Microsoft's extensions.
    return {"gb2312": "gb18030", "gbk": "gb18030", "big5": "cp950"}.get(name, name)


def _decode_html(data: bytes) -> str:
    has_bom = data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    declared = None if has_bom else _declared_encoding(data)
    if declared in _WESTERN_SINGLE_BYTE:
        # Old Chinese sites often keep a template's Latin-1 label; a Latin codec would turn their GBK into mojibake.
        try:
            return _decode_text(data)
        except ExtractionError:
            pass
    if declared:
        text = _strict_decode(data, declared)
        if text is not None:
            return text
    # Chinese sites often declare one charset and serve another, so a failed declaration falls back to detection.
    return _decode_text(data)


def _extract_html(data: bytes, _budget: inflation.Budget) -> str:
    soup = BeautifulSoup(_decode_html(data), "lxml")
    for tag in soup.find_all(_DROPPED_TAGS):
        tag.decompose()
    for tag in soup.find_all(hidden=True):
        tag.decompose()

    pieces: list[str] = []
    # Iterative walk: deeply nested pages must not hit the recursion limit. "None" marks leaving a <pre>.
    stack: list = [soup]
    pre_depth = 0
    while stack:
        node = stack.pop()
        if node is None:
            pre_depth -= 1
            continue
        if isinstance(node, str) and not isinstance(node, NavigableString):
            pieces.append(node)
            continue
        if isinstance(node, NavigableString):
            if isinstance(node, PreformattedString):
                continue
            pieces.append(str(node) if pre_depth else _HTML_SPACE_RE.sub(_collapse_space, str(node)))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if name == "br":
            pieces.append("\n")
            continue
        after = "\n" if name in _BLOCK_TAGS else "\t" if name in _CELL_TAGS else ""
        if name in _BLOCK_TAGS:
            pieces.append("\n")
        if after:
            stack.append(after)
        if name == "pre":
            pre_depth += 1
            stack.append(None)
        stack.extend(reversed(node.contents))

    text = _HAN_SOFT_BREAK_RE.sub("", "".join(pieces)).replace(_SOFT_BREAK, " ")
    lines = (_SPACED_TAB_RE.sub("\t", _SPACES_RE.sub(" ", line)).strip(" \t\u00a0\u3000") for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _collapse_space(match: re.Match) -> str:
    # A run holding a source line break gets a marker, so it can vanish between Han characters afterwards.
    return _SOFT_BREAK if "\n" in match.group(0) else " "


# --- zip ---------------------------------------------------------------------------------------------------------

_UTF8_NAME_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_READ_CHUNK = 1024 * 1024


def _member_name(info: zipfile.ZipInfo) -> str:
    """Recover the real name of an entry stored without the UTF-8 flag, which zipfile decoded as cp437."""
    name = info.filename
    if not info.flag_bits & _UTF8_NAME_FLAG and not name.isascii():
        raw = name.encode("cp437")
        # macOS writes UTF-8 without setting the flag; Chinese Windows writes GBK.
        for encoding in ("utf-8", "gb18030"):
            try:
                name = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    return unicodedata.normalize("NFC", name)


def _is_unsafe(name: str) -> bool:
    path = name.replace("\\", "/")
    return path.startswith("/") or re.match(r"[A-Za-z]:", path) is not None or ".." in path.split("/")


def _is_skipped(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return parts[0] == "__MACOSX" or any(part.startswith(".") and part not in (".", "..") for part in parts)


def iter_zip(data: bytes, *, max_entries: int = 1000, max_unpacked_bytes: int = 200 * 1024 * 1024) -> list[ZipMember]:
    """Return one ZipMember per file in the archive, refusing unsafe entries and raising ExtractionError for bombs."""
    damaged = _("This .zip file is damaged or is not a zip archive.")
    too_big = _("This archive unpacks to more than %(mb)s MB: split it into smaller archives.") % {
        "mb": max(1, max_unpacked_bytes // (1024 * 1024))
    }
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise ExtractionError(damaged) from exc

    with archive:
        infos = archive.infolist()
        if len(infos) > max_entries:
            raise ExtractionError(
                _("This archive has more than %(max)s entries: split it into smaller archives.") % {"max": max_entries}
            )
        if sum(info.file_size for info in infos) > max_unpacked_bytes:
            raise TooLarge(too_big)

        members: list[ZipMember] = []
        budget = max_unpacked_bytes
        for info in infos:
            if info.is_dir():
                continue
            name = _member_name(info)
            if _is_unsafe(name):
                members.append(ZipMember(name, None, _("Unsafe path in archive: this entry was skipped.")))
                continue
            if _is_skipped(name):
                continue
            if name.lower().endswith(NESTED_ARCHIVE_EXTENSIONS):
                members.append(
                    ZipMember(name, None, _("Archives inside an archive are not supported: upload it separately."))
                )
                continue
            if info.flag_bits & _ENCRYPTED_FLAG:
                members.append(ZipMember(name, None, _("This file is password-protected inside the archive.")))
                continue
            if info.compress_type not in inflation.READABLE_METHODS:
                unreadable = _("This file is compressed with a method other than deflate: make a plain zip.")
                members.append(ZipMember(name, None, unreadable))
                continue
            try:
                content = _bounded_read(archive, info, budget)
            except _LimitExceeded as exc:
                raise TooLarge(too_big) from exc
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError, ValueError):
                # Includes a CRC or size mismatch, which is what a header lying about its size produces.
                members.append(ZipMember(name, None, _("This file is damaged inside the archive.")))
                continue
            budget -= len(content)
            members.append(ZipMember(name, content, None))
    return members


class _LimitExceeded(Exception):
    pass


def _bounded_read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """Read one member in chunks, stopping as soon as it inflates past the remaining budget whatever its header says."""
    chunks: list[bytes] = []
    total = 0
    with archive.open(info) as stream:
        while chunk := stream.read(_READ_CHUNK):
            total += len(chunk)
            if total > budget:
                raise _LimitExceeded
            chunks.append(chunk)
    return b"".join(chunks)
