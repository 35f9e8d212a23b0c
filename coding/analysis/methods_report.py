"""The methods report: the paper's empirical half (corpus, word frequency, stakeholders, codebook, matrix, coders and
agreement) as numbered tables and figures with a short text around each, for one coding layer. Every number comes
from the function behind the page and API that shows it. The builder queries; the blocks it returns are plain
values that the Word writer (policies.writers) and the HTML page render."""

from dataclasses import dataclass, field, replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from coding import layers
from coding.analysis import downloads, matrix, matrix_table, matrix_writers, province_map, reliability, timeline
from framework import builtin, figure, tree
from policies.text import frequency, search, word_groups

CORPUS_ATTRIBUTES = ("province", "issuer_type", "policy_type", "year")
DEFAULT_TOP = 30
MAX_TOP = 200


@dataclass(frozen=True)
class Block:
    """A paragraph, a numbered table (rows, the first the header) or a numbered figure (an SVG)."""

    kind: str  # heading | paragraph | table | figure
    text: str = ""  # the heading, paragraph or caption
    rows: tuple[tuple, ...] = ()
    svg: str = ""

    def as_tuple(self) -> tuple:
        """The block as policies.writers.docx_bytes takes it."""
        if self.kind == "table":
            return ("table", self.text, self.rows)
        if self.kind == "figure":
            return ("figure", self.text, self.svg)
        return (self.kind, self.text)


@dataclass
class Report:
    title: str
    layer: layers.Layer
    date: str
    blocks: list[Block] = field(default_factory=list)
    tables: int = 0
    figures: int = 0

    def heading(self, text: str) -> None:
        self.blocks.append(Block("heading", text))

    def say(self, text: str) -> None:
        self.blocks.append(Block("paragraph", text))

    def table(self, caption: str, rows: list[list]) -> str:
        """Adds a numbered table; returns its name (表 3 / Table 3) for the text around it."""
        self.tables += 1
        name = _("Table %(n)s") % {"n": self.tables}
        self.blocks.append(Block("table", f"{name} {caption}", tuple(tuple(row) for row in rows)))
        return name

    def figure(self, caption: str, svg: str) -> str:
        self.figures += 1
        name = _("Figure %(n)s") % {"n": self.figures}
        self.blocks.append(Block("figure", f"{name} {caption}", svg=svg))
        return name

    def blocks_for_docx(self) -> list[tuple]:
        return [block.as_tuple() for block in self.blocks]


def _number(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}" if whole else "0.0"


# --- sections --------------------------------------------------------------------------------------


def _corpus(report: Report, project) -> None:
    report.heading(_("Corpus"))
    total = project.documents.count()
    report.say(
        _(
            "The corpus holds %(n)s policy documents. The tables below count them by province, issuer type, "
            "policy type and year of issue."
        )
        % {"n": total}
    )
    for attribute in CORPUS_ATTRIBUTES:
        _query, bars = matrix.attribute_counts(project, matrix.MatrixQuery(rows_by=attribute))
        label = downloads.row_kind_label(attribute)
        rows = [[label, _("Documents"), "%"], *([name, n, _percent(n, total)] for name, n in bars)]
        rows.append([_("Total"), sum(n for _name, n in bars), "100.0" if total else "0.0"])
        name = report.table(_("Documents by %(attribute)s") % {"attribute": label}, rows)
        if bars:
            top_name, top_n = max(bars, key=lambda bar: bar[1])
            report.say(
                _("%(table)s: the largest group is %(name)s with %(n)s documents (%(share)s %%).")
                % {"table": name, "name": top_name, "n": top_n, "share": _percent(top_n, total)}
            )


def _words(report: Report, project, user, top: int) -> None:
    report.heading(_("Word frequency"))
    try:
        options = frequency.Options(top=top)
        found = frequency.project_word_frequency(project, user, scope=search.Scope(), options=options)
    except (frequency.FrequencyError, search.SearchError) as error:
        report.say(_("Word frequency could not be counted: %(error)s") % {"error": error})
        return
    if not found.rows:
        report.say(_("No segmented text yet: word frequency is counted once documents are segmented."))
        return
    rows = [[_("Rank"), _("Word"), _("Count"), _("Documents")]]
    rows += [[i, row.word, row.count, row.documents] for i, row in enumerate(found.rows, start=1)]
    name = report.table(_("The %(n)s most frequent words") % {"n": len(found.rows)}, rows)
    text = _(
        "%(table)s lists the most frequent words of the whole corpus after segmentation with the project dictionary, "
        "stopwords left out, words of at least two characters; “Documents” counts the documents a word occurs in."
    ) % {"table": name}
    if found.pending:
        text += " " + _("%(n)s document(s) were not segmented yet and are not counted.") % {"n": found.pending}
    report.say(text)
    _word_groups(report, project, user)


