"""All writes to the codebook: each is one transaction that first locks the project's tree, so edits queue."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from framework import builtin, exchange, tree
from framework.models import DEFAULT_COLOR, Node
from policies import hooks
from policies.models import Project


class ConfirmationNeeded(ValidationError):
    """Deleting would remove codings: ask first. `totals` says how many codings, documents and coders."""

    def __init__(self, message: str, totals):
        super().__init__(message)
        self.totals = totals


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (path, what changed on the way in)

    @property
    def detail(self) -> str:
        return _("%(added)d nodes added, %(skipped)d skipped.") % {
            "added": len(self.added),
            "skipped": len(self.skipped),
        }

    def as_dict(self) -> dict:
        return {
            "detail": self.detail,
            "added": self.added,
            "skipped": [{"path": path, "reason": why} for path, why in self.skipped],
            "notes": [{"path": path, "note": note} for path, note in self.notes],
        }


# --- locking and placing ---------------------------------------------------------------------------
def _lock_tree(project_id: int) -> None:
    """Serialize codebook writes per project (FOR NO KEY UPDATE: documents may still be added meanwhile)."""
    list(Project.objects.select_for_update(no_key=True).filter(pk=project_id).values_list("pk", flat=True))


def _fresh(node_id: int, project_id: int | None = None) -> Node:
    nodes = Node.objects.select_for_update()
    if project_id is not None:
        nodes = nodes.filter(project_id=project_id)
    try:
        return nodes.get(pk=node_id)
    except Node.DoesNotExist:
        raise ValidationError(_("That node no longer exists: someone may have deleted or merged it.")) from None


def _check_parent(project_id: int, parent: Node | None) -> Node | None:
    if parent is None:
        return None
    return _fresh(parent.pk, project_id)


def _check_free(project_id: int, parent_id: int | None, name: str, *, exclude: int | None = None) -> None:
    clash = Node.objects.siblings_of(project_id=project_id, parent_id=parent_id).filter(name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError(_duplicate_message(name, parent_id))


def _duplicate_message(name: str, parent_id: int | None) -> str:
    if parent_id is None:
        return _("There is already a top-level node named “%(name)s”.") % {"name": name}
    parent = Node.objects.filter(pk=parent_id).values_list("name", flat=True).first() or ""
    return _("“%(parent)s” already has a node named “%(name)s”: node names must differ among siblings.") % {
        "parent": parent,
        "name": name,
    }


def _save(node: Node) -> None:
    """Save; a sibling with the same name that another owner created meanwhile becomes a readable error."""
    try:
        with transaction.atomic():
            node.save()
    except IntegrityError:
        raise ValidationError(_duplicate_message(node.name, node.parent_id)) from None


def _place(node: Node, position: int | None) -> None:
    """Put the saved node at position among its siblings (None: last) and renumber them 0, 1, 2 …"""
    siblings = list(
        Node.objects.select_for_update()
        .siblings_of(project_id=node.project_id, parent_id=node.parent_id)
        .exclude(pk=node.pk)
        .order_by("order", "id")
    )
    position = len(siblings) if position is None else max(0, min(position, len(siblings)))
    siblings.insert(position, node)
    _renumber(siblings)


def _renumber(siblings: list[Node]) -> None:
    changed = []
    for index, sibling in enumerate(siblings):
        if sibling.order != index:
            sibling.order = index
            changed.append(sibling)
    Node.objects.bulk_update(changed, ["order"])


def _close_gap(project_id: int, parent_id: int | None) -> None:
    _renumber(
        list(
            Node.objects.select_for_update()
            .siblings_of(project_id=project_id, parent_id=parent_id)
            .order_by("order", "id")
        )
    )


def _next_order(project_id: int, parent_id: int | None) -> int:
    last = (
        Node.objects.siblings_of(project_id=project_id, parent_id=parent_id)
        .order_by("-order")
        .values_list("order", flat=True)
        .first()
    )
    return 0 if last is None else last + 1


def _tree_rows(project_id: int) -> list[tree.Row]:
    return [
        tree.Row(id=i, parent_id=p, name="")
        for i, p in Node.objects.filter(project_id=project_id).values_list("id", "parent_id")
    ]


# --- single nodes -------------------------------------------------------------------------------------
@transaction.atomic
def node_create(
    *,
    project: Project,
    name: str,
    parent: Node | None = None,
    description: str = "",
    color: str | None = None,
    position: int | None = None,
) -> Node:
    """Add a node under parent (None: top level); without a colour it takes its parent's."""
    _lock_tree(project.pk)
    name = tree.clean_name(name)
    parent = _check_parent(project.pk, parent)
    if parent is not None:
        tree.check_depth(tree.levels(_tree_rows(project.pk))[parent.pk] + 1)
    color = tree.normalize_color(color) if color else (parent.color if parent else DEFAULT_COLOR)
    _check_free(project.pk, parent.pk if parent else None, name)
    node = Node(project=project, parent=parent, name=name, description=description or "", color=color)
    node.order = _next_order(project.pk, node.parent_id)
    _save(node)
    if position is not None:
        _place(node, position)
    return node


