"""One document's disagreements between two coders: marked text and coding clusters. Pure, except the loader."""

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from coding import layers, spans, team
from coding.analysis import agreement
from framework import tree
from policies import passages

A, B, C = "a", "b", "c"  # coder A, coder B, the consensus layer
BOTH, MIXED = "both", "mixed"


@dataclass(frozen=True, slots=True)
class Mark:
    """A stretch of text with the same coverage: per node, who coded it; and whether the consensus layer did."""

    start: int
    end: int
    states: tuple[tuple[int, str], ...]  # (node, "a" | "b" | "both"), sorted by node
    consensus: bool

    @property
    def kind(self) -> str:
        """a, b or both when every node agrees on it, mixed otherwise; "" where only the consensus layer coded."""
        kinds = {state for _node, state in self.states}
        if not kinds:
            return ""
        return kinds.pop() if len(kinds) == 1 else MIXED


def marks(codings: Iterable[tuple[int, str, int, int]]) -> list[Mark]:
    """Cut (node, who, start, end) codings, who in a/b/c, into marks by sweeping their boundaries."""
    events: list[tuple[int, int, tuple[int, str]]] = []
    for node, who, start, end in codings:
        if start < end:
            events += [(start, 1, (node, who)), (end, -1, (node, who))]
    events.sort(key=lambda e: e[0])
    active: Counter = Counter()
    result: list[Mark] = []
    i = 0
    while i < len(events):
        at = events[i][0]
        while i < len(events) and events[i][0] == at:
            active[events[i][2]] += events[i][1]
            i += 1
        if i == len(events):
            break
        covering = {key for key, n in active.items() if n > 0}
        if covering:
            result.append(_mark(at, events[i][0], covering))
    return result


def _mark(start: int, end: int, covering: set[tuple[int, str]]) -> Mark:
    by_node: dict[int, set[str]] = {}
    for node, who in covering:
        if who != C:
            by_node.setdefault(node, set()).add(who)
    states = tuple((node, BOTH if len(who) == 2 else next(iter(who))) for node, who in sorted(by_node.items()))
    return Mark(start, end, states, any(who == C for _node, who in covering))


def _mark_html(text: str, mark: Mark, paths: Mapping[int, str], names: Mapping[str, str], anchor: str) -> str:
    words = {A: names[A], B: names[B], BOTH: _("both")}
    title = "; ".join(f"{paths.get(node, node)}: {words[state]}" for node, state in mark.states)
    if mark.consensus:
        title = "; ".join(filter(None, [title, _("in the consensus layer")]))
    classes = " ".join(filter(None, ["dis", mark.kind and f"dis-{mark.kind}", "dis-c" if mark.consensus else ""]))
    return f'<mark{anchor} class="{classes}" title="{escape(title)}">{escape(text, quote=False)}</mark>'


def text_html(
    text: str, found: Sequence[Mark], paths: Mapping[int, str], names: Mapping[str, str], *, ids: bool = True
) -> SafeString:
    """The text as the workspace's <p data-start> paragraphs, each mark wrapped in <mark class="dis dis-…">.

    Text, node paths and coder names are escaped piece by piece here, so this function marks the result safe."""
    out, m = [], 0
    for paragraph in passages.paragraphs(text):
        start, end = paragraph.start, paragraph.start + len(paragraph.text)
        while m < len(found) and found[m].end <= start:
            m += 1
        parts, at, k = [], start, m
        while k < len(found) and found[k].start < end:
            s, e = max(found[k].start, start), min(found[k].end, end)
            if s > at:
                parts.append(escape(text[at:s], quote=False))
            if e > s:
                anchor = f' id="m-{s}"' if ids and s == found[k].start else ""  # where each coding starts
                parts.append(_mark_html(text[s:e], found[k], paths, names, anchor))
            at = max(at, e)
            k += 1
        parts.append(escape(text[at:end], quote=False))
        anchor = f' id="p-{start}"' if ids else ""
        out.append(f'<p{anchor} data-start="{start}">{"".join(parts)}</p>')
    return mark_safe("".join(out))


@dataclass(frozen=True)
class Cluster:
    """Overlapping codings of A and B at one node: accept A's, B's or both into the consensus layer."""

    node: int
    a: tuple[dict, ...]
    b: tuple[dict, ...]
    accepted: bool  # the consensus layer already holds every span of it at this node
    taken: bool = False  # the consensus layer holds all of A's or all of B's spans at this node: decided

    @property
    def start(self) -> int:
        return min(c["start"] for c in (*self.a, *self.b))

    @property
    def end(self) -> int:
        return max(c["end"] for c in (*self.a, *self.b))

    @property
    def kind(self) -> str:
        if not self.b:
            return A
        if not self.a:
            return B
        same = spans.merged((c["start"], c["end"]) for c in self.a) == spans.merged(
            (c["start"], c["end"]) for c in self.b
        )
        return "same" if same else "differ"


