"""The coding workspace: one document's text, outline, codebook panel and the data its script needs."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coding import layers, services, team
from coding.forms import MemoForm
from coding.models import MemoKind
from framework import panel, tree
from policies import access, passages
from policies.models import Role


def _nodes(project) -> list[dict]:
    walked = list(tree.walk(tree.rows_for(project)))
    shades = tree.display_colors([n.row for n in walked])
    return [
        {
            "id": n.row.id,
            "parent": n.row.parent_id,
            "name": n.row.name,
            "path": n.path,
            "color": n.row.color,
            "shade": shades[n.row.id],
            "codable": n.row.codable,
        }
        for n in walked
    ]


def _messages() -> dict[str, str]:
    return {
        "coded": _("Coded."),
        "codedAt": _("Coded at %(nodes)s."),
        "fromTeam": _("%(count)s new codings from %(names)s are shown."),
        "moved": _("Coding moved."),
        "codedHits": _("Coded %(count)s hits at %(nodes)s (one undo takes them all back)."),
        "hits": _("%(at)s of %(count)s"),
        "hitsMany": _("more than %(count)s hits: narrow the search"),
        "noHits": _("no hits"),
        "allHits": _("All %(count)s hits of “%(query)s”"),
        "memoSaved": _("Memo saved."),
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
    memo = document.memos.filter(kind=MemoKind.DOCUMENT).first()
    # ?layer=consensus: an adjudicator's new codings go to the consensus layer (共识) through api:consensus
    consensus = request.GET.get("layer") == "consensus" and services.may_adjudicate(
        project, request.user, membership.role
    )
    coder_choices = team.coder_choices(project)
    data = {
        "project": project.pk,
        "document": document.pk,
        "length": document.char_count,
        "me": request.user.username,
        "role": membership.role,
        "canCode": membership.allows(Role.CODER) or consensus,
        "nodes": _nodes(project),
        "codings": layers.coding_rows(layers.visible_codings(project, request.user).filter(document=document)),
        "coders": [name for name, _label in coder_choices],
        "coderLabels": dict(coder_choices),
        "layer": "consensus" if consensus else "",
        "adjudicator": services.may_adjudicate(project, request.user, membership.role),
        "consensusName": f"{services.CONSENSUS_PREFIX}{project.pk}",
        "timeZone": settings.TIME_ZONE,
        "messages": _messages(),
        "urls": {
            "write": reverse("api:consensus" if consensus else "api:codings", args=[project.pk]),
            "codings": reverse("api:codings", args=[project.pk]),
            "undo": reverse("api:codings-undo", args=[project.pk]),
            "coding": reverse("api:coding", args=[0]),
            "nodes": reverse("api:nodes", args=[project.pk]),
        },
    }
    sections = passages.outline(
        document.text, lines, passages.outline_sections(document.sections.values_list(*passages.OUTLINE_FIELDS))
    )
    context = {
        "document": document,
        "project": project,
        "membership": membership,
        "text_html": passages.paragraphs_html(lines),
        "sections": sections,
        "outline_html": passages.outline_html(sections, code_articles=data["canCode"]),
        "workspace_data": data,
        "coder_choices": coder_choices,
        "memo": memo,
        "memo_form": MemoForm(initial={"body": memo.body if memo else ""}),
        "assignment": document.assignments.filter(coder=request.user).first(),
        "can_write": membership.allows(Role.CODER),
        **panel.panel_context(project, request.user),
    }
    return render(request, "coding/workspace.html", context)
