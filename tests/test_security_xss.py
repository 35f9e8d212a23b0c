"""Markup in a parameter or a stored field never comes back raw where a browser renders it, and every answer carries
the headers that make the browser enforce that (Content-Security-Policy, Permissions-Policy, nosniff)."""

import re
from typing import ClassVar

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from coding.models import Assignment, Memo, MemoKind
from policies.models import CustomAttribute, DictionaryTerm, Role, Stopword
from tests.factories import CodingFactory, DocumentFactory, MembershipFactory, NodeFactory, ProjectFactory, UserFactory
from tests.test_no_server_errors import NONSENSE, _named_routes

PAYLOAD = "\"'><svg onload=alert(1)>"
RAW = b"<svg onload=alert(1)>"
# Content types a browser renders as a document that can run script; text/plain, CSV and JSON it does not (nosniff).
RENDERED = {"text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml"}
# Every query parameter a view reads, and every form field.
QUERY = (
    *("a", "all", "assume_all_reviewed", "b", "bom", "branch", "by", "coder", "coders", "compact", "confirm"),
    *("counts", "depth", "descendants", "documents", "download", "edit", "group_a", "group_b", "heat", "hits"),
    *("issuer_type", "kind", "lang", "layer", "layout", "level", "limit", "min_length", "mode", "next", "node"),
    *("nodes", "page", "parent", "policy_type", "pos", "province", "q", "rollup", "row", "rows", "scope", "sort"),
    *("spread", "stopwords", "target", "top", "transpose", "unit", "value", "version", "was", "format"),
)
FORM = (
    *("action", "adjudicators", "after", "all_documents", "attr-name", "attributes", "before", "blind", "body"),
    *("coding", "color", "description", "direction", "doc_number", "document", "done", "end", "frequency", "hit"),
    *("issue_date", "issuer", "labels", "memo", "name", "position", "preview", "remove_attribute", "role", "rule"),
    *("start", "tag", "template", "templates", "term", "title", "username", "word", "words", "year"),
)
SKIPPED = ("admin:", "logout", "api:schema")  # the admin is Django's; logging out would end the walk


def _rendered(response) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip().lower() in RENDERED


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _check(response, what: str) -> None:
    """The answer carries the browser-side defences, and a rendered one never holds the markup raw."""
    body = _body(response)
    if _rendered(response):
        assert RAW not in body, f"{what} reflects markup: …{body[max(body.find(RAW) - 200, 0) :][:300]!r}…"
    assert response.get("X-Content-Type-Options") == "nosniff", what
    assert "script-src 'self'" in response.get("Content-Security-Policy", ""), what
    if 300 <= response.status_code < 400:
        location = response["Location"]
        assert url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"}), f"{what} → {location}"


def _urls(route_ids):
    for name, pattern in _named_routes():
        if name.startswith(SKIPPED):
            continue
        keys = list(pattern.pattern.regex.groupindex)
        if all(k in route_ids for k in keys):
            yield name, reverse(name, kwargs={k: route_ids[k] for k in keys})


def _ordered(urls):
    """Writes that delete come last, so the objects stay for the other routes."""
    return sorted(urls, key=lambda item: ("delete" in item[0] or item[0] in ("api:document", "api:node", "api:member")))


@pytest.fixture
def route_ids(project, owner, coder, viewer):
    document = DocumentFactory(project=project)
    node = NodeFactory(project=project)
    coding = CodingFactory(document=document, node=node, coder=coder, start=0, end=4)
    Assignment.objects.create(project=project, document=document, coder=coder)
    memo = Memo.objects.create(project=project, kind=MemoKind.JOURNAL, author=owner, body="x")
    term = DictionaryTerm.objects.create(project=project, word="公共数据", frequency=5)
    return {
        "project_id": project.pk,
        "document_id": document.pk,
        "node_id": node.pk,
        "coding_id": coding.pk,
        "memo_id": memo.pk,
        "member_id": project.memberships.get(user=viewer).pk,
        "term_id": term.pk,
        "fmt": "csv",
    }


# --- reflected: a payload in any parameter --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["owner", "coder", "viewer", "outsider"])
def test_no_parameter_comes_back_raw_for_any_role(client, request, route_ids, role):
    client.force_login(request.getfixturevalue(role))
    everything = dict.fromkeys((*QUERY, *FORM), PAYLOAD)
    urls = _ordered(_urls(route_ids))
    assert len(urls) > 90
    for name, url in urls:
        _check(client.get(url, everything), f"GET {name} as {role}")
        _check(client.get(url, everything, headers={"HX-Request": "true"}), f"htmx GET {name} as {role}")
        _check(client.get(url, everything, headers={"Accept": "text/html"}), f"GET {name} (text/html) as {role}")
    for name, url in urls:
        _check(client.post(url, everything), f"POST {name} as {role}")
        _check(client.post(url, everything, headers={"HX-Request": "true"}), f"htmx POST {name} as {role}")


