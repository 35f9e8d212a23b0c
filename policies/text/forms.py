"""The query forms of the text pages (word frequency, text search and its auto-coding): each <select>'s choices and
chosen option in one place (the parameters are parsed by query_params and search.parse_query)."""

from django.utils.translation import gettext_lazy as _

from policies.forms import AttributeFiltersForm, QueryForm, select
from policies.text import search, segment

POS_LABELS = {
    "noun": _("Nouns"),
    "verb": _("Verbs"),
    "adjective": _("Adjectives"),
    "organization": _("Organizations"),
    "place": _("Places"),
    "person": _("Person names"),
    "idiom": _("Idioms"),
}
SPREAD_LABELS = {
    "hit": _("the hit itself"),
    "sentence": _("its sentence"),
    "paragraph": _("its paragraph"),
    "article": _("its article (第X条)"),
}


class ScopeForm(AttributeFiltersForm):
    """The scope of a text query: document attributes, and the text coded at a node by a layer."""

    node = select()
    coder = select()

    def __init__(self, data, *, facets, nodes, coders) -> None:
        super().__init__(data, facets=facets)
        at = [("", _("Whole documents")), *((node_id, path) for node_id, path, _depth in nodes)]
        layers = [("", _("Default layer")), *((name, name) for name in coders), ("consensus", "共识")]
        self.choose(node=at, coder=layers)


class WordFrequencyForm(ScopeForm):
    pos = select()

    def __init__(self, data, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.choose(pos=[("", _("All")), *((group, POS_LABELS[group]) for group in segment.POS_GROUPS)])


class TextSearchForm(ScopeForm):
    mode = select()
    sort = select()

    def __init__(self, data, **kwargs) -> None:
        super().__init__(data, **kwargs)
        modes = [("terms", _("any of the terms")), ("regex", _("regular expression"))]
        sorts = [("document", _("document order")), ("left", _("left context")), ("right", _("right context"))]
        self.choose(mode=modes, sort=[*sorts, ("hit", _("hit"))])


class AutocodeForm(QueryForm):
    """Auto-coding the hits of a search: at which node, and how much text around each hit."""

    target = select(required=True)
    spread = select()

    def __init__(self, *, nodes) -> None:
        super().__init__(None)
        targets = [("", _("Choose a node…")), *((node_id, path) for node_id, path, _depth in nodes)]
        self.choose(target=targets, spread=[(spread, SPREAD_LABELS[spread]) for spread in search.SPREADS])
