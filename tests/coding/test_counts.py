"""Counts beside each node (coding/counts.py), rolled up in the codebook tree: a parent's counts are over its whole
subtree — distinct documents and distinct coders of its own and its descendants' codings (not sums of its children),
every reference — on one layer.

The hand-built tree: 政策 (with codings of its own) ─ 共享 ─ 分级 (three levels), 政策 ─ 安全, and a flat 其他.
"""

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coding import counts, layers
from coding import services as coding_services
from coding.models import Coding
from framework import panel
from policies.models import Role
from tests.factories import CodingFactory, DocumentFactory, MembershipFactory, NodeFactory, UserFactory


def code(document, node, coder, start=0, end=5):
    return CodingFactory(document=document, node=node, coder=coder, start=start, end=end)


@pytest.fixture
def nested(project, owner):
    alice = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="alice")).user
    bob = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="bob")).user
    policy = NodeFactory(project=project, name="政策", order=0)
    share = NodeFactory(project=project, name="共享", parent=policy, order=0)
    grading = NodeFactory(project=project, name="分级", parent=share, order=0)
    safety = NodeFactory(project=project, name="安全", parent=policy, order=1)
    other = NodeFactory(project=project, name="其他", order=1)
    first, second, third = (DocumentFactory(project=project) for _ in range(3))
    code(first, share, alice)  # the first document is coded at two children of 政策 by alice: once in 政策
    code(first, safety, alice)
    code(first, safety, alice, 6, 9)  # a second reference in the same document
    code(second, grading, bob)  # three levels down: counts in 共享 and in 政策
    code(third, policy, alice)  # 政策's own coding
    code(third, other, bob)
    return {
        "project": project,
        "owner": owner,
        "alice": alice,
        "bob": bob,
        "nodes": {n.name: n for n in (policy, share, grading, safety, other)},
        "docs": (first, second, third),
    }


def by_name(nested, numbers):
    return {name: numbers.get(node.pk, (0, 0, 0)) for name, node in nested["nodes"].items()}


@pytest.mark.django_db
def test_parent_counts_distinct_documents_and_coders_over_its_subtree(nested):
    numbers = by_name(nested, counts.node_counts(nested["project"]))
    assert numbers["政策"] == (3, 5, 2)  # documents 1, 2, 3 (the first once though coded at two children)
    assert numbers["共享"] == (2, 2, 2)  # its own coding and its child's
    assert numbers["分级"] == (1, 1, 1)  # a leaf keeps its own numbers
    assert numbers["安全"] == (1, 2, 1)  # two references in one document
    assert numbers["其他"] == (1, 1, 1)


@pytest.mark.django_db
def test_without_rollup_each_node_counts_its_own_codings(nested):
    numbers = by_name(nested, counts.node_counts(nested["project"], rollup=False))
    assert numbers["政策"] == (1, 1, 1)
    assert numbers["共享"] == (1, 1, 1)


@pytest.mark.django_db
def test_rollup_counts_one_layer_only(nested):
    project = nested["project"]
    bob = layers.layer_for(project, nested["owner"], ["bob"])
    numbers = by_name(nested, counts.node_counts(project, coders=bob.ids))
    assert numbers["政策"] == (1, 1, 1)  # only bob's coding at 分级
    assert numbers["安全"] == (0, 0, 0)


@pytest.mark.django_db
def test_rollup_never_counts_共识_as_a_coder(nested):
    project, first = nested["project"], nested["docs"][0]
    consensus = coding_services.consensus_coder(project)
    code(first, nested["nodes"]["分级"], consensus)
    union = layers.layer_for(project, nested["owner"], ["alice", "bob", "共识"])
    numbers = by_name(nested, counts.node_counts(project, coders=union.ids, not_a_coder=union.consensus))
    assert numbers["政策"] == (3, 6, 2)  # 共识's passage is a reference in a document counted once; not a coder
    assert numbers["共享"] == (2, 3, 2)
    everyone, keywords = layers.counted(project, nested["owner"], ("consensus",))
    assert everyone.kind == "consensus"
    assert by_name(nested, counts.node_counts(project, **keywords))["政策"] == (1, 1, 0)