class _Reading(QueryDict):
    """A query string that notes which keys the view reads; walking them all counts as reading every key."""

    read: ClassVar[set[str]] = set()

    def _note(self, key: str) -> None:
        _Reading.read.add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._note(key)
        return super().getlist(key, default)

    def _walk(self, method, *args):
        self._note(EVERY_KEY)
        return getattr(super(), method)(*args)

    def items(self):
        return self._walk("items")

    def lists(self):
        return self._walk("lists")

    def keys(self):
        return self._walk("keys")

    def values(self):
        return self._walk("values")

    def __iter__(self):
        return self._walk("__iter__")

    def dict(self):
        return self._walk("dict")

    def copy(self):
        return self._walk("copy")

    def urlencode(self, safe=None):
        return self._walk("urlencode", safe)


EVERY_KEY = "*"


@pytest.mark.django_db
def test_no_single_parameter_comes_back_raw(client, owner, route_ids, monkeypatch):
    """One parameter at a time, so a check that fails early cannot hide a later one that reflects. A view reads the
    same keys with one parameter given as with none until it reads that one, so each route is tried with each key it
    reads when given none (every key, if it walks them all). The API is left to the walk above: it answers JSON (or
    CSV) whatever the parameters."""
    monkeypatch.setattr("django.core.handlers.wsgi.QueryDict", _Reading)
    client.force_login(owner)
    variants = {"rows": ("attr:" + PAYLOAD,), "by": ("attr:" + PAYLOAD,), "coders": ("owner," + PAYLOAD,)}
    tried = 0
    for name, url in _ordered(_urls(route_ids)):
        _Reading.read = set()
        if name.startswith("api:") or client.get(url).status_code == 405:
            continue
        keys = QUERY if EVERY_KEY in _Reading.read else sorted(_Reading.read)
        for key in keys:
            for value in (PAYLOAD, *variants.get(key, ())):
                _check(client.get(url, {key: value}), f"GET {name} ?{key}={value}")
                tried += 1
    assert tried > 300


