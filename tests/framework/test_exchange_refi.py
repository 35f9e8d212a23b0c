"""Codebook exchange fixed on the way: isCodable kept, re-import matched by GUID first, clashes reported."""

import pytest
from django.core.exceptions import ValidationError

from coding import services as coding_services
from framework import downloads, exchange, services, tree
from framework.models import Node
from tests.factories import DocumentFactory, NodeFactory


def _qdc(codes: str) -> bytes:
    return f'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{codes}</Codes></CodeBook>'.encode()


@pytest.mark.django_db
def test_a_code_that_is_not_codable_stays_so_through_import_and_export(project):
    qdc = _qdc(
        '<Code guid="a1b2c3d4-0000-4000-8000-000000000001" name="类别" isCodable="false">'
        '<Code guid="a1b2c3d4-0000-4000-8000-000000000002" name="子类" isCodable="true"/></Code>'
    )
    services.codebook_import(project=project, entries=exchange.read(qdc, "qdc"))
    parent = Node.objects.get(project=project, name="类别")
    assert parent.codable is False
    written = exchange.write_qdc(tree.build(tree.rows_for(project)))
    assert b'name="\xe7\xb1\xbb\xe5\x88\xab" isCodable="false"' in written


@pytest.mark.django_db
def test_a_node_that_only_organizes_is_refused_for_coding(project, owner):
    node = NodeFactory(project=project, codable=False, name="类别")
    document = DocumentFactory(project=project)
    with pytest.raises(ValidationError, match="only organizes"):
        coding_services.coding_create(coder=owner, document=document, node=node, start=0, end=3)
    assert not node.codings.exists()


@pytest.mark.django_db
def test_reimport_matches_by_guid_first_so_a_rename_in_nvivo_renames_the_node(project):
    node = NodeFactory(project=project, name="旧名")
    qdc = _qdc(f'<Code guid="{node.guid}" name="新名" isCodable="true"/>')
    report = services.codebook_import(project=project, entries=exchange.read(qdc, "qdc"))
    node.refresh_from_db()
    assert node.name == "新名"
    assert Node.objects.filter(project=project).count() == 1
    assert any("旧名" in note for _path, note in report.notes)


@pytest.mark.django_db
def test_a_guid_that_is_not_a_uuid_or_appears_twice_is_reported(project):
    qdc = _qdc(
        '<Code guid="not-a-guid" name="甲" isCodable="true"/>'
        '<Code guid="a1b2c3d4-0000-4000-8000-000000000009" name="乙" isCodable="true"/>'
        '<Code guid="a1b2c3d4-0000-4000-8000-000000000009" name="丙" isCodable="true"/>'
    )
    report = services.codebook_import(project=project, entries=exchange.read(qdc, "qdc"))
    notes = dict(report.notes)
    assert "not a UUID" in notes["甲"]
    assert "twice" in notes["丙"]
    assert len({n.guid for n in Node.objects.filter(project=project)}) == 3


@pytest.mark.django_db
def test_duplicate_sibling_names_in_a_file_are_reported_not_merged_silently(project):
    qdc = _qdc('<Code name="甲" isCodable="true"/><Code name="甲" isCodable="true"/>')
    report = services.codebook_import(project=project, entries=exchange.read(qdc, "qdc"))
    assert report.skipped == [("甲", "appears more than once in the file")]


@pytest.mark.django_db
def test_an_empty_codebook_says_there_is_nothing_to_export_as_qdc(project):
    with pytest.raises(ValidationError, match="nothing to export"):
        downloads.export_response(project, "qdc")
