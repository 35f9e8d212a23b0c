"""Coding writes: validation, idempotency, audit trail, undo, memos."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from coding import services
from coding.models import Coding, CodingEvent, Memo, MemoKind
from policies.models import Role
from tests.factories import DocumentFactory, NodeFactory

TEXT = "第一条　为了推动𠮷政府数据共享开放，制定本条例。\n第二条　政府数据以共享为原则。\n"


@pytest.fixture
def document(project):
    return DocumentFactory(project=project, text=TEXT.rstrip("\n"), char_count=len(TEXT.rstrip("\n")))


@pytest.fixture
def node(project):
    return NodeFactory(project=project, name="数据共享")


def test_coding_stores_the_passage_by_code_points(document, node, coder):
    start = TEXT.index("𠮷")
    coding, created = services.coding_create(coder=coder, document=document, node=node, start=start, end=start + 4)
    assert created
    assert coding.text == "𠮷政府数"
    assert (coding.start, coding.end) == (start, start + 4)


def test_selection_is_trimmed_of_whitespace(document, node, coder):
    end_of_line = TEXT.index("\n")
    coding, _ = services.coding_create(
        coder=coder, document=document, node=node, start=end_of_line - 3, end=end_of_line + 5
    )
    assert coding.text == "条例。\n第二条"
    assert coding.end == end_of_line + 4


def test_the_same_coding_twice_is_one_coding(document, node, coder):
    first, created_first = services.coding_create(coder=coder, document=document, node=node, start=0, end=3)
    again, created_again = services.coding_create(coder=coder, document=document, node=node, start=0, end=3)
    assert created_first
    assert not created_again
    assert first.pk == again.pk
    assert Coding.objects.count() == 1


def test_two_coders_coding_the_same_passage_keep_their_own_codings(document, node, coder, owner):
    services.coding_create(coder=coder, document=document, node=node, start=0, end=3)
    services.coding_create(coder=owner, document=document, node=node, start=0, end=3)
    assert sorted(Coding.objects.values_list("coder__username", flat=True)) == ["coder", "owner"]


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (5, 3), (0, 10_000), (3, 3)])
def test_out_of_range_or_reversed_offsets_are_refused(document, node, coder, start, end):
    with pytest.raises(ValidationError, match="outside the document"):
        services.coding_create(coder=coder, document=document, node=node, start=start, end=end)
    assert not Coding.objects.exists()


def test_whitespace_only_selection_is_refused(document, node, coder):
    newline = TEXT.index("\n")
    with pytest.raises(ValidationError, match="only spaces"):
        services.coding_create(coder=coder, document=document, node=node, start=newline, end=newline + 1)


def test_node_of_another_project_is_refused_without_its_name(document, coder):
    foreign = NodeFactory(name="别人的机密节点")
    with pytest.raises(ValidationError) as refused:
        services.coding_create(coder=coder, document=document, node=foreign, start=0, end=3)
    assert refused.value.messages == [f"Node {foreign.pk} is not in this project's codebook."]


def test_bulk_create_is_all_or_nothing(project, document, node, coder):
    good = services.CodingRequest(document, node, 0, 3)
    bad = services.CodingRequest(document, node, 0, 99_999)
    with pytest.raises(ValidationError):
        services.codings_create(coder=coder, project=project, items=[good, bad])
    assert not Coding.objects.exists()


def test_memo_over_the_limit_is_refused(document, node, coder):
    with pytest.raises(ValidationError, match="at most"):
        services.coding_create(coder=coder, document=document, node=node, start=0, end=3, memo="备" * 10_001)


def test_audit_trail_keeps_a_removed_coding(document, node, coder):
    coding, _ = services.coding_create(coder=coder, document=document, node=node, start=0, end=3)
    coding_id = coding.pk
    services.coding_delete(coding=coding, actor=coder, role=Role.CODER)
    assert not Coding.objects.exists()
    trail = list(CodingEvent.objects.order_by("id").values_list("action", "coding_id", "node_path", "start", "end"))
    assert trail == [("created", coding_id, "数据共享", 0, 3), ("deleted", coding_id, "数据共享", 0, 3)]


def test_only_the_coder_or_an_owner_changes_a_coding(document, node, coder, owner, viewer):
    coding, _ = services.coding_create(coder=owner, document=document, node=node, start=0, end=3)
    with pytest.raises(PermissionDenied):
        services.coding_delete(coding=coding, actor=coder, role=Role.CODER)
    services.coding_update(coding=coding, actor=owner, role=Role.OWNER, memo="核对过")
    coding.refresh_from_db()
    assert coding.memo == "核对过"


def test_moving_to_a_node_where_the_same_coding_exists_is_refused(project, document, node, coder):
    other = NodeFactory(project=project, name="数据开放")
    services.coding_create(coder=coder, document=document, node=other, start=0, end=3)
    coding, _ = services.coding_create(coder=coder, document=document, node=node, start=0, end=3)
    with pytest.raises(ValidationError, match="already coded"):
        services.coding_update(coding=coding, actor=coder, role=Role.CODER, node=other)


def test_undo_reverses_create_then_delete_then_move(project, document, node, coder):
    other = NodeFactory(project=project, name="数据开放")
    coding, _ = services.coding_create(coder=coder, document=document, node=node, start=0, end=3)
    services.coding_update(coding=coding, actor=coder, role=Role.CODER, node=other, memo="移动")
    services.coding_delete(coding=Coding.objects.get(), actor=coder, role=Role.CODER)
    assert not Coding.objects.exists()

    assert services.codings_undo(project=project, actor=coder)["action"] == "deleted"
    restored = Coding.objects.get()
    assert (restored.node, restored.memo, restored.start, restored.end) == (other, "移动", 0, 3)

    assert services.codings_undo(project=project, actor=coder)["action"] == "updated"
    restored.refresh_from_db()
    assert (restored.node, restored.memo) == (node, "")

    assert services.codings_undo(project=project, actor=coder)["action"] == "created"
    assert not Coding.objects.exists()
    with pytest.raises(ValidationError, match="nothing to undo"):
        services.codings_undo(project=project, actor=coder)


def test_undo_of_a_bulk_create_removes_the_whole_batch(project, document, node, coder):
    items = [services.CodingRequest(document, node, 0, 3), services.CodingRequest(document, node, 5, 9)]
    services.codings_create(coder=coder, project=project, items=items)
    report = services.codings_undo(project=project, actor=coder)
    assert report["reverted"] == 2
    assert not Coding.objects.exists()


def test_undo_touches_only_my_own_actions(project, document, node, coder, owner):
    services.coding_create(coder=owner, document=document, node=node, start=0, end=3)
    with pytest.raises(ValidationError):
        services.codings_undo(project=project, actor=coder)
    assert Coding.objects.count() == 1


def test_document_memo_is_one_shared_memo(project, document, coder, owner):
    services.memo_save(project=project, author=coder, kind=MemoKind.DOCUMENT, document=document, body="初读")
    services.memo_save(project=project, author=owner, kind=MemoKind.DOCUMENT, document=document, body="复读")
    assert list(Memo.objects.values_list("body", flat=True)) == ["复读"]


def test_journal_entries_accumulate_and_empty_memo_is_refused(project, coder):
    services.memo_save(project=project, author=coder, kind=MemoKind.JOURNAL, body="第一天")
    services.memo_save(project=project, author=coder, kind=MemoKind.JOURNAL, body="第二天")
    assert Memo.objects.filter(kind=MemoKind.JOURNAL).count() == 2
    with pytest.raises(ValidationError, match="needs some text"):
        services.memo_save(project=project, author=coder, kind=MemoKind.JOURNAL, body="   ")
