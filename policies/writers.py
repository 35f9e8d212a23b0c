"""Every file the app writes goes through here: CSV, .xlsx, PNG figures and the download response that carries them.

Spreadsheets never run what a user typed: a text cell that Excel or LibreOffice would read as a formula (one that
starts with =, +, -, @, a tab or a carriage return) is written behind a ' in CSV and as a string cell in .xlsx.
Numbers stay numbers, so a negative κ is still a number. Pure, except the response builders at the bottom.
"""

import csv
import io
import re
import struct
import tempfile
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO
from urllib.parse import quote

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
BOM = "\ufeff"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_TYPE = "application/zip"
STREAM_CHUNK = 64 * 1024  # characters buffered before a streamed chunk goes out
NUMBERS = (int, float, Decimal)

# Characters openpyxl refuses in a cell (the C0 controls but tab, LF and CR).
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# --- cells ---------------------------------------------------------------------------------------


def needs_guard(text: str) -> bool:
    """Whether a spreadsheet would run this text as a formula (quotes in front count too, see `guard`)."""
    return text.lstrip(GUARD).startswith(FORMULA_STARTS)


def guard(text: str) -> str:
    """Text as a safe CSV cell: a ' in front when it would start a formula.

    Text that already starts with quotes before such a character gets one more, so `unguard` gives back exactly
    what was written: guard("'=x") is "''=x".
    """
    return GUARD + text if needs_guard(text) else text


def unguard(text: str) -> str:
    """The text `guard` was given, for a cell read back from a CSV the app wrote (the attribute sheet, codebook)."""
    return text[1:] if text.startswith(GUARD) and needs_guard(text[1:]) else text


def csv_cell(value):
    """A value as a CSV cell: numbers as they are, None as empty, anything else as guarded text."""
    if value.__class__ is str:
        # most text starts with something harmless (a CJK character): one set lookup decides
        return guard(value) if value[:1] in _RISKY_FIRST else value
    if value is None:
        return ""
    if isinstance(value, NUMBERS):
        return value
    return guard(str(value))


_RISKY_FIRST = frozenset((*FORMULA_STARTS, GUARD))


def csv_field(value) -> str:
    """One cell exactly as csv_chunks writes it inside a row: csv_cell, then quoted when it holds a comma, a quote or
    a line break. For lines built by hand (csv_line), where formatting a cell once per document, node or coder
    instead of once per row is what makes a large export fast."""
    if value.__class__ is not str or value[:1] in _RISKY_FIRST:
        value = csv_cell(value)
        value = value if value.__class__ is str else str(value)
    # what csv.writer (QUOTE_MINIMAL, "\r\n" lines) puts in quotes; four scans for a character beat one regex
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return '"' + value + '"'
    return value


def csv_line(row: Sequence) -> str:
    """A row as one CSV line, the bytes csv_chunks writes for it (a row of one empty cell aside: csv writes "")."""
    return ",".join(map(csv_field, row)) + "\r\n"


# --- CSV -----------------------------------------------------------------------------------------


def csv_text(rows: Iterable[Sequence], *, bom: bool = True) -> str:
    """Rows as CSV text, UTF-8 with a BOM by default so Excel reads the Chinese."""
    out = io.StringIO()
    if bom:
        out.write(BOM)
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(map(csv_cell, row))
    return out.getvalue()


def csv_chunks(rows: Iterable[Sequence], *, bom: bool = True, chunk: int | None = None) -> Iterator[bytes]:
    """Rows as CSV bytes in chunks of about `chunk` (default STREAM_CHUNK) characters, for streaming in flat memory."""
    # About 64 KB a chunk: one chunk a row costs more in the HTTP layer than writing the CSV itself.
    chunk = chunk or STREAM_CHUNK
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if bom:
        buffer.write(BOM)
    for row in rows:
        writer.writerow(map(csv_cell, row))
        if buffer.tell() > chunk:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def csv_line_chunks(lines: Iterable[str], *, bom: bool = True, chunk: int | None = None) -> Iterator[bytes]:
    """CSV lines already written (csv_line, csv_field) as bytes in chunks of about `chunk` (default STREAM_CHUNK)
    characters, for streaming in flat memory."""
    chunk = chunk or STREAM_CHUNK
    buffer, size = [BOM] if bom else [], 0
    for line in lines:
        buffer.append(line)
        size += len(line)
        if size > chunk:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    yield "".join(buffer).encode()


# --- xlsx ----------------------------------------------------------------------------------------


def _xlsx_row(sheet, row: Sequence) -> list:
    from openpyxl.cell import WriteOnlyCell  # openpyxl is heavy: loaded only when a workbook is written

    cells = []
    for value in row:
        if value is None or value == "" or isinstance(value, NUMBERS):
            cells.append(None if value == "" else value)  # an empty string is an empty cell
            continue
        cell = WriteOnlyCell(sheet, value=_ILLEGAL_XLSX.sub("", str(value)))
        cell.data_type = "s"  # text, even when it looks like =formula or #N/A
        cells.append(cell)
    return cells


