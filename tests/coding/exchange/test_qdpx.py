"""Export of a whole project as .qdpx: the zip layout, project.qde valid against the standard's Project.xsd."""

import io
import json
import zipfile

import pytest
from lxml import etree

from coding.exchange import qde, qdpx
from policies.models import Section
from tests.coding.exchange.conftest import export_bytes
from tests.factories import DocumentFactory, ProjectFactory

NS = {"q": qde.NAMESPACE}


def _qde(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read("project.qde")), archive.namelist(), archive


@pytest.mark.django_db
def test_export_is_valid_against_project_xsd(rich_project):
    root, _names, _archive = _qde(export_bytes(rich_project["project"], rich_project["owner"]))
    schema = qde.schema()
    assert schema.validate(root), schema.error_log


@pytest.mark.django_db
def test_export_holds_texts_originals_and_the_extension(rich_project):
    data = export_bytes(rich_project["project"], rich_project["owner"])
    first, second = rich_project["documents"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        assert archive.read(f"sources/{first.guid}.txt").decode() == first.text
        assert archive.read(f"sources/{second.guid}.txt").decode() == second.text
    assert f"sources/{first.guid}.txt" in names
    assert {"policycoder/project.json", "policycoder/documents.json", "policycoder/assignments.json"} <= names


@pytest.mark.django_db
def test_codings_are_selections_in_code_points_one_coding_per_coder(rich_project):
    root, _names, _archive = _qde(export_bytes(rich_project["project"], rich_project["owner"]))
    first = rich_project["documents"][0]
    source = root.find(f".//q:TextSource[@guid='{first.guid}']", NS)
    selections = source.findall("q:PlainTextSelection", NS)
    users = {u.get("guid"): u.get("name") for u in root.findall(".//q:User", NS)}
    coders = sorted(users[s.find("q:Coding", NS).get("creatingUser")] for s in selections)
    assert coders == ["alice", "owner", qdpx.CONSENSUS_NAME]
    assert {(int(s.get("startPosition")), int(s.get("endPosition"))) for s in selections} == {(7, 12)}
    described = [s.findtext("q:Description", namespaces=NS) for s in selections]
    assert "要点" in described


@pytest.mark.django_db
def test_memos_become_notes_linked_where_they_belong(rich_project):
    root, _names, _archive = _qde(export_bytes(rich_project["project"], rich_project["owner"]))
    notes = {n.get("guid"): n.findtext("q:PlainTextContent", namespaces=NS) for n in root.findall(".//q:Note", NS)}
    first = rich_project["documents"][0]
    child = rich_project["nodes"][1]
    source_ref = root.find(f".//q:TextSource[@guid='{first.guid}']/q:NoteRef", NS).get("targetGUID")
    code_ref = root.find(f".//q:Code[@guid='{child.guid}']/q:NoteRef", NS).get("targetGUID")
    project_ref = root.find("q:NoteRef", NS).get("targetGUID")
    assert (notes[source_ref], notes[code_ref], notes[project_ref]) == ("文件备忘", "节点备忘", "研究日志")


@pytest.mark.django_db
def test_attributes_are_variables_with_the_issue_date_as_a_date(rich_project):
    root, _names, _archive = _qde(export_bytes(rich_project["project"], rich_project["owner"]))
    variables = {v.get("name"): (v.get("guid"), v.get("typeOfVariable")) for v in root.findall(".//q:Variable", NS)}
    assert variables["发布日期"][1] == "Date"
    assert variables["领域"][1] == "Text"
    first = root.find(".//q:TextSource", NS)
    values = {
        item.find("q:VariableRef", NS).get("targetGUID"): item[1].text
        for item in first.iter(f"{{{NS['q']}}}VariableValue")
    }
    assert values[variables["发布日期"][0]] == "2021-11-25"
    assert values[variables["省份"][0]] == "贵州省"
    assert values[variables["领域"][0]] == "数据"


@pytest.mark.django_db
def test_an_empty_project_exports_a_valid_file(project, owner):
    root, names, _archive = _qde(export_bytes(project, owner))
    assert qde.schema().validate(root)
    assert "project.qde" in names


@pytest.mark.django_db
def test_control_characters_stored_before_they_were_refused_never_break_the_xml(rich_project):
    node = rich_project["nodes"][0]
    type(node).objects.filter(pk=node.pk).update(description="规则\x0b与\x1b说明")
    root, _names, _archive = _qde(export_bytes(rich_project["project"], rich_project["owner"]))
    assert qde.schema().validate(root)
    assert root.find(f".//q:Code[@guid='{node.guid}']/q:Description", NS).text == "规则与说明"


@pytest.mark.django_db
def test_documents_json_lists_each_document_with_its_own_sections_in_order(rich_project):
    first, second = rich_project["documents"]
    elsewhere = DocumentFactory(project=ProjectFactory())  # its sections must not leak into this project's file
    Section.objects.create(document=elsewhere, kind="article", label="第九条", level=2, start=0, end=3)
    Section.objects.filter(document=second).delete()
    data = export_bytes(rich_project["project"], rich_project["owner"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        documents = json.loads(archive.read("policycoder/documents.json"))
    expected = [
        [kind, label, level, start, end]
        for kind, label, level, start, end in Section.objects.filter(document=first)
        .order_by("start", "level", "id")
        .values_list("kind", "label", "level", "start", "end")
    ]
    assert [d["guid"] for d in documents] == [str(first.guid), str(second.guid)]
    assert documents[0]["sections"] == expected
    assert [s[1] for s in expected] == ["第一章", "第一条", "第二条"]
    assert documents[1]["sections"] == []
    assert documents[0]["attributes"] == {"领域": "数据"}
    assert documents[0]["province"] == "贵州省"


@pytest.mark.django_db
def test_export_reads_each_table_once_in_order_never_every_coding_to_find_the_people(rich_project):
    """The people a project mentions come from DISTINCT user ids: with a model's default ordering left on, DISTINCT
    runs over (coder, document, start, end, id) and hands back every coding, held in memory at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        data = export_bytes(rich_project["project"], rich_project["owner"])
    distinct = [q["sql"] for q in queries.captured_queries if "SELECT DISTINCT" in q["sql"]]
    assert len(distinct) == 4
    assert not [sql for sql in distinct if "ORDER BY" in sql]
    texts = [q["sql"] for q in queries.captured_queries if '"policies_document"."text"' in q["sql"]]
    assert len(texts) == 2  # a batch after the last id read (both documents), then an empty one
    assert not [sql for sql in texts if "OFFSET" in sql or "CURSOR" in sql]
    users = {u.get("name") for u in _qde(data)[0].findall(".//q:User", NS)}
    assert {"alice", "owner", qdpx.CONSENSUS_NAME} <= users


@pytest.mark.django_db
def test_texts_read_in_batches_are_all_written_once(rich_project, monkeypatch):
    monkeypatch.setattr(qdpx, "TEXTS", 1)
    data = export_bytes(rich_project["project"], rich_project["owner"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        texts = {
            name: archive.read(name).decode() for name in names if name.endswith(".txt") and "-original" not in name
        }
        originals = [name for name in names if "-original" in name]
    documents = rich_project["documents"]
    assert len(names) == len(set(names))
    assert texts == {f"sources/{d.guid}.txt": d.text for d in documents}
    assert len(originals) == len(documents)
