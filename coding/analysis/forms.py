"""The query forms of the analysis pages: each <select>'s choices and chosen option in one place (the parameters are
parsed by query_params)."""

from django.utils.translation import gettext as _

from policies.forms import AttributeFiltersForm, QueryForm, select


def level_choices(nodes: list[tuple[int, str, int]]) -> list[tuple[str, str]]:
    """Level 1 down to the codebook's deepest level, from (id, path, depth) node choices."""
    deepest = max((depth for _id, _path, depth in nodes), default=1)
    return [(str(level), _("Level %(level)s") % {"level": level}) for level in range(1, deepest + 1)]


class MatrixForm(AttributeFiltersForm):
    rows = select()
    level = select()
    parent = select()
    value = select()

    def __init__(self, data, *, facets, rows, nodes, values) -> None:
        super().__init__(data, facets=facets)
        parents = [("", "—"), *((node_id, path) for node_id, path, _depth in nodes)]
        self.choose(rows=rows, level=level_choices(nodes), parent=parents, value=values)


class AttributeCountsForm(QueryForm):
    by = select(**{"data-autosubmit": True})

    def __init__(self, data, *, rows) -> None:
        super().__init__(data)
        self.choose(by=[choice for choice in rows if choice[0] != "document"])


class FrameworkSummaryForm(QueryForm):
    rows = select(**{"data-autosubmit": True})
    provinces_only = select(**{"data-autosubmit": True})

    def __init__(self, data, *, rows) -> None:
        super().__init__(data)
        provinces = [("1", _("Provinces only (without 全国)")), ("0", _("Provinces and 全国"))]
        self.choose(rows=rows, provinces_only=provinces)


class CooccurrenceForm(QueryForm):
    unit = select()
    value = select()
    level = select()

    def __init__(self, data, *, units, values, nodes) -> None:
        super().__init__(data)
        self.choose(unit=units, value=values, level=level_choices(nodes))


class AgreementForm(AttributeFiltersForm):
    a = select(id="coder-a")
    b = select(id="coder-b")
    unit = select()
    branch = select()
    scope = select()

    def __init__(self, data, *, facets, coders, units, nodes) -> None:
        super().__init__(data, facets=facets)
        coders = [("", "—"), *coders]
        branches = [("", _("All nodes"))] + [(i, _("Branch: %(path)s") % {"path": path}) for i, path in nodes]
        scopes = [("all", _("All documents")), ("assigned", _("Assigned to the compared coders"))]
        self.choose(a=coders, b=coders, unit=units, branch=branches, scope=scopes)
