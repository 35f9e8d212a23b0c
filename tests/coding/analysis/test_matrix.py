"""The matrix core on hand-built corpora (no database), and against brute force with hypothesis."""

import datetime
from collections import defaultdict
from unittest import mock

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from coding.analysis import matrix, matrix_table, matrix_writers, query_params
from framework import tree
from policies import writers

# 数据归集(1) → 基础数据(11), 数据质量(12); 数据共享(2) → 共享平台(21)
NODES = [
    tree.Row(1, None, "数据归集", order=0),
    tree.Row(11, 1, "基础数据", order=0),
    tree.Row(12, 1, "数据质量", order=1),
    tree.Row(2, None, "数据共享", order=1),
    tree.Row(21, 2, "共享平台", order=0),
]
DOCS = [
    matrix.Doc(1, "贵州条例", 100, {"province": "贵州省", "issue_date": datetime.date(2020, 5, 1)}),
    matrix.Doc(2, "贵州办法", 50, {"province": "贵州省", "issue_date": datetime.date(2021, 1, 1)}),
    matrix.Doc(3, "云南条例", 300, {"province": "云南省", "issue_date": None}),
    matrix.Doc(4, "无省份", 10, {"province": "", "issue_date": datetime.date(2020, 2, 2)}),
]
# each coding: document, node, coder, start, end
CODINGS = [
    (1, 11, "a", 0, 10),
    (1, 11, "b", 5, 15),  # overlaps coder a: 0–15 is 15 characters, not 20
    (1, 12, "a", 12, 20),  # overlaps 基础数据 inside the rolled-up 数据归集: 0–20
    (1, 21, "a", 50, 60),
    (2, 21, "b", 0, 25),
    (3, 12, "a", 100, 200),
    (4, 11, "b", 0, 10),
]


def counts_of(codings):
    grouped = defaultdict(int)
    for doc, node, _coder, _s, _e in codings:
        grouped[doc, node] += 1
    return [(doc, node, n) for (doc, node), n in grouped.items()]


def spans_of(codings):
    """The spans in reverse order: the computation sorts them itself (the loader hands them over unsorted)."""
    return sorted(((doc, s, node, e) for doc, node, _c, s, e in codings), reverse=True)


def run(value, *, rows_by="province", codings=CODINGS, docs=DOCS, **columns):
    rows = matrix.group_rows(docs, rows_by)
    cols = matrix.columns_for(NODES, **(columns or {"level": 1}))
    facts = spans_of(codings) if value in ("characters", "coverage") else counts_of(codings)
    return matrix.compute(value, rows, cols, facts, rows_by=rows_by)


def test_provinces_follow_the_standard_order_not_code_points_and_blank_comes_last():
    result = run("documents")
    assert [r.label for r in result.rows] == ["贵州省", "云南省", "(blank)"]  # 云 < 贵 in code points


def test_documents_count_each_document_once_and_roll_up_children():
    result = run("documents")
    assert result.cells == ((1, 2), (1, 0), (1, 0))
    assert result.row_totals == (2, 1, 1)
    assert result.column_totals == (3, 2)
    assert result.total == 4


def test_references_count_codings_of_every_coder():
    result = run("references")
    assert result.cells == ((3, 2), (1, 0), (1, 0))
    assert result.row_totals == (5, 1, 1)
    assert result.total == 7


def test_characters_count_overlaps_of_coders_and_sibling_nodes_once():
    result = run("characters")
    assert result.cells == ((20, 35), (100, 0), (10, 0))
    assert result.row_totals == (55, 100, 10)
    assert result.column_totals == (130, 35)
    assert result.total == 165


def test_coverage_divides_by_the_characters_of_the_row_documents_without_integer_division():
    result = run("coverage")
    assert result.cells[0] == pytest.approx((20 / 150 * 100, 35 / 150 * 100))
    assert result.cells[1] == pytest.approx((100 / 300 * 100, 0.0))
    assert result.row_totals[1] == pytest.approx(33.3333, abs=1e-3)
    assert result.total == pytest.approx(165 / 460 * 100)
    assert matrix.display(result.cells[1][0], "coverage") == "33.33"


def test_presence_is_one_or_zero_and_totals_count_ones():
    result = run("presence")
    assert result.cells == ((1, 1), (1, 0), (1, 0))
    assert result.row_totals == (2, 1, 1)
    assert result.column_totals == (3, 1)


def test_column_summary_names_the_rows_with_any_coding():
    result = run("documents")
    assert result.column_summary == ((3, ("贵州省", "云南省", "(blank)")), (1, ("贵州省",)))
    assert result.summary_text(1) == "1 — 贵州省"


