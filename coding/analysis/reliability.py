"""Coding comparison requests: query parameters → a checked request, its report, and the page and file layouts of it."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coding import layers, team
from coding.analysis import agreement
from coding.models import Assignment, Coding
from framework import tree
from policies import corpus
from policies.models import Role

RULE_MISSING = "missing-unless-done"
RULE_ALL = "all-reviewed"
GROUP_LABELS = ("group_a", "group_b")
# Landis & Koch (1977): the lower bound of each band, its name and the colour class of the report (the names are
# lazy: read at import, they would stay in the language of the first request)
BANDS = (
    (0.8, "band-high", gettext_lazy("almost perfect")),
    (0.6, "band-good", gettext_lazy("substantial")),
    (0.4, "band-fair", gettext_lazy("moderate")),
    (float("-inf"), "band-low", gettext_lazy("fair, slight or poor")),
)
COLUMNS = [
    "level",
    "coder_a",
    "coder_b",
    "alpha_coders",
    "unit",
    "missing_coder_rule",
    "node_id",
    "node_path",
    "document_id",
    "document_title",
    "n",
    "a",
    "b",
    "both",
    "a_only",
    "b_only",
    "neither",
    "agreement_percent",
    "kappa",
    "positive_agreement",
    "degenerate",
    "pooled_kappa",
    "weighted_kappa",
    "weighted_kappa_nondegenerate",
    "mean_kappa",
    "mean_kappa_nondegenerate",
    "alpha",
    "degenerate_rows",
]


@dataclass(frozen=True)
class AgreementQuery:
    """A comparison request as given, parsed at the edge (coding/analysis/query_params.py); resolve() checks it
    against the project."""

    coders: tuple[str, ...] = ()  # coders=a,b (or a= and b=)
    all_coders: bool = False  # all=true: everyone who coded or was assigned documents
    groups: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # group_a= and group_b=, compared as two unions
    unit: str = "character"
    nodes: tuple[int, ...] | None = None
    branch: int | None = None  # a node and everything below it, instead of nodes
    rollup: bool = False
    documents: tuple[int, ...] | None = None
    filters: tuple[tuple[str, str], ...] = ()  # document attributes (corpus.FILTER_FIELDS)
    assigned_only: bool = False  # scope=assigned: each coder on the documents assigned to them
    all_reviewed: bool = False


@dataclass(frozen=True)
class Query:
    """A checked comparison request."""

    coders: tuple[str, ...]  # the labels compared: usernames, or group_a / group_b
    groups: dict[str, tuple[str, ...]] | None = None
    unit: str = "character"
    nodes: tuple[int, ...] | None = None
    rollup: bool = False
    documents: tuple[int, ...] | None = None
    all_reviewed: bool = False


@dataclass(frozen=True)
class Result:
    query: Query
    report: agreement.Report
    labels: dict[str, str]  # coder label → how it is shown (共识, group_a: alice, bob)
    titles: dict[int, str] = field(default_factory=dict)
    depths: dict[int, int] = field(default_factory=dict)
    sides: dict[str, layers.Layer] = field(default_factory=dict)  # coder label → the coding layer of that side

    @property
    def rule(self) -> str:
        return RULE_ALL if self.query.all_reviewed else RULE_MISSING

    @property
    def rule_description(self) -> str:
        return rule_description(self.rule)

    @property
    def pair_labels(self) -> tuple[str, str]:
        a, b = self.report.pair
        return self.labels.get(a, a), self.labels.get(b, b)

    @property
    def pair_layers(self) -> tuple:
        """The coding layer of each side of the pair (a coder, 共识, or a group's union), for the heading line."""
        return tuple(self.sides.get(label) for label in self.report.pair)

    @property
    def single_pair(self) -> bool:
        """True when the pair are two coders (not groups), so a document's disagreements can be shown."""
        return not self.query.groups


def rule_description(rule: str) -> str:
    if rule == RULE_ALL:
        return _("Every coder counts as having reviewed every document (NVivo's behaviour).")
    return _(
        "A coder counts only on documents assigned to them and marked done; elsewhere they are missing, not "
        "“coded nothing”. The consensus layer counts on documents with at least one consensus coding."
    )


def band(kappa: float | None) -> tuple[str, str]:
    """The colour class and Landis & Koch label of a kappa."""
    if kappa is None:
        return "band-none", _("undefined")
    return next((css, str(label)) for floor, css, label in BANDS if kappa >= floor)


def legend() -> list[tuple[str, str, str]]:
    ranges = ("≥ 0.8", "0.6–0.8", "0.4–0.6", "< 0.4")
    return [(css, str(label), span) for (_f, css, label), span in zip(BANDS, ranges, strict=True)]


def all_coders(project) -> list[str]:
    """Members who code here (an assignment or a coding in the project), in username order."""
    coding = Coding.objects.filter(document__project=project).values_list("coder__username", flat=True).distinct()
    assigned = Assignment.objects.filter(project=project).values_list("coder__username", flat=True).distinct()
    members = project.memberships.filter(role__in=[Role.CODER, Role.OWNER]).values_list("user__username", flat=True)
    active = set(coding.order_by()) | set(assigned.order_by())
    return sorted(name for name in members if name in active)


def _coders(project, asked: AgreementQuery) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]] | None]:
    if asked.groups is not None:
        groups = {
            label: tuple(team.resolve_coders(project, list(names)))
            for label, names in zip(GROUP_LABELS, asked.groups, strict=True)
        }
        if not all(groups.values()):
            raise ValidationError(_("Name at least one coder in each group (group_a and group_b)."))
        return GROUP_LABELS, groups
    if asked.all_coders:
        names = all_coders(project)
        if len(names) < 2:
            raise ValidationError(_("Fewer than two members have coded or been assigned documents yet."))
        return tuple(names), None
    if len(asked.coders) < 2:
        raise ValidationError(_("Choose two coders to compare (coders=alice,bob), or all coders."))
    return tuple(dict.fromkeys(team.resolve_coders(project, list(asked.coders)))), None


