"""Coded-segment export: columns, filters, BOM, round trip of awkward passages, xlsx."""

import csv
import io
import random
import threading

import openpyxl
import pytest
from django.urls import reverse

from coding import export
from policies import writers
from policies.models import CustomAttribute
from tests.factories import CodingFactory, DocumentFactory, NodeFactory

TEXT = '第一条　他说："数据，\n开放"。\n第二条　政府数据以共享为原则。'


@pytest.fixture
def tree(project):
    root = NodeFactory(project=project, name="数据开放")
    child = NodeFactory(project=project, parent=root, name="分级分类")
    other = NodeFactory(project=project, name="数据共享")
    return root, child, other


@pytest.fixture
def attributed_document(project):
    CustomAttribute.objects.create(project=project, name="城市")
    return DocumentFactory(
        project=project,
        text=TEXT,
        char_count=len(TEXT),
        province="浙江省",
        issuer_type="人民政府",
        attributes={"城市": "杭州"},
    )


def read_csv(response) -> list[dict]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_export_has_one_row_per_coding_with_paths_and_attributes(api_as, project, owner, tree, attributed_document):
    _root, child, _other = tree
    passage_end = TEXT.index("。") + 1
    coding = CodingFactory(
        document=attributed_document, node=child, coder=owner, start=4, end=passage_end, memo='备注 "引号"\n换行'
    )
    response = api_as(owner).get(reverse("api:codings-csv", kwargs={"project_id": project.pk}))
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert len(rows) == 1
    row = rows[0]
    assert row["coding_id"] == str(coding.pk)
    assert row["node_path"] == "数据开放/分级分类"
    assert row["category"] == "数据开放"
    assert row["province"] == "浙江省"
    assert row["城市"] == "杭州"
    assert row["text"] == TEXT[4:passage_end]  # quotes and a newline survive the round trip
    assert row["memo"] == '备注 "引号"\n换行'
    assert list(rows[0])[:19] == [
        "coding_id",
        "document_id",
        "document_title",
        "province",
        "issuer",
        "issuer_type",
        "issue_date",
        "policy_type",
        "node_id",
        "node_path",
        "category",
        "coder",
        "start",
        "end",
        "article",
        "section_path",
        "text",
        "memo",
        "created_at",
    ]


def test_node_filter_includes_descendants_and_coder_filter_narrows(
    api_as, project, owner, coder, tree, attributed_document
):
    root, child, other = tree
    CodingFactory(document=attributed_document, node=root, coder=owner, start=0, end=3)
    CodingFactory(document=attributed_document, node=child, coder=coder, start=0, end=3)
    CodingFactory(document=attributed_document, node=other, coder=owner, start=0, end=3)
    url = reverse("api:codings-csv", kwargs={"project_id": project.pk})
    assert len(read_csv(api_as(owner).get(url, {"node": root.pk}))) == 2
    assert len(read_csv(api_as(owner).get(url, {"node": root.pk, "coder": "coder"}))) == 1
    assert len(read_csv(api_as(owner).get(url, {"province": "浙江"}))) == 3
    assert len(read_csv(api_as(owner).get(url, {"province": "贵州"}))) == 0


def test_plain_utf8_option_has_no_bom(api_as, project, owner, tree, attributed_document):
    CodingFactory(document=attributed_document, node=tree[0], coder=owner)
    url = reverse("api:codings-csv", kwargs={"project_id": project.pk})
    raw = b"".join(api_as(owner).get(url, {"bom": "0"}).streaming_content)
    assert raw.startswith(b"coding_id,")


def test_unknown_node_filter_is_a_clear_400(api_as, project, owner):
    url = reverse("api:codings-csv", kwargs={"project_id": project.pk})
    response = api_as(owner).get(url, {"node": NodeFactory().pk})
    assert response.status_code == 400
    assert "not in this project" in response.json()["detail"]


def test_xlsx_export_holds_the_same_rows(api_as, project, owner, tree, attributed_document):
    CodingFactory(document=attributed_document, node=tree[1], coder=owner, start=0, end=3, memo="bad\x01char")
    response = api_as(owner).get(reverse("api:codings-xlsx", kwargs={"project_id": project.pk}))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][9] == "node_path"
    assert rows[1][9] == "数据开放/分级分类"
    assert rows[1][rows[0].index("memo")] == "badchar"
    assert workbook.sheetnames == ["codings", "说明"]


