"""What a coding request names, read for a save: the passage only, and the node with its path."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coding import lookup
from coding.models import CodingEvent
from framework import tree
from policies.services.documents import document_replace_file, text_hash
from policies.text.cache import TEXTS
from tests.factories import DocumentFactory, NodeFactory, ProjectFactory

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


def test_a_document_asked_for_twice_has_its_text_held_and_its_passages_sliced_from_it(project, document):
    node = NodeFactory(project=project, name="数据质量")
    start = TEXT.index("𠮷")
    lookup.passage_and_node(project, document.pk, 0, 2, node.pk)
    assert TEXTS.get(document.pk) is None  # asked for once: a batch over many documents holds nothing
    lookup.passage_and_node(project, document.pk, 0, 2, node.pk)
    assert TEXTS.get(document.pk) == (document.text_hash, TEXT)
    for begin, end in [(start, start + 5), (0, len(TEXT)), (len(TEXT) - 2, len(TEXT) + 4), (2**40, 2**40 + 1), (5, 2)]:
        with CaptureQueriesContext(connection) as queries:
            found, named = lookup.passage_and_node(project, document.pk, begin, end, node.pk)
        assert len(queries) == 1
        assert "SUBSTR" not in queries.captured_queries[0]["sql"]
        assert found[1] == TEXT[begin:end]
        assert (found[0].pk, found[0].char_count, named[1]) == (document.pk, len(TEXT), "数据质量")
        assert lookup.passage(project, document.pk, begin, end)[1] == found[1]


def test_a_replaced_text_is_read_again_never_sliced_from_the_old_one(project, document):
    lookup.passage(project, document.pk, 0, 2)
    lookup.passage(project, document.pk, 0, 2)
    assert TEXTS.get(document.pk)[1] == TEXT
    document_replace_file(document=document, filename="新版.txt", data="第二条　新的文本内容。".encode())
    assert lookup.passage(project, document.pk, 0, 3)[1] == "第二条"
    assert lookup.passage(project, document.pk, 4, 6)[1] == "新的"
    assert TEXTS.get(document.pk) == (text_hash("第二条　新的文本内容。"), "第二条　新的文本内容。")


def test_a_held_text_is_not_another_projects_passage(project, document):
    lookup.passage(project, document.pk, 0, 2)
    lookup.passage(project, document.pk, 0, 2)
    assert TEXTS.get(document.pk) is not None
    assert lookup.passage(ProjectFactory(), document.pk, 0, 2) is None


@pytest.mark.django_db(transaction=True)  # outside a test's transaction, as a request runs
def test_one_save_writes_its_coding_and_event_in_one_statement_on_postgresql(api_as, project, document, coder):
    node = NodeFactory(project=project, name="数据质量")
    client = api_as(coder)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("api:codings", kwargs={"project_id": project.pk}),
            {"document": document.pk, "node": node.pk, "start": 0, "end": 3},
            format="json",
        )
    assert response.status_code == 201
    writes = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
    event = CodingEvent.objects.get()
    assert (event.coding_id, event.node_path, event.action) == (response.json()["id"], "数据质量", "created")
    if connection.vendor == "postgresql":
        assert len(writes) == 1
        assert writes[0].startswith("WITH first AS (INSERT INTO")
        assert not [q for q in queries.captured_queries if q["sql"] in ("BEGIN", "COMMIT")]
    else:
        assert len(writes) == 2  # SQLite: the coding, then its event, in one transaction