def _documents(project, asked: AgreementQuery, coders, groups) -> tuple[int, ...] | None:
    chosen = asked.documents
    documents = project.documents.order_by("id")
    if chosen is not None:
        documents = documents.filter(id__in=chosen)
    filtered = bool(asked.filters)
    documents = corpus.filter_documents(documents, dict(asked.filters))
    if asked.assigned_only:
        consensus = team.consensus_username(project)
        for label in coders:
            members = (groups or {}).get(label, (label,))
            ids = set(
                Assignment.objects.filter(project=project, coder__username__in=members).values_list(
                    "document_id", flat=True
                )
            )
            if consensus in members:
                ids |= team.consensus_reviewed(project)
            documents = documents.filter(id__in=ids)
        filtered = True
    return tuple(documents.values_list("id", flat=True)) if chosen is not None or filtered else None


def resolve(project, asked: AgreementQuery) -> Query:
    """The request checked against the project: coders resolved (or everyone who codes, or two groups), the branch
    expanded to its nodes, the documents chosen; a ValidationError says what is wrong."""
    if asked.unit not in agreement.UNITS:
        shown = {"unit": asked.unit[:40], "units": ", ".join(agreement.UNITS)}
        raise ValidationError(_("Unknown unit “%(unit)s”: use %(units)s.") % shown)
    coders, groups = _coders(project, asked)
    nodes = asked.nodes
    if asked.branch is not None:
        rows = tree.rows_for(project)
        if asked.branch not in {r.id for r in rows}:
            raise ValidationError(_("Node %(id)s is not in this project's codebook.") % {"id": asked.branch})
        nodes = (asked.branch, *sorted(tree.descendants(rows, asked.branch)))
    return Query(
        coders=coders,
        groups=groups,
        unit=asked.unit,
        nodes=nodes,
        rollup=asked.rollup,
        documents=_documents(project, asked, coders, groups),
        all_reviewed=asked.all_reviewed,
    )


# --- loader ----------------------------------------------------------------------------------------


def run(project, user, query: Query) -> Result:
    """The comparison report for the query, as `user` may see it (PermissionDenied under blind coding)."""
    reviewed = None
    if not query.all_reviewed:
        reviewed = {name: set(ids) for name, ids in team.reviewed(project).items()}
        reviewed[team.consensus_username(project)] = team.consensus_reviewed(project)
    try:
        report = agreement.comparison_for_project(
            project=project,
            user=user,
            coders=query.coders,
            nodes=query.nodes,
            documents=query.documents,
            unit=query.unit,
            reviewed=reviewed,
            rollup=query.rollup,
            groups=query.groups,
        )
    except ValueError as error:
        raise ValidationError(str(error)) from None
    shown = dict(team.coder_choices(project))
    shown.setdefault(team.consensus_username(project), "共识")
    labels = {label: shown.get(label, label) for label in query.coders}
    for label, members in (query.groups or {}).items():
        labels[label] = f"{label}: {', '.join(shown.get(m, m) for m in members)}"
    ordered = tree.walk(tree.rows_for(project))
    # each side as a coding layer (共识 is the consensus layer, a group the union of its members), named as
    # every count in the app names its layer
    members = query.groups or {}
    sides = {label: layers.layer_for(project, user, members.get(label, (label,))) for label in query.coders}
    return Result(
        query=query,
        report=report,
        labels=labels,
        sides=sides,
        titles=dict(project.documents.filter(id__in=_report_documents(report)).values_list("id", "title")),
        depths={n.row.id: n.depth for n in ordered},
    )


