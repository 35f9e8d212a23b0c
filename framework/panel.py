"""The codebook tree panel and node detail: rows annotated for nesting, their HTML, and the page context (with
the counts of the codings the user may see, from the coding app through policies.hooks)."""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from framework import forms, tree
from framework.tree import TreeNode
from policies import access, hooks
from policies.models import Role


@dataclass(frozen=True, slots=True)
class PanelRow:
    """One line of the rendered tree: the node, its counts, and the HTML nesting around it."""

    id: int
    name: str
    path: str
    color: str
    hint: str  # the start of the description, shown on hover
    level: int  # 1 for a top-level node
    has_children: bool
    closes: range  # how many open <ul>s end after this row
    documents: int = 0
    references: int = 0
    coders: int = 0


def panel_rows(ordered: Sequence[TreeNode], counts: dict[int, tuple[int, int, int]]) -> list[PanelRow]:
    """Depth-first rows annotated so a flat template loop can emit properly nested lists."""
    shown = tree.display_colors(node.row for node in ordered)
    rows = []
    for index, node in enumerate(ordered):
        next_depth = ordered[index + 1].depth if index + 1 < len(ordered) else 0
        has_children = next_depth > node.depth
        documents, references, coders = counts.get(node.row.id, (0, 0, 0))
        rows.append(
            PanelRow(
                id=node.row.id,
                name=node.row.name,
                path=node.path,
                color=shown[node.row.id],  # subcategories in shades of their category's colour (tree.display_colors)
                hint=_hint(node.row.description),
                level=node.depth + 1,
                has_children=has_children,
                closes=range(0 if has_children else node.depth - next_depth),
                documents=documents,
                references=references,
                coders=coders,
            )
        )
    return rows


def panel_html(rows: Sequence[PanelRow], *, node_url: str, can_edit: bool, with_counts: bool) -> SafeString:
    """The nested <li> items of the tree panel, built here rather than in the template because the template
    engine's ~60 µs a row alone would take a 2,000-node codebook past the panel's 150 ms budget.

    Every name, hint and colour is escaped here, so this function, and no caller, marks the result safe."""
    drag = ' draggable="true"' if can_edit else ""
    node_url = escape(node_url)
    parts = []
    for row in rows:
        hint = f' title="{escape(row.hint)}"' if row.hint else ""
        numbers = (
            f'<span class="cb-counts"><span>{row.documents}</span><span>{row.references}</span>'
            f"<span>{row.coders}</span></span>"
            if with_counts
            else ""
        )
        line = (
            f'<div class="cb-row" data-node-id="{row.id}" style="--node-color:{escape(row.color)}"{drag}>'
            f'<span class="cb-swatch"></span><a class="cb-name" href="{node_url}{row.id}"{hint}>{escape(row.name)}</a>'
            f"{numbers}</div>"
        )
        opening = f'<li role="treeitem" aria-level="{row.level}" data-node-id="{row.id}">'
        if row.has_children:
            parts.append(f'{opening}<details open><summary>{line}</summary><ul role="group">')
        else:
            parts.append(f"{opening}{line}</li>{'</ul></details></li>' * len(row.closes)}")
    return mark_safe("".join(parts))


def _hint(description: str, limit: int = 120) -> str:
    text = " ".join(description.split())
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def panel_context(project, user, *, with_counts: bool = True) -> dict:
    """Context for {% include "framework/_tree_panel.html" %}: the tree rows, counts and whether the user may edit."""

    membership = access.membership_for(user, project.pk)
    can_edit = membership.allows(Role.OWNER)
    ordered = tree.walk(tree.rows_for(project))
    # the counts of the codings the user may see (blind coding: my own only), from the coding app
    layer, per_node = hooks.call("node_counts", project, user)  # the default layer (blind coding: my own counts only)
    rows = panel_rows(ordered, per_node if with_counts else {})
    node_url = reverse("framework:codebook", args=[project.pk]) + "?node="
    items = panel_html(rows, node_url=node_url, can_edit=can_edit, with_counts=with_counts)
    return {
        "project": project,
        "tree_rows": rows,
        "tree_items": items,
        "tree_can_edit": can_edit,
        "tree_with_counts": with_counts,
        "tree_total": len(ordered),
        "tree_layer": layer,
    }


def detail_context(node, user, *, can_edit: bool) -> dict:
    """Context for the node-detail partial: the node, its path and the counts `user` may see, and where it may move
    or merge to."""

    rows = tree.rows_for(node.project)
    ordered = tree.walk(rows)
    inside = tree.descendants(rows, node.pk) | {node.pk}
    outside = [(n.row.id, n.path) for n in ordered if n.row.id not in inside]
    siblings = [n.row.id for n in ordered if n.row.parent_id == node.parent_id]
    layer, numbers = hooks.call("node_counts_for", [node.pk], node.project, user)
    own = numbers.get(node.pk, (0, 0, 0))
    return {
        "node": node,
        "path": next(n.path for n in ordered if n.row.id == node.pk),
        "node_counts": dict(zip(("documents", "references", "coders"), own, strict=True)),
        "node_layer": layer,
        "destinations": forms.DestinationsForm(node=node, outside=outside),
        "can_move_up": siblings.index(node.pk) > 0,
        "can_move_down": siblings.index(node.pk) < len(siblings) - 1,
        "below": len(inside) - 1,
        "can_edit": can_edit,
    }
