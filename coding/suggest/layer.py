"""Which layer a suggestion model learns from: the coders whose codings are its examples. Reads only."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from coding import layers, team
from coding.models import Coding, CodingOptions
from policies.models import Project


def key(coder_ids: list[int]) -> str:
    return ",".join(str(i) for i in sorted(set(coder_ids)))


def _consensus_id(project: Project) -> int | None:
    return CodingOptions.objects.filter(project=project).values_list("consensus_coder_id", flat=True).first()


def _default_training_coders(project: Project) -> list[int]:
    """共识 when it holds any coding in the project; else the one member who has coded, if exactly one; else the
    union of all coders (共识 left out)."""
    consensus = _consensus_id(project)
    coded = Coding.objects.filter(document__project=project)
    if consensus and coded.filter(coder_id=consensus).exists():
        return [consensus]
    coders = sorted(set(coded.exclude(coder_id=consensus).values_list("coder_id", flat=True).distinct()))
    return coders


def label(project: Project, coder_ids: list[int]) -> str:
    """The layer as people read it: 共识, a username, or usernames joined by commas."""
    consensus = _consensus_id(project)
    if coder_ids == [consensus]:
        return "共识"
    names = dict(project.memberships.filter(user_id__in=coder_ids).values_list("user_id", "user__username"))
    return ", ".join(names.get(i, str(i)) for i in sorted(coder_ids))


def parse(project: Project, user, text: str | None) -> list[int]:
    """The layer asked for (`consensus`, 共识 or usernames separated by commas; empty: the default), as coder ids.

    Under blind coding a coder who does not see everyone learns and reads suggestions on their own layer only."""
    if not layers.sees_everyone(project, user):
        if text and text.strip() not in ("", user.username):
            raise ValidationError(_("Under blind coding you can use suggestions learned from your own coding only."))
        return [user.pk]
    if not text or not text.strip():
        return _default_training_coders(project)
    names = [n.strip() for n in text.split(",") if n.strip()]
    usernames = team.resolve_coders(project, names)
    consensus = team.consensus_username(project)
    ids = []
    for username in usernames:
        if username == consensus:
            consensus_id = _consensus_id(project)
            if consensus_id is None:
                raise ValidationError(_("The consensus layer (共识) holds no coding yet."))
            ids.append(consensus_id)
        else:
            ids.append(project.memberships.get(user__username=username).user_id)
    return sorted(set(ids))
