"""HTML pages for the codebook; htmx requests get the named partial, and every change fires `codebook-changed`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from framework import access as node_access
from framework import builtin, downloads, panel, services
from framework.forms import ImportForm, MergeForm, MoveForm, NodeCreateForm, NodeForm, TemplateForm
from framework.models import Node
from policies import access, error_pages, queries
from policies.models import Role

PAGE = "framework/codebook.html"


def _detail(request: HttpRequest, node: Node | None, project, *, error: str = "", notice: str = "", **extra):
    """The node-detail partial for node (or the empty state), with a message; changes announce themselves."""
    can_edit = access.membership_for(request.user, project.pk).allows(Role.OWNER)
    context = {"project": project, "can_edit": can_edit, "error": error, "notice": notice, **extra}
    if node is not None:
        context.update(panel.detail_context(node, request.user, can_edit=can_edit))
    response = render(request, f"{PAGE}#node-detail", context)
    if notice:
        trigger_client_event(response, "codebook-changed")
    return response


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
@require_GET
def codebook_page(request: HttpRequest, project_id: int) -> HttpResponse:
    membership = access.membership_for(request.user, project_id)
    project = membership.project
    node = (
        project.nodes.filter(pk=request.GET.get("node") or 0).first()
        if queries.is_number(request.GET.get("node", ""))
        else None
    )
    if request.htmx and not request.htmx.history_restore_request:  # a click on a node in the tree
        return _detail(request, node, project)
    context = {
        **panel.panel_context(project, request.user),
        "membership": membership,
        "can_edit": membership.allows(Role.OWNER),
        "templates": builtin.available(),
        "import_form": ImportForm(),
        "create_form": NodeCreateForm(),
    }
    if node is not None:
        context.update(panel.detail_context(node, request.user, can_edit=context["can_edit"]))
    return render(request, PAGE, context)


@login_required
@require_GET
def tree_panel(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id)
    return render(request, "framework/_tree_panel.html", panel.panel_context(project, request.user))


@login_required
@require_POST
def node_create(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id, need=Role.OWNER)
    form = NodeCreateForm(request.POST)
    if not form.is_valid():
        return _detail(request, None, project, error=_("Give the new node a name."))
    parent = project.nodes.filter(pk=form.cleaned_data["parent"]).first() if form.cleaned_data["parent"] else None
    try:
        node = services.node_create(
            project=project, parent=parent, name=form.cleaned_data["name"], color=form.cleaned_data["color"] or None
        )
    except ValidationError as error:
        return _detail(request, parent, project, error=_errors(error))
    return _detail(request, node, project, notice=_("Node “%(name)s” added.") % {"name": node.name})


@login_required
def node_detail(request: HttpRequest, node_id: int) -> HttpResponse:
    """GET: the node's panel; POST (owners): rename, describe, recolour."""
    node = node_access.node_for(request.user, node_id, need=Role.OWNER if request.method == "POST" else Role.VIEWER)
    if request.method != "POST":
        return _detail(request, node, node.project)
    form = NodeForm(request.POST)
    if not form.is_valid():
        return _detail(request, node, node.project, error=_("A node needs a name."))
    try:
        node = services.node_update(
            node=node, **{k: v or None if k == "color" else v for k, v in form.cleaned_data.items()}
        )
    except ValidationError as error:
        return _detail(request, node, node.project, error=_errors(error))
    return _detail(request, node, node.project, notice=_("Saved."))


@login_required
@require_POST
def node_move(request: HttpRequest, node_id: int) -> HttpResponse:
    """Move by drag and drop (parent, before/after) or by the menu (parent; direction up/down)."""
    node = node_access.node_for(request.user, node_id, need=Role.OWNER)
    form = MoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose where to move the node."))
        parent, position = _destination(node, form.cleaned_data)
        node = services.node_move(node=node, parent=parent, position=position)
    except ValidationError as error:
        return _detail(request, node, node.project, error=_errors(error))
    return _detail(request, node, node.project, notice=_("Moved."))


