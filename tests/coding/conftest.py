"""Fixtures for the coding tests: a small coded corpus for the matrix."""

import pytest

from policies.models import Role
from tests.factories import CodingFactory, DocumentFactory, MembershipFactory, NodeFactory, UserFactory


@pytest.fixture
def matrix_corpus(project, owner):
    alice = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="alice")).user
    bob = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="bob")).user
    collect = NodeFactory(project=project, name="数据归集", order=0)
    basic = NodeFactory(project=project, name="基础数据", parent=collect, order=0)
    quality = NodeFactory(project=project, name="数据质量", parent=collect, order=1)
    share = NodeFactory(project=project, name="数据共享", order=1)
    guizhou = DocumentFactory(project=project, province="贵州省", issuer_type="人民政府")
    yunnan = DocumentFactory(project=project, province="云南省", issuer_type="人大及其常委会")
    blank = DocumentFactory(project=project, province="")
    CodingFactory(document=guizhou, node=basic, coder=alice, start=0, end=10)
    CodingFactory(document=guizhou, node=basic, coder=bob, start=5, end=15)
    CodingFactory(document=guizhou, node=quality, coder=alice, start=12, end=20)
    CodingFactory(document=yunnan, node=share, coder=bob, start=0, end=7)
    CodingFactory(document=blank, node=quality, coder=alice, start=1, end=2)
    return {
        "docs": (guizhou, yunnan, blank),
        "nodes": (collect, basic, quality, share),
        "coders": (alice, bob),
    }


@pytest.fixture
def suggest_corpus(project, owner):
    """16 documents of numbered articles; alice codes every article about 开放目录 in the first 10 (at the child node
    开放目录 under 数据开放), the last 6 are left for suggestions."""
    from coding.models import Coding
    from policies import segment, services, structure
    from policies.models import Section
    from tests.coding.suggest_corpus import document

    alice = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="alice")).user
    parent = NodeFactory(project=project, name="数据开放", order=0)
    catalogue = NodeFactory(project=project, name="开放目录", parent=parent, order=0)
    other = NodeFactory(project=project, name="数据安全", order=1)
    docs, truth = [], {}
    for seed in range(16):
        text, coded = document(seed)
        doc = DocumentFactory(project=project, text=text)
        Section.objects.bulk_create(
            Section(document=doc, kind=s.kind, label=s.label, level=s.level, start=s.start, end=s.end)
            for s in structure.detect_sections(text)
        )
        docs.append(doc)
        truth[doc.pk] = coded
        if seed < 10:
            for start, end in coded:
                Coding.objects.create(
                    document=doc, node=catalogue, coder=alice, start=start, end=end, text=text[start:end]
                )
    services.tokens_store(documents=docs[:8], terms=segment.project_terms(project), version=1)
    return {"alice": alice, "node": catalogue, "parent": parent, "other": other, "docs": docs, "truth": truth}