def test_export_names_the_article_and_section_path_a_passage_starts_in(api_as, project, owner, tree):
    from policies.models import Section

    text = "第一章　总则\n第一条　目的。\n第二条　范围。\n第二章　共享\n第一节　分类\n第三条　分级分类。"
    document = DocumentFactory(project=project, text=text, char_count=len(text))
    chapter_two, section = text.index("第二章"), text.index("第一节")
    for kind, label, level, start, end in [
        ("chapter", "第一章", 1, 0, chapter_two),
        ("article", "第一条", 3, text.index("第一条"), text.index("第二条")),
        ("article", "第二条", 3, text.index("第二条"), chapter_two),
        ("chapter", "第二章", 1, chapter_two, len(text)),
        ("section", "第一节", 2, section, len(text)),
        ("article", "第三条", 3, text.index("第三条"), len(text)),
    ]:
        Section.objects.create(document=document, kind=kind, label=label, level=level, start=start, end=end)
    for start in (0, text.index("目的"), text.index("范围"), text.index("分级")):
        CodingFactory(document=document, node=tree[0], coder=owner, start=start, end=start + 2)
    rows = read_csv(api_as(owner).get(reverse("api:codings-csv", kwargs={"project_id": project.pk})))
    assert [(row["article"], row["section_path"]) for row in rows] == [
        ("", "第一章"),
        ("第一条", "第一章"),
        ("第二条", "第一章"),
        ("第三条", "第二章 / 第一节"),
    ]
    assert export.places_of([]) == ([], [])


def test_csv_streams_in_chunks_not_one_per_row(api_as, project, owner, tree, attributed_document, monkeypatch):
    for start in range(0, 9, 3):
        CodingFactory(document=attributed_document, node=tree[0], coder=owner, start=start, end=start + 2)
    url = reverse("api:codings-csv", kwargs={"project_id": project.pk})
    assert len(list(api_as(owner).get(url).streaming_content)) == 1
    monkeypatch.setattr(writers, "STREAM_CHUNK", 10)
    chunks = list(api_as(owner).get(url).streaming_content)
    assert len(chunks) > 1
    assert len(list(csv.DictReader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))) == 3


def test_places_at_the_coded_starts_agree_with_the_full_sweep():
    rng = random.Random(7)
    kinds = ("part", "chapter", "section", "article", "item")
    for _ in range(200):
        sections = []
        for i in range(rng.randint(0, 12)):
            start = rng.randrange(0, 200)
            level = rng.randint(0, 4)
            sections.append((start, start + rng.randint(1, 120), kinds[level], f"标题{i}", level))
        starts = sorted({rng.randrange(0, 260) for _ in range(rng.randint(1, 15))})
        full = export.places_of(sections)
        at = export.places_at(sections, starts)
        context = export.Context({}, {}, {}, {}, [], places={1: full})
        assert at[0] == starts
        assert at[1] == [export.place(context, 1, start) for start in starts]


def test_export_holds_only_the_current_documents_places():
    codings = [
        (i, document, 0, 0, start, start + 1, "", "", None)
        for i, (document, start) in enumerate([(1, 5), (1, 0), (2, 3), (3, 9)])
    ]
    sections = [(1, 2, 0, 10, "article", "第一条"), (3, 1, 0, 20, "chapter", "第一章"), (4, 2, 0, 5, "article", "x")]
    places: dict = {}
    seen = []
    for coding in export.in_document_order(codings, sections, places):
        seen.append((coding[0], sorted(places)))
    assert seen == [(1, [1]), (0, [1]), (2, []), (3, [3])]
    assert places[3] == ([9], [("", "第一章")])


HOSTILE = ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "\t=1", "\r=1", 'say "hi", then\r\nleave', "'=x", "𠮷，数据"]


@pytest.fixture
def hostile_project(project, owner, coder):
    from policies.models import Section

    CustomAttribute.objects.create(project=project, name="@城市")
    CustomAttribute.objects.create(project=project, name='备注,"甲"')
    root = NodeFactory(project=project, name="=HYPERLINK(1)")
    child = NodeFactory(project=project, parent=root, name='a,"b"\n𠮷')
    for number, title in enumerate(HOSTILE[:4]):
        text = "第一章　总则\n第一条　" + "".join(HOSTILE) + f"\n第二条　数据{number}。"
        document = DocumentFactory(
            project=project,
            title=title,
            text=text,
            char_count=len(text),
            issuer=HOSTILE[number + 4],
            issue_date=f"2021-03-0{number + 1}" if number % 2 else None,
            attributes={"@城市": HOSTILE[-number - 1], '备注,"甲"': [None, 3, -1.5, True][number]},
        )
        if number:
            Section.objects.create(document=document, kind="chapter", label="第一章", level=1, start=0, end=len(text))
            Section.objects.create(document=document, kind="article", label='第"一"条', level=3, start=7, end=20)
        for index, value in enumerate(HOSTILE):
            start = (index * 3) % (len(text) - 4)
            CodingFactory(
                document=document,
                node=child if index % 2 else root,
                coder=coder if index % 3 else owner,
                start=start,
                end=start + 4,
                memo=value,
            )
    return project


