"""Tests for policies.extraction: uploaded bytes to normalized text, and safe unpacking of zip archives."""

from __future__ import annotations

import io
import struct
import unicodedata
import zipfile

import pytest
from docx import Document
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from policies.extraction import (
    SUPPORTED_EXTENSIONS,
    ExtractionError,
    UnsupportedFormat,
    ZipMember,
    extract_text,
    iter_zip,
    normalize_text,
)
from tests import bombs

SIMPLIFIED = (
    "贵州省政府数据共享开放条例\n"
    "第一条 为了推动政府数据共享开放，促进数据资源的开发利用，提高政府治理能力和公共服务水平，"
    "根据有关法律、法规的规定，结合本省实际，制定本条例。"
)
TRADITIONAL = (
    "臺灣省政府資料開放條例\n"
    "第一條 為了推動政府資料共享開放，促進資料資源的開發利用，提高政府治理能力和公共服務水準，"
    "根據有關法律、法規的規定，結合本省實際，制定本條例。"
)
UNDECODABLE = "not UTF-8, GB18030/GBK or Big5"
SCANNED = "no text layer: this looks like a scanned PDF, run OCR first"
CID_FONT = "STSong-Light"


# --- normalize_text ------------------------------------------------------------------------------------------------


def test_normalize_removes_bom_unifies_line_breaks_drops_controls_and_composes():
    assert normalize_text("\ufeffa\r\nb\rc\x00d\u0301") == unicodedata.normalize("NFC", "a\nb\ncd\u0301")
    assert normalize_text("\ufeffa\r\nb\rc\x00e\u0301") == "a\nb\ncé"


def test_normalize_composes_a_combining_mark_separated_from_its_base_by_a_control_character():
    assert normalize_text("e\x07\u0301") == "\u00e9"


def test_normalize_drops_stray_bom_and_c1_controls_but_keeps_tab_and_newline():
    assert normalize_text("甲\ufeff乙\x9b\t丙\n丁\x0c戊") == "甲乙\t丙\n丁戊"


def test_normalize_turns_unicode_line_and_paragraph_separators_into_newlines():
    assert normalize_text("甲\u2028乙\u2029丙\u0085丁") == "甲\n乙\n丙\n丁"


def test_normalize_strips_only_trailing_whitespace_and_keeps_blank_lines():
    assert normalize_text("  第一条\n\n\n\n第二条  \n条文 \n\n \t\n") == "  第一条\n\n\n\n第二条  \n条文"


def test_normalize_leaves_clean_chinese_text_unchanged():
    assert normalize_text(SIMPLIFIED) == SIMPLIFIED


# --- dispatch ----------------------------------------------------------------------------------------------------


def test_supported_extensions_are_the_documented_five():
    assert SUPPORTED_EXTENSIONS == (".txt", ".docx", ".pdf", ".html", ".htm")


def test_unknown_extension_raises_unsupported_format_naming_the_extension():
    with pytest.raises(UnsupportedFormat) as excinfo:
        extract_text("政策.xyz", b"data")
    assert str(excinfo.value) == "Unsupported file type “.xyz”: upload .txt, .docx, .pdf, .html or .zip."


def test_file_without_extension_raises_unsupported_format():
    with pytest.raises(UnsupportedFormat, match="no extension"):
        extract_text("README", b"data")


def test_extension_is_matched_case_insensitively():
    assert extract_text("条例.TXT", SIMPLIFIED.encode()) == SIMPLIFIED


def test_empty_file_raises_extraction_error():
    with pytest.raises(ExtractionError) as excinfo:
        extract_text("empty.txt", b"")
    assert str(excinfo.value) == "This file is empty."


def test_whitespace_only_file_raises_no_text_error():
    with pytest.raises(ExtractionError, match="contains no text"):
        extract_text("blank.txt", b" \r\n\t\n")


# --- txt -----------------------------------------------------------------------------------------------------------


def test_utf8_text_is_decoded_and_normalized():
    assert extract_text("a.txt", (SIMPLIFIED + "\r\n\r\n").encode("utf-8")) == SIMPLIFIED