def _word_groups(report: Report, project, user) -> None:
    groups, _pending = word_groups.project_word_groups(project, user, scope=search.Scope())
    if not groups:
        report.say(
            _(
                "The project defines no word groups (subjects, actions, focus, data activities); owners name them on "
                "the dictionary page."
            )
        )
        return
    rows = [[_("Kind"), _("Word group"), _("Words (count)"), _("Count"), _("Documents")]]
    rows += [
        [
            group.kind_label,
            group.name,
            "、".join(f"{word.word} {word.count}" for word in group.words),
            group.count,
            group.documents,
        ]
        for group in groups
    ]
    name = report.table(_("Word groups"), rows)
    report.say(
        _(
            "%(table)s counts the word groups the project defines: each word as written (stopwords included), "
            "“Documents” counts the documents holding at least one word of the group. A word that segmentation does "
            "not keep whole counts 0 until it is added to the project dictionary."
        )
        % {"table": name}
    )


def _stakeholder_ids(node_rows: list[tree.Row]) -> list[int]:
    """The top-level nodes that come from the stakeholder template (matched by name), or none."""
    names = {entry.names[0] for entry in builtin.entries("stakeholders") if len(entry.names) == 1}
    return [row.id for row in node_rows if row.parent_id is None and row.name in names]


def _stakeholders(report: Report, project, user, coders: tuple[str, ...]) -> None:
    node_rows = tree.rows_for(project)
    roots = _stakeholder_ids(node_rows)
    if not roots:
        return
    report.heading(_("Stakeholders"))
    ids = [*roots, *sorted({d for r in roots for d in tree.descendants(node_rows, r)})]
    query = matrix.MatrixQuery(rows_by="province", nodes=tuple(ids), level=None, coders=coders)
    documents = matrix.load_query(project, user, query)
    references = matrix.load_query(project, user, replace(query, value="references"))
    rows = [[_("Stakeholder"), _("Documents coded"), _("References (codings)")]]
    rows += [
        [column.path, documents.column_totals[i], references.column_totals[i]]
        for i, column in enumerate(documents.columns)
    ]
    name = report.table(_("Stakeholders: documents and references (%(layer)s)") % {"layer": report.layer.label}, rows)
    report.say(
        _(
            "%(table)s counts, for every node of the stakeholder tree (its children included), the documents coded "
            "there and the codings."
        )
        % {"table": name}
    )


def _codebook(report: Report, project, user, coders: tuple[str, ...]) -> None:
    report.heading(_("Codebook"))
    query, found = matrix.framework_summary(project, user, matrix.MatrixQuery(coders=coders))
    if not found:
        report.say(_("The codebook is empty."))
        return
    rows = [[_("Category"), _("Subcategory"), _("Definition (coding rule)"), _("Provinces"), _("Province names")]]
    for node, count, names in found:
        parts = node.path.split("/")
        category, sub = (parts[0], "/".join(parts[1:])) if len(parts) > 1 else (parts[0], "")
        rows.append([category, sub, node.row.description, count, "、".join(names)])
    name = report.table(_("The codebook with the provinces that mention each node"), rows)
    report.say(
        _(
            "%(table)s gives every node of the codebook with its definition, and how many provinces have at least one "
            "coding there (%(rule)s), with their names."
        )
        % {"table": name, "rule": matrix.provinces_rule(query)}
    )
    drawn = report.figure(
        _("The codebook tree with the number of provinces at every node"),
        _counts_figure(project, found, report.layer),
    )
    report.say(_("%(figure)s draws the same counts on the codebook tree.") % {"figure": drawn})


def _counts_figure(project, found, layer) -> str:
    """The codebook tree with the number of provinces after every name (the names are in the table: a figure with
    them grows too wide to print)."""
    roots = tree.build_from([node for node, _count, _names in found])
    counts = {node.row.id: count for node, count, _names in found}
    return figure.svg(roots, title=downloads.layer_title(project.name, layer), counts=counts)


def _by_province_and_year(project, user, coders: tuple[str, ...]) -> tuple[matrix.Matrix, matrix.Matrix]:
    """The level-1 matrix of documents by province and by year, from one read of the codings (as
    matrix.load_query computes each: the same grouping, facts and computation)."""
    query = matrix.with_layer(project, user, matrix.MatrixQuery(value="documents", level=1, coders=coders))
    columns = matrix.columns_for(tree.rows_for(project), level=1)
    docs = matrix.documents_for(project, query)
    members = set().union(*(c.members for c in columns)) if columns else set()
    facts = matrix.facts_for(matrix.codings_for(project, user, query, members), "documents") if members else ()
    extra = {"coders": query.layer.names, "layer": query.layer, "provinces_only": False}
    by_province = matrix.compute(
        "documents", matrix.group_rows(docs, "province"), columns, facts, rows_by="province", **extra
    )
    by_year = matrix.compute("documents", matrix.group_rows(docs, "year"), columns, facts, rows_by="year", **extra)
    return by_province, by_year