def _destination(node: Node, data: dict) -> tuple[Node | None, int | None]:
    siblings = list(
        Node.objects.siblings_of(project_id=node.project_id, parent_id=node.parent_id).values_list("pk", flat=True)
    )
    if data["direction"]:
        index = siblings.index(node.pk) + (-1 if data["direction"] == "up" else 1)
        return node.parent, max(index, 0)
    nodes = Node.objects.filter(project_id=node.project_id)
    anchor = nodes.filter(pk=data["before"] or data["after"] or 0).first()
    if anchor is not None:
        parent = anchor.parent
        position = services.move_position(
            node=node, parent=parent, before=anchor if data["before"] else None, after=anchor if data["after"] else None
        )
        return parent, position
    if data["parent"] in ("", "root"):
        return None, None
    parent = nodes.filter(pk=data["parent"] if queries.is_number(data["parent"]) else 0).first()
    if parent is None:
        raise ValidationError(_("The chosen parent node no longer exists."))
    return parent, None


@login_required
@require_POST
def node_merge(request: HttpRequest, node_id: int) -> HttpResponse:
    node = node_access.node_for(request.user, node_id, need=Role.OWNER)
    form = MergeForm(request.POST)
    target = node.project.nodes.filter(pk=form.cleaned_data["target"]).first() if form.is_valid() else None
    if target is None:
        return _detail(request, node, node.project, error=_("Choose the node to merge into."))
    try:
        report = services.node_merge(source=node, target=target, actor=request.user)
    except ValidationError as error:
        return _detail(request, node, node.project, error=_errors(error))
    notice = _("Merged “%(source)s” into “%(target)s”: %(moved)d codings moved, %(dropped)d duplicates dropped.") % {
        "source": node.name,
        "target": target.name,
        "moved": report["codings_moved"],
        "dropped": report["duplicates_dropped"],
    }
    return _detail(request, target, node.project, notice=notice)


@login_required
@require_POST
def node_delete(request: HttpRequest, node_id: int) -> HttpResponse:
    node = node_access.node_for(request.user, node_id, need=Role.OWNER)
    try:
        services.node_delete(node=node, actor=request.user, confirm=request.POST.get("confirm") == "1")
    except services.ConfirmationNeeded as needed:
        return _detail(request, node, node.project, confirm_delete=_errors(needed), totals=needed.totals)
    except ValidationError as error:
        return _detail(request, node, node.project, error=_errors(error))
    return _detail(request, None, node.project, notice=_("Node “%(name)s” deleted.") % {"name": node.name})


@login_required
@require_POST
def template_apply(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id, need=Role.OWNER)
    form = TemplateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a built-in codebook."))
    else:
        report = services.apply_template(project=project, template=form.cleaned_data["template"])
        messages.success(request, report["detail"])
    return redirect("framework:codebook", project.pk)


@login_required
@require_POST
def codebook_import(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id, need=Role.OWNER)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError(_("Choose a codebook file (.csv, .json or .qdc) first."))
        report = services.codebook_import_file(project=project, filename=upload.name, data=upload.read())
    except ValidationError as error:
        messages.error(request, _("Nothing was imported: %(why)s") % {"why": _errors(error)})
        return redirect("framework:codebook", project.pk)
    messages.success(request, report.detail)
    for path, why in report.skipped[:20]:
        messages.info(request, f"{path}: {why}")
    for path, note in report.notes[:20]:
        messages.info(request, f"{path}: {note}")
    return redirect("framework:codebook", project.pk)


@login_required
@require_GET
def codebook_export(request: HttpRequest, project_id: int, fmt: str) -> HttpResponse:
    return downloads.export_response(access.project_for(request.user, project_id), fmt)


@login_required
@require_GET
def figure_svg(request: HttpRequest, project_id: int, fmt: str = "svg") -> HttpResponse:
    project = access.project_for(request.user, project_id)
    try:
        return downloads.figure_response(project, downloads.figure_request(request.GET), request.user, fmt)
    except ValidationError as invalid:  # an unknown coder in ?coders=
        return error_pages.bad_request(request, invalid, project=project)