def xlsx_write(handle: IO[bytes], sheets: Iterable[tuple]) -> None:
    """An Excel workbook with one sheet per (title, rows), written row by row into `handle`; a sheet given as
    (title, rows, merges) also merges those ranges ("B1:D1": a category over its subcategories)."""
    from openpyxl import Workbook  # openpyxl is heavy: loaded only when a workbook is written

    workbook = Workbook(write_only=True)
    for title, rows, *merges in sheets:
        sheet = workbook.create_sheet(sheet_title(title))
        for row in rows:
            sheet.append(_xlsx_row(sheet, row))
        for cells in merges[0] if merges else ():
            sheet.merged_cells.add(cells)
    workbook.save(handle)


def xlsx_bytes(sheets: Iterable[tuple[str, Iterable[Sequence]]]) -> bytes:
    """An Excel workbook with one sheet per (title, rows), as bytes."""
    out = io.BytesIO()
    xlsx_write(out, sheets)
    return out.getvalue()


def sheet_title(title: str) -> str:
    """A worksheet title Excel accepts: at most 31 characters, none of []:*?/\\, not blank."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "-", _ILLEGAL_XLSX.sub("", title)).strip("' ")[:31]
    return cleaned or "Sheet"


# --- SVG: the font the figures name and the measure their labels are laid out by -------------------------

FONT_FAMILY = "'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"


def text_width(text: str, size: float) -> float:
    """Rough rendered width: CJK and full-width characters are one em, others about half."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.6 for ch in text)


# --- PNG: the app's SVG figures at print resolution -------------------------------------------------

PNG_TYPE = "image/png"
PRINT_DPI = 300  # what journals ask of a figure
SVG_DPI = 96  # an SVG user unit is a CSS pixel: 1/96 inch
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class FigureError(ValueError):
    """An SVG the rasterizer could not draw."""


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def with_dpi(png: bytes, dpi: int) -> bytes:
    """The PNG with a pHYs chunk saying `dpi`, so Word and print software size it in inches, not pixels."""
    if not png.startswith(_PNG_SIGNATURE):
        raise FigureError("not a PNG")
    ihdr_end = 8 + 4 + 4 + 13 + 4  # signature, then IHDR: length, type, 13 bytes of data, CRC
    per_metre = round(dpi / 0.0254)
    phys = _png_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1))
    rest, out, at = png[ihdr_end:], [], 0
    while at < len(rest):  # drop a pHYs the rasterizer may have written
        (length,) = struct.unpack(">I", rest[at : at + 4])
        end = at + 12 + length
        if rest[at + 4 : at + 8] != b"pHYs":
            out.append(rest[at:end])
        at = end
    return png[:ihdr_end] + phys + b"".join(out)


def png_bytes(svg: str, *, dpi: int = PRINT_DPI) -> bytes:
    """An SVG figure as a PNG at `dpi` (300 by default: print): drawn by resvg with the system's fonts, so Chinese
    labels need a CJK font installed (Noto Sans CJK, Debian's fonts-noto-cjk, which the figures name first)."""
    import resvg_py  # the rasterizer loads the font database: only when a PNG is asked for

    try:
        png = resvg_py.svg_to_bytes(svg_string=str(svg), zoom=dpi / SVG_DPI, background="#ffffff")
    except ValueError as error:
        raise FigureError(str(error)) from None
    return with_dpi(bytes(png), dpi)


# --- Word: the methods report ---------------------------------------------------------------------

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FIGURE_WIDTH_INCHES = 6.0  # a figure fills at most the text width of an A4 page with 2.5 cm margins
CJK_FONT = "Noto Sans CJK SC"


def _docx_text(value) -> str:
    """A value as Word text: None as empty, without the control characters XML refuses."""
    return "" if value is None else _ILLEGAL_XLSX.sub("", str(value))


def docx_bytes(title: str, blocks: Iterable[tuple]) -> bytes:
    """A Word document of blocks: ("heading", text), ("paragraph", text), ("table", caption, rows — the first row
    the header), ("figure", caption, svg — drawn as a PNG at 300 dpi). Captions go above tables, below figures."""
    from docx import Document  # python-docx is heavy: loaded only when a report is written
    from docx.oxml.ns import qn
    from docx.shared import Inches, Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.font.name = CJK_FONT
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), CJK_FONT)  # Chinese in a CJK font, whatever Word's default
    document.add_heading(_docx_text(title), level=0)
    for block in blocks:
        kind = block[0]
        if kind == "heading":
            document.add_heading(_docx_text(block[1]), level=1)
        elif kind == "paragraph":
            document.add_paragraph(_docx_text(block[1]))
        elif kind == "table":
            _caption, rows = block[1], block[2]
            document.add_paragraph(_docx_text(_caption), style="Caption")
            width = max((len(row) for row in rows), default=0)
            table = document.add_table(rows=0, cols=max(width, 1))
            table.style = "Table Grid"
            for i, row in enumerate(rows):
                cells = table.add_row().cells
                for cell, value in zip(cells, [*row, *[""] * (width - len(row))], strict=False):
                    cell.text = _docx_text(value)
                    if i == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
        elif kind == "figure":
            png = png_bytes(block[2])
            pixels_wide = struct.unpack(">I", png[16:20])[0]
            inches = min(FIGURE_WIDTH_INCHES, pixels_wide / PRINT_DPI)
            document.add_picture(io.BytesIO(png), width=Inches(inches))
            document.add_paragraph(_docx_text(block[1]), style="Caption")
        else:
            raise ValueError(kind)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- file names ----------------------------------------------------------------------------------


