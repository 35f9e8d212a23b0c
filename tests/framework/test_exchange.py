import json

import pytest
from django.core.exceptions import ValidationError

from framework import exchange, tree
from framework.tree import Row

GUID_A = "11111111-1111-4111-8111-111111111111"
ROWS = [
    Row(1, None, "数据开放", description="政府行政机构向公众公开政府数据的行为", color="#59a14f", guid=GUID_A),
    Row(
        2,
        1,
        "分级分类",
        description='定义：无条件开放、有条件开放\n不适用："不予开放" <除外> & 其他',
        color="#59a14f",
        guid="22222222-2222-4222-8222-222222222222",
    ),
    Row(3, None, "数据共享", description="", color="#f28e2b", guid="33333333-3333-4333-8333-333333333333"),
    Row(4, 3, "分级分类", description="共享", color="#f28e2b", guid="44444444-4444-4444-8444-444444444444"),
]
EXPECTED = [
    (("数据开放",), "政府行政机构向公众公开政府数据的行为", "#59a14f", GUID_A),
    (
        ("数据开放", "分级分类"),
        '定义：无条件开放、有条件开放\n不适用："不予开放" <除外> & 其他',
        "#59a14f",
        ROWS[1].guid,
    ),
    (("数据共享",), "", "#f28e2b", ROWS[2].guid),
    (("数据共享", "分级分类"), "共享", "#f28e2b", ROWS[3].guid),
]


def _plain(entries):
    return [(e.names, e.description, e.color, e.guid) for e in entries]


def test_csv_round_trip_keeps_paths_descriptions_colours_and_guids():
    data = exchange.write_csv(tree.walk(ROWS))
    assert data.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read Chinese
    assert _plain(exchange.read(data, "csv")) == EXPECTED


def test_json_round_trip_keeps_the_nested_tree():
    data = exchange.write_json(tree.build(ROWS), name="项目")
    assert _plain(exchange.read(data, "json")) == EXPECTED


def test_qdc_round_trip_keeps_the_nested_codes():
    data = exchange.write_qdc(tree.build(ROWS))
    assert _plain(exchange.read(data, "qdc")) == EXPECTED


def test_qdc_is_a_refi_codebook():
    text = exchange.write_qdc(tree.build(ROWS)).decode()
    assert '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="PolicyCoder">' in text
    assert f'<Code guid="{GUID_A}" name="数据开放" isCodable="true" color="#59a14f"><Description>' in text


def test_qdc_from_another_tool_is_read_without_namespace_prefix_trouble():
    data = b"""<?xml version="1.0" encoding="utf-8"?>
    <CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo">
      <Codes>
        <Code guid="not-a-guid" name="Policy/Law" isCodable="true" color="#FF0000">
          <Description>rule</Description>
          <Code guid="55555555-5555-4555-8555-555555555555" name="Child" isCodable="false"/>
        </Code>
      </Codes>
    </CodeBook>"""
    entries = exchange.read(data, "qdc")
    assert entries[0].names == ("Policy／Law",)
    assert entries[0].note
    assert entries[0].color == "#ff0000"
    assert entries[0].guid is None
    assert entries[1].names == ("Policy／Law", "Child")
    assert entries[1].color is None


def test_qdc_with_a_dtd_or_entities_is_refused():
    billion_laughs = b"""<?xml version="1.0"?>
    <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
    <CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="x" name="&lol2;"/></Codes></CodeBook>"""
    with pytest.raises(ValidationError, match="DTD"):
        exchange.read(billion_laughs, "qdc")


