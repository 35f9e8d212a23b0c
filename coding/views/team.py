"""Team coding: assignments, progress and blind-coding options; a coder marks a document done."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coding import services, team
from coding.forms import AssignForm, TeamOptionsForm
from policies import access
from policies.models import Role


def _team_forms(request: HttpRequest, project):
    members = [m.user for m in project.memberships.select_related("user").order_by("user__username")]
    coders = [m.user for m in project.memberships.select_related("user").filter(role__in=[Role.CODER, Role.OWNER])]
    documents = list(project.documents.defer("text").order_by("id"))
    options = services.options_for(project)
    data = request.POST if request.method == "POST" else None
    assign = AssignForm(
        data if data and data.get("action") in ("assign", "unassign") else None, documents=documents, coders=coders
    )
    initial = {"blind": options.blind, "adjudicators": services.adjudicator_ids(project)}
    settings_form = TeamOptionsForm(
        data if data and data.get("action") == "options" else None, members=members, initial=initial
    )
    return assign, settings_form, documents, {u.pk: u for u in members}


def _apply_team_action(request: HttpRequest, project, assign, settings_form, documents, users) -> None:
    action = request.POST.get("action")
    if action in ("assign", "unassign") and assign.is_valid():
        chosen = (
            documents
            if assign.cleaned_data["all_documents"]
            else [d for d in documents if str(d.pk) in assign.cleaned_data["documents"]]
        )
        coders = [users[int(pk)] for pk in assign.cleaned_data["coders"]]
        if action == "assign":
            added = services.assignments_add(project=project, documents=chosen, coders=coders, actor=request.user)
            messages.success(request, _("%(count)d assignments added.") % {"count": added})
        else:
            for document in chosen:
                for coder in coders:
                    services.assignment_remove(project=project, document=document, coder=coder)
            messages.success(request, _("Assignments removed."))
    elif action == "options" and settings_form.is_valid():
        chosen = [users[int(pk)] for pk in settings_form.cleaned_data["adjudicators"]]
        services.options_update(project=project, blind=settings_form.cleaned_data["blind"], adjudicators=chosen)
        messages.success(request, _("Team settings saved."))
    else:
        raise ValidationError(_("Choose the documents and coders first."))


@login_required
def team_page(request: HttpRequest, project_id: int) -> HttpResponse:
    """Assignments and progress (documents × coders); owners assign and set blind coding."""
    membership = access.membership_for(request.user, project_id)
    project = membership.project
    assign, settings_form, documents, users = _team_forms(request, project)
    if request.method == "POST":
        access.membership_for(request.user, project_id, need=Role.OWNER)
        try:
            _apply_team_action(request, project, assign, settings_form, documents, users)
            return redirect("coding:team", project.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    context = {
        "project": project,
        "membership": membership,
        "progress": team.progress(project, request.user),
        "assign_form": assign,
        "settings_form": settings_form,
        "options": services.options_for(project),
        "queue": team.queue(project, request.user),
    }
    return render(request, "coding/team.html", context)


@login_required
@require_POST
def assignment_done(request: HttpRequest, document_id: int) -> HttpResponse:
    """The coder marks an assigned document done, or not done again."""
    document = access.document_for(request.user, document_id, need=Role.CODER, defer_text=True)
    try:
        services.assignment_mark(document=document, coder=request.user, done=request.POST.get("done") == "1")
        messages.success(request, _("Saved."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    target = request.POST.get("next", "")
    inside = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return HttpResponseRedirect(target if inside else reverse("coding:workspace", args=[document.pk]))
