"""The edge of the text pages and API: request parameters (a QueryDict or a plain mapping) become the typed, frozen
values the text modules take (search.Scope, frequency.Options). Views and the API call these; no text module reads a
request. Refusals are the modules' own errors (SearchError, FrequencyError) with the messages they had."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from policies import queries
from policies.text import frequency, search, segment


def scope(params: Mapping) -> search.Scope:
    """?province=&issuer_type=&policy_type=&node=&coder= → Scope."""
    node = queries.text(params, "node")
    if node and not queries.is_number(node):
        raise search.SearchError(_("“%(value)s” is not a node id.") % {"value": node})
    return search.Scope(
        province=queries.text(params, "province"),
        issuer_type=queries.text(params, "issuer_type"),
        policy_type=queries.text(params, "policy_type"),
        node=int(node) if node else None,
        coder=queries.text(params, "coder"),
    )


def frequency_options(params: Mapping) -> frequency.Options:
    """?top=&min_length=&pos=(comma-separated or repeated)&stopwords=&sort= → Options."""
    try:
        prefixes = segment.pos_prefixes(queries.names(params, "pos"))
    except segment.DictionaryError as error:
        raise frequency.FrequencyError(str(error)) from None
    sort = queries.text(params, "sort") or "count"
    raw = queries.text(params, "stopwords")
    try:
        return frequency.Options(
            top=queries.whole_number(params, "top", frequency.DEFAULT_TOP, 1, frequency.MAX_TOP),
            min_length=queries.whole_number(params, "min_length", frequency.DEFAULT_MIN_LENGTH, 1, 20),
            pos=prefixes,
            stopwords=raw.lower() == "include" or bool(queries.parse_flag(raw, "stopwords")),
            sort=sort if sort in frequency.SORTS else "count",
        )
    except ValidationError as error:
        raise frequency.FrequencyError(" ".join(error.messages)) from None
