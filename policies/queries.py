"""Request values become typed values here, at the edge: the one spelling of a boolean, lists given as repeated
parameters or comma-separated, whole numbers in a range. Forms, serializers and the typed query objects of each
feature (MatrixQuery, NodeViewQuery, ExportSelection…) read parameters through these helpers; domain functions take
the typed objects, never a request's QueryDict.

A boolean is `true` or `false` (the OpenAPI spelling); 1/0, on/off and yes/no are read as the same, as an HTML
checkbox sends `on`. An empty or absent value is the default; anything else is an error that says so."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from policies import corpus

TRUE = frozenset({"true", "1", "on", "yes"})
FALSE = frozenset({"false", "0", "off", "no"})


def values(params: Mapping, name: str) -> list[str]:
    """Every value of a parameter: a QueryDict's repeated values, or a plain mapping's one value or list."""
    getlist = getattr(params, "getlist", None)
    if getlist is not None:
        return [str(value) for value in getlist(name)]
    value = params.get(name)
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return [str(value)]


def text(params: Mapping, name: str, default: str = "") -> str:
    """A parameter's last value, stripped ("" when absent)."""
    given = values(params, name)
    return given[-1].strip() if given else default


def names(params: Mapping, *keys: str) -> tuple[str, ...]:
    """Comma-separated and repeated values of the given parameters together: stripped, each once, in order."""
    found = (part.strip() for key in keys for value in values(params, key) for part in value.split(","))
    return tuple(dict.fromkeys(part for part in found if part))


def parse_flag(value: object, name: str, default: bool | None = False) -> bool | None:
    """One value as a boolean: see the module's docstring; `default` for an empty or absent value."""
    if isinstance(value, bool):
        return value
    spelled = str(value if value is not None else "").strip().lower()
    if not spelled:
        return default
    if spelled in TRUE:
        return True
    if spelled in FALSE:
        return False
    raise ValidationError(_("“%(name)s” must be true or false.") % {"name": name[:40]})


def flag(params: Mapping, name: str, default: bool | None = False) -> bool | None:
    """A boolean parameter (the last value when repeated)."""
    return parse_flag(text(params, name), name, default)


def is_number(raw: str) -> bool:
    """Whether `raw` is a whole number int() reads and a 64-bit column holds: ASCII digits, at most 18 of them.
    str.isdigit alone lets in '²', which int() refuses (a 500), and any length, which the database refuses."""
    return raw.isascii() and raw.isdigit() and len(raw) <= 18


def number(raw: str) -> int | None:
    """The whole number `raw` writes (is_number), else None."""
    return int(raw) if is_number(raw) else None


def whole_number(params: Mapping, name: str, default: int, low: int, high: int | None) -> int:
    """A whole number in [low, high] (high None: no upper bound); the default when absent; otherwise an error that
    names the range."""
    raw = text(params, name)
    if not raw:
        return default
    given = number(raw)
    if given is None or given < low or (high is not None and given > high):
        shown = {"name": name[:40], "low": low, "high": high}
        if high is None:
            raise ValidationError(_("%(name)s must be a whole number of at least %(low)d.") % shown)
        raise ValidationError(_("%(name)s must be a whole number from %(low)d to %(high)d.") % shown)
    return given


def filters(params: Mapping) -> dict[str, str]:
    """The document-attribute filters given (?province=&issuer_type=&policy_type=…), stripped, empty ones left out;
    corpus.filter_documents checks the values."""
    return {name: value for name in corpus.FILTER_FIELDS if (value := text(params, name))}


def ids(params: Mapping, name: str, message: str) -> tuple[int, ...]:
    """Comma-separated (or repeated) whole numbers, each once, in order; `message` when one is not a number."""
    found = [number(part) for part in names(params, name)]
    if None in found:
        raise ValidationError(message)
    return tuple(dict.fromkeys(found))


def document_query(params: Mapping, *, lenient: bool) -> corpus.DocumentQuery:
    """The document table's filters, `sort`, `page` (1-based) and `page_size`, for the project page and the API.

    lenient (the page): an unknown sort is upload order, a page that is not a number is the first, a page size other
    than corpus.PAGE_SIZES is the default, and Paginator.get_page makes a page past the end the last. Otherwise (the
    API) each is refused with a message that names what is allowed; page_size defaults to corpus.API_PAGE_SIZE."""
    sort = text(params, "sort") or "id"
    if sort.removeprefix("-") not in corpus.SORT_FIELDS:  # one '-' only: '--title' is not a field
        if not lenient:
            allowed = ", ".join(corpus.SORT_FIELDS)
            message = _("Unknown sort “%(sort)s”: use one of %(allowed)s, with a leading “-” for descending.")
            raise ValidationError(message % {"sort": sort[:40], "allowed": allowed})
        sort = "id"
    if lenient:
        page = number(text(params, "page")) or 1
        page_size = number(text(params, "page_size"))
        page_size = page_size if page_size in corpus.PAGE_SIZES else corpus.PAGE_SIZES[0]
    else:
        page = whole_number(params, "page", 1, 1, None)
        page_size = whole_number(params, "page_size", corpus.API_PAGE_SIZE, 1, corpus.API_MAX_PAGE_SIZE)
    return corpus.DocumentQuery(filters=tuple(filters(params).items()), sort=sort, page=page, page_size=page_size)
