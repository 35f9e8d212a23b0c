"""The codebook tree over plain rows: nesting, paths, descendants, cycles. Pure, except the loader at the bottom."""

import colorsys
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from framework.models import Node
from policies import control_chars

SEPARATOR = "/"  # joins names into a path: 数据开放/分级分类; names may not contain it
NAME_MAX = 200
MAX_DEPTH = 50  # levels: one limit for every import format, new nodes and moves
_HEX = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def clean_name(name: str) -> str:
    """A node name, trimmed; refuses an empty name, one with the path separator, or one too long."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("A node needs a name."))
    if SEPARATOR in name:
        raise ValidationError(
            _("“%(name)s”: a node name cannot contain “/”, which separates the levels of a path.") % {"name": name}
        )
    if len(name) > NAME_MAX:
        raise ValidationError(_("A node name can have at most %(max)d characters.") % {"max": NAME_MAX})
    if bad := control_chars.in_name(name):
        raise ValidationError(
            _("A node name cannot contain a line break or control character (%(char)s).")
            % {"char": control_chars.code_point(bad)}
        )
    return name


def clean_description(description: str) -> str:
    """A node description (the coding rule): any text with line breaks, but no other control character."""
    if bad := control_chars.in_text(description):
        raise ValidationError(
            _("A description cannot contain a control character (%(char)s).") % {"char": control_chars.code_point(bad)}
        )
    return description


def check_depth(levels: int) -> None:
    """Refuses a codebook deeper than MAX_DEPTH levels, wherever a tree is read or built."""
    if levels > MAX_DEPTH:
        raise ValidationError(_("The codebook is nested more than %(max)d levels deep.") % {"max": MAX_DEPTH})


def normalize_color(value: str) -> str:
    """#rgb or #rrggbb (any case) → lowercase #rrggbb; anything else is refused."""
    match = _HEX.fullmatch((value or "").strip())
    if not match:
        raise ValidationError(
            _("“%(value)s” is not a colour: use #rrggbb, e.g. #4e79a7.") % {"value": (value or "")[:40]}
        )
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return f"#{digits}"


@dataclass(frozen=True, slots=True)
class Row:
    """One node as stored: enough to place it in the tree."""

    id: int
    parent_id: int | None
    name: str
    order: int = 0
    description: str = ""
    color: str = "#4e79a7"
    guid: str = ""
    codable: bool = True


@dataclass(slots=True)
class TreeNode:
    row: Row
    path: str
    depth: int  # 0 for a top-level node
    children: list["TreeNode"] = field(default_factory=list)


def children_map(rows: Iterable[Row]) -> dict[int | None, list[Row]]:
    """Rows grouped by parent id, each group in sibling order (order, then id)."""
    groups: defaultdict[int | None, list[Row]] = defaultdict(list)
    for row in rows:
        groups[row.parent_id].append(row)
    for siblings in groups.values():
        siblings.sort(key=lambda r: (r.order, r.id))
    return groups


def walk(rows: Iterable[Row]) -> list[TreeNode]:
    """Every node in depth-first (display) order, with its path and depth; built iteratively, any depth."""
    groups = children_map(rows)
    ordered: list[TreeNode] = []
    stack = [(row, "", 0) for row in reversed(groups.get(None, []))]
    while stack:
        row, prefix, depth = stack.pop()
        node = TreeNode(row=row, path=f"{prefix}{row.name}", depth=depth)
        ordered.append(node)
        stack.extend((child, f"{node.path}{SEPARATOR}", depth + 1) for child in reversed(groups.get(row.id, [])))
    return ordered


def build(rows: Iterable[Row]) -> list[TreeNode]:
    """The nested tree: top-level nodes with their children filled in."""
    return build_from(walk(rows))


def build_from(ordered: Sequence[TreeNode]) -> list[TreeNode]:
    """Nest nodes already in walk() order (fills their children lists)."""
    by_id = {n.row.id: n for n in ordered}
    roots = []
    for node in ordered:
        parent = by_id.get(node.row.parent_id)
        (parent.children if parent else roots).append(node)
    return roots


def paths(rows: Iterable[Row]) -> dict[int, str]:
    """Node id → path (数据开放/分级分类)."""
    return {n.row.id: n.path for n in walk(rows)}