def test_qdc_with_an_external_entity_is_refused():
    xxe = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
    <CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="x" name="&e;"/></Codes></CodeBook>"""
    with pytest.raises(ValidationError):
        exchange.read(xxe, "qdc")


@pytest.mark.parametrize(
    "data",
    [b"<CodeBook><Codes><Code name='a'></Codes>", b"not xml at all", b"<Project><Sources/></Project>"],
)
def test_malformed_or_foreign_xml_gets_a_clear_message(data):
    with pytest.raises(ValidationError):
        exchange.read(data, "qdc")


def test_a_code_without_a_name_is_refused():
    with pytest.raises(ValidationError, match="no name"):
        exchange.read(b'<CodeBook><Codes><Code guid="x" name=" "/></Codes></CodeBook>', "qdc")


def test_a_file_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(exchange, "MAX_BYTES", 100)
    with pytest.raises(ValidationError, match="larger"):
        exchange.read(b"path\n" + b"a\n" * 100, "csv")


def test_too_many_nodes_are_refused(monkeypatch):
    monkeypatch.setattr(exchange, "MAX_NODES", 3)
    with pytest.raises(ValidationError, match="more than 3"):
        exchange.read(("path\n" + "".join(f"n{i}\n" for i in range(5))).encode(), "csv")


def test_csv_path_with_an_empty_segment_is_refused_with_its_row():
    with pytest.raises(ValidationError, match="Row 3"):
        exchange.read("path,description\n数据开放,x\n数据开放//分级分类,y\n".encode(), "csv")


def test_csv_bad_colour_is_refused_with_its_row():
    with pytest.raises(ValidationError, match=r"Row 2.*colour"):
        exchange.read("path,color\n数据开放,blue\n".encode(), "csv")


def test_csv_without_a_header_reads_path_description_colour():
    entries = exchange.read("数据开放/分级分类,无条件,#ABC\n".encode(), "csv")
    assert _plain(entries) == [(("数据开放", "分级分类"), "无条件", "#aabbcc", None)]


def test_csv_saved_by_chinese_excel_as_gbk_is_read():
    entries = exchange.read("路径,描述\n数据开放,政府数据\n".encode("gb18030"), "csv")
    assert entries[0].names == ("数据开放",)
    assert entries[0].description == "政府数据"


def test_csv_blank_lines_are_ignored():
    assert len(exchange.read(b"path\n\na\n,\nb\n", "csv")) == 2


@pytest.mark.parametrize("data", [b"{not json", b'{"nodes": 3}', b'{"nodes": [{"children": []}]}', b"[" * 100000])
def test_bad_json_gets_a_clear_message(data):
    with pytest.raises(ValidationError):
        exchange.read(data, "json")


def test_format_comes_from_the_extension():
    assert exchange.format_of("编码本.QDC") == "qdc"
    with pytest.raises(ValidationError):
        exchange.format_of("codebook.xlsx")


# --- one depth limit and one character check for every format ------------------------------------------------
def _deep(fmt: str, levels: int) -> bytes:
    names = [f"第{i}层" for i in range(levels)]
    if fmt == "csv":
        return ("path\n" + "/".join(names) + "\n").encode()
    if fmt == "json":
        nested: list = []
        for name in reversed(names):
            nested = [{"name": name, "children": nested}]
        return json.dumps({"nodes": nested}, ensure_ascii=False).encode()
    opening = "".join(f'<Code name="{name}">' for name in names)
    body = f'<CodeBook xmlns="{exchange.QDC_NAMESPACE}"><Codes>{opening}{"</Code>" * levels}</Codes></CodeBook>'
    return body.encode()


@pytest.mark.parametrize("fmt", ["csv", "json", "qdc"])
def test_every_format_reads_fifty_levels_and_refuses_fifty_one(fmt):
    assert len(exchange.read(_deep(fmt, tree.MAX_DEPTH), fmt)[-1].names) == tree.MAX_DEPTH
    with pytest.raises(ValidationError, match="nested more than 50 levels deep"):
        exchange.read(_deep(fmt, tree.MAX_DEPTH + 1), fmt)


def test_a_csv_path_of_three_thousand_levels_is_refused_with_its_row():
    with pytest.raises(ValidationError) as refused:
        exchange.read(_deep("csv", 3000), "csv")
    assert refused.value.messages == ["Row 2: The codebook is nested more than 50 levels deep."]


@pytest.mark.parametrize(
    ("fmt", "data", "message"),
    [
        ("csv", "path,description\n数据\x00开放,x\n", "Row 2: A node name cannot contain a line break or control"),
        (
            "csv",
            "path,description\n数据开放,规则\x1b[0m\n",
            "Row 2: “数据开放”: A description cannot contain a control",
        ),
        ("json", '{"nodes": [{"name": "数据\\u0000开放"}]}', "A node under the top level: A node name cannot contain"),
        ("json", '{"nodes": [{"name": "数据\\n开放"}]}', "A node name cannot contain a line break or control"),
        ("json", '{"nodes": [{"name": "数据开放", "description": "\\u009b"}]}', "(U+009B)"),
        (
            "qdc",
            f'<CodeBook xmlns="{exchange.QDC_NAMESPACE}"><Codes><Code name="数据&#x85;开放"/></Codes></CodeBook>',
            "(U+0085)",
        ),
        (
            "qdc",
            f'<CodeBook xmlns="{exchange.QDC_NAMESPACE}"><Codes><Code name="a"><Description>&#x9b;</Description>'
            "</Code></Codes></CodeBook>",
            "“a”: A description cannot contain a control character (U+009B).",
        ),
    ],
)
def test_control_characters_in_names_and_descriptions_are_refused_in_every_format(fmt, data, message):
    with pytest.raises(ValidationError) as refused:
        exchange.read(data.encode(), fmt)
    assert message in " ".join(refused.value.messages)


def test_line_breaks_and_tabs_stay_allowed_in_descriptions():
    data = '{"nodes": [{"name": "数据开放", "description": "定义：\\t公开\\r\\n例外：涉密"}]}'.encode()
    assert exchange.read(data, "json")[0].description == "定义：\t公开\r\n例外：涉密"


def test_json_writer_nests_without_recursion_and_reads_back():
    rows = [Row(i + 1, i or None, f"第{i}层") for i in range(tree.MAX_DEPTH)]
    entries = exchange.read(exchange.write_json(tree.build(rows)), "json")
    assert [e.names[-1] for e in entries] == [f"第{i}层" for i in range(tree.MAX_DEPTH)]
