"""Auto-coding the hits of a text search (coding/autocode.py): one coding per spread hit, never twice, undone in
one step, only the ticked hits, and the refusals (hits that are not hits, a truncated search, another project's
node)."""

import pytest
from django.core.exceptions import ValidationError

from coding import autocode, query_params
from coding import services as coding_services
from coding.models import Coding
from framework.models import Node
from policies.text import search
from tests.factories import CodingFactory, DocumentFactory, NodeFactory


def _autocode(project, coder, node, spread, **extra):
    plan = autocode.plan_for_search(
        project, coder, query_params.autocode_search({"q": "网信部门", "spread": spread, **extra}), node
    )
    return plan, autocode.hits_autocode(coder=coder, project=project, node=node, plan=plan)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("spread", "first"),
    [
        ("hit", "网信部门"),
        ("sentence", "第一条　网信部门负责统筹协调。"),
        ("paragraph", "第一条　网信部门负责统筹协调。公共数据由数据主管部门管理！"),
        ("article", "第一条　网信部门负责统筹协调。公共数据由数据主管部门管理！"),
    ],
)
def test_auto_code_writes_one_coding_per_spread_hit(project, coder, search_corpus, spread, first):
    node = NodeFactory(project=project, name="网信部门")
    plan, outcome = _autocode(project, coder, node, spread)
    assert (plan.new, plan.existing, plan.documents) == (3, 0, 2)
    assert outcome == {"created": 3, "existing": 0, "documents": 2}
    codings = Coding.objects.filter(node=node, coder=coder).order_by("document_id", "start")
    assert codings[0].text == first
    assert all(c.text == c.document.text[c.start : c.end] for c in codings)


@pytest.mark.django_db
def test_auto_code_twice_does_not_double_codings(project, coder, search_corpus):
    node = NodeFactory(project=project)
    _autocode(project, coder, node, "sentence")
    plan, outcome = _autocode(project, coder, node, "sentence")
    assert (plan.new, plan.existing) == (0, 3)
    assert outcome["created"] == 0
    assert Coding.objects.filter(node=node).count() == 3


@pytest.mark.django_db
def test_auto_code_is_undone_in_one_step(project, coder, search_corpus):
    node = NodeFactory(project=project)
    CodingFactory(document=search_corpus[1], node=node, coder=coder, start=0, end=3)
    _autocode(project, coder, node, "hit")
    assert Coding.objects.filter(node=node).count() == 4
    undone = coding_services.codings_undo(project=project, actor=coder)
    assert undone["reverted"] == 3
    assert Coding.objects.filter(node=node).count() == 1


@pytest.mark.django_db
def test_auto_code_only_the_ticked_hits(project, coder, search_corpus):
    node = NodeFactory(project=project)
    result = search.text_search(project, coder, query=search.parse_query("网信部门"), scope=search.Scope())
    _plan, outcome = _autocode(project, coder, node, "hit", hits=[result.lines[2].key])
    assert outcome["created"] == 1
    assert Coding.objects.get(node=node).document == search_corpus[1]


@pytest.mark.django_db
def test_ticked_hits_that_are_not_hits_are_refused(project, coder, search_corpus):
    with pytest.raises(search.SearchError, match="ticked"):
        autocode.plan_for_search(
            project,
            coder,
            query_params.autocode_search({"q": "网信部门", "hits": ["1:0:1"]}),
            NodeFactory(project=project),
        )


@pytest.mark.django_db
def test_auto_code_of_a_truncated_search_is_refused(project, coder, search_corpus, monkeypatch):
    monkeypatch.setattr(search, "HIT_LIMIT", 2)
    with pytest.raises(search.SearchError, match="narrow"):
        autocode.plan_for_search(
            project, coder, query_params.autocode_search({"q": "网信部门"}), NodeFactory(project=project)
        )


@pytest.mark.django_db
def test_a_node_of_another_project_cannot_receive_codings(project, coder, search_corpus):
    stranger = Node.objects.create(project=DocumentFactory().project, name="别处")
    plan = autocode.plan_for_search(project, coder, query_params.autocode_search({"q": "网信部门"}), stranger)
    with pytest.raises(ValidationError):
        autocode.hits_autocode(coder=coder, project=project, node=stranger, plan=plan)
    assert not Coding.objects.exists()
