"""Which codings a member may see: the one place every page and endpoint asks, so blind coding holds everywhere."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from coding import localtime
from coding.models import Coding, CodingOptions
from policies.models import Membership, Project, Role


def sees_everyone(project: Project, user) -> bool:
    """False while the project codes blind and the user is a coder or viewer who is not an adjudicator."""
    options = CodingOptions.objects.filter(project=project).first()
    return _sees_everyone(project, user, options.blind if options else False)


def _sees_everyone(project: Project, user, blind: bool) -> bool:
    if not blind:
        return True
    role = Membership.objects.filter(project=project, user=user).values_list("role", flat=True).first()
    return (
        role == Role.OWNER
        or CodingOptions.adjudicators.through.objects.filter(codingoptions__project=project, user=user).exists()
    )


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


def _local(moment) -> str:
    """An ISO 8601 time in the project's time zone (TIME_ZONE), so that the date the page shows is the local date."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def coding_rows(codings: QuerySet) -> list[dict]:
    """Codings as the small dicts the coding page's script works on; times in the project's time zone (TIME_ZONE),
    as _local writes them. The time is read as text and converted by localtime.LocalTimes (the zone looked up once
    a minute): Django's per-row datetime converter and a zone conversion per row were a third of the coding page's
    server time at 2,000 codings."""
    local = localtime.LocalTimes(timezone.get_current_timezone(), seconds=True)
    rows = codings.order_by("start", "end", "id").values_list(
        "id", "node_id", "coder__username", "start", "end", "memo", Cast("created_at", TextField())
    )
    return [
        {"id": i, "node": n, "coder": c, "start": s, "end": e, "memo": m, "created_at": local(t)}
        for i, n, c, s, e, m, t in rows
    ]


# --- the coding layer behind every count -------------------------------------------------------------
#
# A count is always computed on one layer: one coder, a named set of coders (their union), or the consensus layer
# (共识). 共识 is a layer, never a coder: it is added to coders only when a request names it with them, and the
# label then says so. `default_layer` is the one rule for what a page, API answer or export counts when nobody chose.

CONSENSUS, CODER, CODERS = "consensus", "coder", "coders"
CONSENSUS_NAME = "consensus"  # how the consensus layer is named in `coders=` and in answers (共识 works too)
CONSENSUS_ALIASES = (CONSENSUS_NAME, "共识")


@dataclass(frozen=True)
class Layer:
    """What a count is computed on. `ids` are the user ids counted; `names` are how `coders=` names them."""

    kind: str  # consensus | coder | coders
    names: tuple[str, ...]  # usernames, "consensus" for the consensus layer
    ids: tuple[int, ...]
    label: str
    everyone: bool = False  # the union of every coder (the consensus layer left out), however many there are
    consensus: int | None = None  # the consensus layer's user id when the layer holds it: never counted as a coder
    leaves_out: int | None = None  # everyone's layer: the consensus layer's user id, the one whose codings it skips

    def as_json(self) -> dict:
        return {"kind": self.kind, "coders": list(self.names), "label": self.label}

    def header(self) -> str:
        """The X-PolicyCoder-Layer header value: `kind; coders=a,b; label=…`, names and label percent-encoded (UTF-8)
        so the header stays ASCII whatever the usernames or language."""
        coders = ",".join(quote(name, safe="") for name in self.names)
        return f"{self.kind}; coders={coders}; label={quote(self.label, safe='')}"

    def file_tag(self) -> str:
        """A short name of the layer for file names: consensus, a username, all-coders, or names joined by +."""
        if self.everyone:
            return "all-coders"
        return "+".join(self.names)[:80] or "no-coders"


def _consensus(project: Project) -> tuple[int | None, str]:
    """The consensus layer's user id and username, (None, "") while the project has none."""
    found = CodingOptions.objects.filter(project=project, consensus_coder__isnull=False)
    return found.values_list("consensus_coder_id", "consensus_coder__username").first() or (None, "")


def _coders_who_coded(project: Project, consensus_id: int | None) -> list[tuple[int, str]]:
    """(id, username) of the members and former members who hold codings in the project, the consensus layer left
    out, by username."""
    # one EXISTS per user through the (coder, node) index, at the project's nodes (a node's codings are its
    # project's): a few index probes, where the join with the documents read every coding for a user without any
    coded = Coding.objects.filter(coder_id=OuterRef("pk"), node__project=project)
    users = get_user_model().objects.filter(Exists(coded)).exclude(pk=consensus_id).order_by("username")
    return list(users.values_list("id", "username"))


def _label(kind: str, names: Sequence[str], *, everyone: bool = False) -> str:
    if kind == CONSENSUS:
        return _("Consensus (共识)")
    if kind == CODER:
        return _("Coder %(name)s") % {"name": names[0]}
    if everyone:
        return _("All coders (union)")
    shown = ["共识" if name == CONSENSUS_NAME else name for name in names]
    if CONSENSUS_NAME in names:
        return _("Union of %(names)s (the consensus layer included)") % {"names": "、".join(shown)}
    return _("Union of %(names)s") % {"names": "、".join(shown)}


