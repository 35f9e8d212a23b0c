"""The codebook figure: pure SVG from the tree."""

from framework import figure, tree
from framework.tree import Row


def test_a_tree_of_any_depth_draws_without_recursion():
    rows = [Row(i + 1, i or None, f"第{i}层") for i in range(3000)]  # deeper than Python's recursion limit
    drawn = figure.svg(tree.build(rows), title="编码本")
    assert drawn.count('<g class="node') == 3001  # the root box and every level


def test_a_parent_sits_level_with_the_middle_of_its_children():
    rows = [Row(1, None, "数据开放"), Row(2, 1, "甲"), Row(3, 1, "乙"), Row(4, 1, "丙"), Row(5, None, "数据共享")]
    drawn = figure.svg(tree.build(rows), title="编码本")
    y = {
        name: drawn.split(f">{name}</text>")[0].rsplit('y="', 1)[1].split('"')[0]
        for name in ("甲", "乙", "丙", "数据开放")
    }
    assert float(y["数据开放"]) == float(y["乙"])  # the middle of 甲 and 丙
    assert float(y["甲"]) < float(y["乙"]) < float(y["丙"])