def test_utf8_bom_is_removed():
    assert extract_text("a.txt", b"\xef\xbb\xbf" + SIMPLIFIED.encode("utf-8")) == SIMPLIFIED


def test_utf16_with_bom_is_decoded():
    assert extract_text("a.txt", SIMPLIFIED.encode("utf-16")) == SIMPLIFIED


@pytest.mark.parametrize("text", [SIMPLIFIED, SIMPLIFIED.splitlines()[0], "第一条"])
def test_gbk_text_is_detected_and_decoded(text):
    assert extract_text("a.txt", text.encode("gbk")) == text


def test_gb18030_only_characters_are_decoded():
    text = SIMPLIFIED + "𠀀"
    assert extract_text("a.txt", text.encode("gb18030")) == text


@pytest.mark.parametrize("text", [TRADITIONAL, TRADITIONAL.splitlines()[0], "第一條"])
def test_big5_text_is_detected_and_decoded(text):
    assert extract_text("a.txt", text.encode("big5")) == text


def test_traditional_text_saved_as_gbk_is_decoded_as_gbk():
    assert extract_text("a.txt", TRADITIONAL.encode("gbk")) == TRADITIONAL


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 50,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00",
        "第一条".encode("utf-16-le") * 20,
        b"\xe4\xb8" + bytes(40),
    ],
    ids=["all-bytes", "png-header", "utf16-without-bom", "nul-padded"],
)
def test_binary_bytes_raise_undecodable_error(data):
    with pytest.raises(ExtractionError, match=UNDECODABLE):
        extract_text("a.txt", data)


# --- docx ----------------------------------------------------------------------------------------------------------


def _docx_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_paragraphs_and_tables_come_out_in_reading_order():
    document = Document()
    document.add_paragraph("第一条 为了推动政府数据共享开放。")
    table = document.add_table(rows=2, cols=3)
    for row, values in zip(table.rows, [("序号", "部门", "职责"), ("1", "大数据局", "统筹")], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("第二条 本条例适用于本省。")

    assert extract_text("条例.docx", _docx_bytes(document)) == (
        "第一条 为了推动政府数据共享开放。\n序号\t部门\t职责\n1\t大数据局\t统筹\n第二条 本条例适用于本省。"
    )


def test_docx_merged_cells_are_not_repeated_and_cell_paragraphs_stay_on_the_row_line():
    document = Document()
    table = document.add_table(rows=1, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "合并"
    table.cell(0, 2).text = "第一段"
    table.cell(0, 2).add_paragraph("第二段")

    assert extract_text("t.docx", _docx_bytes(document)) == "合并\t第一段 第二段"


def test_docx_text_is_read_as_python_docx_reads_it_content_controls_links_and_breaks_included():
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = (
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>第一条</w:t><w:tab/><w:t>总则</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        "<w:p><w:hyperlink><w:r><w:t>链接</w:t></w:r></w:hyperlink><w:r><w:br/><w:t>换行</w:t>"
        '<w:br w:type="page"/><w:noBreakHyphen/></w:r></w:p>'
        # A text box's paragraph and a tracked insertion are not body text for python-docx either.
        "<w:p><w:r><w:t>正文</w:t><w:pict><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent>"
        "</w:pict></w:r><w:ins><w:r><w:t>修订</w:t></w:r></w:ins></w:p>"
    )
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document {w}><w:body>{body}</w:body></w:document>'
    data = bombs.docx()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["word/document.xml"] = document.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)

    assert extract_text("c.docx", buffer.getvalue()) == "第一条\t总则\n链接\n换行-\n正文"


def test_docx_that_is_not_a_zip_raises_damaged_error():
    with pytest.raises(ExtractionError) as excinfo:
        extract_text("broken.docx", b"this is not a word document")
    assert str(excinfo.value) == "This .docx file is damaged or is not a Word document."


def test_docx_zip_without_document_xml_raises_damaged_error():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ExtractionError, match="damaged or is not a Word document"):
        extract_text("fake.docx", buffer.getvalue())


def test_docx_without_text_raises_no_text_error():
    with pytest.raises(ExtractionError, match="contains no text"):
        extract_text("empty.docx", _docx_bytes(Document()))