def test_the_streamed_csv_is_byte_for_byte_the_csv_writer_on_the_export_rows(api_as, hostile_project, owner):
    url = reverse("api:codings-csv", kwargs={"project_id": hostile_project.pk})
    streamed = b"".join(api_as(owner).get(url).streaming_content)
    codings, context = export.selection(hostile_project, export.ExportSelection(), owner)
    lines = [export.header(context.custom_names), *export.rows(codings, context)]
    assert streamed == b"".join(writers.csv_chunks(lines))
    rows = list(csv.reader(io.StringIO(streamed.decode("utf-8-sig"))))
    assert len(rows) == 1 + 4 * len(HOSTILE)
    assert rows[0][-2:] == ["'@城市", '备注,"甲"']
    assert {row[2] for row in rows[1:]} == {"'=cmd|' /C calc'!A0", "'+1", "'-2", "'@SUM(A1)"}
    guarded = {"'" + v if v[:1] in "=+-@\t\r" else v for v in HOSTILE if v != "'=x"}
    assert {row[17] for row in rows[1:]} == guarded | {"''=x"}  # the memos
    assert rows[1][14:16] == ["", ""]
    assert ['第"一"条', "第一章"] in [row[14:16] for row in rows[1:]]
    assert {row[-1] for row in rows[1:]} == {"", "3", "-1.5", "True"}
    raw = b"".join(api_as(owner).get(url, {"bom": "0"}).streaming_content)
    assert raw == streamed.removeprefix("\ufeff".encode())


def test_the_csv_streams_its_first_chunk_before_the_codings_are_all_read(api_as, project, owner, tree, monkeypatch):
    from django.http import StreamingHttpResponse

    for _ in range(3):
        document = DocumentFactory(project=project)
        for start in range(0, 10, 2):
            CodingFactory(document=document, node=tree[0], coder=owner, start=start, end=start + 2)
    read = []
    cursor_rows = export._cursor_rows

    def counted(queryset, chunk):
        for row in cursor_rows(queryset, chunk):
            if queryset.model.__name__ == "Coding":
                read.append(row[0])
            yield row

    monkeypatch.setattr(export, "_cursor_rows", counted)
    monkeypatch.setattr(export, "CHUNK", 2)
    monkeypatch.setattr(writers, "STREAM_CHUNK", 400)
    response = api_as(owner).get(reverse("api:codings-csv", kwargs={"project_id": project.pk}))
    assert isinstance(response, StreamingHttpResponse)
    chunks = iter(response.streaming_content)
    first = next(chunks)
    assert first.startswith("\ufeffcoding_id,".encode())
    assert 0 < len(read) < 15
    rest = b"".join(chunks)
    assert len(read) == 15
    assert len(list(csv.reader(io.StringIO((first + rest).decode("utf-8-sig"))))) == 16


def test_a_former_members_codings_name_their_coder(api_as, project, owner, tree, attributed_document):
    from tests.factories import UserFactory

    former = UserFactory(username="=former")  # not a member of the project: looked up when first met
    CodingFactory(document=attributed_document, node=tree[0], coder=former, start=0, end=2)
    CodingFactory(document=attributed_document, node=tree[0], coder=owner, start=2, end=4)
    url = reverse("api:codings-csv", kwargs={"project_id": project.pk})
    rows = read_csv(api_as(owner).get(url, {"coder": "=former,owner"}))
    assert [row["coder"] for row in rows] == ["'=former", "owner"]
    codings, context = export.selection(project, export.ExportSelection(coders=("=former", "owner")), owner)
    assert [row[11] for row in export.rows(codings, context)] == ["=former", "owner"]


def test_read_ahead_gives_every_row_in_order_and_raises_the_readers_error():
    batches = iter([[(1,), (2,)], [(3,)], []])
    assert list(export._read_ahead(lambda size: next(batches), 2)) == [(1,), (2,), (3,)]

    def broken(size):
        raise export.ValidationError("the database went away")

    with pytest.raises(export.ValidationError, match="went away"):
        list(export._read_ahead(broken, 2))


def test_read_ahead_closed_early_stops_its_thread():
    calls = []

    def endless(size):
        calls.append(size)
        return [(len(calls),)] * size

    rows = export._read_ahead(endless, 3)
    assert next(rows) == (1,)
    rows.close()  # a client that went away: the thread must stop, not fetch on
    fetched = len(calls)
    assert not [t for t in threading.enumerate() if t.name == "export-read-ahead"]
    assert len(calls) == fetched