@pytest.mark.django_db
def test_a_nested_codebook_costs_two_queries_whatever_its_size(nested, django_assert_num_queries):
    with django_assert_num_queries(2):  # the shape, then one grouped query carrying each node's documents and coders
        counts.node_counts(nested["project"])


@pytest.mark.django_db
def test_node_list_api_panel_and_node_detail_show_the_rolled_up_counts(api_as, nested):
    project, owner = nested["project"], nested["owner"]
    data = api_as(owner).get(reverse("api:nodes", args=[project.pk])).json()
    listed = {n["name"]: (n["documents"], n["references"], n["coders"]) for n in data}
    assert listed["政策"] == (3, 5, 2)
    assert data[0]["layer"]["label"] == "All coders (union)"
    one = api_as(owner).get(reverse("api:node", args=[nested["nodes"]["政策"].pk])).json()
    assert (one["documents"], one["references"], one["coders"]) == (3, 5, 2)
    rows = {
        row.name: (row.documents, row.references, row.coders)
        for row in panel.panel_context(project, owner)["tree_rows"]
    }
    assert rows["政策"] == (3, 5, 2)
    detail = panel.detail_context(nested["nodes"]["共享"], owner, can_edit=True)
    assert detail["node_counts"] == {"documents": 2, "references": 2, "coders": 2}


@pytest.mark.django_db
def test_codebook_figure_rolls_up_and_names_the_layer(client, nested):
    client.force_login(nested["owner"])
    url = reverse("framework:figure", args=[nested["project"].pk])
    documents = client.get(url, {"counts": "documents"}).content.decode()
    assert "政策 (3)" in documents
    assert "All coders (union)" in documents
    coders = client.get(url, {"counts": "coders"}).content.decode()
    assert "政策 (2)" in coders
    bob = client.get(url, {"counts": "documents", "coders": "bob"}).content.decode()
    assert "政策 (1)" in bob
    assert "Coder bob" in bob


@pytest.mark.django_db
def test_a_blind_coders_tree_rolls_up_their_own_codings(api_as, nested):
    coding_services.options_update(project=nested["project"], blind=True)
    data = api_as(nested["alice"]).get(reverse("api:nodes", args=[nested["project"].pk])).json()
    listed = {n["name"]: (n["documents"], n["references"], n["coders"]) for n in data}
    assert listed["政策"] == (2, 4, 1)  # alice's first and third documents
    assert data[0]["layer"]["coders"] == ["alice"]


SHAPES = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 4), st.integers(0, 1)), max_size=20)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(codings=SHAPES)
def test_rollup_equals_a_brute_force_count_over_each_subtree(nested, codings):
    project = nested["project"]
    nodes = list(nested["nodes"].values())
    people = [nested["alice"], nested["bob"]]
    with transaction.atomic():
        Coding.objects.all().delete()
        for i, (doc, node, coder) in enumerate(codings):
            code(nested["docs"][doc], nodes[node], people[coder], i, i + 1)
        numbers = counts.node_counts(project)
        children = {}
        for node in nodes:
            children.setdefault(node.parent_id, []).append(node.pk)
        for node in nodes:
            subtree, stack = set(), [node.pk]
            while stack:
                current = stack.pop()
                subtree.add(current)
                stack.extend(children.get(current, []))
            inside = [c for c in Coding.objects.all() if c.node_id in subtree]
            expected = (len({c.document_id for c in inside}), len(inside), len({c.coder_id for c in inside}))
            assert numbers.get(node.pk, (0, 0, 0)) == expected
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_node_list_api_counts_the_layer_coders_names(api_as, nested):
    url = reverse("api:nodes", args=[nested["project"].pk])
    data = api_as(nested["owner"]).get(url, {"coders": "bob"}).json()
    listed = {n["name"]: (n["documents"], n["references"], n["coders"]) for n in data}
    assert listed["政策"] == (1, 1, 1)
    assert data[0]["layer"] == {"kind": "coder", "coders": ["bob"], "label": "Coder bob"}
    refused = api_as(nested["owner"]).get(url, {"coders": "nobody"})
    assert refused.status_code == 400
    assert "nobody" in refused.json()["detail"]