# --- pdf -----------------------------------------------------------------------------------------------------------


def _pdf_bytes(pages: list[list[tuple[float, float, str]]]) -> bytes:
    """Draw each page's (x, y, text) strings with the built-in Chinese CID font, which pdfminer can read back."""
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for page in pages:
        pdf.setFont(CID_FONT, 12)
        for x, y, text in page:
            pdf.drawString(x, y, text)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_pdf_chinese_text_layer_is_extracted():
    data = _pdf_bytes([[(72, 750, "第一条 为了推动政府数据共享开放。")]])
    assert extract_text("条例.pdf", data) == "第一条 为了推动政府数据共享开放。"


def test_pdf_wrapped_chinese_line_is_joined_but_paragraph_breaks_are_kept():
    data = _pdf_bytes(
        [
            [
                (72, 750, "第一条 为了推动政府数据共享开放，促进数据资源的"),
                (72, 735, "开发利用，提高政府治理能力。"),
                (72, 720, "第二条 本条例适用于本省行政区域内政府"),
                (72, 705, "数据共享开放。"),
                (72, 660, "第三条 另起一段。"),
            ]
        ]
    )
    assert extract_text("条例.pdf", data) == (
        "第一条 为了推动政府数据共享开放，促进数据资源的开发利用，提高政府治理能力。\n"
        "第二条 本条例适用于本省行政区域内政府数据共享开放。\n"
        "\n"
        "第三条 另起一段。"
    )


def test_pdf_line_ending_a_sentence_is_not_joined():
    data = _pdf_bytes([[(72, 750, "本条例自公布之日起施行。"), (72, 735, "原办法同时废止。")]])
    assert extract_text("a.pdf", data) == "本条例自公布之日起施行。\n原办法同时废止。"


def test_pdf_two_pages_keep_their_order_without_form_feeds():
    data = _pdf_bytes([[(72, 750, "第一页 总则")], [(72, 750, "第二页 附则")]])
    text = extract_text("a.pdf", data)
    assert text == "第一页 总则\n\n第二页 附则"
    assert "\f" not in text


def test_pdf_blank_page_is_reported_as_scanned():
    with pytest.raises(ExtractionError, match=SCANNED):
        extract_text("scan.pdf", _pdf_bytes([[]]))


def test_pdf_with_only_graphics_is_reported_as_scanned():
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.rect(72, 72, 400, 600, fill=1)
    pdf.showPage()
    pdf.save()
    with pytest.raises(ExtractionError, match=SCANNED):
        extract_text("scan.pdf", buffer.getvalue())


@pytest.mark.parametrize(
    "data",
    [b"definitely not a pdf", b"%PDF-1.4\ngarbage garbage garbage"],
    ids=["no-header", "no-structure"],
)
def test_corrupted_pdf_raises_damaged_error(data):
    with pytest.raises(ExtractionError) as excinfo:
        extract_text("broken.pdf", data)
    assert str(excinfo.value) == "This .pdf file is damaged or is not a PDF."


# --- html ----------------------------------------------------------------------------------------------------------

