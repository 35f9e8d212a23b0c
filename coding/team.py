"""Team progress: documents × coders with not started / in progress / done, and who counts as having reviewed what."""

from dataclasses import dataclass

from django.db.models import Count

from coding.models import Assignment, Coding
from policies.models import Project, Role

NOT_STARTED, IN_PROGRESS, DONE, UNASSIGNED = "not-started", "in-progress", "done", "unassigned"


@dataclass(frozen=True)
class Progress:
    coders: list[str]
    rows: list[tuple[object, list[str]]]  # (document, one status per coder)
    totals: dict[str, tuple[int, int]]  # coder -> (done, assigned)


def status(assigned: bool, done: bool, coded: bool) -> str:
    """One cell of the progress grid."""
    if not assigned:
        return UNASSIGNED
    if done:
        return DONE
    return IN_PROGRESS if coded else NOT_STARTED


# --- loaders ---------------------------------------------------------------------------------------


def progress(project: Project) -> Progress:
    """The progress grid of every document for every coder and owner of the project."""
    coders = list(
        project.memberships.filter(role__in=[Role.CODER, Role.OWNER])
        .order_by("user__username")
        .values_list("user_id", "user__username")
    )
    assigned = {
        (a, c): done is not None
        for a, c, done in Assignment.objects.filter(project=project).values_list("document_id", "coder_id", "done_at")
    }
    coded = set(
        Coding.objects.filter(document__project=project)
        .order_by()
        .values("document_id", "coder_id")
        .annotate(n=Count("id"))
        .values_list("document_id", "coder_id")
    )
    rows, counted = [], {name: {NOT_STARTED: 0, IN_PROGRESS: 0, DONE: 0, UNASSIGNED: 0} for _id, name in coders}
    for document in project.documents.defer("text").order_by("id"):
        cells = []
        for user_id, name in coders:
            key = (document.pk, user_id)
            cell = status(key in assigned, assigned.get(key, False), key in coded)
            counted[name][cell] += 1
            cells.append(cell)
        rows.append((document, cells))
    totals = {name: (c[DONE], c[DONE] + c[IN_PROGRESS] + c[NOT_STARTED]) for name, c in counted.items()}
    return Progress(coders=[name for _id, name in coders], rows=rows, totals=totals)


def reviewed(project: Project) -> dict[str, set[int]]:
    """Coder username -> ids of the documents they marked done; everyone else is missing there for agreement."""
    result: dict[str, set[int]] = {}
    done = Assignment.objects.filter(project=project, done_at__isnull=False).values_list(
        "coder__username", "document_id"
    )
    for username, document_id in done:
        result.setdefault(username, set()).add(document_id)
    return result


def queue(project: Project, user) -> list[tuple[object, str]]:
    """The documents assigned to `user`, with their status."""
    coded = set(Coding.objects.filter(document__project=project, coder=user).values_list("document_id", flat=True))
    return [
        (a.document, status(True, a.done_at is not None, a.document_id in coded))
        for a in Assignment.objects.filter(project=project, coder=user)
        .select_related("document")
        .defer("document__text")
    ]