@transaction.atomic
def node_update(
    *, node: Node, name: str | None = None, description: str | None = None, color: str | None = None
) -> Node:
    """Rename, describe or recolour a node; only the given fields change."""
    _lock_tree(node.project_id)
    node = _fresh(node.pk)
    if name is not None:
        node.name = tree.clean_name(name)
        _check_free(node.project_id, node.parent_id, node.name, exclude=node.pk)
    if description is not None:
        node.description = description
    if color is not None:
        node.color = tree.normalize_color(color)
    _save(node)
    return node


@transaction.atomic
def node_move(*, node: Node, parent: Node | None, position: int | None = None) -> Node:
    """Put node (with its subtree and codings) under parent at position among its new siblings (None: last)."""
    _lock_tree(node.project_id)
    node = _fresh(node.pk)
    parent = _check_parent(node.project_id, parent)
    parent_id = parent.pk if parent else None
    rows = _tree_rows(node.project_id)
    if tree.would_cycle(rows, node.pk, parent_id):
        raise ValidationError(
            _("“%(name)s” cannot move under itself or one of its own descendants.") % {"name": node.name}
        )
    tree.check_depth((tree.levels(rows)[parent_id] if parent_id else 0) + tree.height(rows, node.pk))
    old_parent_id = node.parent_id
    if parent_id != old_parent_id:
        _check_free(node.project_id, parent_id, node.name, exclude=node.pk)
        node.parent = parent
        node.order = _next_order(node.project_id, parent_id)
        _save(node)
    _place(node, position)
    if parent_id != old_parent_id:
        _close_gap(node.project_id, old_parent_id)
    return node


def move_position(
    *, node: Node, parent: Node | None, before: Node | None = None, after: Node | None = None
) -> int | None:
    """The position among parent's children (without node) that lands node just before or after a sibling."""
    anchor = before or after
    if anchor is None:
        return None
    siblings = list(
        Node.objects.siblings_of(project_id=node.project_id, parent_id=parent.pk if parent else None)
        .exclude(pk=node.pk)
        .order_by("order", "id")
        .values_list("pk", flat=True)
    )
    if anchor.pk not in siblings:
        return None
    return siblings.index(anchor.pk) + (1 if after else 0)


@transaction.atomic
def node_merge(*, source: Node, target: Node, actor) -> dict:
    """Merge source into target, NVivo-style: its codings and children move to target, then source is gone.

    A coding the target already has (same document, coder, start and end) is dropped (its memo fills an empty
    memo at the target); a child whose name the target already uses is merged into that child, recursively.
    """
    _lock_tree(source.project_id)
    source, target = _fresh(source.pk), _fresh(target.pk)
    if source.project_id != target.project_id:
        raise ValidationError(_("Nodes can only be merged within one project."))
    if source.pk == target.pk:
        raise ValidationError(_("Choose another node to merge “%(name)s” into.") % {"name": source.name})
    if target.pk in tree.descendants(_tree_rows(source.project_id), source.pk):
        raise ValidationError(
            _("“%(source)s” cannot be merged into “%(target)s”, which lies inside it.")
            % {"source": source.name, "target": target.name}
        )
    report = {"codings_moved": 0, "duplicates_dropped": 0, "children_moved": 0, "nodes_merged": 0}
    old_parent_id = source.parent_id
    _merge_into(source, target, report, actor=actor, paths=tree.paths(tree.rows_for(source.project)))
    _close_gap(source.project_id, old_parent_id)
    return report