@pytest.mark.django_db
def test_matrix_export_answers_a_bad_value_with_an_escaped_page(client, owner, project):
    client.force_login(owner)
    response = client.get(reverse("coding:matrix-csv", args=[project.pk]), {"value": "<svg onload=alert(1)>"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert b"&lt;svg onload=alert(1)&gt;" in response.content
    assert b"<svg onload" not in response.content
    assert project.name.encode() in response.content  # the page layout, with the project's navigation


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route", ["coding:matrix-csv", "coding:matrix-svg", "coding:counts-csv", "coding:summary-csv", "coding:matrix-cell"]
)
def test_export_errors_are_pages_in_the_layout(client, owner, project, route):
    client.force_login(owner)
    response = client.get(reverse(route, args=[project.pk]), {"rows": PAYLOAD, "by": PAYLOAD, "node": PAYLOAD})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert b'<main class="page">' in response.content
    assert RAW not in response.content


# --- stored: markup in every name, title and memo -----------------------------------------------------


@pytest.fixture
def hostile_project(db):
    """A project whose every user-written string carries markup, including the usernames and the text itself."""
    project = ProjectFactory(name=PAYLOAD, description=PAYLOAD)
    owner = MembershipFactory(project=project, role=Role.OWNER, user=UserFactory(username="owner")).user
    coder = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username=PAYLOAD)).user
    CustomAttribute.objects.create(project=project, name=PAYLOAD)
    document = DocumentFactory(
        project=project,
        title=PAYLOAD,
        issuer=PAYLOAD,
        doc_number=PAYLOAD,
        original_name=f"{PAYLOAD}.txt",
        text=f"第一条　{PAYLOAD}\n{PAYLOAD}公共数据",
        attributes={PAYLOAD: PAYLOAD},
    )
    root = NodeFactory(project=project, name=PAYLOAD, description=PAYLOAD)
    child = NodeFactory(project=project, parent=root, name=f"{PAYLOAD}子", description=PAYLOAD)
    for who, node in ((owner, root), (coder, child), (coder, root)):
        CodingFactory(document=document, node=node, coder=who, start=4, end=20, memo=PAYLOAD)
    Assignment.objects.create(project=project, document=document, coder=coder)
    Memo.objects.create(project=project, kind=MemoKind.JOURNAL, author=coder, title=PAYLOAD, body=PAYLOAD)
    Memo.objects.create(project=project, kind=MemoKind.DOCUMENT, document=document, author=coder, body=PAYLOAD)
    Memo.objects.create(project=project, kind=MemoKind.NODE, node=root, author=coder, body=PAYLOAD)
    term = DictionaryTerm.objects.create(project=project, word=PAYLOAD, frequency=5)
    Stopword.objects.create(project=project, word=PAYLOAD)
    memo = Memo.objects.filter(project=project).first()
    return {
        "owner": owner,
        "coder": coder,
        "route_ids": {
            "project_id": project.pk,
            "document_id": document.pk,
            "node_id": root.pk,
            "coding_id": document.codings.first().pk,
            "memo_id": memo.pk,
            "member_id": project.memberships.get(user=coder).pk,
            "term_id": term.pk,
            "fmt": "csv",
        },
        "parameters": [
            {},
            NONSENSE,
            {"rows": "attr:" + PAYLOAD, "by": "attr:" + PAYLOAD, "value": "references", "counts": "coders"},
            {"coders": f"owner,{PAYLOAD}", "a": "owner", "b": PAYLOAD, "unit": "article"},
            {"all": "1", "node": root.pk, "nodes": f"{root.pk},{child.pk}", "transpose": "1"},
            {"coder": PAYLOAD, "q": "公共数据", "rows": "document", "level": "2"},
            {"q": "svg", "mode": "regex", "parent": root.pk},
        ],
    }


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["owner", "coder"])
def test_stored_markup_never_comes_back_raw(client, hostile_project, who):
    client.force_login(hostile_project[who])
    urls = [
        (n, u)
        for n, u in _urls(hostile_project["route_ids"])
        if not n.startswith("api:") or "export" in n or "figure" in n
    ]
    assert len(urls) > 40
    for name, url in urls:
        for parameters in hostile_project["parameters"]:
            _check(client.get(url, parameters), f"GET {name} {parameters} as {who}")
        _check(client.get(url, headers={"HX-Request": "true"}), f"htmx GET {name} as {who}")


@pytest.mark.django_db
def test_stored_markup_never_comes_back_raw_in_the_browsable_api(client, hostile_project):
    client.force_login(hostile_project["owner"])
    for name, url in _urls(hostile_project["route_ids"]):
        if name.startswith("api:"):
            _check(client.get(url, headers={"Accept": "text/html"}), f"GET {name} (browsable API)")


