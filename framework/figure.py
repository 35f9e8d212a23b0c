"""The codebook drawn as a horizontal tree (root → categories → subcategories), as SVG text. Pure."""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

from framework import tree
from policies import writers

FONT_SIZE = 14
ROW_HEIGHT = 30
BOX_HEIGHT = 24
PAD_X = 10  # inside a box, left and right of the label
GAP_X = 36  # between columns, where the connectors run
MARGIN = 16


@dataclass(slots=True)
class _Placed:
    label: str
    color: str
    depth: int  # column: 0 is the root box
    y: float
    children: list["_Placed"]


def label_for(node: tree.TreeNode, counts: dict[int, int] | None) -> str:
    if counts is None:
        return node.row.name
    return f"{node.row.name} ({counts.get(node.row.id, 0)})"


def _place(root: _Placed, roots: Sequence[tree.TreeNode], counts: dict[int, int] | None, max_depth: int) -> int:
    """Puts the boxes of the tree under root: each leaf on its own row in display order, each parent level with the
    middle of its children. Iterative, so a codebook of any depth draws. Returns the number of rows."""
    everything = [root]
    leaves = 0
    stack = [(node, 1, root) for node in reversed(roots)]
    while stack:
        node, depth, parent = stack.pop()
        item = _Placed(label_for(node, counts), node.row.color, depth, 0.0, [])
        parent.children.append(item)
        everything.append(item)
        shown = [] if max_depth and depth >= max_depth else node.children
        if not shown:
            item.y = leaves * ROW_HEIGHT
            leaves += 1
        stack.extend((child, depth + 1, item) for child in reversed(shown))
    for item in reversed(everything):  # children come after their parent in display order
        if item.children:
            item.y = (item.children[0].y + item.children[-1].y) / 2
    return leaves


def svg(
    roots: Sequence[tree.TreeNode], *, title: str, counts: dict[int, int] | None = None, max_depth: int = 0
) -> SafeString:
    """An SVG document of the tree, every label escaped here; counts (node id → number) follow the names when given.

    max_depth > 0 draws only that many levels below the root (2 gives the paper's Figure 1).
    """
    root = _Placed(title, "#1f2328", 0, 0.0, [])
    rows = _place(root, roots, counts, max_depth)

    everything: list[_Placed] = []
    stack = [root]
    while stack:
        item = stack.pop()
        everything.append(item)
        stack.extend(item.children)
    depth_count = max(p.depth for p in everything) + 1
    widths = [0.0] * depth_count
    for item in everything:
        widths[item.depth] = max(widths[item.depth], writers.text_width(item.label, FONT_SIZE) + 2 * PAD_X)
    lefts = [MARGIN]
    for width in widths[:-1]:
        lefts.append(lefts[-1] + width + GAP_X)
    total_width = lefts[-1] + widths[-1] + MARGIN
    total_height = max(rows, 1) * ROW_HEIGHT + 2 * MARGIN

    def top(item: _Placed) -> float:
        return MARGIN + item.y + (ROW_HEIGHT - BOX_HEIGHT) / 2

    lines, boxes = [], []
    for item in everything:
        x, y = lefts[item.depth], top(item)
        w = writers.text_width(item.label, FONT_SIZE) + 2 * PAD_X
        label = (
            f'<text dominant-baseline="central" x="{x + PAD_X:.1f}" y="{y + BOX_HEIGHT / 2:.1f}" '
            f'fill="{"#ffffff" if item.depth == 0 else "#1f2328"}">{escape(item.label)}</text>'
        )
        if item.depth == 0:
            box = f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{BOX_HEIGHT}" rx="4" fill="#1f2328"/>'
        else:
            color = escape(item.color)
            box = (
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{BOX_HEIGHT}" rx="4" '
                f'fill="{color}" fill-opacity="0.14" stroke="{color}"/>'
            )
        boxes.append(f'<g class="node level-{item.depth}">{box}{label}</g>')
        if item.children:
            start_x, mid_y = x + w, y + BOX_HEIGHT / 2
            elbow_x = lefts[item.depth + 1] - GAP_X / 2
            for child in item.children:
                child_y = top(child) + BOX_HEIGHT / 2
                lines.append(
                    f'<path d="M{start_x:.1f} {mid_y:.1f}H{elbow_x:.1f}V{child_y:.1f}H{lefts[child.depth]:.1f}"/>'
                )
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_width:.0f}" height="{total_height:.0f}" '
        f'viewBox="0 0 {total_width:.0f} {total_height:.0f}" font-family="{escape(writers.FONT_FAMILY)}" '
        f'font-size="{FONT_SIZE}" dominant-baseline="central" role="img" aria-label="{escape(title)}">'
        f'<rect width="100%" height="100%" fill="#ffffff"/>'
        f'<g fill="none" stroke="#98a2b3" stroke-width="1">{"".join(lines)}</g>'
        f"{''.join(boxes)}</svg>"
    )
