"""Coding comparison: hand-computed formulas, properties against scikit-learn and krippendorff, and the loader."""

import math
import random
import warnings
from itertools import pairwise

import krippendorff
import numpy as np
import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from coding.analysis import agreement
from coding.analysis.agreement import Coincidences, NodeSpec, Table
from coding.models import CodingOptions
from framework import tree
from policies.models import Section
from tests.factories import CodingFactory, DocumentFactory, NodeFactory, UserFactory

TOLERANCE = 1e-9


def leaf(node_id: int, path: str = "") -> NodeSpec:
    return NodeSpec(id=node_id, path=path or f"n{node_id}", sources=frozenset({node_id}), category=node_id)


def compare(codings, lengths, coders=("A", "B"), nodes=(1,), **options):
    return agreement.compare(codings, lengths=lengths, nodes=[leaf(n) for n in nodes], coders=list(coders), **options)


def issue_kappa(n: int, a: int, b: int, both: int) -> float:
    """The issue's formula as written: EF = (a·b + (N−a)(N−b))/N, κ = (n11 + n00 − EF)/(N − EF)."""
    neither = n - a - b + both
    expected = (a * b + (n - a) * (n - b)) / n
    return (both + neither - expected) / (n - expected)


# --- hand-computed ---------------------------------------------------------------------------------------------------
def test_nvivo_help_example_gives_85_percent_and_seven_twenty_seconds():
    report = compare([(7, 1, "A", 0, 100), (7, 1, "B", 50, 200)], {7: 1000})
    row = report.nodes[0].documents[0]
    assert (row.table.a, row.table.b, row.table.both, row.table.neither) == (100, 150, 50, 800)
    assert row.table.agreement == pytest.approx(85.0)
    assert row.table.kappa == pytest.approx(7 / 22, abs=TOLERANCE)
    assert issue_kappa(1000, 100, 150, 50) == pytest.approx(7 / 22, abs=TOLERANCE)
    assert not row.table.degenerate


def test_kappa_is_one_and_row_degenerate_when_nobody_codes_the_node():
    row = compare([], {7: 40}).nodes[0].documents[0]
    assert row.table == Table(40, 0, 0, 0)
    assert (row.table.kappa, row.table.agreement, row.table.degenerate) == (1.0, 100.0, True)
    assert row.table.positive_agreement == 1.0


def test_kappa_is_one_and_row_degenerate_when_both_code_everything():
    row = compare([(7, 1, "A", 0, 40), (7, 1, "B", 0, 25), (7, 1, "B", 25, 40)], {7: 40}).nodes[0].documents[0]
    assert row.table == Table(40, 40, 40, 40)
    assert (row.table.kappa, row.table.degenerate, row.table.positive_agreement) == (1.0, True, 1.0)


def test_kappa_is_zero_when_one_coder_codes_everything():
    part = Table(100, 100, 30, 30)
    nothing = Table(100, 100, 0, 0)
    assert (part.kappa, part.agreement, part.degenerate) == (0.0, 30.0, False)
    assert (nothing.kappa, nothing.agreement, nothing.degenerate) == (0.0, 0.0, False)
    assert nothing.positive_agreement == 0.0


def test_overlapping_and_touching_spans_of_one_coder_are_unioned():
    codings = [(7, 1, "A", 0, 10), (7, 1, "A", 5, 15), (7, 1, "A", 15, 20), (7, 1, "A", 30, 31), (7, 1, "B", 8, 32)]
    table = compare(codings, {7: 50}).nodes[0].documents[0].table
    assert table == Table(50, 21, 24, 13)


def test_positive_agreement_is_twice_both_over_the_coded():
    assert Table(1000, 100, 150, 50).positive_agreement == pytest.approx(100 / 250)