def levels(rows: Iterable[Row]) -> dict[int, int]:
    """Node id → level, 1 for a top-level node (the paper's 一级类目)."""
    return {n.row.id: n.depth + 1 for n in walk(rows)}


def top_level_names(rows: Iterable[Row]) -> dict[int, str]:
    """Node id → the name of its top-level ancestor (itself for a top-level node)."""
    return {n.row.id: n.path.split(SEPARATOR, 1)[0] for n in walk(rows)}


def descendants(rows: Iterable[Row], node_id: int) -> set[int]:
    """Ids of every node below node_id (not node_id itself)."""
    groups = children_map(rows)
    found: set[int] = set()
    stack = [node_id]
    while stack:
        for child in groups.get(stack.pop(), []):
            if child.id not in found:
                found.add(child.id)
                stack.append(child.id)
    return found


def height(rows: Iterable[Row], node_id: int) -> int:
    """Levels from node_id down to its deepest descendant: 1 for a leaf."""
    rows = list(rows)
    level = levels(rows)
    return max((level[i] for i in descendants(rows, node_id)), default=level[node_id]) - level[node_id] + 1


def would_cycle(rows: Iterable[Row], node_id: int, new_parent_id: int | None) -> bool:
    """True when putting node_id under new_parent_id puts it under itself."""
    if new_parent_id is None:
        return False
    return new_parent_id == node_id or new_parent_id in descendants(rows, node_id)


def split_path(path: str) -> list[str]:
    """Path → names; an empty segment (a//b, /a, a/) gives an empty name that the caller must refuse."""
    return [part.strip() for part in path.strip().split(SEPARATOR)]


# --- loaders: the only place in this module that queries ----------------------------------------


def paths_of(project, node_ids) -> dict[int, str]:
    """Paths of just these nodes, from (id, parent, name) alone: cheap enough for every coding saved."""
    parents = {i: (p, n) for i, p, n in Node.objects.filter(project=project).values_list("id", "parent_id", "name")}
    found = {}
    for node_id in set(node_ids):
        names, current = [], node_id
        while current is not None and current in parents and len(names) <= len(parents):
            current, name = parents[current]
            names.append(name)
        found[node_id] = "/".join(reversed(names))
    return found


def rows_for(project) -> list[Row]:
    """The project's nodes as plain rows."""
    return [
        Row(id=i, parent_id=p, name=n, order=o, description=d, color=c, guid=str(g), codable=k)
        for i, p, n, o, d, c, g, k in project.nodes.values_list(
            "id", "parent_id", "name", "order", "description", "color", "guid", "codable"
        ).order_by()
    ]


_SHADE_LIGHTNESS = (-0.1, 0.1, -0.18, 0.17, -0.04, 0.05, -0.24, 0.22)


def shade(color: str, index: int) -> str:
    """The `index`-th shade of `color` for a subcategory: the same hue family, told apart by lightness and a small
    turn of the hue (alternately either way), so that siblings are distinguishable side by side."""
    red, green, blue = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    turn = (1 if index % 2 else -1) * min(0.08, 0.02 * (1 + index // 2))
    lightness = min(0.78, max(0.22, lightness + _SHADE_LIGHTNESS[index % len(_SHADE_LIGHTNESS)]))
    red, green, blue = colorsys.hls_to_rgb((hue + turn) % 1.0, lightness, saturation)
    return "#" + "".join(f"{round(v * 255):02x}" for v in (red, green, blue))


def display_colors(rows: Iterable[Row]) -> dict[int, str]:
    """The colour each node is shown in. A node whose colour was set (differs from its parent's) keeps it; one that
    only inherited its category's colour gets a shade of its parent's shown colour, one per such sibling."""
    groups = children_map(rows)
    shown = {row.id: row.color for row in groups.get(None, [])}
    stack = list(groups.get(None, []))
    while stack:
        row = stack.pop()
        inheriting = [child for child in groups.get(row.id, []) if child.color == row.color]
        for child in groups.get(row.id, []):
            shown[child.id] = shade(shown[row.id], inheriting.index(child)) if child in inheriting else child.color
            stack.append(child)
    return shown