def _merge_into(source: Node, target: Node, report: dict, *, actor, paths: dict[int, str]) -> None:
    moved, dropped = hooks.call("node_codings_merge", source, target, actor=actor, path=paths[source.pk])
    report["duplicates_dropped"] += dropped
    report["codings_moved"] += moved
    target_children = {child.name: child for child in Node.objects.select_for_update().filter(parent=target)}
    next_order = _next_order(target.project_id, target.pk)
    for child in Node.objects.select_for_update().filter(parent=source).order_by("order", "id"):
        if child.name in target_children:
            _merge_into(child, target_children[child.name], report, actor=actor, paths=paths)
        else:
            child.parent, child.order = target, next_order
            next_order += 1
            _save(child)
            report["children_moved"] += 1
    _carry_over(source, target)
    Node.objects.filter(pk=source.pk).delete()
    report["nodes_merged"] += 1


def _carry_over(source: Node, target: Node) -> None:
    """Point other apps' rows about source (e.g. a node memo) at target, unless target already has its own."""
    for relation in Node._meta.related_objects:
        if relation.related_model is Node or not relation.many_to_one:
            continue
        rows = relation.related_model._base_manager.filter(**{relation.field.name: source})
        try:
            with transaction.atomic():
                rows.update(**{relation.field.name: target})
        except IntegrityError:
            pass  # the target keeps its own; the source's goes with the source


@transaction.atomic
def node_delete(*, node: Node, actor, confirm: bool = False):
    """Delete node, its descendants and their codings; with codings at stake, only when confirm is true."""
    _lock_tree(node.project_id)
    node = _fresh(node.pk)
    ids = [node.pk, *tree.descendants(_tree_rows(node.project_id), node.pk)]
    totals = hooks.call("subtree_counts", ids)
    if totals.references and not confirm:
        raise ConfirmationNeeded(
            _(
                "Deleting “%(name)s” removes %(references)d codings in %(documents)d documents by %(coders)d coders"
                " (and %(nodes)d nodes below it). Confirm to delete."
            )
            % {
                "name": node.name,
                "references": totals.references,
                "documents": totals.documents,
                "coders": totals.coders,
                "nodes": len(ids) - 1,
            },
            totals,
        )
    path = tree.paths(tree.rows_for(node.project))[node.pk]
    hooks.call("nodes_codings_delete", node, ids, actor=actor, path=path)
    Node.objects.filter(pk__in=ids).delete()
    _close_gap(node.project_id, node.parent_id)
    return totals