def test_level_two_columns_are_the_subcategories_in_tree_order():
    result = run("documents", level=2)
    assert [c.name for c in result.columns] == ["基础数据", "数据质量", "共享平台"]
    assert result.cells[0] == (1, 1, 2)


def test_a_chosen_node_set_rolls_up_each_and_row_totals_do_not_double_count_nesting():
    references = run("references", nodes=[1, 11])
    assert references.cells[0] == (3, 2)
    assert references.row_totals[0] == 3
    characters = run("characters", nodes=[11, 1])
    assert characters.cells[0] == (20, 15)
    assert characters.row_totals[0] == 20


def test_children_of_a_node_become_the_columns():
    result = run("characters", parent=1)
    assert [c.name for c in result.columns] == ["基础数据", "数据质量"]
    assert result.cells[0] == (15, 8)


def test_one_coder_selection_is_just_fewer_facts():
    only_a = [c for c in CODINGS if c[2] == "a"]
    assert run("characters", codings=only_a).cells[0] == (18, 10)
    assert run("documents", codings=only_a).cells == ((1, 1), (1, 0), (0, 0))


def test_rows_by_year_put_undated_documents_last():
    result = run("documents", rows_by="year")
    assert [r.label for r in result.rows] == ["2020", "2021", "(no date)"]
    assert [r.documents for r in result.rows] == [(1, 4), (2,), (3,)]


def test_rows_by_document_are_labelled_with_titles():
    result = run("references", rows_by="document")
    assert [r.label for r in result.rows] == ["贵州条例", "贵州办法", "云南条例", "无省份"]
    assert result.cells[0] == (3, 1)


def test_custom_attribute_rows_group_by_its_value():
    docs = [matrix.Doc(d.id, d.title, d.chars, {**d.attributes, "层级": "省级" if d.id < 3 else ""}) for d in DOCS]
    result = run("documents", rows_by="attr:层级", docs=docs)
    assert [(r.label, r.documents) for r in result.rows] == [("省级", (1, 2)), ("(blank)", (3, 4))]


def test_all_provinces_toggle_shows_empty_rows():
    rows = matrix.group_rows(DOCS, "province", all_provinces=True)
    assert len(rows) == 36  # 35 names and (blank)
    assert rows[0].label == "北京市"
    assert rows[0].documents == ()


def test_empty_corpus_gives_an_empty_matrix_without_errors():
    result = run("coverage", docs=[], codings=[])
    assert result.rows == ()
    assert result.total == 0
    assert result.column_summary == ((0, ()), (0, ()))


def test_codings_of_filtered_out_documents_are_ignored():
    result = run("references", docs=DOCS[:1])
    assert result.total == 4


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"level": 3}, "Level 3"),
        ({"nodes": [1, 99]}, "99"),
        ({"parent": 99}, "99"),
        ({"parent": 11}, "no children"),
    ],
)
def test_bad_column_choices_are_explained(columns, message):
    with pytest.raises(ValidationError, match=message):
        matrix.columns_for(NODES, **columns)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"rows": "city"}, "Unknown rows"),
        ({"value": "words"}, "Unknown value"),
        ({"level": "one"}, "level"),
        ({"nodes": "1,x"}, "nodes"),
    ],
)
def test_bad_parameters_are_explained(params, message):
    with pytest.raises(ValidationError, match=message):
        query_params.matrix_query(None, params, ["层级"])


def test_parse_accepts_a_custom_attribute_and_several_coders():
    query = query_params.matrix_query(None, {"rows": "attr:层级", "coders": "a, b,a", "value": "coverage"}, ["层级"])
    assert query.rows_by == "attr:层级"
    assert query.coders == ("a", "b")
    assert query.level == 1


def test_table_sorts_rows_by_a_column_and_transposes():
    result = run("characters")
    view = matrix_table.table(result, sort="c0")
    assert [h.label for h, _cells, _t in view.lines] == ["云南省", "贵州省", "(blank)"]
    ascending = matrix_table.table(result, sort="-c0")
    assert [h.label for h, _cells, _t in ascending.lines] == ["(blank)", "贵州省", "云南省"]
    by_row = matrix_table.table(result, sort="r0")
    assert [h.label for h in by_row.heads] == ["数据共享", "数据归集"]
    flipped = matrix_table.table(result, transpose=True)
    assert [h.label for h in flipped.heads] == ["贵州省", "云南省", "(blank)"]
    assert [c.text for c in flipped.lines[0][1]] == ["20", "100", "10"]
    assert flipped.lines[0][1][1].heat == 1.0


