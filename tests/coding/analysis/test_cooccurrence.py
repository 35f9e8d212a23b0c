"""Co-occurrence core: equal to a brute-force count on random codings for each unit and value; the drill-down's
passages are the cell's count; the figures escape their labels."""

from itertools import combinations, pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coding.analysis import cooccurrence
from coding.analysis.matrix import Column

# four nodes: 1 and 2 under 10; 3 alone; columns may nest (10 holds 1 and 2)
COLUMNS = [frozenset({10, 1, 2}), frozenset({1}), frozenset({2}), frozenset({3})]
NODES = [1, 2, 3, 10]


def _components(spans):
    """Union-find over codings: two join when they share a character. Returns lists of member indexes."""
    parent = list(range(len(spans)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in combinations(range(len(spans)), 2):
        (s1, e1), (s2, e2) = spans[i], spans[j]
        if max(s1, s2) < min(e1, e2):
            parent[find(i)] = find(j)
    groups = {}
    for i in range(len(spans)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def brute_force(rows, columns, unit, units):
    """Each cell counted straight from its definition, one pair of columns at a time."""
    k = len(columns)
    counts = [[0] * k for _ in range(k)]
    docs = sorted({r[0] for r in rows})
    for a in range(k):
        for b in range(k):
            for doc in docs:
                mine = [(s, e, n in columns[a], n in columns[b]) for d, n, s, e in rows if d == doc]
                mine = [m for m in mine if m[2] or m[3]]
                if unit == "passage":
                    for group in _components([(s, e) for s, e, _x, _y in mine]):
                        if any(mine[i][2] for i in group) and any(mine[i][3] for i in group):
                            counts[a][b] += 1
                elif unit == "document":
                    counts[a][b] += any(m[2] for m in mine) and any(m[3] for m in mine)
                else:
                    spans = units.get(doc, [])
                    keys = [*range(len(spans)), "rest"]
                    for key in keys:

                        def inside(s, e, key=key, spans=spans):
                            if key == "rest":
                                return not any(us < e and s < ue for us, ue in spans)
                            us, ue = spans[key]
                            return us < e and s < ue

                        hit = [m for m in mine if inside(m[0], m[1])]
                        counts[a][b] += any(m[2] for m in hit) and any(m[3] for m in hit)
    return counts


@st.composite
def codings(draw):
    rows = set()
    for _ in range(draw(st.integers(0, 25))):
        doc = draw(st.integers(1, 3))
        start = draw(st.integers(0, 40))
        end = draw(st.integers(start + 1, start + 15))
        rows.add((doc, draw(st.sampled_from(NODES)), start, end))
    return sorted(rows)


@st.composite
def article_units(draw):
    found = {}
    for doc in (1, 2, 3):
        cuts = sorted(draw(st.sets(st.integers(0, 55), max_size=6)))
        found[doc] = [(s, e) for s, e in pairwise(cuts) if draw(st.booleans())]
    return found


@settings(max_examples=150, deadline=None)
@given(rows=codings(), units=article_units(), unit=st.sampled_from(cooccurrence.UNITS))
def test_counts_equal_a_brute_force_count(rows, units, unit):
    assert cooccurrence.count(rows, COLUMNS, unit, units) == brute_force(rows, COLUMNS, unit, units)


@settings(max_examples=80, deadline=None)
@given(rows=codings(), units=article_units(), unit=st.sampled_from(cooccurrence.UNITS))
def test_c_coefficient_is_the_shared_units_over_either(rows, units, unit):
    columns = [Column(i, f"节点{i}", f"节点{i}", "#4e79a7", members) for i, members in enumerate(COLUMNS)]
    result = cooccurrence.compute(rows, columns, unit, "c", units)
    n = brute_force(rows, COLUMNS, unit, units)
    for i in range(len(n)):
        for j in range(len(n)):
            expected = n[i][i] if i == j else (n[i][j] / (n[i][i] + n[j][j] - n[i][j]) if n[i][i] + n[j][j] else 0)
            assert result.cells[i][j] == pytest.approx(expected, abs=1e-4)
            assert 0 <= result.cells[i][j] <= 1 or i == j


@settings(max_examples=80, deadline=None)
@given(rows=codings(), units=article_units(), unit=st.sampled_from(cooccurrence.UNITS))
def test_the_passages_behind_a_cell_are_as_many_as_the_cell_counts(rows, units, unit):
    counts = cooccurrence.count(rows, COLUMNS, unit, units)
    for a, b in [(0, 3), (1, 2), (0, 1), (3, 3)]:
        found = cooccurrence.passages(rows, COLUMNS[a], COLUMNS[b], unit, units)
        assert len(found) == counts[a][b]
        assert all(p.first and p.second for p in found)


def test_a_long_coding_across_two_separate_codings_is_one_passage():
    rows = [(1, 1, 0, 100), (1, 2, 10, 20), (1, 2, 50, 60)]
    assert cooccurrence.count(rows, [frozenset({1}), frozenset({2})], "passage") == [[1, 1], [1, 2]]


def test_codings_that_only_touch_do_not_co_occur():
    rows = [(1, 1, 0, 10), (1, 2, 10, 20)]
    assert cooccurrence.count(rows, [frozenset({1}), frozenset({2})], "passage") == [[1, 0], [0, 1]]
    assert cooccurrence.count(rows, [frozenset({1}), frozenset({2})], "document") == [[1, 1], [1, 1]]


def test_a_coding_before_the_first_article_is_in_the_preamble_unit():
    rows = [(1, 1, 0, 5), (1, 2, 2, 4), (1, 2, 30, 40)]
    units = {1: [(10, 20), (20, 50)]}
    assert cooccurrence.count(rows, [frozenset({1}), frozenset({2})], "article", units) == [[1, 1], [1, 2]]


def test_no_codings_give_zeros():
    assert cooccurrence.count([], COLUMNS[:2], "passage") == [[0, 0], [0, 0]]
    assert cooccurrence.count([], COLUMNS[:2], "article", {}) == [[0, 0], [0, 0]]


def test_the_network_figure_escapes_labels_and_draws_edges_from_the_threshold():
    columns = [
        Column(1, "数据<共享>", "数据<共享>", "#4e79a7", frozenset({1})),
        Column(2, "开放", "开放", "#e15759", frozenset({2})),
    ]
    rows = [(1, 1, 0, 10), (1, 2, 5, 15), (2, 1, 0, 10)]
    result = cooccurrence.compute(rows, columns, "passage", "count")
    svg = cooccurrence.network_svg(result, title="共现 & 网络")
    assert "数据&lt;共享&gt; (2)" in svg
    assert "共现 &amp; 网络" in svg
    assert svg.count("<line") == 1
    assert cooccurrence.network_svg(result, title="t", minimum=2).count("<line") == 0


def test_the_network_threshold_is_a_count_also_when_the_cells_show_c():
    columns = [Column(1, "甲", "甲", "#4e79a7", frozenset({1})), Column(2, "乙", "乙", "#e15759", frozenset({2}))]
    rows = [(1, 1, 0, 10), (1, 2, 5, 15), (2, 1, 0, 10), (3, 2, 0, 4)]
    result = cooccurrence.compute(rows, columns, "passage", "c")
    assert result.cells[0][1] == pytest.approx(1 / 3, abs=1e-4)
    svg = cooccurrence.network_svg(result, title="t", minimum=1)
    assert svg.count("<line") == 1
    assert "甲 — 乙: 0.33" in svg
