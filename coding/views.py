"""HTML pages for coding: the coding workspace, the node view, memos and the audit trail."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coding import layers
from framework import tree
from policies import access, passages
from policies.models import Role


def _nodes(project) -> list[dict]:
    return [
        {"id": n.row.id, "parent": n.row.parent_id, "name": n.row.name, "path": n.path, "color": n.row.color}
        for n in tree.walk(tree.rows_for(project))
    ]


def _messages() -> dict[str, str]:
    return {
        "coded": _("Coded."),
        "removed": _("Coding removed."),
        "undone": _("Undone."),
        "nothing": _("Select some text first."),
        "remove": _("Remove"),
        "move": _("Move to…"),
        "memo": _("Memo"),
        "save": _("Save"),
        "noCodings": _("No codings at this place."),
        "failed": _("Could not save"),
        "updated": _("New codings from your team are shown."),
        "choose": _("Choose a node."),
        "by": _("by"),
    }


@login_required
@require_GET
def workspace(request: HttpRequest, document_id: int) -> HttpResponse:
    document = access.document_for(request.user, document_id)
    membership = access.membership_for(request.user, document.project_id)
    project = document.project
    lines = passages.paragraphs(document.text)
    data = {
        "project": project.pk,
        "document": document.pk,
        "length": document.char_count,
        "me": request.user.username,
        "role": membership.role,
        "canCode": membership.allows(Role.CODER),
        "nodes": _nodes(project),
        "codings": layers.coding_rows(layers.visible_codings(project, request.user).filter(document=document)),
        "coders": sorted(project.memberships.values_list("user__username", flat=True)),
        "messages": _messages(),
        "urls": {
            "codings": reverse("api:codings", args=[project.pk]),
            "undo": reverse("api:codings-undo", args=[project.pk]),
            "coding": reverse("api:coding", args=[0]),
            "nodes": reverse("api:nodes", args=[project.pk]),
        },
    }
    context = {
        "document": document,
        "project": project,
        "membership": membership,
        "text_html": mark_safe(passages.paragraphs_html(lines)),  # every line is escaped there
        "sections": passages.outline(document.text, lines, document.sections.all()),
        "workspace_data": data,
        **tree.panel_context(project, request.user),
    }
    return render(request, "coding/workspace.html", context)
