import pytest
from django.core.exceptions import ValidationError

from framework import tree
from framework.tree import Row
from tests.framework.sample_tree import ROWS


def test_walk_lists_nodes_depth_first_in_sibling_order():
    assert [n.path for n in tree.walk(ROWS)] == [
        "数据开放",
        "数据开放/数据编目",
        "数据开放/数据编目/目录更新",
        "数据开放/分级分类",
        "数据共享",
        "数据共享/分级分类",
    ]


def test_same_name_under_two_parents_has_two_paths():
    paths = tree.paths(ROWS)
    assert paths[3] == "数据共享/分级分类"
    assert paths[4] == "数据开放/分级分类"


def test_siblings_with_equal_order_fall_back_to_id():
    rows = [Row(9, None, "b"), Row(8, None, "a")]
    assert [n.row.id for n in tree.walk(rows)] == [8, 9]


def test_build_nests_children_under_parents():
    roots = tree.build(ROWS)
    assert [r.row.name for r in roots] == ["数据开放", "数据共享"]
    assert [c.row.name for c in roots[0].children] == ["数据编目", "分级分类"]
    assert roots[0].children[0].children[0].row.name == "目录更新"


def test_levels_count_from_one_at_the_top():
    assert tree.levels(ROWS) == {1: 1, 2: 1, 3: 2, 4: 2, 5: 2, 6: 3}


def test_top_level_names_name_each_nodes_category():
    assert tree.top_level_names(ROWS)[6] == "数据开放"


def test_descendants_include_grandchildren_but_not_the_node():
    assert tree.descendants(ROWS, 2) == {4, 5, 6}
    assert tree.descendants(ROWS, 6) == set()


@pytest.mark.parametrize(
    ("node", "parent", "cycle"),
    [(2, 6, True), (2, 2, True), (5, 4, False), (6, None, False), (5, 1, False)],
)
def test_would_cycle_catches_a_move_under_itself_or_a_descendant(node, parent, cycle):
    assert tree.would_cycle(ROWS, node, parent) is cycle


def test_walk_handles_deep_trees_without_recursion():
    rows = [Row(i, i - 1 if i > 1 else None, f"n{i}") for i in range(1, 3001)]
    assert tree.walk(rows)[-1].depth == 2999


@pytest.mark.parametrize(("value", "expected"), [("#ABC", "#aabbcc"), ("#4E79A7", "#4e79a7"), (" #123456 ", "#123456")])
def test_colours_are_normalised_to_lowercase_rrggbb(value, expected):
    assert tree.normalize_color(value) == expected


@pytest.mark.parametrize("value", ["red", "#12345", "4e79a7", "#ggg", "", "#1234567"])
def test_a_colour_that_is_not_a_colour_is_refused(value):
    with pytest.raises(ValidationError, match="colour"):
        tree.normalize_color(value)


@pytest.mark.parametrize("name", ["", "   ", "a/b", "x" * 201, "数据\n开放", "数据\t开放", "数据\x00", "数据\x85开放"])
def test_bad_names_are_refused(name):
    with pytest.raises(ValidationError):
        tree.clean_name(name)


def test_names_are_trimmed():
    assert tree.clean_name("  分级分类 ") == "分级分类"


def test_paths_of_agrees_with_paths_for_the_nodes_asked(db):
    from framework import services as framework_services
    from tests.factories import ProjectFactory

    project = ProjectFactory()
    framework_services.apply_template(project=project, template="lifecycle")
    every = tree.paths(tree.rows_for(project))
    some = list(every)[::7]
    assert tree.paths_of(project, some) == {i: every[i] for i in some}


def test_a_description_keeps_line_breaks_but_refuses_other_control_characters():
    assert tree.clean_description("定义：\n\t公开\r\n") == "定义：\n\t公开\r\n"
    with pytest.raises(ValidationError, match=r"\(U\+0007\)"):
        tree.clean_description("响铃\x07")


def test_height_counts_levels_down_to_the_deepest_descendant():
    rows = [Row(1, None, "a"), Row(2, 1, "b"), Row(3, 2, "c"), Row(4, 1, "d")]
    assert [tree.height(rows, node_id) for node_id in (1, 2, 3, 4)] == [3, 2, 1, 1]


def test_check_depth_allows_the_limit_and_refuses_one_more():
    tree.check_depth(tree.MAX_DEPTH)
    with pytest.raises(ValidationError, match="nested more than 50 levels deep"):
        tree.check_depth(tree.MAX_DEPTH + 1)
