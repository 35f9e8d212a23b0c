"""Node colours as shown: subcategories that only inherited their category's colour get distinguishable shades."""

import colorsys

from framework import tree
from framework.tree import Row


def hue(color: str) -> float:
    return colorsys.rgb_to_hls(*(int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)))[0]


def test_inherited_siblings_get_distinct_shades_of_the_category_hue():
    rows = [Row(1, None, "数据归集", color="#4e79a7")] + [
        Row(10 + k, 1, f"子节点{k}", order=k, color="#4e79a7") for k in range(8)
    ]
    shown = tree.display_colors(rows)
    assert shown[1] == "#4e79a7"
    children = [shown[10 + k] for k in range(8)]
    assert len(set(children)) == 8
    assert "#4e79a7" not in children
    for color in children:
        assert abs(hue(color) - hue("#4e79a7")) < 0.09  # the category's hue family


def test_a_colour_an_owner_set_is_kept_and_its_children_shade_from_it():
    rows = [
        Row(1, None, "数据共享", color="#f28e2b"),
        Row(2, 1, "共享平台", color="#e15759"),  # set by an owner: differs from the parent's
        Row(3, 2, "平台汇聚", color="#e15759"),  # inherited from 共享平台
        Row(4, 1, "共享要求", color="#f28e2b"),
    ]
    shown = tree.display_colors(rows)
    assert shown[2] == "#e15759"
    assert shown[3] == tree.shade("#e15759", 0)
    assert shown[4] == tree.shade("#f28e2b", 0)
    assert shown[3] != shown[2]


def test_shade_is_a_valid_colour_even_for_black_and_white():
    for base in ("#000000", "#ffffff", "#4e79a7"):
        for k in range(20):
            value = tree.shade(base, k)
            assert tree.normalize_color(value) == value