@pytest.mark.django_db
def test_figures_escape_every_label_and_carry_the_policy(client, hostile_project):
    """SVG runs script when opened on its own: every label is escaped, and the policy would stop a script anyway."""
    client.force_login(hostile_project["owner"])
    project_id = hostile_project["route_ids"]["project_id"]
    figures = [
        (reverse("framework:figure", args=[project_id]), {"counts": "documents"}),
        (reverse("api:nodes-figure", args=[project_id]), {"counts": "coders"}),
        (reverse("coding:matrix-svg", args=[project_id]), {"rows": "attr:" + PAYLOAD, "all": "1"}),
        (reverse("coding:counts-svg", args=[project_id]), {"by": "attr:" + PAYLOAD}),
        (reverse("coding:summary-figure", args=[project_id]), {"rows": "attr:" + PAYLOAD}),
    ]
    for url, parameters in figures:
        response = client.get(url, parameters)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("image/svg+xml"), url
        assert b"&lt;svg onload=alert(1)&gt;" in response.content, url  # the label is there, escaped
        _check(response, url)
        if "/api/" not in url and "codebook" not in url:  # the export figures are downloads
            assert response["Content-Disposition"].startswith("attachment;"), url


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "json", "qdc"])
def test_codebook_exports_are_attachments_with_the_markup_escaped(client, hostile_project, fmt):
    client.force_login(hostile_project["owner"])
    project_id = hostile_project["route_ids"]["project_id"]
    for url in (
        reverse("framework:export", args=[project_id, fmt]),
        reverse("api:nodes-export", args=[project_id, fmt]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Disposition"].startswith("attachment;"), url
        _check(response, url)  # .qdc is XML, which a browser would render


@pytest.mark.django_db
@pytest.mark.parametrize("route", ["coding:matrix-svg", "coding:counts-svg", "coding:summary-figure"])
def test_svg_downloads_are_attachments(client, hostile_project, route):
    client.force_login(hostile_project["owner"])
    response = client.get(reverse(route, args=[hostile_project["route_ids"]["project_id"]]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


# --- redirects ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_done_follows_next_only_inside_the_app(client, coder, route_ids):
    client.force_login(coder)
    url = reverse("coding:assignment-done", args=[route_ids["document_id"]])
    workspace = reverse("coding:workspace", args=[route_ids["document_id"]])
    team = reverse("coding:team", args=[route_ids["project_id"]])
    targets = {
        "https://evil.example/": workspace,
        "//evil.example/": workspace,
        "javascript:alert(1)": workspace,
        "/\\evil.example": workspace,
        " javascript:x": workspace,
        "matrix": workspace,  # a bare word once went through reverse() and gave a 500
        team: team,
    }
    for target, expected in targets.items():
        response = client.post(url, {"done": "1", "next": target})
        assert response.status_code == 302, target
        assert response["Location"] == expected, target
    assert Assignment.objects.get(coder=coder).done_at is not None  # the mark itself still counts


# --- headers -----------------------------------------------------------------------------------------

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def _directives(header: str) -> dict[str, str]:
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_page_api_and_file_answers_carry_the_security_headers(client, owner, route_ids):
    client.force_login(owner)
    answers = {
        "page": client.get(reverse("policies:project-home", args=[route_ids["project_id"]])),
        "api": client.get(reverse("api:project", args=[route_ids["project_id"]])),
        "file": client.get(reverse("policies:document-original", args=[route_ids["document_id"]])),
        "export": client.get(reverse("coding:matrix-csv", args=[route_ids["project_id"]])),
        "figure": client.get(reverse("framework:figure", args=[route_ids["project_id"]])),
        "error": client.get(reverse("coding:matrix-csv", args=[route_ids["project_id"]]), {"value": "x"}),
    }
    for what, response in answers.items():
        assert response.status_code in (200, 400), what
        directives = _directives(response["Content-Security-Policy"])
        for directive, value in POLICY.items():
            assert directives[directive] == value, f"{what}: {directive}"
        assert "unsafe-eval" not in response["Content-Security-Policy"], what
        assert "unsafe-inline" not in directives["script-src"], what
        assert response["X-Content-Type-Options"] == "nosniff", what
        assert response["Referrer-Policy"] == "same-origin", what
        permissions = response["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in permissions, f"{what}: {feature}"
    assert answers["file"]["Content-Disposition"].startswith("attachment;")


@pytest.mark.django_db
def test_no_page_holds_an_inline_script_or_event_handler(client, owner, coder, route_ids):
    """What the policy would block must not be written in the first place (json_script data is not executed)."""
    client.force_login(owner)
    inline_script = re.compile(rb"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.IGNORECASE)
    handler = re.compile(rb"<[^>]+\s(on[a-z]+|hx-on[:a-z-]*)\s*=", re.IGNORECASE)
    javascript_url = re.compile(rb"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
    pages = 0
    for name, url in _urls(route_ids):
        response = client.get(url)
        if not (response.status_code == 200 and _rendered(response)) or "svg" in response["Content-Type"]:
            continue
        pages += 1
        body = _body(response)
        assert not inline_script.search(body), f"{name}: {inline_script.search(body).group()!r}"
        assert not handler.search(body), f"{name}: {handler.search(body).group()!r}"
        assert not javascript_url.search(body), name
    assert pages > 25


@pytest.mark.django_db
@pytest.mark.parametrize("route", ["api:docs", "api:redoc"])
def test_api_docs_load_nothing_from_outside(client, owner, route):
    client.force_login(owner)
    response = client.get(reverse(route))
    assert response.status_code == 200
    origins = set(re.findall(rb"https?://[^/\"'\s)]+", response.content))
    assert origins <= {b"http://testserver"}, origins
    assert b"fonts.googleapis" not in response.content
    assert not re.search(rb"<script(?![^>]*\bsrc=)[^>]*>", response.content)  # their set-up script is a file too


@pytest.mark.django_db
def test_redoc_bundle_fetches_nothing_from_a_cdn(client):
    response = client.get(reverse("api:redoc-bundle"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert b"Redoc" in response.content
    assert b"cdn.redoc.ly" not in response.content
    assert reverse("api:redoc-bundle").encode() in client.get(reverse("api:redoc")).content
