"""Which layer a suggestion model learns from: one coding.layers.Layer (the one layer rule of the app), whose coders'
codings are its examples. Reads only."""

from django.contrib.auth import get_user_model

from coding import layers
from coding.models import CodingOptions
from policies.models import Project


def key(coder_ids) -> str:
    """The coders of a layer as stored on its models and suggestions: ids sorted, comma-separated."""
    return ",".join(str(i) for i in sorted(set(coder_ids)))


def resolve(project: Project, user, text: str | None) -> layers.Layer:
    """The layer asked for (`consensus`, 共识 or usernames separated by commas; empty: the default layer), by
    coding.layers' rule: under blind coding a coder who does not see everyone learns and reads suggestions on their
    own layer only (a ValidationError names the problem)."""
    return layers.layer_for(project, user, layers.parse_names(text or ""))


def parse(project: Project, user, text: str | None) -> list[int]:
    """The coder ids of the layer asked for (see resolve)."""
    return sorted(set(resolve(project, user, text).ids))


def of_ids(project: Project, user, coder_ids) -> layers.Layer:
    """The layer of the given coder ids, named as coding.layers names it (the consensus layer's user as 共识)."""
    consensus = CodingOptions.objects.filter(project=project).values_list("consensus_coder_id", flat=True)
    consensus_id = consensus.first()
    names = dict(get_user_model().objects.filter(pk__in=coder_ids).values_list("pk", "username"))
    wanted = [layers.CONSENSUS_NAME if pk == consensus_id else names.get(pk, "") for pk in sorted(set(coder_ids))]
    return layers.layer_for(project, user, [name for name in wanted if name])