def _printable(name: str) -> str:
    """The name without control or format characters (bidi, zero-width), spaces as plain spaces, no path parts."""
    kept = "".join(
        " " if unicodedata.category(ch)[0] == "Z" else ch for ch in name if unicodedata.category(ch)[0] != "C"
    )
    return re.sub(r"[/\\]", "-", kept).strip(" .") or "download"


def ascii_filename(name: str) -> str:
    """An ASCII stand-in for clients that ignore filename*: accents dropped, other characters as _."""
    stem, dot, extension = _printable(name).rpartition(".")
    if not dot:
        stem, extension = extension, ""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9._-]", "_", ascii_stem)).strip("._-") or "download"
    ascii_extension = re.sub(r"[^A-Za-z0-9]", "", extension)
    return f"{ascii_stem}.{ascii_extension}" if ascii_extension else ascii_stem


def content_disposition(filename: str) -> str:
    """An RFC 6266 attachment header: an ASCII filename for old clients and the real one as UTF-8 in filename*."""
    name = _printable(filename)
    return f"attachment; filename=\"{ascii_filename(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


# --- responses: what views and API endpoints return ------------------------------------------------


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    """Mark a response as a download named `filename` (Chinese names work in every browser and in Excel)."""
    response["Content-Disposition"] = content_disposition(filename)
    return response


def file_response(body: bytes | str, filename: str, content_type: str) -> HttpResponse:
    """Any generated file (CSV, xlsx, SVG, JSON, XML) as a download."""
    return attachment(HttpResponse(body, content_type=content_type), filename)


def png_response(svg: str, filename: str, *, dpi: int = PRINT_DPI) -> HttpResponse:
    """An SVG figure as a PNG download at print resolution."""
    return file_response(png_bytes(svg, dpi=dpi), filename, PNG_TYPE)


def csv_response(rows: Iterable[Sequence], filename: str, *, bom: bool = True) -> HttpResponse:
    """A small table as a CSV download (UTF-8 with a BOM for Excel unless bom=False)."""
    return file_response(csv_text(rows, bom=bom).encode(), filename, CSV_TYPE)


def csv_stream_response(rows: Iterable[Sequence], filename: str, *, bom: bool = True) -> StreamingHttpResponse:
    """A large table as a streamed CSV download: memory stays flat however many rows there are."""
    return attachment(StreamingHttpResponse(csv_chunks(rows, bom=bom), content_type=CSV_TYPE), filename)


def csv_lines_response(lines: Iterable[str], filename: str, *, bom: bool = True) -> StreamingHttpResponse:
    """As csv_stream_response, for lines already written as CSV (csv_line_chunks)."""
    return attachment(StreamingHttpResponse(csv_line_chunks(lines, bom=bom), content_type=CSV_TYPE), filename)


def xlsx_response(sheets: Iterable[tuple[str, Iterable[Sequence]]], filename: str) -> FileResponse:
    """A workbook as a download, written row by row into a temporary file rather than memory."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    xlsx_write(handle, sheets)
    handle.seek(0)
    response = FileResponse(handle, content_type=XLSX_TYPE)
    return attachment(response, filename)


def written_file_response(write, filename: str, content_type: str) -> FileResponse:
    """A large generated file (a .qdpx project) as a download: `write(handle)` fills a temporary file on disk,
    which is then streamed, so the worker's memory does not grow with the file."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    try:
        write(handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return attachment(FileResponse(handle, content_type=content_type), filename)


LAYER_HEADER = "X-PolicyCoder-Layer"  # on every export of counts or codings: which coding layer it holds
ABOUT_SHEET = "说明"  # the .xlsx sheet that says what a table counts: layer, filters, value, date, project


def table_response(
    fmt: str,
    name: str,
    rows: Sequence[Sequence],
    *,
    about: Sequence[Sequence] = (),
    headers: dict | None = None,
    merges: Sequence[str] = (),
) -> HttpResponse:
    """One table as `name`.csv (UTF-8 with a BOM) or `name`.xlsx; `about` (label, value) lines become the workbook's
    second sheet 说明 (a CSV keeps its header as the first line: what it counts goes in its name and `headers`).
    `headers` are extra response headers, ASCII values only (percent-encode anything else); `merges` are cell ranges
    merged in the .xlsx table ("B1:D1")."""
    if fmt == "xlsx":
        sheets = [(name, rows, merges), *([(ABOUT_SHEET, about)] if about else [])]
        response = file_response(xlsx_bytes(sheets), f"{name}.xlsx", XLSX_TYPE)
    else:
        response = csv_response(rows, f"{name}.csv")
    for key, value in (headers or {}).items():
        response[key] = value
    return response
