"""Coding comparison requests (coding/analysis/reliability.py): the Landis & Koch bands, the missing-coder rules, and
query parameters resolved into a checked Query or a ValidationError that says what is wrong."""

import pytest
from django.core.exceptions import ValidationError

from coding.analysis import query_params, reliability
from policies.models import Role
from tests.factories import AssignmentFactory, CodingFactory, DocumentFactory, MembershipFactory, NodeFactory

# --- bands and rules (pure) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kappa", "band"),
    [
        (1.0, ("band-high", "almost perfect")),
        (0.8, ("band-high", "almost perfect")),  # each band's floor belongs to it
        (0.7999, ("band-good", "substantial")),
        (0.6, ("band-good", "substantial")),
        (0.4, ("band-fair", "moderate")),
        (0.3999, ("band-low", "fair, slight or poor")),
        (-1.0, ("band-low", "fair, slight or poor")),
        (None, ("band-none", "undefined")),
    ],
)
def test_band_puts_a_kappa_in_its_landis_and_koch_band(kappa, band):
    assert reliability.band(kappa) == band


def test_legend_lists_the_four_bands_from_high_to_low_with_their_ranges():
    assert reliability.legend() == [
        ("band-high", "almost perfect", "≥ 0.8"),
        ("band-good", "substantial", "0.6–0.8"),
        ("band-fair", "moderate", "0.4–0.6"),
        ("band-low", "fair, slight or poor", "< 0.4"),
    ]


def test_the_two_missing_coder_rules_are_described_differently():
    assert reliability.rule_description(reliability.RULE_ALL) == (
        "Every coder counts as having reviewed every document (NVivo's behaviour)."
    )
    assert reliability.rule_description(reliability.RULE_MISSING).startswith(
        "A coder counts only on documents assigned to them and marked done"
    )


# --- resolve (reads the project) ---------------------------------------------------------------------


@pytest.fixture
def coders(project, owner):
    alice = MembershipFactory(project=project, role=Role.CODER, user__username="alice").user
    bob = MembershipFactory(project=project, role=Role.CODER, user__username="bob").user
    return alice, bob


def _parse(project, params) -> reliability.Query:
    """Query parameters parsed at the edge, then resolved against the project, as the pages and the API do."""
    return reliability.resolve(project, query_params.agreement_query(params))


def _refusal(project, params) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        _parse(project, params)
    return caught.value.messages


@pytest.mark.django_db
def test_resolve_reads_a_pair_the_unit_and_each_spelling_of_true(project, coders):
    query = _parse(project, {"coders": " alice, bob ,alice", "unit": "article", "rollup": "YES"})
    assert (query.coders, query.groups, query.unit, query.rollup) == (("alice", "bob"), None, "article", True)
    assert (query.nodes, query.documents, query.all_reviewed) == (None, None, False)
    assert _parse(project, {"a": "alice", "b": "bob", "assume_all_reviewed": "on"}).all_reviewed
    assert not _parse(project, {"a": "alice", "b": "bob", "assume_all_reviewed": "no"}).all_reviewed


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"coders": "alice,bob", "unit": "word"}, "Unknown unit “word”: use character, article, document."),
        ({"coders": "alice"}, "Choose two coders to compare (coders=alice,bob), or all coders."),
        ({"coders": "alice,nobody"}, "Unknown coder(s) in this project: nobody."),
        ({"group_a": "alice"}, "Name at least one coder in each group (group_a and group_b)."),
        ({"coders": "alice,bob", "nodes": "1,x"}, "“nodes” must be ids separated by commas."),
        ({"coders": "alice,bob", "documents": "one"}, "“documents” must be ids separated by commas."),
        ({"coders": "alice,bob", "branch": "a1"}, "“branch” must be a node id."),
        ({"coders": "alice,bob", "branch": "999999"}, "Node 999999 is not in this project's codebook."),
    ],
)
def test_resolve_refuses_a_bad_request_and_says_why(project, coders, params, message):
    assert _refusal(project, params) == [message]


@pytest.mark.django_db
def test_an_unknown_unit_is_cut_to_forty_characters_in_the_message(project, coders):
    assert _refusal(project, {"coders": "alice,bob", "unit": "u" * 100}) == [
        f"Unknown unit “{'u' * 40}”: use character, article, document."
    ]


@pytest.mark.django_db
def test_a_branch_is_the_node_and_all_its_descendants(project, coders):
    root = NodeFactory(project=project, name="数据开放")
    child = NodeFactory(project=project, name="分级分类", parent=root)
    grandchild = NodeFactory(project=project, name="无条件开放", parent=child)
    NodeFactory(project=project, name="数据安全")
    query = _parse(project, {"coders": "alice,bob", "branch": str(root.pk), "nodes": "1,2"})
    assert query.nodes == (root.pk, *sorted((child.pk, grandchild.pk)))  # the branch wins over nodes


@pytest.mark.django_db
def test_groups_are_resolved_and_compared_as_group_a_and_group_b(project, owner, coders):
    query = _parse(project, {"group_a": "alice,owner", "group_b": "bob"})
    assert query.coders == ("group_a", "group_b")
    assert query.groups == {"group_a": ("alice", "owner"), "group_b": ("bob",)}


@pytest.mark.django_db
def test_chosen_documents_are_kept_in_id_order_and_other_projects_documents_dropped(project, coders):
    first, second = DocumentFactory(project=project), DocumentFactory(project=project)
    foreign = DocumentFactory()
    query = _parse(project, {"coders": "alice,bob", "documents": f"{second.pk},{foreign.pk},{first.pk}"})
    assert query.documents == (first.pk, second.pk)


@pytest.mark.django_db
def test_scope_assigned_keeps_only_documents_assigned_to_both_sides(project, owner, coders):
    alice, bob = coders
    both, only_alice, _unassigned = (DocumentFactory(project=project) for _ in range(3))
    for document, coder in ((both, alice), (both, bob), (only_alice, alice)):
        AssignmentFactory(project=project, document=document, coder=coder, assigned_by=owner)
    assert _parse(project, {"coders": "alice,bob", "scope": "assigned"}).documents == (both.pk,)


@pytest.mark.django_db
def test_all_coders_are_members_who_coded_or_were_assigned_and_never_viewers(project, owner, coders):
    alice, bob = coders
    viewer = MembershipFactory(project=project, role=Role.VIEWER, user__username="aaron").user
    MembershipFactory(project=project, role=Role.CODER, user__username="idle")
    document = DocumentFactory(project=project)
    assert _refusal(project, {"all": "1"}) == ["Fewer than two members have coded or been assigned documents yet."]
    CodingFactory(document=document, coder=bob)
    CodingFactory(document=document, coder=viewer)  # a viewer's old coding does not make them a coder
    AssignmentFactory(project=project, document=document, coder=alice, assigned_by=owner)
    assert reliability.all_coders(project) == ["alice", "bob"]
    assert _parse(project, {"all": "true"}).coders == ("alice", "bob")
