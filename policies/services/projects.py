"""Projects and their members: create, rename, add a member, change a role, remove one (never the last owner)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from policies import hooks
from policies.models import (
    Membership,
    Project,
    Role,
)


@transaction.atomic
def project_create(*, user, name: str, description: str = "", templates: list[str] | tuple = ()) -> Project:
    """Create a project with its creator as owner, its codebook started from the chosen built-in templates (the
    framework app applies them, through the codebook_template_apply hook)."""
    name = name.strip()
    if not name:
        raise ValidationError(_("A project needs a name."))
    project = Project.objects.create(name=name[:200], description=description, created_by=user)
    Membership.objects.create(project=project, user=user, role=Role.OWNER)
    for template in templates:
        hooks.call("codebook_template_apply", project=project, template=template)
    return project


def _check_role(role: str) -> str:
    if role not in Role.values:
        raise ValidationError(_("Unknown role “%(role)s”: use owner, coder or viewer.") % {"role": role})
    return role


@transaction.atomic
def member_add(*, project: Project, username: str, role: str) -> Membership:
    """Add an existing user to the project with a role."""
    _check_role(role)
    try:
        user = get_user_model().objects.get(username=username.strip(), is_active=True)
    except get_user_model().DoesNotExist:  # an inactive account (a consensus layer's too) is no one to add
        raise ValidationError(_("There is no user named “%(name)s”.") % {"name": username}) from None
    if project.memberships.filter(user=user).exists():
        raise ValidationError(_("%(name)s is already a member of this project.") % {"name": user.username})
    return Membership.objects.create(project=project, user=user, role=role)


def _ensure_another_owner(membership: Membership) -> None:
    others = membership.project.memberships.select_for_update().filter(role=Role.OWNER).exclude(pk=membership.pk)
    if membership.role == Role.OWNER and not others.exists():
        raise ValidationError(_("A project needs at least one owner: make someone else owner first."))


@transaction.atomic
def member_set_role(*, membership: Membership, role: str) -> Membership:
    """Change a member's role, keeping at least one owner."""
    _check_role(role)
    if role != Role.OWNER:
        _ensure_another_owner(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, membership: Membership) -> None:
    """Remove a member, keeping at least one owner."""
    _ensure_another_owner(membership)
    membership.delete()


@transaction.atomic
def project_update(*, project: Project, name: str, description: str = "") -> Project:
    """Rename or re-describe a project."""
    name = name.strip()
    if not name:
        raise ValidationError(_("A project needs a name."))
    project.name, project.description = name[:200], description
    project.save(update_fields=["name", "description"])
    return project