def test_per_node_pooled_weighted_and_mean_kappa_with_a_degenerate_row():
    node = compare([(1, 1, "A", 0, 100), (1, 1, "B", 50, 200)], {1: 1000, 2: 500}).nodes[0]
    assert node.degenerate_rows == 1
    assert node.summary.pooled_kappa == pytest.approx(8 / 23, abs=TOLERANCE)  # summed table 1500, 100, 150, 50
    assert node.weighted_kappa == pytest.approx((1000 * 7 / 22 + 500 * 1) / 1500, abs=TOLERANCE)
    assert node.weighted_kappa_nondegenerate == pytest.approx(7 / 22, abs=TOLERANCE)
    assert node.mean_kappa == pytest.approx((7 / 22 + 1) / 2, abs=TOLERANCE)
    assert node.mean_kappa_nondegenerate == pytest.approx(7 / 22, abs=TOLERANCE)
    assert node.summary.table.agreement == pytest.approx(100 * 1350 / 1500)


def test_alpha_on_a_hand_worked_example_with_a_missing_coder():
    # doc 1 (4 chars, A B C present): k per char 3, 2, 1, 0; doc 2 (2 chars, C missing): k 1, 0 of p = 2.
    # o01 = 0 + 2·1/2 + 1·2/2 + 0 + 1·1/1 + 0 = 3; n1 = 7; n = 3·4 + 2·2 = 16; α = 1 − 15·3/(9·7) = 2/7
    codings = [(1, 1, "A", 0, 2), (1, 1, "B", 0, 1), (1, 1, "C", 0, 3), (2, 1, "A", 0, 1), (2, 1, "C", 0, 2)]
    report = compare(codings, {1: 4, 2: 2}, coders=("A", "B", "C"), reviewed={"A": {1, 2}, "B": {1, 2}, "C": {1}})
    coincidences = report.nodes[0].summary.coincidences
    assert coincidences == Coincidences(3.0, 9, 7)
    assert coincidences.alpha == pytest.approx(2 / 7, abs=TOLERANCE)
    data = [[1, 1, 0, 0, 1, 0], [1, 0, 0, 0, 0, 0], [1, 1, 1, 0, np.nan, np.nan]]
    assert krippendorff.alpha(reliability_data=data, level_of_measurement="nominal") == pytest.approx(2 / 7)


def test_alpha_is_one_without_variation_and_none_without_pairable_values():
    assert Coincidences(0.0, 20, 0).alpha == 1.0
    assert Coincidences(0.0, 0, 0).alpha is None


def test_a_missing_coder_drops_the_document_from_the_pair_and_their_codings_do_not_count():
    codings = [(1, 1, "A", 0, 10), (1, 1, "B", 0, 10), (2, 1, "A", 0, 5), (2, 1, "B", 5, 9)]
    report = compare(codings, {1: 20, 2: 20}, reviewed={"A": {1, 2}, "B": {1}})
    assert [r.document for r in report.nodes[0].documents] == [1]
    assert report.nodes[0].summary.table == Table(20, 10, 10, 10)
    everyone = compare(codings, {1: 20, 2: 20})  # NVivo: every coder reviewed every document
    assert [r.document for r in everyone.nodes[0].documents] == [1, 2]


def test_article_unit_counts_articles_coded_anywhere():
    units = {7: [(0, 10), (10, 20), (20, 30)]}
    codings = [(7, 1, "A", 2, 5), (7, 1, "A", 12, 13), (7, 1, "B", 8, 10), (7, 1, "B", 25, 27)]
    table = compare(codings, {7: 30}, unit="article", units=units).nodes[0].documents[0].table
    assert table == Table(3, 2, 2, 1)  # A: articles 1, 2; B: articles 1, 3
    assert table.kappa == pytest.approx(-0.5, abs=TOLERANCE)
    assert table.agreement == pytest.approx(100 / 3)


