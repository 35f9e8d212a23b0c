"""The edge of the analysis pages and API: request parameters (a QueryDict or a plain mapping) become the typed,
frozen queries the analysis modules take (MatrixQuery, TableOptions…), and the parameters that define a page are
re-encoded for its links. Views and the API call these; no analysis module reads a request. Booleans, lists and
numbers are spelled as policies/queries.py reads them; refusals are ValidationErrors with the messages they had."""

from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from coding.analysis import cooccurrence, matrix, matrix_table, methods_report, reliability
from policies import control_chars, corpus, queries

MATRIX_PARAMS = ("rows", "value", "level", "nodes", "parent", "coders", "all", "provinces_only", *corpus.FILTER_FIELDS)
LIST_PARAMS = ("coder", "node")


def _custom_names(project) -> list[str]:
    return list(project.custom_attributes.values_list("name", flat=True))


def node_ids(params: Mapping, *names: str) -> tuple[int, ...]:
    """Node ids given comma-separated or repeated under `names` (the first names the parameter in the message)."""
    parts = queries.names(params, *names)
    if not all(queries.is_number(part) for part in parts):
        raise ValidationError(_("“%(name)s” must be node ids separated by commas.") % {"name": names[0]})
    return tuple(dict.fromkeys(int(part) for part in parts))


def matrix_query(project, params: Mapping, custom_names: Iterable[str] | None = None) -> matrix.MatrixQuery:
    """?rows=&value=&level=&nodes=(or node=…)&parent=&coders=(or coder=…)&all=&provinces_only= and the document
    filters → MatrixQuery; a ValidationError says what is wrong with them."""
    custom = list(custom_names) if custom_names is not None else _custom_names(project)
    rows_by = matrix.check_rows_by(queries.text(params, "rows") or "province", custom)
    value = queries.text(params, "value") or "documents"
    if value not in matrix.VALUES:
        raise ValidationError(
            _("Unknown value “%(value)s”: use one of %(allowed)s.")
            % {"value": value[:40], "allowed": ", ".join(matrix.VALUES)}
        )
    nodes = node_ids(params, "nodes", "node")
    parent = node_ids(params, "parent")
    level_text = queries.text(params, "level")
    if level_text and not queries.is_number(level_text):
        raise ValidationError(_("“level” must be a whole number: 1 for the categories, 2 for subcategories."))
    return matrix.MatrixQuery(
        rows_by=rows_by,
        value=value,
        level=int(level_text) if level_text else (None if nodes or parent else 1),
        nodes=nodes,
        parent=parent[0] if parent else None,
        coders=queries.names(params, "coders", "coder"),
        all_provinces=queries.flag(params, "all"),
        filters=tuple(queries.filters(params).items()),
        provinces_only=queries.flag(params, "provinces_only", None),
    )


def counts_query(project, params: Mapping) -> matrix.MatrixQuery:
    """?by= (issuer type by default): the attribute whose values the attribute counts count documents by."""
    return matrix.MatrixQuery(
        rows_by=matrix.check_rows_by(queries.text(params, "by") or "issuer_type", _custom_names(project))
    )


def table_options(params: Mapping) -> matrix_table.TableOptions:
    """?transpose=&sort=&heat= (the heat colours are on unless heat=0)."""
    return matrix_table.TableOptions(
        transpose=queries.flag(params, "transpose"),
        sort=queries.text(params, "sort"),
        heat=queries.flag(params, "heat", True),
    )


def query_string(params: Mapping, *, keep=MATRIX_PARAMS, lists=LIST_PARAMS) -> str:
    """The page-defining parameters of a request, re-encoded for links (cells, exports, sort headers)."""
    pairs = [(k, queries.values(params, k)[-1]) for k in keep if queries.text(params, k)]
    pairs += [(k, v) for k in lists for v in queries.values(params, k) if v]
    return urlencode(pairs)


