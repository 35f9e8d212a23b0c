"""Which layer a suggestion model learns from: the coders whose codings are its examples. Reads only."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from coding import layers
from coding.models import CodingOptions
from policies.models import Project


def key(coder_ids: list[int]) -> str:
    return ",".join(str(i) for i in sorted(set(coder_ids)))


def _consensus_id(project: Project) -> int | None:
    return CodingOptions.objects.filter(project=project).values_list("consensus_coder_id", flat=True).first()


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
    # the one layer rule (coding.layers): no names is the default layer, names give that coder, 共识 or their union
    return sorted(set(layers.layer_for(project, user, layers.parse_names(text or "")).ids))