def test_nonsense_sort_keeps_the_natural_order():
    result = run("documents")
    for sort in ("c9", "x", "r", "c-1", "--c0"):
        view = matrix_table.table(result, sort=sort)
        assert len(view.lines) == 3


def test_sheet_starts_with_the_header_then_rows_totals_and_summary():
    lines = matrix_writers.sheet(run("coverage"), corner="Province")
    assert lines[0] == ["Province", "数据归集", "数据共享", "Total"]  # no note line above it: CSV readers need this
    assert lines[1][1] == 13.33
    assert lines[-1][0] == "Rows with any coding"
    assert lines[-1][1] == "3 — 贵州省, 云南省, (blank)"
    assert writers.csv_text(lines).startswith("\ufeff")


def test_heatmap_svg_escapes_labels():
    docs = [matrix.Doc(1, "<b>&", 10, {"province": ""})]
    view = matrix_table.table(run("documents", rows_by="document", docs=docs, codings=[(1, 11, "a", 0, 3)]))
    svg = matrix_writers.heatmap_svg(view, title="a<b")
    assert "&lt;b&gt;&amp;" in svg
    assert "a&lt;b" in svg
    assert "Noto Sans CJK SC" in svg


# --- brute force --------------------------------------------------------------------------------

spans_strategy = st.lists(
    st.tuples(
        st.integers(1, 4),  # document
        st.sampled_from([1, 11, 12, 2, 21]),  # node
        st.sampled_from(["a", "b", "c"]),  # coder
        st.integers(0, 39),
        st.integers(1, 12),
    ),
    max_size=40,
)
PROVINCES = ["贵州省", "云南省", ""]


def _corpus(raw, provinces):
    docs = [matrix.Doc(i, f"d{i}", 40, {"province": provinces[i - 1]}) for i in range(1, 5)]
    unique = {(d, n, c, s, min(40, s + length)) for d, n, c, s, length in raw if s < 40}
    return docs, sorted(unique)


@settings(max_examples=150, deadline=None)
@given(spans_strategy, st.lists(st.sampled_from(PROVINCES), min_size=4, max_size=4), st.sampled_from([1, 2]))
def test_characters_equal_a_per_character_count(raw, provinces, level):
    docs, codings = _corpus(raw, provinces)
    result = run("characters", docs=docs, codings=codings, level=level)
    rows_coded = defaultdict(set)
    for r, row in enumerate(result.rows):
        for c, column in enumerate(result.columns):
            painted = {
                (d, i) for d, n, _c, s, e in codings if d in row.documents and n in column.members for i in range(s, e)
            }
            assert result.cells[r][c] == len(painted)
            if painted:
                rows_coded[c].add(row.label)
        shown = set().union(*(column.members for column in result.columns))
        everywhere = {(d, i) for d, n, _c, s, e in codings if d in row.documents and n in shown for i in range(s, e)}
        assert result.row_totals[r] == len(everywhere)
    for c in range(len(result.columns)):  # the column summary names the rows with any coded character there
        assert set(result.column_summary[c][1]) == rows_coded[c]


@settings(max_examples=150, deadline=None)
@given(spans_strategy, st.lists(st.sampled_from(PROVINCES), min_size=4, max_size=4), st.sampled_from([1, 2]))
def test_documents_equal_a_plain_set_count(raw, provinces, level):
    docs, codings = _corpus(raw, provinces)
    result = run("documents", docs=docs, codings=codings, level=level)
    references = run("references", docs=docs, codings=codings, level=level)
    for r, row in enumerate(result.rows):
        for c, column in enumerate(result.columns):
            found = [x for x in codings if x[0] in row.documents and x[1] in column.members]
            assert result.cells[r][c] == len({x[0] for x in found})
            assert references.cells[r][c] == len(found)
    for c in range(len(result.columns)):
        names = tuple(row.label for r, row in enumerate(result.rows) if result.cells[r][c])
        assert result.column_summary[c] == (len(names), names)