def test_article_unit_ignores_text_outside_articles_and_respects_exclusive_ends():
    units = {7: [(5, 10), (10, 20)]}
    codings = [(7, 1, "A", 0, 4), (7, 1, "A", 6, 10), (7, 1, "B", 9, 10)]
    assert compare(codings, {7: 20}, unit="article", units=units).nodes[0].documents[0].table == Table(2, 1, 1, 1)


def test_unit_spans_prefer_articles_then_cut_items_then_the_whole_text():
    sections = [("chapter", 0, 50), ("article", 20, 35), ("article", 5, 20), ("item", 8, 12)]
    assert agreement.unit_spans(sections, 50) == [(5, 20), (20, 35)]
    items = [("item", 3, 40), ("item", 10, 20), ("item", 20, 40)]  # 一、 holding （一） and （二）
    assert agreement.unit_spans(items, 40) == [(3, 10), (10, 20), (20, 40)]
    assert agreement.unit_spans([("chapter", 0, 9)], 9) == [(0, 9)]


def test_document_unit_is_code_presence():
    codings = [(1, 1, "A", 0, 3), (2, 1, "A", 5, 6), (2, 1, "B", 0, 1), (3, 1, "B", 9, 10)]
    node = compare(codings, {1: 10, 2: 10, 3: 10, 4: 10}, unit="document").nodes[0]
    assert [r.table for r in node.documents] == [
        Table(1, 1, 0, 0),
        Table(1, 1, 1, 1),
        Table(1, 0, 1, 0),
        Table(1, 0, 0, 0),
    ]
    assert node.summary.table == Table(4, 2, 2, 1)
    assert node.summary.pooled_kappa == 0.0
    assert node.summary.table.agreement == 50.0


def test_groups_code_what_any_member_coded():
    codings = [(1, 1, "u1", 0, 10), (1, 1, "u2", 5, 20), (1, 1, "u3", 10, 30), (1, 1, "other", 0, 100)]
    report = compare(codings, {1: 100}, coders=("team", "solo"), groups={"team": ["u1", "u2"], "solo": ["u3"]})
    assert report.nodes[0].documents[0].table == Table(100, 20, 20, 10)


def test_a_group_is_present_where_any_member_reviewed_and_only_reviewed_members_count():
    codings = [(1, 1, "u1", 0, 10), (1, 1, "u2", 10, 20), (1, 1, "u3", 0, 20), (2, 1, "u3", 0, 5)]
    groups = {"team": ["u1", "u2"], "solo": ["u3"]}
    reviewed = {"u1": {1}, "u2": set(), "u3": {1, 2}}
    report = compare(codings, {1: 30, 2: 30}, coders=("team", "solo"), groups=groups, reviewed=reviewed)
    assert [(r.document, r.table) for r in report.nodes[0].documents] == [(1, Table(30, 10, 20, 10))]


def test_results_do_not_depend_on_the_order_of_the_codings():
    rng = random.Random(5)
    codings = [
        (d, n, c, s, s + rng.randint(1, 30)) for d in (1, 2) for n in (1, 2) for c in "ABC" for s in range(0, 90, 17)
    ]
    first = compare(codings, {1: 120, 2: 130}, coders="ABC", nodes=(1, 2)).as_dict()
    for _ in range(5):
        rng.shuffle(codings)
        assert compare(codings, {1: 120, 2: 130}, coders="ABC", nodes=(1, 2)).as_dict() == first


def test_pairwise_matrix_is_symmetric_pooled_kappa_over_all_nodes():
    codings = [(1, 1, "A", 0, 100), (1, 1, "B", 50, 200), (1, 2, "C", 0, 10), (1, 2, "A", 0, 10)]
    report = compare(codings, {1: 1000}, coders="ABC", nodes=(1, 2))
    ab = Table(1000, 100, 150, 50) + Table(1000, 10, 0, 0)
    ac = Table(1000, 100, 0, 0) + Table(1000, 10, 10, 10)
    bc = Table(1000, 150, 0, 0) + Table(1000, 0, 10, 0)
    assert report.matrix[0] == (1.0, pytest.approx(ab.kappa), pytest.approx(ac.kappa))
    assert report.matrix[1][2] == report.matrix[2][1] == pytest.approx(bc.kappa)
    assert report.overall.pooled_kappa == pytest.approx(ab.kappa)