def _own_layer(user) -> Layer:
    return Layer(CODER, (user.username,), (user.pk,), _label(CODER, [user.username]))


def default_layer(project: Project, user) -> Layer:
    """The one default: a blind coder's own codings; else 共识 when it holds any coding in the project; else the one
    member who coded; else the union of every coder (共识 left out), labelled as such."""
    # one read of the options: blind coding, and the consensus layer's user (the coding page asks on every load)
    options = CodingOptions.objects.filter(project=project).values_list("blind", "consensus_coder_id").first()
    blind, consensus = options or (False, None)
    if not _sees_everyone(project, user, blind):
        return _own_layer(user)
    if consensus is not None and Coding.objects.filter(node__project=project, coder_id=consensus).exists():
        return Layer(CONSENSUS, (CONSENSUS_NAME,), (consensus,), _label(CONSENSUS, [CONSENSUS_NAME]), False, consensus)
    coders = _coders_who_coded(project, consensus)
    if len(coders) == 1:
        (pk, name), *_rest = coders
        return Layer(CODER, (name,), (pk,), _label(CODER, [name]))
    names = tuple(name for _pk, name in coders)
    ids = tuple(pk for pk, _name in coders)
    return Layer(CODERS, names, ids, _label(CODERS, names, everyone=True), True, None, consensus)


def parse_names(text: str, more: Iterable[str] = ()) -> tuple[str, ...]:
    """`coders=` as given (comma-separated) plus repeated `coder=` values: stripped, each once, in order."""
    return tuple(dict.fromkeys(n.strip() for n in [*text.split(","), *more] if n and n.strip()))


def layer_for(project: Project, user, names: Sequence[str] = ()) -> Layer:
    """The layer a request asks for: no names is the default layer; usernames of members (or of former members who
    coded) and consensus / 共识 give that coder, the consensus layer, or their union. An unknown name, or under blind
    coding anyone but oneself, is a ValidationError that says so."""
    if not names:
        return default_layer(project, user)
    consensus, username = _consensus(project)
    aliases = {*CONSENSUS_ALIASES, username} - {""}
    wanted = list(dict.fromkeys(CONSENSUS_NAME if n in aliases else n for n in names))
    members = dict(project.memberships.values_list("user__username", "user_id"))
    known = members | {name: pk for pk, name in _coders_who_coded(project, consensus) if name in wanted}
    unknown = [n for n in wanted if n != CONSENSUS_NAME and n not in known]
    if unknown:
        raise ValidationError(
            _("Unknown coder(s) in this project: %(names)s.") % {"names": ", ".join(n[:40] for n in unknown)}
        )
    if not sees_everyone(project, user) and wanted != [user.username]:
        raise ValidationError(_("While the project codes blind, you can count only your own codings."))
    ids = tuple(consensus if n == CONSENSUS_NAME else known[n] for n in wanted)
    ids = tuple(pk for pk in ids if pk is not None)  # 共识 before anything was accepted into it: counts nothing
    held = consensus if CONSENSUS_NAME in wanted else None
    if wanted == [CONSENSUS_NAME]:
        return Layer(CONSENSUS, (CONSENSUS_NAME,), ids, _label(CONSENSUS, wanted), False, held)
    if len(wanted) == 1:
        return Layer(CODER, tuple(wanted), ids, _label(CODER, wanted))
    return Layer(CODERS, tuple(wanted), ids, _label(CODERS, wanted), False, held)


def counted(project: Project, user, coders: Sequence[str] = ()) -> tuple[Layer, dict]:
    """The layer the `coders` name (the default layer without names; see layer_for) and the keyword arguments that
    make framework.counts count it: the coders' ids, and the consensus layer's id that is never counted as a coder."""
    layer = layer_for(project, user, coders)
    if layer.everyone:  # every coding but 共识's: no list of coders, so the covering index still answers alone
        return layer, {"coders": None, "leave_out": layer.leaves_out}
    return layer, {"coders": layer.ids, "not_a_coder": layer.consensus}


def layer_codings(project: Project, user, layer: Layer) -> QuerySet:
    """The visible codings of the layer (blind coding still applies first)."""
    return _in_layer(visible_codings(project, user), layer)


def layer_codings_at(project: Project, user, layer: Layer, node_ids: Iterable[int]) -> QuerySet:
    """The visible codings of the layer at these nodes of the project's codebook (ids of other projects' nodes are
    dropped), read without joining the documents: a node's codings are its project's. The counts read every coding
    of a project this way, from the (node, document, coder) index alone; the join with the documents was a third
    of their time at 2,000,000 codings."""
    ids = set(node_ids) & set(project.nodes.values_list("pk", flat=True))
    codings = Coding.objects.filter(node_id__in=sorted(ids))
    return _in_layer(codings if sees_everyone(project, user) else codings.filter(coder=user), layer)


def _in_layer(codings: QuerySet, layer: Layer) -> QuerySet:
    if layer.everyone:
        # everyone who coded is every coding but 共识's: said so, the database keeps its plan without a coder filter
        return codings if layer.leaves_out is None else codings.exclude(coder_id=layer.leaves_out)
    return codings.filter(coder_id__in=layer.ids)
