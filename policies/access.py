"""Who may see and change what: every view and endpoint resolves its project through here."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from policies.models import Document, Membership, Project, Role
from policies.rows import RowLoader

ID_LIMIT = 2**63 - 1  # a larger id is in no table (and no database column could be compared with it)
MEMBERSHIPS = RowLoader(Membership, ("project_id", "user_id"), related=("project",))


def membership_for(user, project_id: int, *, need: str = Role.VIEWER) -> Membership:
    """The user's membership of the project; 404 for non-members, 403 when the role is too low."""
    try:
        project_id = int(project_id)
    except (ValueError, TypeError):
        raise Http404 from None
    if not user.is_authenticated or not 0 < project_id <= ID_LIMIT:
        raise Http404
    membership = MEMBERSHIPS.get(project_id, user.pk)  # the check every request makes: no ORM query to build
    if membership is None:
        raise Http404
    if not membership.allows(need):
        raise PermissionDenied(
            _("Your role in this project (%(role)s) does not allow this.") % {"role": membership.get_role_display()}
        )
    return membership


def project_for(user, project_id: int, *, need: str = Role.VIEWER) -> Project:
    """The project, if the user's role in it is at least `need`."""
    return membership_for(user, project_id, need=need).project


def document_for(user, document_id: int, *, need: str = Role.VIEWER, defer_text: bool = False) -> Document:
    """The document, if the user's role in its project is at least `need`; other projects' documents are 404."""
    documents = Document.objects.select_related("project")
    if defer_text:
        documents = documents.defer("text")
    try:
        document = documents.get(pk=document_id)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    membership_for(user, document.project_id, need=need)
    return document