def test_as_dict_has_the_api_shape_with_plain_ints_and_floats():
    data = compare([(7, 1, "A", 0, 100), (7, 1, "B", 50, 200)], {7: 1000}).as_dict()
    assert set(data) >= {"coders", "unit", "overall", "nodes", "matrix"}
    assert set(data["overall"]) >= {"pooled_kappa", "alpha", "agreement"}
    node = data["nodes"][0]
    keys = {"node", "path", "pooled_kappa", "weighted_kappa", "weighted_kappa_nondegenerate", "mean_kappa", "alpha"}
    assert set(node) >= keys | {"agreement", "positive_agreement", "degenerate_rows", "documents"}
    row = node["documents"][0]
    assert {k: type(row[k]) for k in ("document", "n", "a", "b", "both", "neither")} == dict.fromkeys(
        ("document", "n", "a", "b", "both", "neither"), int
    )
    assert type(row["kappa"]) is float
    assert type(node["alpha"]) is float
    assert type(row["degenerate"]) is bool
    assert row["agreement"] == 85.0
    assert type(node["degenerate_rows"]) is int


def test_refuses_a_single_coder_and_an_unknown_unit():
    with pytest.raises(ValueError, match="two"):
        compare([], {1: 5}, coders=("A",))
    with pytest.raises(ValueError, match="unit"):
        compare([], {1: 5}, unit="sentence")


def two_level_rows() -> list[tree.Row]:
    return [
        tree.Row(1, None, "供给型"),
        tree.Row(2, 1, "数据基础设施"),
        tree.Row(3, 1, "资金投入"),
        tree.Row(4, None, "环境型"),
        tree.Row(5, 4, "法规管制"),
    ]


def test_node_specs_roll_categories_up_and_pool_each_character_once():
    flat = agreement.node_specs(two_level_rows())
    assert [(s.id, s.path, set(s.sources), s.category, s.pooled) for s in flat][:2] == [
        (1, "供给型", {1}, 1, True),
        (2, "供给型/数据基础设施", {2}, 1, True),
    ]
    rolled = agreement.node_specs(two_level_rows(), rollup=True)
    assert [(s.id, set(s.sources), s.pooled) for s in rolled] == [
        (1, {1, 2, 3}, True),
        (2, {2}, False),
        (3, {3}, False),
        (4, {4, 5}, True),
        (5, {5}, False),
    ]
    chosen = agreement.node_specs(two_level_rows(), {2, 5}, rollup=True)
    assert [(s.id, s.pooled) for s in chosen] == [(2, True), (5, True)]
    with pytest.raises(ValueError, match="99"):
        agreement.node_specs(two_level_rows(), {99})


def test_rollup_unions_descendants_and_categories_pool_their_nodes():
    codings = [(1, 2, "A", 0, 10), (1, 3, "A", 5, 15), (1, 2, "B", 0, 15), (1, 5, "B", 20, 30)]
    specs = agreement.node_specs(two_level_rows(), rollup=True)
    report = agreement.compare(codings, lengths={1: 100}, nodes=specs, coders=["A", "B"])
    supply = report.nodes[0]
    assert supply.summary.table == Table(100, 15, 15, 15)
    assert [c.path for c in report.categories] == ["供给型", "环境型"]
    assert report.categories[0].summary.table == Table(100, 15, 15, 15)
    assert report.overall.table == Table(200, 15, 25, 15)  # only the two rolled-up categories pool
    flat = agreement.compare(codings, lengths={1: 100}, nodes=agreement.node_specs(two_level_rows()), coders=["A", "B"])
    assert flat.categories[0].summary.table == Table(300, 20, 15, 10)  # 供给型 + its two children