def report_query(params: Mapping) -> methods_report.ReportQuery:
    """?coders=(or coder=…)&top= for the methods report."""
    top = queries.text(params, "top")
    if top and (not queries.is_number(top) or not 1 <= int(top) <= methods_report.MAX_TOP):
        raise ValidationError(_("“top” must be a whole number from 1 to %(max)s.") % {"max": methods_report.MAX_TOP})
    coders = queries.names(params, "coders", "coder")
    return methods_report.ReportQuery(coders=coders, top=int(top) if top else methods_report.DEFAULT_TOP)


def _refuse_control(params: Mapping, names: Iterable[str]) -> None:
    for name in names:
        for text in queries.values(params, name):
            bad = control_chars.in_name(text)
            if bad:
                raise ValidationError(
                    _("The parameters hold a control character (%(char)s).") % {"char": control_chars.code_point(bad)}
                )


def cooccurrence_query(params: Mapping) -> cooccurrence.CooccurrenceQuery:
    """?unit=&value=&level=&nodes=(or node=…)&min=&coders=(or coder=…) → CooccurrenceQuery."""
    _refuse_control(params, ("unit", "value", "nodes", "level", "min", "coders", "node", "coder"))
    unit = queries.text(params, "unit") or "passage"
    if unit not in cooccurrence.UNITS:
        allowed = ", ".join(cooccurrence.UNITS)
        raise ValidationError(
            _("Unknown unit “%(unit)s”: use one of %(allowed)s.") % {"unit": unit[:40], "allowed": allowed}
        )
    value = queries.text(params, "value") or "count"
    if value not in cooccurrence.VALUES:
        raise ValidationError(
            _("Unknown value “%(value)s”: use one of %(allowed)s.")
            % {"value": value[:40], "allowed": ", ".join(cooccurrence.VALUES)}
        )
    nodes = node_ids(params, "nodes", "node")
    level_text = queries.text(params, "level")
    if level_text and not (level_text.isascii() and level_text.isdigit()):
        raise ValidationError(_("“level” must be a whole number: 1 for the categories, 2 for subcategories."))
    minimum_text = queries.text(params, "min")
    try:
        minimum = float(minimum_text) if minimum_text else 1.0
    except ValueError:
        minimum = -1.0
    if not 0 <= minimum < 1e9:
        raise ValidationError(_("“min” must be a number of 0 or more."))
    return cooccurrence.CooccurrenceQuery(
        unit=unit,
        value=value,
        level=int(level_text) if level_text else (None if nodes else 1),
        nodes=nodes,
        coders=queries.names(params, "coders", "coder"),
        minimum=minimum,
    )


def _ids_or_none(params: Mapping, name: str) -> tuple[int, ...] | None:
    """Comma-separated ids, or None when the parameter is absent or blank (every one)."""
    if not queries.text(params, name):
        return None
    return queries.ids(params, name, _("“%(name)s” must be ids separated by commas.") % {"name": name})


def agreement_query(params: Mapping) -> reliability.AgreementQuery:
    """coders=a,b (or a=&b=, all=true, group_a=&group_b=); unit; nodes or branch; rollup; documents, scope=assigned
    and the document filters; assume_all_reviewed → AgreementQuery (reliability.resolve checks it further)."""
    groups = tuple(queries.names(params, label) for label in reliability.GROUP_LABELS)
    coders = queries.names(params, "coders") or tuple(
        n for n in (queries.text(params, "a"), queries.text(params, "b")) if n
    )
    branch = queries.text(params, "branch")
    if branch and not queries.is_number(branch):
        raise ValidationError(_("“branch” must be a node id."))
    return reliability.AgreementQuery(
        coders=coders,
        all_coders=queries.flag(params, "all"),
        groups=groups if any(groups) else None,
        unit=queries.text(params, "unit") or "character",
        nodes=_ids_or_none(params, "nodes"),
        branch=int(branch) if branch else None,
        rollup=queries.flag(params, "rollup"),
        documents=_ids_or_none(params, "documents"),
        filters=tuple(queries.filters(params).items()),
        assigned_only=(queries.text(params, "scope") or "all") == "assigned",
        all_reviewed=queries.flag(params, "assume_all_reviewed"),
    )
