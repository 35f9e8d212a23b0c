"""The one writer of files: formula guards, CSV with and without BOM, streaming, xlsx cell types, download names."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies import writers

FORMULAS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']
HARMLESS = ["数据共享", "a=b", "1-2", "", "'quoted", "''", "#N/A", "数据=开放"]


@pytest.mark.parametrize("text", FORMULAS)
def test_text_a_spreadsheet_would_run_gets_a_quote_in_front(text):
    assert writers.guard(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_is_left_alone(text):
    assert writers.guard(text) == text


def test_quotes_before_a_formula_get_one_more_so_the_guard_can_be_taken_off():
    assert writers.guard("'=1") == "''=1"
    assert writers.unguard("''=1") == "'=1"
    assert writers.unguard("'数据") == "'数据"  # a quote that no guard put there stays


@given(st.text())
def test_unguard_gives_back_exactly_what_guard_was_given(text):
    guarded = writers.guard(text)
    assert writers.unguard(guarded) == text
    assert not guarded.startswith(writers.FORMULA_STARTS)


@pytest.mark.parametrize("number", [0, 7, -3, -0.25, 2.5, Decimal("-1.50")])
def test_numbers_stay_numbers_even_negative_ones(number):
    assert writers.csv_cell(number) is number


def test_none_is_an_empty_cell_and_other_values_are_guarded_text():
    assert writers.csv_cell(None) == ""
    assert writers.csv_cell(type("Odd", (), {"__str__": lambda self: "=evil"})()) == "'=evil"


def test_csv_text_has_a_bom_by_default_and_reads_back():
    text = writers.csv_text([["名称", "数量"], ["=1+1", -3], ["数据", 2.5]])
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text.removeprefix("\ufeff")))) == [
        ["名称", "数量"],
        ["'=1+1", "-3"],
        ["数据", "2.5"],
    ]
    assert not writers.csv_text([["a"]], bom=False).startswith("\ufeff")


def test_csv_chunks_stream_the_same_text_in_pieces():
    rows = [[f"第{i}行", "@x", i] for i in range(50)]
    chunks = list(writers.csv_chunks(rows, chunk=64))
    assert len(chunks) > 5
    assert chunks[0].startswith("\ufeff".encode())
    assert all(not chunk.startswith("\ufeff".encode()) for chunk in chunks[1:])
    assert b"".join(chunks).decode() == writers.csv_text(rows)


def test_csv_chunks_without_bom():
    assert b"".join(writers.csv_chunks([["a", 1]], bom=False)) == b"a,1\r\n"


def _cells(data: bytes):
    return [list(row) for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows()]


def test_xlsx_writes_text_as_strings_never_formulas_and_numbers_as_numbers():
    data = writers.xlsx_bytes([("表", [[*FORMULAS, "#N/A", "数据"], [-3, -0.25, 7, Decimal("1.5"), None]])])
    text, numbers = _cells(data)
    assert [(c.value, c.data_type) for c in text] == [(v, "s") for v in [*FORMULAS, "#N/A", "数据"]]
    assert [(c.value, c.data_type) for c in numbers[:4]] == [(-3, "n"), (-0.25, "n"), (7, "n"), (1.5, "n")]
    assert numbers[4].value is None


def test_xlsx_drops_characters_excel_refuses_and_keeps_line_breaks():
    (row,) = _cells(writers.xlsx_bytes([("s", [["a\x01b", "第一行\n第二行", "\t=1"]])]))
    assert [c.value for c in row] == ["ab", "第一行\n第二行", "\t=1"]


@pytest.mark.parametrize(
    ("title", "expected"),
    [("数据/共享:统计?", "数据-共享-统计-"), ("x" * 40, "x" * 31), ("'", "Sheet"), ("", "Sheet")],
)
def test_sheet_titles_are_ones_excel_accepts(title, expected):
    assert writers.sheet_title(title) == expected


def test_chinese_file_names_travel_as_utf8_with_an_ascii_fallback():
    header = writers.content_disposition("政策研究项目-矩阵.csv")
    assert header == (
        'attachment; filename="download.csv"; '
        "filename*=UTF-8''%E6%94%BF%E7%AD%96%E7%A0%94%E7%A9%B6%E9%A1%B9%E7%9B%AE-%E7%9F%A9%E9%98%B5.csv"
    )


def test_file_names_lose_control_and_bidi_characters_quotes_and_path_separators():
    header = writers.content_disposition('a"b\\c/d\n\u202ee\u200bf.xlsx')
    assert header == "attachment; filename=\"a_b-c-def.xlsx\"; filename*=UTF-8''a%22b-c-def.xlsx"
    assert writers.ascii_filename("Übersicht 2024.csv") == "Ubersicht_2024.csv"
    assert writers.ascii_filename("\u202e") == "download"


def test_responses_carry_the_type_the_name_and_the_body():
    response = writers.table_response("csv", "词频", [["词", "次数"], ["-数据", 3]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=UTF-8''%E8%AF%8D%E9%A2%91.csv" in response["Content-Disposition"]
    assert response.content.decode() == "\ufeff词,次数\r\n'-数据,3\r\n"
    workbook = writers.table_response("xlsx", "词频", [["=x"]])
    assert workbook["Content-Type"] == writers.XLSX_TYPE
    assert _cells(workbook.content)[0][0].data_type == "s"


def test_streamed_and_file_responses_are_downloads():
    streamed = writers.csv_stream_response(iter([["a"], ["=b"]]), "codings.csv", bom=False)
    assert b"".join(streamed.streaming_content) == b"a\r\n'=b\r\n"
    assert streamed["Content-Disposition"].startswith('attachment; filename="codings.csv"')
    workbook = writers.xlsx_response([("codings", iter([["=b", -1]]))], "codings.xlsx")
    (row,) = _cells(b"".join(workbook.streaming_content))
    assert [(c.value, c.data_type) for c in row] == [("=b", "s"), (-1, "n")]
    assert workbook["Content-Disposition"].startswith('attachment; filename="codings.xlsx"')


def test_xlsx_sheet_merges_the_ranges_it_is_given():
    data = writers.xlsx_bytes([("表", [["", "类目", ""], ["", "a", "b"]], ["B1:C1"]), ("说明", [["k", "v"]])])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert [str(r) for r in book["表"].merged_cells.ranges] == ["B1:C1"]
    assert not book["说明"].merged_cells.ranges


HOSTILE = [
    *FORMULAS,
    *HARMLESS,
    "=cmd|' /C calc'!A0",
    "a,b",
    'say "hi"',
    "line\nbreak",
    "cr\rhere",
    "crlf\r\nhere",
    "'\"=x",
    "数据，共享",
    "𠮷野家",
    "\t",
    "-",
    0,
    -3,
    -0.25,
    2.5,
    Decimal("1.5"),
    True,
    None,
]


def test_cells_and_lines_written_by_hand_are_the_bytes_the_csv_writer_writes():
    for value in HOSTILE:
        row = ["x", value, "y"]
        assert writers.csv_line(row) == writers.csv_text([row], bom=False)
    assert writers.csv_line(HOSTILE) == writers.csv_text([HOSTILE], bom=False)
    assert writers.csv_field("=1") == "'=1"
    assert writers.csv_field('=a "b"') == '"\'=a ""b"""'


@given(st.lists(st.one_of(st.text(alphabet=st.characters(blacklist_characters="\x00")), st.integers()), min_size=2))
def test_any_row_written_by_hand_matches_the_csv_writer(row):
    assert writers.csv_line(row) == writers.csv_text([row], bom=False)


def test_csv_line_chunks_stream_lines_as_csv_chunks_streams_rows():
    rows = [[f"第{i}行", "@x", i, 'a,"b"\n'] for i in range(50)]
    lines = [writers.csv_line(row) for row in rows]
    chunks = list(writers.csv_line_chunks(lines, chunk=64))
    assert len(chunks) > 5
    assert chunks[0].startswith("\ufeff".encode())
    assert b"".join(chunks) == b"".join(writers.csv_chunks(rows))
    assert b"".join(writers.csv_line_chunks(lines, bom=False)) == b"".join(writers.csv_chunks(rows, bom=False))
    assert list(writers.csv_line_chunks([], bom=False)) == [b""]