# --- properties against independent implementations ------------------------------------------------------------------
def paint(spans, length: int) -> np.ndarray:
    mask = np.zeros(length, dtype=bool)
    for start, end in spans:
        mask[start:end] = True
    return mask


@st.composite
def studies(draw):
    """Random documents, coders and overlapping spans on two nodes, with some coders missing some documents."""
    lengths = {d: draw(st.integers(1, 60)) for d in range(1, draw(st.integers(1, 3)) + 1)}
    coders = [f"c{i}" for i in range(draw(st.integers(2, 4)))]
    codings = []
    for d, length in lengths.items():
        for node in (1, 2):
            for coder in coders:
                for _ in range(draw(st.integers(0, 4))):
                    start = draw(st.integers(0, length - 1))
                    codings.append((d, node, coder, start, draw(st.integers(start + 1, length))))
    reviewed = None
    if draw(st.booleans()):
        reviewed = {c: {d for d in lengths if draw(st.integers(0, 3))} for c in coders}
    return lengths, coders, codings, reviewed


def masks(codings, lengths, coders, node, reviewed, units=None):
    """Per document, per coder: the 0/1 vector over units (characters, or units coded where any character is)."""
    result = {}
    for d, length in lengths.items():
        for coder in coders:
            if reviewed is not None and d not in reviewed[coder]:
                continue
            mask = paint([(s, e) for dd, n, c, s, e in codings if (dd, n, c) == (d, node, coder)], length)
            if units is not None:
                mask = np.array([mask[s:e].any() for s, e in units[d]], dtype=bool)
            result[d, coder] = mask
    return result


def sklearn_kappa(x: np.ndarray, y: np.ndarray) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cohen_kappa_score(x.astype(int), y.astype(int))


def check_against_references(report, lengths, coders, codings, reviewed, units=None):
    for position, node in enumerate((1, 2)):
        by = masks(codings, lengths, coders, node, reviewed, units)
        result = report.nodes[position]
        pooled_a, pooled_b = [], []
        for row in result.documents:
            x, y = by[row.document, coders[0]], by[row.document, coders[1]]
            pooled_a.append(x)
            pooled_b.append(y)
            assert row.table == Table(x.size, int(x.sum()), int(y.sum()), int((x & y).sum()))
            expected = sklearn_kappa(x, y)
            if not math.isnan(expected):
                assert row.table.kappa == pytest.approx(expected, abs=TOLERANCE)
            if not row.table.degenerate:
                assert row.table.kappa == pytest.approx(
                    issue_kappa(row.table.n, row.table.a, row.table.b, row.table.both), abs=TOLERANCE
                )
        if pooled_a:
            expected = sklearn_kappa(np.concatenate(pooled_a), np.concatenate(pooled_b))
            if not math.isnan(expected):
                assert result.summary.pooled_kappa == pytest.approx(expected, abs=TOLERANCE)
        data = np.concatenate(
            [
                np.array([by[d, c] if (d, c) in by else np.full(by_len, np.nan) for c in coders], dtype=float)
                for d in lengths
                for by_len in [len(units[d]) if units else lengths[d]]
            ],
            axis=1,
        )
        pairable = (~np.isnan(data)).sum(axis=0) >= 2
        values = data[:, pairable]
        if np.unique(values[~np.isnan(values)]).size == 2:
            expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
            assert result.summary.alpha == pytest.approx(expected, abs=TOLERANCE)


PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(studies())
def test_character_kappa_and_alpha_match_sklearn_and_krippendorff(simulated_study):
    lengths, coders, codings, reviewed = simulated_study
    report = compare(codings, lengths, coders=coders, nodes=(1, 2), reviewed=reviewed)
    check_against_references(report, lengths, coders, codings, reviewed)


