"""The methods report: its numbers equal the API's for the same layer (the .docx parsed with python-docx), its
figures are 300 dpi PNGs, and blind coding and hostile names hold."""

import csv
import datetime
import io
import struct

import pytest
from django.urls import reverse
from docx import Document as WordDocument

from coding.models import CodingOptions
from policies.models import Document, Role
from policies.services.documents import document_import
from policies.services.segmentation import word_group_save
from tests.factories import CodingFactory, MembershipFactory, NodeFactory, UserFactory

TEXTS = {
    "贵州省": "第一条　网信部门负责统筹协调公共数据工作。\n第二条　网信部门和公安机关依法监督公共数据。",
    "云南省": "第一条　公共数据开放应当遵循公平原则。\n第二条　大数据管理部门负责公共数据开放。",
    "全国": "第一条　政府数据共享开放，网信部门统筹。\n第二条　数据安全由公安机关负责。",
}


@pytest.fixture
def reported(project, owner):
    alice = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="alice")).user
    bob = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="bob")).user
    docs = []
    for i, (province, text) in enumerate(TEXTS.items()):
        doc = document_import(project=project, user=owner, filename=f"条例{i}.txt", data=text.encode())[0]
        Document.objects.filter(pk=doc.document.pk).update(
            province=province,
            issuer_type="人民政府" if i else "人大及其常委会",
            policy_type="条例",
            issue_date=datetime.date(2018 + i, 5, 1),
        )
        docs.append(Document.objects.get(pk=doc.document.pk))
    collect = NodeFactory(project=project, name="数据归集", order=0, description="对数据的归集与汇聚")
    basic = NodeFactory(project=project, name="基础数据", parent=collect, order=0, description="基础库")
    share = NodeFactory(project=project, name="数据共享", order=1, description="共享的规则")
    government = NodeFactory(project=project, name="政府机构", order=2)
    office = NodeFactory(project=project, name="人民政府", parent=government, order=0)
    unused = NodeFactory(project=project, name="数据利用", order=3)
    for coder, doc, node, start, end in [
        (alice, docs[0], basic, 0, 10),
        (bob, docs[0], basic, 2, 12),
        (alice, docs[1], share, 0, 8),
        (bob, docs[1], collect, 0, 8),
        (alice, docs[2], office, 3, 9),
        (bob, docs[2], office, 3, 9),
        (alice, docs[2], share, 10, 20),
    ]:
        CodingFactory(document=doc, node=node, coder=coder, start=start, end=end)
    return {"alice": alice, "bob": bob, "docs": docs, "nodes": (collect, basic, share, government, office, unused)}


def _tables(docx: bytes) -> dict[str, list[list[str]]]:
    """caption → rows, in the order of the document (a table's caption is the paragraph above it)."""
    document = WordDocument(io.BytesIO(docx))
    tables = iter(document.tables)
    found, caption = {}, ""
    for child in document.element.body.iterchildren():
        tag = child.tag.rpartition("}")[2]
        if tag == "p":
            caption = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t"))
        elif tag == "tbl":
            table = next(tables)
            found[caption] = [[cell.text for cell in row.cells] for row in table.rows]
    return found


def _table(tables, words: str) -> list[list[str]]:
    (rows,) = [rows for caption, rows in tables.items() if words in caption]
    return rows


def _report(api, project, query=""):
    response = api.get(reverse("api:report-docx", args=[project.pk]) + query)
    assert response.status_code == 200, response.content[:300]
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?coders=alice", "?coders=alice,bob"])
def test_matrix_table_equals_the_matrix_api(api_as, project, owner, reported, query):
    api = api_as(owner)
    tables = _tables(_report(api, project, query).content)
    shown = api.get(reverse("api:matrix", args=[project.pk]) + (query + "&" if query else "?") + "rows=province").json()
    rows = _table(tables, "Documents coded per province and category")
    assert rows[0][1:-1] == [c["path"] for c in shown["column_nodes"]]
    by_label = {row[0]: row[1:] for row in rows[1:]}
    for label, cells, total in zip(shown["rows"], shown["cells"], shown["row_totals"], strict=True):
        assert by_label[label] == [str(v) for v in [*cells, total]]
    assert by_label["Total"] == [str(v) for v in [*shown["column_totals"], shown["total"]]]
    (caption,) = [caption for caption in tables if "per province and category" in caption]
    assert shown["layer"]["label"] in caption


