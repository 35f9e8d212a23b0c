"""Team progress: documents × coders with not started / in progress / done, and who counts as having reviewed what."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from coding import layers
from coding.models import Assignment, Coding, CodingOptions
from coding.services import CONSENSUS_PREFIX
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


def progress(project: Project, user) -> Progress:
    """The progress grid of every document for every coder and owner of the project, as `user` may see it: under
    blind coding a coder sees only their own column, since "in progress" tells who has coded what."""
    members = project.memberships.filter(role__in=[Role.CODER, Role.OWNER])
    only = layers.only_coder(project, user)
    if only is not None:
        members = members.filter(user=only)
    coders = list(members.order_by("user__username").values_list("user_id", "user__username"))
    assigned = {
        (a, c): done is not None
        for a, c, done in Assignment.objects.filter(project=project).values_list("document_id", "coder_id", "done_at")
    }
    coded = set(
        Coding.objects.filter(document__project=project, coder_id__in=[user_id for user_id, _name in coders])
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


# --- the consensus layer's names and the coder pickers ---------------------------------------------

CONSENSUS_ALIASES = layers.CONSENSUS_ALIASES


def consensus_username(project: Project) -> str:
    """The username of the project's consensus layer (共识), whether or not anything was adjudicated yet."""
    return f"{CONSENSUS_PREFIX}{project.pk}"


def coder_choices(project: Project) -> list[tuple[str, str]]:
    """(username, label) for members who code or have coded, then the consensus layer (共识) once it exists."""
    coded = Coding.objects.filter(document__project=project).values("coder_id")
    members = project.memberships.filter(Q(role__in=[Role.CODER, Role.OWNER]) | Q(user_id__in=coded))
    choices = [(name, name) for name in sorted(members.values_list("user__username", flat=True))]
    consensus = CodingOptions.objects.filter(project=project, consensus_coder__isnull=False).values_list(
        "consensus_coder__username", "consensus_coder__first_name"
    )
    return choices + [(name, label or name) for name, label in consensus]


def resolve_coders(project: Project, names) -> list[str]:
    """Usernames for names of members or the consensus layer (also called consensus or 共识); unknown ones raise."""
    consensus = consensus_username(project)
    members = set(project.memberships.values_list("user__username", flat=True))
    resolved = [consensus if name in CONSENSUS_ALIASES else name for name in names]
    unknown = [name for name, user in zip(names, resolved, strict=True) if user not in members and user != consensus]
    if unknown:
        raise ValidationError(
            _("Unknown coder(s) in this project: %(names)s.") % {"names": ", ".join(n[:40] for n in unknown)}
        )
    return resolved


def consensus_reviewed(project: Project) -> set[int]:
    """The documents the consensus layer counts as having reviewed: those with at least one consensus coding."""
    username = consensus_username(project)
    return set(
        Coding.objects.filter(document__project=project, coder__username=username)
        .order_by()
        .values_list("document_id", flat=True)
        .distinct()
    )
