"""The suggestion loader (coding/suggest/dataset.py): which documents train and which get suggestions, positives at a
node and its ancestors, rejected suggestions as extra negatives, and the rows each node trains on."""

import numpy as np
import pytest
from django.utils import timezone

from coding.models import SuggestionState
from coding.suggest import dataset, engine, units
from policies.models import Role
from tests.factories import (
    AssignmentFactory,
    CodingFactory,
    DocumentFactory,
    MembershipFactory,
    NodeFactory,
    SuggestionFactory,
    SuggestionModelFactory,
)


def _document_units(document_id: int, count: int) -> dataset.DocumentUnits:
    found = [units.Unit(i * 10, i * 10 + 5, units.PARAGRAPH, "") for i in range(count)]
    examples = [engine.Example((f"d{document_id}u{i}",), f"d{document_id}u{i}") for i in range(count)]
    return dataset.DocumentUnits(document_id, "", found, examples)


def _dataset() -> dataset.Dataset:
    """Two training documents (3 + 2 units), node 7 positive at units 1 and 3; two rejected candidate units."""
    extra_one = engine.Example(("x1",), "x1")
    extra_two = engine.Example(("x2",), "x2")
    return dataset.Dataset(
        training=[_document_units(1, 3), _document_units(2, 2)],
        labels={7: np.array([False, True, False, True, False])},
        extra=[(5, extra_one, frozenset({7})), (6, extra_two, frozenset({8, 9}))],
    )


# --- the Dataset value (pure) ------------------------------------------------------------------------


def test_examples_are_the_training_units_in_order_then_the_extra_negatives():
    assert [e.text for e in _dataset().examples()] == ["d1u0", "d1u1", "d1u2", "d2u0", "d2u1", "x1", "x2"]


def test_groups_name_each_examples_document_so_folds_never_split_one():
    assert _dataset().groups().tolist() == [1, 1, 1, 2, 2, 5, 6]


def test_a_node_trains_on_every_training_unit_and_only_its_own_rejected_units():
    rows, labels = _dataset().rows_for(7)
    assert rows.tolist() == [0, 1, 2, 3, 4, 5]
    assert labels.tolist() == [False, True, False, True, False, False]
    rows, labels = _dataset().rows_for(9)  # no positives: all training units are negatives, plus its rejection
    assert rows.tolist() == [0, 1, 2, 3, 4, 6]
    assert labels.tolist() == [False] * 6


def test_a_node_nobody_coded_or_rejected_has_only_negatives():
    rows, labels = _dataset().rows_for(42)
    assert (rows.tolist(), labels.any()) == ([0, 1, 2, 3, 4], False)
    assert rows.dtype == np.int64


# --- load (reads the project) ------------------------------------------------------------------------

# no articles or items: each non-blank line is a unit (each document adds a line of its own: no two are equal)
LINES = "公共数据应当依法开放。\n数据安全由网信部门统筹。\n其他事项另行规定。"


@pytest.fixture
def suggest_layer(project, owner):
    """alice's layer over four documents: coded, marked done, one with a rejected suggestion, one untouched."""
    alice = MembershipFactory(project=project, role=Role.CODER, user__username="alice").user
    parent = NodeFactory(project=project, name="数据开放")
    child = NodeFactory(project=project, name="开放目录", parent=parent)
    other = NodeFactory(project=project, name="数据安全")
    coded, done, rejected, untouched = (DocumentFactory(project=project, text=f"{LINES}\n附件{i}") for i in range(4))
    second = LINES.index("数据安全")
    CodingFactory(document=coded, node=child, coder=alice, start=0, end=4)
    CodingFactory(document=coded, node=other, coder=alice, start=second, end=second + 4)
    AssignmentFactory(project=project, document=done, coder=alice, assigned_by=owner, done_at=timezone.now())
    model = SuggestionModelFactory(project=project, coder=alice)
    SuggestionFactory(
        model=model, document=rejected, node=other, start=0, end=11, label="", state=SuggestionState.REJECTED
    )
    return {
        "alice": alice,
        "nodes": (parent, child, other),
        "documents": (coded, done, rejected, untouched),
        "layer_key": model.layer_key,
    }


@pytest.mark.django_db
def test_coded_and_done_documents_train_and_the_rest_are_candidates(project, suggest_layer):
    coded, done, rejected, untouched = suggest_layer["documents"]
    found = dataset.load(project, [suggest_layer["alice"].pk], suggest_layer["layer_key"])
    assert [d.document_id for d in found.training] == [coded.pk, done.pk]
    assert [d.document_id for d in found.candidates] == [rejected.pk, untouched.pk]
    assert [(u.start, u.end) for u in found.training[0].units] == [(0, 11), (12, 24), (25, 34), (35, 38)]
    assert found.training[0].examples[0].text == "公共数据应当依法开放。"
    assert "开放" in found.training[0].examples[0].tokens


@pytest.mark.django_db
def test_a_coding_makes_its_unit_positive_at_the_node_and_every_ancestor(project, suggest_layer):
    parent, child, other = suggest_layer["nodes"]
    found = dataset.load(project, [suggest_layer["alice"].pk], suggest_layer["layer_key"])
    # eight training units: four of the coded document, four of the one marked done
    assert found.labels[child.pk].tolist() == [True] + [False] * 7
    assert found.labels[parent.pk].tolist() == [True] + [False] * 7
    assert found.labels[other.pk].tolist() == [False, True] + [False] * 6


@pytest.mark.django_db
def test_a_rejected_suggestion_is_an_extra_negative_of_its_node_only(project, suggest_layer):
    _parent, child, other = suggest_layer["nodes"]
    rejected = suggest_layer["documents"][2]
    found = dataset.load(project, [suggest_layer["alice"].pk], suggest_layer["layer_key"])
    assert found.rejected == {(rejected.pk, other.pk, 0, 11)}
    assert [(d, e.text, n) for d, e, n in found.extra] == [
        (rejected.pk, "公共数据应当依法开放。", frozenset({other.pk}))
    ]
    assert found.rows_for(other.pk)[0].tolist() == [*range(8), 8]
    assert found.rows_for(child.pk)[0].tolist() == list(range(8))


@pytest.mark.django_db
def test_another_layers_rejections_and_codings_count_for_nothing(project, suggest_layer):
    found = dataset.load(project, [suggest_layer["alice"].pk], "another-layer")
    assert (found.extra, found.rejected) == ([], set())
    nobody = dataset.load(project, [], suggest_layer["layer_key"])
    assert (nobody.training, nobody.labels) == ([], {})
    assert len(nobody.candidates) == 4


@pytest.mark.django_db
def test_given_documents_limit_the_load_to_them(project, suggest_layer):
    coded, _done, _rejected, untouched = suggest_layer["documents"]
    chosen = project.documents.filter(pk__in=[coded.pk, untouched.pk])
    found = dataset.load(project, [suggest_layer["alice"].pk], suggest_layer["layer_key"], documents=chosen)
    assert [d.document_id for d in found.training] == [coded.pk]
    assert [d.document_id for d in found.candidates] == [untouched.pk]
    assert len(found.labels[suggest_layer["nodes"][2].pk]) == 4


@pytest.mark.django_db
def test_min_share_drops_a_unit_the_coding_barely_touches(project, suggest_layer):
    child = suggest_layer["nodes"][1]
    found = dataset.load(project, [suggest_layer["alice"].pk], suggest_layer["layer_key"], min_share=0.5)
    assert child.pk not in found.labels  # 4 of the unit's 11 characters: under half