HTML_PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>标题不要</title>
<style>p {{ color: red; }}</style><script>var secret = "脚本";</script></head>
<body>
<h1>贵州省政府数据共享开放条例</h1>
<div><p>第一条 为了<b>推动</b>政府数据<a href="#">共享开放</a>。</p>
<p>第二条 本条例
适用于本省。<br>第二款 另起一行。</p></div>
<noscript>请启用脚本</noscript><template><p>模板</p></template>
<!-- 注释 -->
<ul><li>一、数据</li><li>二、开放</li></ul>
<table><tr><th>部门</th><th>职责</th></tr><tr><td>大数据局</td><td>统筹</td></tr></table>
<p hidden>隐藏</p>
</body></html>"""
HTML_TEXT = (
    "贵州省政府数据共享开放条例\n"
    "第一条 为了推动政府数据共享开放。\n"
    "第二条 本条例适用于本省。\n"
    "第二款 另起一行。\n"
    "一、数据\n"
    "二、开放\n"
    "部门\t职责\n"
    "大数据局\t统筹"
)


def test_html_keeps_visible_text_with_blocks_as_lines_and_inline_elements_joined():
    assert extract_text("page.html", HTML_PAGE.format(charset="utf-8").encode("utf-8")) == HTML_TEXT


def test_html_declared_gbk_charset_is_used():
    assert extract_text("page.htm", HTML_PAGE.format(charset="gb2312").encode("gbk")) == HTML_TEXT


def test_html_http_equiv_big5_charset_is_used():
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5"></head>'
    page += f"<body><p>{TRADITIONAL.splitlines()[0]}</p></body></html>"
    assert extract_text("page.HTM", page.encode("big5")) == TRADITIONAL.splitlines()[0]


def test_html_with_wrong_declared_charset_falls_back_to_detection():
    assert extract_text("page.html", HTML_PAGE.format(charset="utf-8").encode("gbk")) == HTML_TEXT


def test_html_mislabelled_as_latin1_is_still_read_as_gbk():
    assert extract_text("page.html", HTML_PAGE.format(charset="iso-8859-1").encode("gbk")) == HTML_TEXT


def test_html_genuinely_in_windows_1252_uses_the_declared_charset():
    page = '<meta charset="windows-1252"><p>Café “open” data</p>'
    assert extract_text("page.html", page.encode("cp1252")) == "Café “open” data"


def test_html_without_declared_charset_is_detected():
    page = f"<p>{SIMPLIFIED.splitlines()[0]}</p><p>{SIMPLIFIED.splitlines()[1]}</p>"
    assert extract_text("page.html", page.encode("gbk")) == SIMPLIFIED


def test_html_keeps_spaces_between_latin_words_across_source_lines():
    assert extract_text("a.html", b"<p>Open\n  Data   Act</p>") == "Open Data Act"


def test_html_without_visible_text_raises_no_text_error():
    with pytest.raises(ExtractionError, match="contains no text"):
        extract_text("a.html", b"<html><head><title>t</title></head><body><script>x()</script></body></html>")


# --- zip -----------------------------------------------------------------------------------------------------------


def _zip_bytes(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _patch_headers(data: bytes, local_offset: int, central_offset: int, fmt: str, value: int) -> bytes:
    """Overwrite one field in every local file header and central directory record."""
    patched = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", local_offset), (b"PK\x01\x02", central_offset)):
        start = patched.find(signature)
        while start != -1:
            struct.pack_into(fmt, patched, start + offset, value)
            start = patched.find(signature, start + 4)
    return bytes(patched)


def test_zip_members_come_back_with_their_bytes_in_order():
    data = _zip_bytes({"a.txt": b"first", "dir/b.docx": b"second"})
    assert iter_zip(data) == [ZipMember("a.txt", b"first", None), ZipMember("dir/b.docx", b"second", None)]


def test_zip_gbk_entry_name_without_utf8_flag_is_decoded_as_chinese():
    name = "政策文件/贵州条例.txt"
    raw_name = name.encode("gbk")
    data = _zip_with_raw_name(raw_name, SIMPLIFIED.encode("gbk"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        (info,) = archive.infolist()
        assert not info.flag_bits & 0x800
        assert info.filename == raw_name.decode("cp437") != name

    (member,) = iter_zip(data)
    assert member.name == name
    assert extract_text(member.name, member.data) == SIMPLIFIED


def _zip_with_raw_name(name: bytes, content: bytes) -> bytes:
    """Write an entry whose stored name is exactly these bytes, without the UTF-8 flag zipfile would set."""
    placeholder = "x" * (len(name) - 4) + ".txt"
    return _zip_bytes({placeholder: content}).replace(placeholder.encode(), name)


def test_zip_utf8_entry_name_without_utf8_flag_is_decoded():
    data = _zip_with_raw_name("数据/条例.txt".encode(), b"x")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not archive.infolist()[0].flag_bits & 0x800
    assert iter_zip(data)[0].name == "数据/条例.txt"


def test_zip_utf8_flagged_entry_name_is_kept():
    (member,) = iter_zip(_zip_bytes({"條例/臺灣.txt": b"x"}))
    assert member.name == "條例/臺灣.txt"


@pytest.mark.parametrize(
    "name", ["../evil.txt", "docs/../../evil.txt", "..\\evil.txt", "/etc/passwd.txt", "C:/evil.txt", "c:evil.txt"]
)
def test_zip_unsafe_paths_are_refused_per_entry(name):
    members = iter_zip(_zip_bytes({name: b"evil", "ok.txt": b"fine"}))
    assert members[0].name == name
    assert members[0].data is None
    assert "Unsafe path in archive" in members[0].error
    assert members[1] == ZipMember("ok.txt", b"fine", None)


@pytest.mark.parametrize("name", ["inner.zip", "data.RAR", "x.7z", "backup.tar", "backup.tar.gz"])
def test_zip_nested_archives_are_refused_per_entry(name):
    (member,) = iter_zip(_zip_bytes({name: _zip_bytes({"a.txt": b"a"})}))
    assert member.data is None
    assert "Archives inside an archive" in member.error


def test_zip_directories_macos_metadata_and_dot_files_are_skipped():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.mkdir("folder")
        archive.writestr("folder/.DS_Store", b"junk")
        archive.writestr("__MACOSX/folder/._a.txt", b"junk")
        archive.writestr(".hidden/a.txt", b"junk")
        archive.writestr("folder/a.txt", b"kept")
    assert iter_zip(buffer.getvalue()) == [ZipMember("folder/a.txt", b"kept", None)]


def test_zip_encrypted_entry_is_refused_per_entry():
    # zipfile cannot write encrypted entries, so set the encryption bit (general purpose flag bit 0) by hand.
    data = _patch_headers(_zip_bytes({"secret.txt": b"x"}), 6, 8, "<H", 0x1)
    (member,) = iter_zip(data)
    assert member.data is None
    assert "password-protected" in member.error


@pytest.mark.parametrize("data", [b"not a zip at all", b"PK\x03\x04" + bytes(50)], ids=["garbage", "truncated"])
def test_zip_that_is_not_an_archive_raises(data):
    with pytest.raises(ExtractionError, match="damaged or is not a zip archive"):
        iter_zip(data)


def test_zip_with_too_many_entries_raises():
    data = _zip_bytes({f"{index}.txt": b"x" for index in range(6)})
    assert len(iter_zip(data, max_entries=6)) == 6
    with pytest.raises(ExtractionError, match="more than 5 entries"):
        iter_zip(data, max_entries=5)


def test_zip_bomb_by_declared_size_raises_before_inflating():
    data = _zip_bytes({"bomb.txt": bytes(3 * 1024 * 1024)})
    assert len(data) < 10_000
    with pytest.raises(ExtractionError, match="unpacks to more than 2 MB"):
        iter_zip(data, max_unpacked_bytes=2 * 1024 * 1024)


def test_zip_bomb_spread_over_entries_raises():
    data = _zip_bytes({f"{index}.txt": bytes(400_000) for index in range(3)})
    with pytest.raises(ExtractionError, match="unpacks to more than"):
        iter_zip(data, max_unpacked_bytes=1_000_000)


def test_zip_entry_lying_about_its_size_is_not_inflated():
    # Declared uncompressed size 10 bytes (local header offset 22, central directory offset 24); real size 100 kB.
    data = _patch_headers(_zip_bytes({"liar.txt": bytes(100_000)}), 22, 24, "<I", 10)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.infolist()[0].file_size == 10

    (member,) = iter_zip(data, max_unpacked_bytes=1000)
    assert member.data is None
    assert "damaged" in member.error


def test_zip_entry_with_corrupted_compressed_data_is_refused_per_entry():
    text = "".join(f"第{index}条 数据共享开放。" for index in range(500)).encode()
    data = bytearray(_zip_bytes({"bad.txt": text, "good.txt": b"fine"}))
    start = data.find(b"bad.txt") + len("bad.txt")
    data[start + 20 : start + 60] = bytes(range(40))

    bad, good = iter_zip(bytes(data))
    assert bad.data is None
    assert "damaged" in bad.error
    assert good == ZipMember("good.txt", b"fine", None)