def _report_documents(report: agreement.Report) -> set[int]:
    return {row.document for node in report.nodes for row in node.documents}


# --- layouts ---------------------------------------------------------------------------------------


def as_json(result: Result) -> dict:
    """The report's API shape plus the missing-coder rule and, when groups were compared, their members."""
    data = result.report.as_dict()
    data["rule"] = result.rule
    data["rule_description"] = result.rule_description
    data["assume_all_reviewed"] = result.query.all_reviewed
    data["labels"] = result.labels
    data["nodes_compared"] = nodes_compared(result)  # nodes either side coded; the others' κ = 1 means nothing
    a, b = result.pair_layers
    data["layers"] = {"a": a.as_json(), "b": b.as_json()}  # the coding layer of each side of the pair
    data["coder_layers"] = [result.sides[label].as_json() for label in result.report.coders]
    if result.query.groups:
        data["groups"] = {label: list(members) for label, members in result.query.groups.items()}
    return data


def coded(node) -> bool:
    """Whether either side coded the node in the compared documents (else its κ of 1 flatters: nothing to agree on)."""
    return bool(node.summary.table.a or node.summary.table.b)


def nodes_compared(result: Result) -> int:
    return sum(1 for node in result.report.nodes if coded(node))


def node_rows(result: Result, sort: str = "kappa", *, unused: bool = False) -> list[dict]:
    """Per node: the result, its colour band, depth and document rows; lowest pooled kappa first unless sort=tree.
    Nodes neither side coded are left out unless `unused`; then they come with coded=False (shown as "no coding")."""
    rows = [
        {
            "result": node,
            "coded": coded(node),
            "band": band(node.summary.pooled_kappa if coded(node) else None),
            "depth": result.depths.get(node.node, 0),
            "documents": [
                {"row": r, "title": result.titles.get(r.document, r.document), "band": band(r.table.kappa)}
                for r in sorted(node.documents, key=lambda r: (r.table.kappa, r.document))
            ],
        }
        for node in result.report.nodes
        if unused or coded(node)
    ]
    if sort != "tree":
        rows.sort(key=lambda r: (r["result"].summary.pooled_kappa is None, r["result"].summary.pooled_kappa or 0))
    return rows


def matrix_rows(result: Result) -> list[tuple[str, list[tuple[float | None, tuple[str, str]]]]]:
    """The pairwise kappa matrix with a colour band per cell."""
    labels = [result.labels.get(c, c) for c in result.report.coders]
    return [(labels[i], [(k, band(k)) for k in row]) for i, row in enumerate(result.report.matrix)]


def _blank(value):
    return "" if value is None else value


def lines(result: Result) -> list[list]:
    """The report as one table for CSV/.xlsx: the overall row, category and node summaries, document rows, pairs."""
    report, (a, b) = result.report, result.pair_labels
    common = [a, b, " / ".join(result.labels.get(c, c) for c in report.coders), report.unit, result.rule_description]

    def summary(level: str, node_id, path: str, s: agreement.Summary) -> list:
        t = s.table
        counts = [t.n, t.a, t.b, t.both, t.a_only, t.b_only, t.neither]
        empty = t.n == 0
        return [
            level,
            *common,
            node_id,
            path,
            "",
            "",
            *counts,
            "" if empty else t.agreement,
            "",
            "" if empty else t.positive_agreement,
            t.degenerate,
            _blank(s.pooled_kappa),
        ]

    out = [COLUMNS, [*summary("overall", "", "", report.overall), *[""] * 4, _blank(report.overall.alpha), ""]]
    for category in report.categories:
        out.append([*summary("category", category.node, category.path, category.summary), *[""] * 4])
        out[-1] += [_blank(category.summary.alpha), ""]
    for node in report.nodes:
        averages = [node.weighted_kappa, node.weighted_kappa_nondegenerate, node.mean_kappa]
        averages += [node.mean_kappa_nondegenerate, node.summary.alpha]
        out.append([*summary("node", node.node, node.path, node.summary), *map(_blank, averages), node.degenerate_rows])
        for row in node.documents:
            t = row.table
            out.append(
                [
                    "document",
                    *common,
                    node.node,
                    node.path,
                    row.document,
                    result.titles.get(row.document, ""),
                    t.n,
                    t.a,
                    t.b,
                    t.both,
                    t.a_only,
                    t.b_only,
                    t.neither,
                    t.agreement,
                    t.kappa,
                    t.positive_agreement,
                    t.degenerate,
                    *[""] * 7,
                ]
            )
    if len(report.coders) > 2:
        names = [result.labels.get(c, c) for c in report.coders]
        for i, row in enumerate(report.matrix):
            for j in range(i + 1, len(row)):
                pair = ["pair", names[i], names[j], *common[2:], *[""] * 15, _blank(row[j]), *[""] * 6]
                out.append(pair)
    return out