@pytest.mark.django_db
def test_word_table_equals_the_word_frequency_api(api_as, project, owner, reported):
    api = api_as(owner)
    rows = _table(_tables(_report(api, project, "?top=5").content), "most frequent words")
    shown = api.get(reverse("api:word-frequency", args=[project.pk]) + "?top=5").json()["words"]
    assert len(shown) == 5
    assert [row[1:] for row in rows[1:]] == [[w["word"], str(w["count"]), str(w["documents"])] for w in shown]


@pytest.mark.django_db
def test_corpus_tables_count_the_documents(api_as, project, owner, reported):
    api = api_as(owner)
    tables = _tables(_report(api, project).content)
    documents = api.get(reverse("api:documents", args=[project.pk])).json()
    documents = documents["results"] if isinstance(documents, dict) else documents
    by_province = {row[0]: row[1] for row in _table(tables, "Documents by Province")[1:]}
    for province in TEXTS:
        assert by_province[province] == str(sum(1 for d in documents if d["province"] == province))
    assert by_province["Total"] == str(len(documents))
    by_year = {row[0]: row[1] for row in _table(tables, "Documents by Year of issue")[1:]}
    assert by_year == {"2018": "1", "2019": "1", "2020": "1", "Total": "3"}


@pytest.mark.django_db
def test_codebook_table_equals_the_framework_summary(client, api_as, project, owner, reported):
    tables = _tables(_report(api_as(owner), project).content)
    rows = _table(tables, "codebook with the provinces")
    client.force_login(owner)
    summary = client.get(reverse("coding:summary-csv", args=[project.pk])).content.decode("utf-8-sig")
    expected = {line[2]: (line[3], line[4]) for line in list(csv.reader(io.StringIO(summary)))[1:]}
    assert rows[0][:3] == ["Category", "Subcategory", "Definition (coding rule)"]
    for category, sub, _definition, count, names in rows[1:]:
        path = f"{category}/{sub}" if sub else category
        assert (count, names) == expected[path]
    assert ["数据归集", "基础数据", "基础库", "1", "贵州省"] in rows


@pytest.mark.django_db
def test_agreement_table_equals_the_agreement_api(api_as, project, owner, reported):
    api = api_as(owner)
    tables = _tables(_report(api, project).content)
    collect, _basic, share, government, _office, unused = reported["nodes"]
    nodes = ",".join(str(n.pk) for n in (collect, share, government, unused))
    shown = api.get(reverse("api:agreement", args=[project.pk]) + f"?all=1&rollup=1&nodes={nodes}").json()
    rows = {row[0]: row[1:] for row in _table(tables, "Agreement per category")[1:]}

    def fmt(v, digits=3):
        return "–" if v is None else f"{v:.{digits}f}"

    for node in shown["nodes"]:
        assert rows[node["path"]] == [
            fmt(node["pooled_kappa"]),
            fmt(node["weighted_kappa"]),
            fmt(node["alpha"]),
            fmt(node["agreement"], 2),
        ]
    coders = {row[0]: row[1:] for row in _table(tables, "Who coded how much")[1:]}
    assert coders == {"alice": ["3", "4"], "bob": ["3", "3"]}


@pytest.mark.django_db
def test_stakeholder_counts_roll_up_the_tree(api_as, project, owner, reported):
    rows = _table(_tables(_report(api_as(owner), project).content), "Stakeholders")
    assert rows[1:] == [["政府机构", "1", "2"], ["政府机构/人民政府", "1", "2"]]


