"""Which codings a member may see: the one place every page and endpoint asks (blind coding hooks in here)."""

from django.db.models import QuerySet

from coding.models import Coding
from policies.models import Project


def visible_codings(project: Project, user) -> QuerySet:
    """The project's codings that `user` may see."""
    return Coding.objects.filter(document__project=project)


def coding_rows(codings: QuerySet) -> list[dict]:
    """Codings as the small dicts the coding page's script works on."""
    return [
        {"id": i, "node": n, "coder": c, "start": s, "end": e, "memo": m, "created_at": t.isoformat(timespec="seconds")}
        for i, n, c, s, e, m, t in codings.order_by("start", "end", "id").values_list(
            "id", "node_id", "coder__username", "start", "end", "memo", "created_at"
        )
    ]
