"""The codings' side of codebook edits (coding/codebook.py): a merge moves codings onto the target and drops the ones
it already has, keeping a memo; a delete removes the codings at the doomed nodes; both are written to the audit
trail as already undone."""

import pytest

from coding import codebook
from coding.models import Coding, CodingEvent
from tests.factories import CodingFactory, DocumentFactory, NodeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def merge_pair(project):
    """Two nodes of the project, a document, two coders."""
    return {
        "source": NodeFactory(project=project, name="旧"),
        "target": NodeFactory(project=project, name="新"),
        "document": DocumentFactory(project=project),
        "ana": UserFactory(username="ana"),
        "bo": UserFactory(username="bo"),
    }


def _at(node):
    return sorted(node.codings.values_list("coder__username", "start", "end", "memo"))


def test_merge_moves_codings_drops_identical_ones_and_says_how_many(owner, merge_pair):
    source, target, document, ana, bo = merge_pair.values()
    CodingFactory(document=document, node=source, coder=ana, start=0, end=5)
    CodingFactory(document=document, node=target, coder=ana, start=0, end=5)  # the same span: dropped
    CodingFactory(document=document, node=source, coder=bo, start=0, end=5)  # another coder: moved
    CodingFactory(document=document, node=source, coder=ana, start=0, end=6)  # another span: moved
    moved, dropped = codebook.node_codings_merge(source, target, actor=owner, path="旧")
    assert (moved, dropped) == (2, 1)
    assert not source.codings.exists()
    assert _at(target) == [("ana", 0, 5, ""), ("ana", 0, 6, ""), ("bo", 0, 5, "")]


def test_a_dropped_duplicates_memo_fills_an_empty_memo_and_never_overwrites_one(owner, merge_pair):
    source, target, document, ana, bo = merge_pair.values()
    CodingFactory(document=document, node=source, coder=ana, start=0, end=5, memo="旧备注")
    CodingFactory(document=document, node=target, coder=ana, start=0, end=5)
    CodingFactory(document=document, node=source, coder=bo, start=1, end=4, memo="不覆盖")
    CodingFactory(document=document, node=target, coder=bo, start=1, end=4, memo="原有")
    codebook.node_codings_merge(source, target, actor=owner, path="旧")
    assert _at(target) == [("ana", 0, 5, "旧备注"), ("bo", 1, 4, "原有")]


def test_merge_logs_dropped_codings_as_deleted_and_moved_ones_as_updated(project, owner, merge_pair):
    source, target, document, ana, bo = merge_pair.values()
    dropped = CodingFactory(document=document, node=source, coder=ana, start=0, end=5)
    CodingFactory(document=document, node=target, coder=ana, start=0, end=5)
    moved = CodingFactory(document=document, node=source, coder=bo, start=0, end=5)
    codebook.node_codings_merge(source, target, actor=owner, path="旧")
    trail = CodingEvent.objects.order_by("action").values_list(
        "action", "coding_id", "actor__username", "node_path", "before", "undone", "project_id"
    )
    merged = {"node_id": source.pk, "merged_into": target.pk}
    assert list(trail) == [
        ("deleted", dropped.pk, "owner", "旧", merged, True, project.pk),
        ("updated", moved.pk, "owner", "旧", merged, True, project.pk),
    ]


def test_merging_a_node_without_codings_changes_nothing(owner, merge_pair):
    source, target, document, ana, _bo = merge_pair.values()
    CodingFactory(document=document, node=target, coder=ana)
    assert codebook.node_codings_merge(source, target, actor=owner, path="旧") == (0, 0)
    assert target.codings.count() == 1
    assert not CodingEvent.objects.exists()


def test_delete_removes_the_codings_at_the_given_nodes_only_and_logs_each(project, owner, merge_pair):
    source, target, document, ana, bo = merge_pair.values()
    child = NodeFactory(project=project, name="子", parent=source)
    doomed = [
        CodingFactory(document=document, node=source, coder=ana),
        CodingFactory(document=document, node=child, coder=bo),
    ]
    kept = CodingFactory(document=document, node=target, coder=ana)
    codebook.nodes_codings_delete(source, [source.pk, child.pk], actor=owner, path="旧")
    assert list(Coding.objects.values_list("pk", flat=True)) == [kept.pk]
    trail = CodingEvent.objects.order_by("coding_id").values_list("action", "coding_id", "before", "undone")
    assert list(trail) == [("deleted", c.pk, {"node_deleted": source.pk}, True) for c in doomed]
