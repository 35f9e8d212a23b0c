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
    from tests.coding.suggest_corpus import build

    alice = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="alice")).user
    return build(project, alice)
