"""Projects, their members and their settings: the project list, the members page, the settings page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from policies import access
from policies.forms import CustomAttributeForm, MemberAddForm, MemberRoleForm, ProjectCreateForm, ProjectForm
from policies.models import Membership, Role
from policies.services.attributes import custom_attribute_remove, custom_attributes_define
from policies.services.projects import member_add, member_remove, member_set_role, project_create, project_update


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    form = ProjectCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = project_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("policies:project-home", project.pk)
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("project")
        .annotate(document_count=Count("project__documents"))
        .order_by("-project__created_at")
    )
    return render(request, "policies/project_list.html", {"memberships": memberships, "form": form})


@login_required
def members_page(request: HttpRequest, project_id: int) -> HttpResponse:
    membership = access.membership_for(request.user, project_id)
    form = MemberAddForm(request.POST or None)
    if request.method == "POST":
        access.membership_for(request.user, project_id, need=Role.OWNER)
        if form.is_valid():
            try:
                member_add(project=membership.project, **form.cleaned_data)
                return redirect("policies:members", project_id)
            except ValidationError as error:
                form.add_error(None, error)
    members = [
        (member, MemberRoleForm.for_member(member))
        for member in membership.project.memberships.select_related("user").order_by("id")
    ]
    context = {"project": membership.project, "membership": membership, "members": members, "form": form}
    return render(request, "policies/members.html", context)


@login_required
@require_POST
def member_change(request: HttpRequest, project_id: int, member_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id, need=Role.OWNER)
    target = get_object_or_404(project.memberships, pk=member_id)
    try:
        if request.POST.get("action") == "remove":
            member_remove(membership=target)
        else:
            form = MemberRoleForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose owner, coder or viewer."))
            member_set_role(membership=target, role=form.cleaned_data["role"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("policies:members", project_id)


@login_required
def project_settings(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id, need=Role.OWNER)
    # Bind only the form that was submitted, and redirect only on success, so errors show on the right form.
    adding, renaming = "attr-name" in request.POST, "name" in request.POST
    initial = {"name": project.name, "description": project.description}
    form = ProjectForm(request.POST if renaming else None, initial=initial)
    attribute_form = CustomAttributeForm(request.POST if adding else None, prefix="attr")
    try:
        if adding and attribute_form.is_valid():
            custom_attributes_define(project, [attribute_form.cleaned_data["name"].strip()])
            return redirect("policies:project-settings", project.pk)
        if "remove_attribute" in request.POST:
            custom_attribute_remove(project=project, name=request.POST["remove_attribute"])
            return redirect("policies:project-settings", project.pk)
        if renaming and form.is_valid():
            project_update(project=project, **form.cleaned_data)
            return redirect("policies:project-settings", project.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    context = {"project": project, "form": form, "attribute_form": attribute_form}
    return render(request, "policies/project_settings.html", context)
