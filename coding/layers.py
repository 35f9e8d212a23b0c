"""Which codings a member may see: the one place every page and endpoint asks, so blind coding holds everywhere."""

from django.db.models import QuerySet

from coding.models import Coding, CodingOptions
from policies.models import Membership, Project, Role


def sees_everyone(project: Project, user) -> bool:
    """False while the project codes blind and the user is a coder or viewer who is not an adjudicator."""
    options = CodingOptions.objects.filter(project=project).first()
    if options is None or not options.blind:
        return True
    role = Membership.objects.filter(project=project, user=user).values_list("role", flat=True).first()
    return role == Role.OWNER or options.adjudicators.filter(pk=user.pk).exists()


def only_coder(project: Project, user):
    """The one coder whose codings `user` may see (themselves, under blind coding), or None when they see everyone's.

    For counts that filter codings by coder without the project join `visible_codings` makes.
    """
    return None if sees_everyone(project, user) else user


def may_see(coding: Coding, user) -> bool:
    """Whether `user`, a member of the coding's project, may see this coding."""
    return coding.coder_id == user.pk or sees_everyone(coding.document.project, user)


def visible_codings(project: Project, user) -> QuerySet:
    """The project's codings that `user` may see: all of them, or under blind coding only their own."""
    codings = Coding.objects.filter(document__project=project)
    return codings if sees_everyone(project, user) else codings.filter(coder=user)


def coding_rows(codings: QuerySet) -> list[dict]:
    """Codings as the small dicts the coding page's script works on."""
    return [
        {"id": i, "node": n, "coder": c, "start": s, "end": e, "memo": m, "created_at": t.isoformat(timespec="seconds")}
        for i, n, c, s, e, m, t in codings.order_by("start", "end", "id").values_list(
            "id", "node_id", "coder__username", "start", "end", "memo", "created_at"
        )
    ]