def clusters(codings: Iterable[dict], consensus: Iterable[tuple[int, int, int]] = ()) -> list[Cluster]:
    """Group each node's codings (dicts with node, who, start, end) into runs of overlapping spans."""
    held = set(consensus)
    result: list[Cluster] = []
    for node, members in _by_node(codings):
        run: list[dict] = []
        reach = -1
        for coding in sorted(members, key=lambda c: (c["start"], c["end"])):
            if run and coding["start"] >= reach:  # touching spans are separate decisions
                result.append(_cluster(node, run, held))
                run, reach = [], -1
            run.append(coding)
            reach = max(reach, coding["end"])
        if run:
            result.append(_cluster(node, run, held))
    return result


def _by_node(codings: Iterable[dict]) -> list[tuple[int, list[dict]]]:
    grouped: dict[int, list[dict]] = {}
    for coding in codings:
        grouped.setdefault(coding["node"], []).append(coding)
    return list(grouped.items())


def _cluster(node: int, run: list[dict], held: set[tuple[int, int, int]]) -> Cluster:
    accepted = all((node, c["start"], c["end"]) in held for c in run)
    a = tuple(c for c in run if c["who"] == A)
    b = tuple(c for c in run if c["who"] == B)
    taken = any(side and all((node, c["start"], c["end"]) in held for c in side) for side in (a, b))
    return Cluster(node, a, b, accepted, taken)


OPEN, ACCEPTED, NEITHER = "", "accepted", "neither"
PAIR = "pair"


@dataclass(frozen=True)
class Case:
    """One decision for the adjudicator: a cluster at one node, or a pair — A alone coded the passage at one node and
    B alone at another ("same passage, different code"). Positioned by its article (第X条) or item."""

    clusters: tuple[Cluster, ...]
    label: str  # 第十二条, 第三条（一）, or "" outside any article and item
    text: str  # the passage the case covers
    decision: str  # OPEN, ACCEPTED (the consensus layer took a side) or NEITHER (recorded: no side taken)

    @property
    def start(self) -> int:
        return min(k.start for k in self.clusters)

    @property
    def end(self) -> int:
        return max(k.end for k in self.clusters)

    @property
    def kind(self) -> str:
        return PAIR if len(self.clusters) == 2 else self.clusters[0].kind

    @property
    def a(self) -> tuple[dict, ...]:
        return tuple(c for k in self.clusters for c in k.a)

    @property
    def b(self) -> tuple[dict, ...]:
        return tuple(c for k in self.clusters for c in k.b)

    @property
    def key(self) -> str:
        """The case's name: its codings' ids, ascending (what a "neither" decision is stored under)."""
        return ",".join(str(i) for i in sorted(c["id"] for c in (*self.a, *self.b)))

    @property
    def resolved(self) -> bool:
        return self.decision != OPEN

    @property
    def disputed(self) -> bool:
        """Whether the coders disagree here (every kind but "both coded the same"): what progress counts."""
        return self.kind != "same"


def pair_clusters(found: Sequence[Cluster]) -> list[tuple[Cluster, ...]]:
    """Pair each A-only cluster with the B-only cluster at another node that overlaps it most (each used once); the
    rest stay single. In document order."""
    a_only = sorted((k for k in found if k.kind == A), key=lambda k: (k.start, k.end, k.node))
    b_only = [k for k in found if k.kind == B]
    used: set[int] = set()
    partner: dict[int, Cluster] = {}
    for index, ka in enumerate(a_only):
        best, best_overlap = None, 0
        for i, kb in enumerate(b_only):
            overlap = min(ka.end, kb.end) - max(ka.start, kb.start)
            if i not in used and kb.node != ka.node and overlap > best_overlap:
                best, best_overlap = i, overlap
        if best is not None:
            used.add(best)
            partner[index] = b_only[best]
    paired_b = {id(b_only[i]) for i in used}
    groups: list[tuple[Cluster, ...]] = [(ka, partner[i]) if i in partner else (ka,) for i, ka in enumerate(a_only)]
    groups += [(k,) for k in found if k.kind != A and id(k) not in paired_b]
    return sorted(groups, key=lambda g: (min(k.start for k in g), max(k.end for k in g)))


def position_label(sections: Sequence[tuple[int, int, int, str]], offset: int) -> str:
    """The article and item labels (第三条（一）) of the sections (start, end, level, label) holding `offset`."""
    holding = sorted((level, label) for start, end, level, label in sections if start <= offset < end)
    return "".join(label for _level, label in holding)


