"""The disagreement view's pure core: marks where two coders differ, the escaped text with code-point offsets,
clusters of overlapping codings, cases paired across nodes and labelled by article, and adjudication progress."""

import itertools

from hypothesis import given
from hypothesis import strategies as st

from coding.analysis import disagreement


def coding(i, node, who, start, end):
    return {"id": i, "node": node, "who": who, "start": start, "end": end}


# --- marks and the text -------------------------------------------------------------------------------


def test_marks_split_a_only_b_only_and_both_at_each_boundary():
    found = disagreement.marks([(1, "a", 2, 6), (1, "b", 4, 8), (1, "c", 4, 5)])
    assert [(m.start, m.end, m.kind, m.consensus) for m in found] == [
        (2, 4, "a", False),
        (4, 5, "both", True),
        (5, 6, "both", False),
        (6, 8, "b", False),
    ]


def test_a_stretch_coded_differently_at_two_nodes_is_mixed():
    found = disagreement.marks([(1, "a", 0, 4), (2, "b", 0, 4)])
    assert [(m.kind, m.states) for m in found] == [("mixed", ((1, "a"), (2, "b")))]


def test_text_html_escapes_and_keeps_code_point_offsets_per_paragraph():
    text = "𠮷<a>\nbc"
    html = disagreement.text_html(text, disagreement.marks([(1, "a", 1, 6)]), {1: "n"}, {"a": "A", "b": "B"})
    assert html.startswith('<p id="p-0" data-start="0">𠮷<mark id="m-1" class="dis dis-a"')
    assert "&lt;a&gt;</mark></p>" in html
    assert '<p id="p-5" data-start="5"><mark class="dis dis-a" title="n: A">b</mark>c</p>' in html


def test_overlapping_codings_of_a_node_form_one_cluster_and_touching_ones_two():
    codings = [
        {"id": 1, "node": 7, "who": "a", "start": 0, "end": 5},
        {"id": 2, "node": 7, "who": "b", "start": 3, "end": 9},
        {"id": 3, "node": 7, "who": "b", "start": 9, "end": 12},
    ]
    found = disagreement.clusters(codings, consensus=[(7, 9, 12)])
    assert [([c["id"] for c in k.a], [c["id"] for c in k.b], k.kind, k.accepted) for k in found] == [
        ([1], [2], "differ", False),
        ([], [3], "b", True),
    ]


# --- clusters, cases and progress -----------------------------------------------------------------------


def test_overlapping_a_only_and_b_only_codings_at_different_nodes_pair_into_one_case():
    found = disagreement.clusters([coding(1, 7, "a", 10, 20), coding(2, 8, "b", 12, 22), coding(3, 9, "b", 40, 45)])
    cases = disagreement.cases(found, "x" * 50)
    assert [(c.kind, c.key, c.start, c.end) for c in cases] == [("pair", "1,2", 10, 22), ("b", "3", 40, 45)]


def test_a_only_pairs_with_the_b_only_cluster_it_overlaps_most_and_each_once():
    found = disagreement.clusters(
        [coding(1, 7, "a", 0, 10), coding(2, 8, "b", 8, 30), coding(3, 9, "b", 2, 9), coding(4, 5, "a", 20, 30)]
    )
    assert [c.key for c in disagreement.cases(found, "x" * 40)] == ["1,3", "2,4"]


def test_codings_at_the_same_node_are_not_a_pair_but_one_cluster():
    found = disagreement.clusters([coding(1, 7, "a", 0, 10), coding(2, 7, "b", 5, 12)])
    assert [c.kind for c in disagreement.cases(found, "x" * 20)] == ["differ"]


def test_apart_a_only_and_b_only_codings_stay_two_cases():
    found = disagreement.clusters([coding(1, 7, "a", 0, 5), coding(2, 8, "b", 5, 9)])
    assert [c.kind for c in disagreement.cases(found, "x" * 20)] == ["a", "b"]


def test_a_case_is_labelled_by_its_article_and_item_and_carries_its_passage():
    sections = [(0, 10, 3, "第一条"), (10, 40, 3, "第十二条"), (15, 25, 4, "（一）")]
    found = disagreement.clusters([coding(1, 7, "a", 16, 20)])
    case = disagreement.cases(found, "0123456789" * 4, sections)[0]
    assert (case.label, case.text) == ("第十二条（一）", "6789")


def test_taking_a_side_or_neither_resolves_a_case_and_progress_counts_disputed_cases_only():
    codings = [coding(1, 7, "a", 0, 5), coding(2, 7, "b", 0, 8), coding(3, 8, "a", 10, 12), coding(4, 8, "b", 10, 12)]
    codings += [coding(5, 9, "a", 20, 25)]
    found = disagreement.clusters(codings, consensus=[(7, 0, 8)])  # B's side taken at node 7
    cases = disagreement.cases(found, "x" * 30, neither={"5"})
    assert [(c.kind, c.decision) for c in cases] == [("differ", "accepted"), ("same", ""), ("a", "neither")]
    assert disagreement.progress(cases) == (2, 2)
    assert disagreement.progress(disagreement.cases(found, "x" * 30)) == (1, 2)


def test_position_label_joins_the_article_and_item_holding_the_offset_and_is_blank_outside():
    sections = [(0, 10, 3, "第一条"), (10, 40, 3, "第十二条"), (15, 25, 4, "（一）")]
    assert disagreement.position_label(sections, 15) == "第十二条（一）"
    assert disagreement.position_label(sections, 25) == "第十二条"  # a section's end is exclusive
    assert disagreement.position_label(sections, 40) == ""


# --- a property: marks agree with coverage counted code point by code point --------------------------


_codings = st.lists(
    st.tuples(st.integers(1, 3), st.sampled_from("abc"), st.integers(0, 12), st.integers(0, 12)), max_size=8
)


@given(_codings)
def test_marks_cover_each_code_point_with_exactly_the_codings_over_it(codings):
    found = disagreement.marks(codings)
    assert all(m.start < m.end for m in found)
    assert all(left.end <= right.start for left, right in itertools.pairwise(found))
    for point in range(13):
        over = {(node, who) for node, who, start, end in codings if start <= point < end}
        holding = [m for m in found if m.start <= point < m.end]
        if not over:
            assert holding == []
            continue
        assert len(holding) == 1
        by_node = {}
        for node, who in over:
            if who != "c":
                by_node.setdefault(node, set()).add(who)
        states = tuple((node, "both" if len(w) == 2 else next(iter(w))) for node, w in sorted(by_node.items()))
        assert holding[0].states == states
        assert holding[0].consensus == any(who == "c" for _node, who in over)