@PROPERTY_SETTINGS
@given(studies(), st.randoms(use_true_random=False))
def test_article_kappa_and_alpha_match_sklearn_and_krippendorff(simulated_study, rng):
    lengths, coders, codings, reviewed = simulated_study
    units = {}
    for d, length in lengths.items():
        cuts = sorted(rng.sample(range(length + 1), min(length + 1, rng.randint(2, 6))))
        units[d] = [(s, e) for s, e in pairwise(cuts) if s < e] or [(0, length)]
    report = compare(codings, lengths, coders=coders, nodes=(1, 2), reviewed=reviewed, unit="article", units=units)
    check_against_references(report, lengths, coders, codings, reviewed, units)


@PROPERTY_SETTINGS
@given(studies())
def test_pairwise_matrix_matches_sklearn_over_everything_pooled(simulated_study):
    lengths, coders, codings, reviewed = simulated_study
    report = compare(codings, lengths, coders=coders, nodes=(1, 2), reviewed=reviewed)
    by_node = [masks(codings, lengths, coders, node, reviewed) for node in (1, 2)]
    for i, first in enumerate(coders):
        for j, second in enumerate(coders[i + 1 :], start=i + 1):
            docs = [d for d in lengths if (d, first) in by_node[0] and (d, second) in by_node[0]]
            if not docs:
                assert report.matrix[i][j] is None
                continue
            x = np.concatenate([by[d, first] for by in by_node for d in docs])
            y = np.concatenate([by[d, second] for by in by_node for d in docs])
            expected = sklearn_kappa(x, y)
            if not math.isnan(expected):
                assert report.matrix[i][j] == pytest.approx(expected, abs=TOLERANCE)


@PROPERTY_SETTINGS
@given(studies())
def test_a_group_is_the_union_of_its_members(simulated_study):
    lengths, coders, codings, _reviewed = simulated_study
    groups = {"group": coders[1:], "first": coders[:1]}
    report = compare(codings, lengths, coders=("first", "group"), nodes=(1, 2), groups=groups)
    for position, node in enumerate((1, 2)):
        by = masks(codings, lengths, coders, node, None)
        for row in report.nodes[position].documents:
            x = by[row.document, coders[0]]
            y = np.logical_or.reduce([by[row.document, c] for c in coders[1:]])
            assert row.table == Table(x.size, int(x.sum()), int(y.sum()), int((x & y).sum()))


# --- the loader -------------------------------------------------------------------------------------------------------
@pytest.fixture
def simulated_study(project):
    first, second = UserFactory(username="甲"), UserFactory(username="乙")
    documents = [DocumentFactory(project=project) for _ in range(2)]
    category = NodeFactory(project=project, name="供给型")
    nodes = [category, NodeFactory(project=project, parent=category, name="资金投入")]
    spans = [(0, 0, first, 0, 10), (0, 1, first, 5, 20), (0, 1, second, 8, 25), (1, 1, second, 3, 9)]
    spans += [(1, 1, first, 3, 7), (1, 0, first, 30, 40), (1, 1, first, 6, 12)]
    rng = random.Random(3)
    rng.shuffle(spans)
    for d, n, coder, start, end in spans:
        CodingFactory(document=documents[d], node=nodes[n], coder=coder, start=start, end=end)
    rows = [(documents[d].pk, nodes[n].pk, c.username, s, e) for d, n, c, s, e in spans]
    return project, documents, nodes, rows


def core_report(project, documents, rows, **options):
    specs = agreement.node_specs(tree.rows_for(project), rollup=options.pop("rollup", False))
    lengths = {d.pk: d.char_count for d in documents}
    return agreement.compare(rows, lengths=lengths, nodes=specs, coders=["甲", "乙"], **options)