# --- whole codebooks ----------------------------------------------------------------------------------
@transaction.atomic
def codebook_import(*, project: Project, entries: list[exchange.Entry]) -> ImportReport:
    """Merge entries into the codebook: a node whose GUID is already here is that node (renamed when the file
    renamed it), else by path: new paths are added (missing parents too), existing ones kept."""
    _lock_tree(project.pk)
    rows = tree.rows_for(project)
    by_path = {n.path: n.row.id for n in tree.walk(rows)}
    by_guid = {row.guid: row.id for row in rows}
    colors = {row.id: row.color for row in rows}
    guids = {row.guid for row in rows}
    implied: set[str] = set()  # parents this import created before their own line came
    seen: set[str] = set()
    next_order: dict[int | None, int] = {}
    report = ImportReport()

    def create(names: tuple[str, ...], entry: exchange.Entry | None) -> None:
        parent_id = by_path[tree.SEPARATOR.join(names[:-1])] if len(names) > 1 else None
        if parent_id not in next_order:
            next_order[parent_id] = _next_order(project.pk, parent_id)
        guid = entry.guid if entry and entry.guid and entry.guid not in guids else None
        node = Node(
            project=project,
            parent_id=parent_id,
            name=names[-1],
            description=entry.description if entry else "",
            color=(entry.color if entry else None) or colors.get(parent_id, DEFAULT_COLOR),
            order=next_order[parent_id],
            codable=entry.codable if entry else True,
        )
        if guid:
            node.guid = guid
        next_order[parent_id] += 1
        _save(node)
        path = tree.SEPARATOR.join(names)
        by_path[path], colors[node.pk] = node.pk, node.color
        guids.add(str(node.guid))
        report.added.append(path)

    for entry in entries:
        path = entry.path
        if entry.ref and not entry.guid:
            report.notes.append(
                (path, _("its GUID “%(guid)s” is not a UUID; it got a new one") % {"guid": entry.ref[:40]})
            )
        elif entry.guid and entry.guid in guids and entry.guid not in by_guid:
            report.notes.append((path, _("its GUID appears twice in the file; it got a new one")))
        if entry.guid in by_guid:  # the same node, wherever the file has it now
            by_path = _match_by_guid(project, by_guid[entry.guid], entry, by_path, report)
            seen.add(path)
            continue
        for depth in range(1, len(entry.names)):
            prefix = entry.names[:depth]
            if tree.SEPARATOR.join(prefix) not in by_path:
                create(prefix, None)
                implied.add(tree.SEPARATOR.join(prefix))
        if entry.note:
            report.notes.append((path, entry.note))
        if path in implied:
            _fill_implied(by_path[path], entry, guids)
            implied.discard(path)
            seen.add(path)
        elif path in seen:
            report.skipped.append((path, _("appears more than once in the file")))
        elif path in by_path:
            seen.add(path)
            report.skipped.append((path, _("already in the codebook; its description and colour were kept")))
        else:
            seen.add(path)
            create(entry.names, entry)
    return report


def _match_by_guid(project: Project, node_id: int, entry: exchange.Entry, by_path: dict, report: ImportReport) -> dict:
    """A file's code with the GUID of a node here: a new name under the same parent renames the node (NVivo
    renamed it); anything else is reported and the node stays as it is. Returns the paths, updated."""
    old = next(path for path, pk in by_path.items() if pk == node_id)
    old_names = tree.split_path(old)
    if old == entry.path:
        report.skipped.append((entry.path, _("already in the codebook; its description and colour were kept")))
        return by_path
    if len(old_names) != len(entry.names) or tuple(old_names[:-1]) != entry.names[:-1]:
        report.skipped.append((entry.path, _("its GUID belongs to “%(old)s”, which stays where it is") % {"old": old}))
        return by_path
    node = _fresh(node_id, project.pk)
    try:
        _check_free(project.pk, node.parent_id, entry.names[-1], exclude=node.pk)
    except ValidationError:
        report.skipped.append(
            (entry.path, _("a sibling already has this name; “%(old)s” was not renamed") % {"old": old})
        )
        return by_path
    node.name = entry.names[-1]
    _save(node)
    report.notes.append((entry.path, _("renamed from “%(old)s” (the same GUID)") % {"old": old}))
    return {n.path: n.row.id for n in tree.walk(tree.rows_for(project))}


def _fill_implied(node_id: int, entry: exchange.Entry, guids: set[str]) -> None:
    node = Node.objects.get(pk=node_id)
    node.description = entry.description
    node.color = entry.color or node.color
    if entry.guid and entry.guid not in guids:
        node.guid = entry.guid
        guids.add(entry.guid)
    _save(node)


def codebook_import_file(*, project: Project, filename: str, data: bytes) -> ImportReport:
    """Import a .csv, .json or .qdc codebook file into the project (all or nothing)."""
    entries = exchange.read(data, exchange.format_of(filename))
    if not entries:
        raise ValidationError(_("The file holds no nodes."))
    return codebook_import(project=project, entries=entries)


def apply_template(*, project: Project, template: str) -> dict:
    """Add a built-in codebook (lifecycle, stakeholders); nodes already there are skipped, so twice adds nothing."""
    return codebook_import(project=project, entries=builtin.entries(template)).as_dict()
