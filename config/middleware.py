"""The edge: a request carrying NUL or another control character is refused (400) before any view or query sees it.

Checked: the path, header values, query parameters, form fields (urlencoded or multipart, not the files' contents)
and JSON bodies. Names (parameter names, form field names, JSON keys) may hold no control character; values may
hold TAB, LF and CR, as a memo or a description does; a field that is a name (a node name, an attribute name)
refuses line breaks where it is saved. Header values may hold TAB. A cookie with a control character is dropped
rather than refused: it cannot be fixed by the person who sees the error.
"""

import json
import logging
import re
from collections.abc import Callable, Iterator

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import translation
from django.utils.translation import gettext as _

from config import errors
from policies import control_chars

logger = logging.getLogger(__name__)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# In JSON text a control character can only arrive escaped (raw C0 is invalid JSON) or as a raw DEL or C1
# character; a body without any of these needs no walk through its values (a bulk of codings has none).
_JSON_SUSPECT = re.compile(r"\\(?:[bfnrt]|u00[01]|u007f|u00[89]|ud[89a-f])|[\x7f-\x9f]", re.IGNORECASE)


TOO_BIG = object()


class ControlCharacterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _drop_bad_cookies(request)
        try:
            problem = request_problem(request)
        except RequestDataTooBig:
            problem = TOO_BIG
        if problem:  # only a refusal needs the sender's language (working it out for every request cost a save 5 %)
            with translation.override(translation.get_language_from_request(request)):
                if problem is TOO_BIG:
                    return errors.refusal(request, _("The request body is too large. Nothing was changed."), 413)
                return errors.refusal(request, request_problem(request) or problem)  # the message, translated
        return self.get_response(request)


def _drop_bad_cookies(request: HttpRequest) -> None:
    for name, value in list(request.COOKIES.items()):
        if control_chars.in_name(name) or control_chars.in_name(value):
            logger.warning("Dropped a cookie with a control character: %r", name)
            del request.COOKIES[name]


def request_problem(request: HttpRequest) -> str | None:
    """What is wrong with the request, as a message for the sender, or None."""
    bad = control_chars.in_name(request.path_info)
    if bad:
        return _("The address contains a control character (%(char)s). Nothing was changed.") % {
            "char": control_chars.code_point(bad)
        }
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and (bad := control_chars.in_header(value)):
            header = key[5:].replace("_", "-").title()
            return _("The header %(name)s contains a control character (%(char)s). Nothing was changed.") % {
                "name": header,
                "char": control_chars.code_point(bad),
            }
    return _first(_fields(request.GET)) or _first(_body_fields(request))


def _message(name: str, char: str) -> str:
    return _("“%(name)s” contains a control character (%(char)s), which is not allowed. Nothing was changed.") % {
        "name": control_chars.shown(name),
        "char": control_chars.code_point(char),
    }


def _first(problems: Iterator[str]) -> str | None:
    return next(problems, None)


def _fields(data: QueryDict) -> Iterator[str]:
    for name, values in data.lists():
        if bad := control_chars.in_name(name):
            yield _message(name, bad)
        for value in values:
            if isinstance(value, str) and (bad := control_chars.in_text(value)):
                yield _message(name, bad)


def _body_fields(request: HttpRequest) -> Iterator[str]:
    content_type = request.content_type or ""
    if content_type in FORM_TYPES:
        yield from _fields(_form(request))
    elif content_type == "application/json" or content_type.endswith("+json"):
        yield from _json_problems(request.body)


def _form(request: HttpRequest) -> QueryDict:
    if request.method == "POST":
        return request.POST
    if request.content_type == "multipart/form-data":
        if hasattr(request, "_post"):  # parsed here already (a refusal reads the request twice)
            return request._post
        # Django parses multipart bodies only for POST. A PUT or PATCH is parsed here the same way (files through
        # the upload handlers) and left where a POST's would be, which is where DRF's request looks for it.
        request._post, request._files = request.parse_file_upload(request.META, request)
        return request._post
    return QueryDict(request.body, encoding=request.encoding)


def _json_problems(body: bytes) -> Iterator[str]:
    try:
        data = json.loads(body) if body else None
    except RecursionError:
        yield _("The JSON body is nested too deeply. Nothing was changed.")
        return
    except ValueError:
        return  # not JSON: the view answers with the parse error
    try:
        if not _JSON_SUSPECT.search(body.decode("utf-8")):
            return
    except UnicodeDecodeError:
        pass  # another encoding: walk it
    yield from _json_walk(data)


def _json_walk(data: object) -> Iterator[str]:
    """Every key and string in the document, depth first, without recursion."""
    stack: list[tuple[str, object]] = [("", data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if bad := control_chars.in_text(value):
                yield _message(where or "JSON", bad)
        elif isinstance(value, dict):
            for key, item in value.items():
                if bad := control_chars.in_name(key):
                    yield _message(key, bad)
                stack.append((key, item))
        elif isinstance(value, list):
            stack.extend((where, item) for item in value)