@pytest.mark.django_db
def test_loader_reports_what_the_core_computes_from_the_same_rows_in_any_order(
    simulated_study, owner, django_assert_max_num_queries
):
    project, documents, _nodes, rows = simulated_study
    with django_assert_max_num_queries(5):  # nodes, documents, blind-coding check twice, codings
        report = agreement.comparison_for_project(project=project, user=owner, coders=["甲", "乙"])
    for seed in range(3):
        random.Random(seed).shuffle(rows)
        assert report == core_report(project, documents, rows)
    assert [n.path for n in report.nodes] == ["供给型", "供给型/资金投入"]
    assert report.nodes[1].documents[0].table == Table(documents[0].char_count, 15, 17, 12)


@pytest.mark.django_db
def test_loader_filters_nodes_and_documents_and_passes_reviewed_and_rollup(simulated_study, owner):
    project, documents, nodes, rows = simulated_study
    report = agreement.comparison_for_project(
        project=project, user=owner, coders=["甲", "乙"], nodes=[nodes[0].pk], documents=[documents[1].pk], rollup=True
    )
    assert [n.node for n in report.nodes] == [nodes[0].pk]
    assert [r.document for r in report.nodes[0].documents] == [documents[1].pk]
    expected = core_report(project, [documents[1]], [r for r in rows if r[0] == documents[1].pk], rollup=True)
    assert report.nodes[0] == expected.nodes[0]
    missing = agreement.comparison_for_project(
        project=project, user=owner, coders=["甲", "乙"], reviewed={"甲": {documents[0].pk}, "乙": {documents[0].pk}}
    )
    assert [r.document for r in missing.nodes[1].documents] == [documents[0].pk]


@pytest.mark.django_db
def test_loader_builds_article_units_from_sections(simulated_study, owner):
    project, documents, _nodes, rows = simulated_study
    for document in documents:
        Section.objects.create(document=document, kind="article", label="第一条", level=3, start=0, end=8)
        Section.objects.create(document=document, kind="article", label="第二条", level=3, start=8, end=30)
    report = agreement.comparison_for_project(project=project, user=owner, coders=["甲", "乙"], unit="article")
    units = {d.pk: [(0, 8), (8, 30)] for d in documents}
    assert report == core_report(project, documents, rows, unit="article", units=units)
    assert report.nodes[1].documents[0].table == Table(2, 2, 1, 1)
    one = agreement.comparison_for_project(
        project=project, user=owner, coders=["甲", "乙"], unit="article", documents=[documents[0].pk]
    )
    assert [r.document for r in one.nodes[1].documents] == [documents[0].pk]


@pytest.mark.django_db
def test_loader_leaves_out_other_projects_and_other_coders(simulated_study, owner):
    project, documents, nodes, rows = simulated_study
    CodingFactory(coder=UserFactory(username="甲"), start=0, end=3)  # another project
    CodingFactory(document=documents[0], node=nodes[1], coder=UserFactory(username="丙"), start=0, end=50)
    report = agreement.comparison_for_project(project=project, user=owner, coders=["甲", "乙"])
    assert report == core_report(project, documents, rows)


@pytest.mark.django_db
def test_loader_compares_groups_of_coders(simulated_study, owner):
    project, documents, nodes, _rows = simulated_study
    CodingFactory(document=documents[0], node=nodes[1], coder=UserFactory(username="丙"), start=40, end=50)
    report = agreement.comparison_for_project(
        project=project, user=owner, coders=["团队", "乙"], groups={"团队": ["甲", "丙"]}
    )
    assert report.coders == ("团队", "乙")
    assert report.nodes[1].documents[0].table == Table(documents[0].char_count, 25, 17, 12)


@pytest.mark.django_db
def test_loader_refuses_a_blind_coder_comparing_others_whose_codings_they_cannot_see(simulated_study, coder):
    project, *_ = simulated_study
    CodingOptions.objects.create(project=project, blind=True)
    with pytest.raises(PermissionDenied):
        agreement.comparison_for_project(project=project, user=coder, coders=["甲", "乙"])