@pytest.mark.django_db
def test_figures_are_300_dpi_pngs(api_as, project, owner, reported):
    document = WordDocument(io.BytesIO(_report(api_as(owner), project).content))
    blobs = [shape._inline.graphic.graphicData.pic.blipFill.blip.embed for shape in document.inline_shapes]
    assert len(blobs) == 4  # codebook tree, heatmap, province map, timeline
    for rid in blobs:
        png = document.part.related_parts[rid].blob
        at = png.index(b"pHYs")
        assert struct.unpack(">II", png[at + 4 : at + 12]) == (11811, 11811)


@pytest.mark.django_db
def test_html_report_holds_the_same_tables_and_inline_figures(api_as, project, owner, reported):
    response = api_as(owner).get(reverse("api:report-html", args=[project.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<svg") == 4
    assert "Documents coded per province and category" in page
    assert response["X-PolicyCoder-Layer"].startswith("coders;")


@pytest.mark.django_db
def test_blind_coder_gets_only_their_own_layer(api_as, client, project, reported):
    CodingOptions.objects.create(project=project, blind=True)
    alice = reported["alice"]
    response = _report(api_as(alice), project)
    assert response["X-PolicyCoder-Layer"] == "coder; coders=alice; label=Coder%20alice"
    tables = _tables(response.content)
    assert {row[0] for row in _table(tables, "Who coded how much")[1:]} == {"alice"}
    refused = api_as(alice).get(reverse("api:report-docx", args=[project.pk]) + "?coders=bob")
    assert refused.status_code == 400
    assert "blind" in refused.json()["detail"]


@pytest.mark.django_db
def test_bad_top_is_a_clear_400(api_as, project, owner, reported):
    response = api_as(owner).get(reverse("api:report-docx", args=[project.pk]) + "?top=abc")
    assert response.status_code == 400
    assert "top" in response.json()["detail"]


@pytest.mark.django_db
def test_hostile_node_names_are_escaped_in_the_page(client, project, owner, reported):
    NodeFactory(project=project, name="<script>alert(1)</script>", order=9)
    client.force_login(owner)
    page = client.get(reverse("analysis:report", args=[project.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_project_page_has_the_report_button(client, project, owner):
    client.force_login(owner)
    page = client.get(reverse("policies:project-home", args=[project.pk])).content.decode()
    assert reverse("analysis:report", args=[project.pk]) in page


@pytest.mark.django_db
def test_word_group_table_equals_the_word_frequency_api(api_as, project, owner, reported):
    word_group_save(project=project, kind="subjects", name="监管主体", words="网信部门 公安机关 不存在的词")
    word_group_save(project=project, kind="data", name="数据活动", words="公共数据")
    api = api_as(owner)
    rows = _table(_tables(_report(api, project).content), "Word groups")
    query = "?top=1000&min_length=1&stopwords=include"
    shown = {w["word"]: w for w in api.get(reverse("api:word-frequency", args=[project.pk]) + query).json()["words"]}
    assert rows[0] == ["Kind", "Word group", "Words (count)", "Count", "Documents"]
    by_name = {row[1]: row for row in rows[1:]}
    subjects = by_name["监管主体"]
    assert subjects[0] == "Subjects"
    counts = [shown["网信部门"]["count"], shown["公安机关"]["count"]]
    assert subjects[2] == f"网信部门 {counts[0]}、公安机关 {counts[1]}、不存在的词 0"
    assert subjects[3] == str(sum(counts))
    assert subjects[4] == "2"  # both words are in 贵州省 and 全国, neither in 云南省: documents are not added up
    assert by_name["数据活动"][3:] == [str(shown["公共数据"]["count"]), str(shown["公共数据"]["documents"])]


@pytest.mark.django_db
def test_a_project_without_word_groups_says_where_to_name_them(api_as, project, owner, reported):
    document = WordDocument(io.BytesIO(_report(api_as(owner), project).content))
    assert any("owners name them on the dictionary page" in p.text for p in document.paragraphs)