def cases(
    found: Sequence[Cluster],
    text: str,
    sections: Sequence[tuple[int, int, int, str]] = (),
    neither: Collection[str] = frozenset(),
) -> list[Case]:
    """The adjudicator's cases, in document order, with position label, passage and decision."""
    result = []
    for group in pair_clusters(found):
        start, end = min(k.start for k in group), max(k.end for k in group)
        case = Case(group, position_label(sections, start), text[start:end], OPEN)
        if case.key in neither:
            decision = NEITHER
        elif any(k.taken for k in group):
            decision = ACCEPTED
        else:
            decision = OPEN
        result.append(Case(group, case.label, case.text, decision))
    return result


def progress(found: Sequence[Case]) -> tuple[int, int]:
    """(resolved, all) of the disputed cases."""
    disputed = [c for c in found if c.disputed]
    return sum(1 for c in disputed if c.resolved), len(disputed)


# --- loader ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    document: object
    a: str
    b: str
    names: dict[str, str]  # a / b / c → how each is shown
    nodes: list[dict]  # per node: id, path, table (this document's character counts), consensus codings
    html: SafeString
    html_b: SafeString  # the same text without paragraph ids, for the side-by-side layout
    missing: list[str]  # who is missing for this document under the assigned-and-done rule
    cases: list[Case] = field(default_factory=list)  # in document order; each coding dict carries its node "path"
    progress: tuple[int, int] = (0, 0)  # disputed cases resolved, of all disputed cases


def load(project, user, document, a: str, b: str, node: int | None = None) -> View:
    """A's and B's codings of the document (at `node`, or every node either coded), with the consensus layer."""
    if not layers.sees_everyone(project, user):
        raise PermissionDenied(_("While the project codes blind, only owners and adjudicators can compare coders."))
    a, b = team.resolve_coders(project, [a, b])
    if a == b:
        raise ValidationError(_("Choose two different coders."))
    consensus = team.consensus_username(project)
    rows = tree.rows_for(project)
    paths = tree.paths(rows)
    if node is not None and node not in paths:
        raise ValidationError(_("Node %(id)s is not in this project's codebook.") % {"id": node})
    codings = layers.visible_codings(project, user).filter(document=document, coder__username__in={a, b, consensus})
    if node is not None:
        codings = codings.filter(node_id=node)
    who = {consensus: C, a: A, b: B}  # compared with a coder, the consensus layer is that side
    found = [
        {"id": i, "node": n, "who": who[coder], "start": s, "end": e, "text": t}
        for i, n, coder, s, e, t in codings.order_by("start", "end", "id").values_list(
            "id", "node_id", "coder__username", "start", "end", "text"
        )
    ]
    for coding in found:
        coding["path"] = paths.get(coding["node"], "")
    shown = dict(team.coder_choices(project)) | {consensus: "共识"}
    names = {A: shown.get(a, a), B: shown.get(b, b), C: shown[consensus]}
    found_marks = marks((c["node"], c["who"], c["start"], c["end"]) for c in found)
    held = [(c["node"], c["start"], c["end"]) for c in found if c["who"] == C]
    sections = document.sections.filter(kind__in=["article", "item"]).values_list("start", "end", "level", "label")
    neither = set(document.adjudications.values_list("case", flat=True))
    found_cases = cases(clusters([c for c in found if c["who"] != C], held), document.text, list(sections), neither)
    return View(
        document=document,
        a=a,
        b=b,
        names=names,
        nodes=_nodes(document, found, rows, node, a, b),
        html=text_html(document.text, found_marks, paths, names),
        html_b=text_html(document.text, found_marks, paths, names, ids=False),
        missing=_missing(project, document, {A: a, B: b}, names),
        cases=found_cases,
        progress=progress(found_cases),
    )


def _nodes(document, found: list[dict], rows, node: int | None, a: str, b: str) -> list[dict]:
    coded = {c["node"] for c in found if c["who"] != C}
    chosen = [n for n in tree.walk(rows) if (n.row.id == node if node is not None else n.row.id in coded)]
    specs = [agreement.NodeSpec(n.row.id, n.path, frozenset({n.row.id}), n.row.id) for n in chosen]
    if not specs:
        return []
    pair = [(document.pk, c["node"], c["who"], c["start"], c["end"]) for c in found if c["who"] != C]
    report = agreement.compare(pair, lengths={document.pk: document.char_count}, nodes=specs, coders=[A, B])
    return [
        {
            "id": spec.id,
            "path": spec.path,
            "table": result.summary.table,
            "consensus": [c for c in found if c["who"] == C and c["node"] == spec.id],
        }
        for spec, result in zip(specs, report.nodes, strict=True)
    ]


def _missing(project, document, coders: dict[str, str], names: dict[str, str]) -> list[str]:
    done = team.reviewed(project)
    done[team.consensus_username(project)] = team.consensus_reviewed(project)
    return [names[key] for key, username in coders.items() if document.pk not in done.get(username, ())]