def _matrix(report: Report, project, user, coders: tuple[str, ...]) -> None:
    report.heading(_("Province × category matrix"))
    try:
        result, by_year = _by_province_and_year(project, user, coders)
    except ValidationError:  # a codebook without nodes has no level 1
        report.say(_("The codebook is empty."))
        return
    name = report.table(
        _("Documents coded per province and category (%(layer)s)") % {"layer": report.layer.label},
        matrix_writers.sheet(result, corner=downloads.row_kind_label("province")),
    )
    report.say(
        _(
            "%(table)s counts, per province (全国 and documents without a province included) and top-level category, "
            "the documents with at least one coding in the category or below it; totals count each document once."
        )
        % {"table": name}
    )
    view = matrix_table.table(result)
    heatmap = matrix_writers.heatmap_svg(view, title=downloads.layer_title(project.name, report.layer))
    drawn = report.figure(_("The matrix as a heatmap"), heatmap)
    shown = province_map.from_matrix(result, province_map.DOCUMENTS, _("Documents (all, coded or not)"))
    map_figure = report.figure(
        _("Documents per province (tile map, 全国 marked apart)"),
        province_map.svg(shown, title=downloads.layer_title(project.name, report.layer)),
    )
    line = timeline.from_matrix(by_year)
    time_figure = report.figure(
        _("Documents coded per year of issue and category"),
        timeline.svg(line, title=project.name, value_label=downloads.value_label("documents")),
    )
    report.say(
        _(
            "%(heatmap)s shades the matrix; %(map)s places the provinces roughly where they lie; %(timeline)s follows "
            "the categories over the years of issue."
        )
        % {"heatmap": drawn, "map": map_figure, "timeline": time_figure}
    )


def _agreement(report: Report, project, user) -> None:
    report.heading(_("Coders and agreement"))
    visible = layers.visible_codings(project, user)
    per_coder = (
        visible.order_by()
        .values_list("coder__username")
        .annotate(documents=Count("document", distinct=True), codings=Count("id"))
        .order_by("coder__username")
    )
    rows = [[_("Coder"), _("Documents coded"), _("Codings")], *([n, d, c] for n, d, c in per_coder)]
    name = report.table(_("Who coded how much"), rows)
    report.say(_("%(table)s counts the codings of every coder you may see.") % {"table": name})
    if not layers.sees_everyone(project, user):
        report.say(_("The project codes blind: agreement between coders is for the owners and adjudicators."))
        return
    node_rows = tree.rows_for(project)
    categories = [row.id for row in node_rows if row.parent_id is None]
    asked = reliability.AgreementQuery(all_coders=True, rollup=True, nodes=tuple(categories) or None)
    try:
        result = reliability.run(project, user, reliability.resolve(project, asked))
    except (ValidationError, PermissionDenied) as error:
        reason = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        report.say(_("No agreement to report: %(reason)s") % {"reason": reason})
        return
    coders = "、".join(result.labels.get(c, c) for c in result.report.coders)
    rows = [[_("Category"), _("Pooled κ"), _("Weighted κ"), "α", _("Agreement (%)")]]
    for node in result.report.nodes:
        summary = node.summary.as_dict()
        if not reliability.coded(node):  # nobody coded it: its κ of 1 would flatter
            rows.append([node.path, "–", "–", "–", "–"])
            continue
        rows.append(
            [
                node.path,
                _number(summary["pooled_kappa"]),
                _number(node.weighted_kappa),
                _number(summary["alpha"]),
                _number(summary["agreement"], 2),
            ]
        )
    overall = result.report.overall.as_dict()
    rows.append([_("Overall"), _number(overall["pooled_kappa"]), "", _number(overall["alpha"]), ""])
    table = report.table(_("Agreement per category"), rows)
    report.say(
        _(
            "%(table)s compares %(pair)s (κ; α over all coders: %(coders)s) with the character as the unit, every "
            "category counting its subcategories' codings; – marks a category neither coded. Weighted κ is "
            "Σ N_d κ_d / Σ N_d over the documents. %(rule)s"
        )
        % {
            "table": table,
            "pair": " × ".join(result.pair_labels),
            "coders": coders,
            "rule": result.rule_description,
        }
    )


# --- the builder -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportQuery:
    """What the report is asked for, parsed at the edge (coding/analysis/query_params.py)."""

    coders: tuple[str, ...] = ()  # the layer's names; empty: the default layer
    top: int = DEFAULT_TOP  # words in the word-frequency table


def build(project, user, query: ReportQuery | None = None) -> Report:
    """The report for the layer the query's coders name (the default layer without them), with its top words."""
    query = query or ReportQuery()
    coders = query.coders
    layer = layers.layer_for(project, user, coders)
    report = Report(
        title=_("%(project)s: methods and results") % {"project": project.name},
        layer=layer,
        date=timezone.localdate().isoformat(),
    )
    report.say(
        _("Generated by PolicyCoder on %(date)s. Every count is computed on one coding layer: %(layer)s.")
        % {"date": report.date, "layer": layer.label}
    )
    _corpus(report, project)
    _words(report, project, user, query.top)
    _stakeholders(report, project, user, coders)
    _codebook(report, project, user, coders)
    _matrix(report, project, user, coders)
    _agreement(report, project, user)
    return report
