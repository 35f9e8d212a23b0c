"""What a coding request names, read for a save: the passage only, and the node with its path."""

import pytest
from django.urls import reverse

from coding import lookup
from coding.models import CodingEvent
from framework import tree
from tests.factories import DocumentFactory, NodeFactory

TEXT = "第一条　为了推动𠮷政府数据共享开放，制定本条例。"


@pytest.fixture
def document(project):
    return DocumentFactory(project=project, text=TEXT, char_count=len(TEXT))


def test_the_passage_is_the_texts_own_slice_in_code_points(project, document):
    start = TEXT.index("𠮷")
    found, passage = lookup.passage(project, document.pk, start, start + 5)
    assert passage == TEXT[start : start + 5] == "𠮷政府数据"
    assert (found.pk, found.project_id, found.char_count) == (document.pk, project.pk, len(TEXT))


@pytest.mark.parametrize(("start", "end"), [(len(TEXT), len(TEXT) + 3), (2**40, 2**40 + 1), (5, 5), (5, 2)])
def test_a_passage_past_the_end_or_empty_reads_as_empty(project, document, start, end):
    _found, passage = lookup.passage(project, document.pk, start, end)
    assert passage == ""


@pytest.mark.parametrize("document_id", [0, -1, 2**63, 2**70])
def test_impossible_document_ids_are_not_found(project, document, document_id):
    assert lookup.passage(project, document_id, 0, 3) is None


def test_another_projects_document_or_node_is_not_found(project, document):
    assert lookup.passage(project, DocumentFactory().pk, 0, 3) is None
    assert lookup.node_with_path(project, NodeFactory().pk) is None
    assert lookup.node_with_path(project, 2**64) is None


def test_a_node_comes_with_the_path_the_codebook_gives_it(project):
    root = NodeFactory(project=project, name="数据治理", codable=False)
    child = NodeFactory(project=project, name="数据质量", parent=root)
    grandchild = NodeFactory(project=project, name="质量评估", parent=child)
    node, path = lookup.node_with_path(project, grandchild.pk)
    assert path == "数据治理/数据质量/质量评估" == tree.paths_of(project, [grandchild.pk])[grandchild.pk]
    assert (node.pk, node.parent_id, node.name, node.codable) == (grandchild.pk, child.pk, "质量评估", True)
    organizer, root_path = lookup.node_with_path(project, root.pk)
    assert (organizer.codable, root_path) == (False, "数据治理")


def _key(found):
    return None if found is None else (found[0].pk, found[0].project_id, found[1])


@pytest.mark.parametrize(("start", "end"), [(3, 9), (len(TEXT) - 2, len(TEXT) + 4), (2**40, 2**40 + 1)])
def test_one_statement_finds_what_the_two_lookups_find(project, document, start, end):
    root = NodeFactory(project=project, name="数据治理", codable=False)
    child = NodeFactory(project=project, name="数据质量", parent=root)
    elsewhere_document, elsewhere_node = DocumentFactory(), NodeFactory()
    for document_id in (document.pk, elsewhere_document.pk, 0, 2**70):
        for node_id in (child.pk, root.pk, elsewhere_node.pk, -1, 2**64):
            found, named = lookup.passage_and_node(project, document_id, start, end, node_id)
            assert _key(found) == _key(lookup.passage(project, document_id, start, end))
            assert _key(named) == _key(lookup.node_with_path(project, node_id))
            if named is not None:
                expected = lookup.node_with_path(project, node_id)[0]
                assert (named[0].parent_id, named[0].name, named[0].codable) == (
                    expected.parent_id,
                    expected.name,
                    expected.codable,
                )
            if found is not None:
                assert found[0].char_count == len(TEXT)


def test_a_save_through_the_api_logs_the_nodes_full_path(api_as, project, document, coder):
    child = NodeFactory(project=project, name="数据质量", parent=NodeFactory(project=project, name="数据治理"))
    response = api_as(coder).post(
        reverse("api:codings", kwargs={"project_id": project.pk}),
        {"document": document.pk, "node": child.pk, "start": 0, "end": 3},
        format="json",
    )
    assert response.status_code == 201
    assert CodingEvent.objects.get().node_path == "数据治理/数据质量"


def test_an_organizing_node_is_refused_through_the_api_and_nothing_is_saved(api_as, project, document, coder):
    root = NodeFactory(project=project, name="数据治理", codable=False)
    response = api_as(coder).post(
        reverse("api:codings", kwargs={"project_id": project.pk}),
        {"document": document.pk, "node": root.pk, "start": 0, "end": 3},
        format="json",
    )
    assert response.status_code == 400
    assert "only organizes other nodes" in response.json()["detail"]
    assert not CodingEvent.objects.exists()