@settings(max_examples=150, deadline=None)
@given(spans_strategy, st.lists(st.sampled_from(PROVINCES), min_size=4, max_size=4), st.sampled_from([1, 2]))
def test_row_totals_and_presence_equal_a_plain_set_count(raw, provinces, level):
    docs, codings = _corpus(raw, provinces)
    documents = run("documents", docs=docs, codings=codings, level=level)
    references = run("references", docs=docs, codings=codings, level=level)
    presence = run("presence", docs=docs, codings=codings, level=level)
    shown = set().union(*(column.members for column in documents.columns))
    for r, row in enumerate(documents.rows):
        found = [x for x in codings if x[0] in row.documents and x[1] in shown]
        assert documents.row_totals[r] == len({x[0] for x in found})
        assert references.row_totals[r] == len(found)
        assert presence.cells[r] == tuple(1 if v else 0 for v in documents.cells[r])
    assert documents.total == sum(documents.row_totals)
    assert presence.total == sum(map(sum, presence.cells))


@settings(max_examples=100, deadline=None)
@given(
    spans_strategy,
    st.lists(st.sampled_from(PROVINCES), min_size=4, max_size=4),
    st.sampled_from([1, 2]),
    st.integers(1, 12),
)
def test_characters_swept_in_chunks_equal_one_sweep(raw, provinces, level, chunk):
    docs, codings = _corpus(raw, provinces)
    whole = [run(value, docs=docs, codings=codings, level=level) for value in ("characters", "coverage")]
    with mock.patch.object(matrix, "SPAN_CHUNK", chunk):
        assert [run(value, docs=docs, codings=codings, level=level) for value in ("characters", "coverage")] == whole


def test_chunks_never_split_a_document_and_leave_out_spans_in_no_row():
    # places of the spans' documents: document 1 has seven spans, more than a chunk; -1 is a span in no row
    doc_index = np.array([1, 0, 1, 1, -1, 2, 1, 1, 3, 1, 1, 3, -1], dtype=np.int32)
    with mock.patch.object(matrix, "SPAN_CHUNK", 3):
        ranges = matrix._chunks(doc_index, 5)
    # 11 spans in rows, four shares of 2.75: documents 0–1 (8 spans, the long one whole), 2 (1), 3 (2); 4 has none
    assert ranges == [(0, 2), (2, 3), (3, 4)]
    with mock.patch.object(matrix, "SPAN_CHUNK", 3):  # spans of documents 2 and 3 only, as in one SpanBatches batch
        assert matrix._chunks(np.array([3, 2, 3, 3], dtype=np.int32), 6) == [(2, 4)]  # not from 0, nor to 6
    with mock.patch.object(matrix, "SPAN_CHUNK", 3):
        assert matrix._chunks(np.array([-1, -1], dtype=np.int32), 5) == []
    assert matrix._chunks(np.array([], dtype=np.int32), 0) == []
    # one long document among short ones, swept three spans at a time: the same cells as in one sweep
    codings = [(1, 11, "a", s, s + 4) for s in range(0, 80, 3)] + [(2, 21, "b", 0, 5), (3, 12, "a", 7, 9)]
    whole = run("characters", codings=codings)
    with mock.patch.object(matrix, "SPAN_CHUNK", 3):
        assert run("characters", codings=codings) == whole
    assert whole.cells[0][0] == 82  # 贵州省 × 数据归集: document 1 painted 0–82


def test_facts_of_documents_outside_the_rows_or_nodes_outside_the_columns_count_nothing():
    rows = matrix.group_rows(DOCS, "province")
    columns = matrix.columns_for(NODES, level=1)
    inside = next(iter(rows[0].documents))
    facts = [(inside, 11, 2), (inside, 999, 5), (10_000, 11, 7)]  # an unknown node, a document in no row
    result = matrix.compute("references", rows, columns, facts, rows_by="province")
    assert result.total == 2
    assert result.row_totals[0] == 2
    empty = matrix.compute("documents", rows, columns, [], rows_by="province")
    assert empty.total == 0
    assert all(v == 0 for row in empty.cells for v in row)


def test_span_batches_of_whole_documents_give_what_one_array_gives():
    codings = [(1, 11, "a", s, s + 4) for s in range(0, 80, 3)] + [(2, 21, "b", 0, 5), (3, 12, "a", 7, 9)]
    rows = matrix.group_rows(DOCS, "province")
    cols = matrix.columns_for(NODES, level=1)
    spans = np.asarray(spans_of(codings), dtype=np.int64).reshape(-1, 4)
    for value in ("characters", "coverage"):
        whole = matrix.compute(value, rows, cols, spans, rows_by="province")
        batches = matrix.SpanBatches(iter([spans[spans[:, 0] == doc] for doc in sorted({*spans[:, 0].tolist()})]))
        assert matrix.compute(value, rows, cols, batches, rows_by="province") == whole
    assert whole.cells[0][0] > 0
