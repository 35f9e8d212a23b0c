"""A small project holding everything a .qdpx carries: two coders, 共识, memos of every kind, attributes, sections."""

import datetime
import io

import pytest

from coding import services as coding_services
from coding.models import MemoKind
from policies.models import Role
from policies.services.documents import document_import
from policies.services.segmentation import dictionary_term_add, stopwords_set
from tests.factories import MembershipFactory, NodeFactory, UserFactory

TEXTS = (
    "第一章　总则\n第一条　为了促进政府数据共享开放，制定本条例。\n第二条　本条例适用于本省行政区域内。",
    "关于推进公共数据开放的实施意见\n一、总体要求\n加快𠮷数据资源开放，提升治理能力。",
)


@pytest.fixture
def rich_project(project, owner):
    type(project).objects.filter(pk=project.pk).update(created_by=owner)
    project.refresh_from_db()
    alice = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="alice")).user
    MembershipFactory(project=project, role=Role.VIEWER, user=UserFactory(username="viewer"))
    documents = []
    for number, text in enumerate(TEXTS):
        outcome = document_import(
            project=project,
            user=owner,
            filename=f"政策{number}.txt",
            data=text.encode(),
            attributes={"province": "贵州省", "issue_date": "2021-11-25", "attributes": {"领域": "数据"}},
        )[0]
        documents.append(outcome.document)
    parent = NodeFactory(project=project, name="数据开放", description="开放的规则")
    child = NodeFactory(project=project, name="分级分类", parent=parent)
    other = NodeFactory(project=project, name="数据共享")
    first, second = documents
    coding_services.coding_create(coder=owner, document=first, node=child, start=7, end=12, memo="要点")
    coding_services.coding_create(coder=alice, document=first, node=child, start=7, end=12)
    coding_services.coding_create(coder=alice, document=second, node=other, start=0, end=5)
    coding_services.adjudicate(
        project=project,
        actor=owner,
        role=Role.OWNER,
        items=[coding_services.CodingRequest(first, child, 7, 12)],
    )
    coding_services.memo_save(project=project, author=owner, kind=MemoKind.DOCUMENT, body="文件备忘", document=first)
    coding_services.memo_save(project=project, author=alice, kind=MemoKind.NODE, body="节点备忘", node=child)
    coding_services.memo_save(project=project, author=owner, kind=MemoKind.JOURNAL, body="研究日志", title="第一天")
    coding_services.assignments_add(project=project, documents=[first], coders=[alice], actor=owner)
    coding_services.assignment_mark(document=first, coder=alice, done=True)
    coding_services.options_update(project=project, blind=True, adjudicators=[alice])
    stopwords_set(project=project, text="本市")
    dictionary_term_add(project=project, word="数据二十条", frequency=5)
    return {"project": project, "owner": owner, "alice": alice, "documents": documents, "nodes": (parent, child, other)}


def export_bytes(project, user, *, now=None) -> bytes:
    from coding.exchange import qdpx

    handle = io.BytesIO()
    qdpx.write(handle, project, user, now=now or datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    return handle.getvalue()
