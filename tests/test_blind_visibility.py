"""Blind coding holds on every route: a coder's answers are the same whether another coder's codings exist or not.

Each route that returns codings or counts of them is asked twice by coder alice under blind coding: once while
coder bob's codings exist and once after they are removed. The two answers must be identical (so they reveal
nothing of bob's codings: ids, spans, text, memos, nor counts including them), and bob's memos must not appear.
A control user who may see bob's codings (the owner, or bob himself) must get different answers, which proves the
route really carries codings. Every project route is either listed here or exempted with a reason.
"""

import io
import json
import re

import pytest
from django.urls import reverse

from coding import services as coding_services
from coding.models import Assignment, Coding
from policies.models import Role, WordGroup
from policies.services.documents import document_import
from tests.factories import CodingFactory, MembershipFactory, NodeFactory, UserFactory
from tests.test_permissions import ACCOUNT_ROUTES
from tests.test_permissions import ROUTES as PERMISSION_ROUTES

TEXT = "第一条　网信部门负责统筹协调公共数据工作。\n第二条　网信部门和公安机关依法监督公共数据。"
SECRET = "BOB-SECRET"
HIT = TEXT.index("网信部门")


@pytest.fixture
def blind_project(project, owner):
    alice = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="alice")).user
    bob = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="bob")).user
    coding_services.options_update(project=project, blind=True)
    first, second = (
        document_import(
            project=project,
            user=owner,
            filename=f"{name}.txt",
            data=f"{TEXT}\n{name}".encode(),
            attributes={"province": province},
        )[0].document
        for name, province in (("贵州条例", "贵州省"), ("云南条例", "云南省"))
    )
    collect = NodeFactory(project=project, name="数据归集", order=0)
    basic = NodeFactory(project=project, name="基础数据", parent=collect, order=0)
    share = NodeFactory(project=project, name="数据共享", order=1)
    for document in (first, second):
        for coder in (alice, bob):
            Assignment.objects.create(project=project, document=document, coder=coder)
    CodingFactory(document=first, node=basic, coder=alice, start=0, end=10, memo="alice-note")
    bob_coding = CodingFactory(document=first, node=basic, coder=bob, start=HIT, end=HIT + 4, memo=f"{SECRET}-1")
    CodingFactory(document=second, node=share, coder=bob, start=2, end=12, memo=f"{SECRET}-2")
    CodingFactory(document=second, node=basic, coder=bob, start=20, end=30, memo=f"{SECRET}-3")
    WordGroup.objects.create(project=project, kind="subjects", name="主体", words="网信部门 公安机关")
    return {
        "project": project,
        "owner": owner,
        "alice": alice,
        "bob": bob,
        "first": first,
        "second": second,
        "collect": collect,
        "basic": basic,
        "share": share,
        "bob_coding": bob_coding,
    }


def _kwargs(w, target):
    return {
        "project": {"project_id": w["project"].pk},
        "first": {"document_id": w["first"].pk},
        "basic": {"node_id": w["basic"].pk},
        "bob-coding": {"coding_id": w["bob_coding"].pk},
        "node-view": {"project_id": w["project"].pk, "node_id": w["collect"].pk},
        "disagreement": {"project_id": w["project"].pk, "document_id": w["first"].pk},
        "agreement-export": {"project_id": w["project"].pk, "fmt": "csv"},
    }[target]


# (method, url name, target, parameters from the world, control user: who may see bob's codings)
BLIND_ROUTES = [
    ("get", "api:codings", "project", lambda w: {}, "owner"),
    ("get", "api:codings", "project", lambda w: {"compact": "1"}, "owner"),
    ("get", "api:coding", "bob-coding", lambda w: {}, "owner"),
    ("patch", "api:coding", "bob-coding", lambda w: {"memo": "改"}, "owner"),
    ("delete", "api:coding", "bob-coding", lambda w: {}, "owner"),
    ("get", "api:codings-csv", "project", lambda w: {}, "owner"),
    ("get", "api:codings-xlsx", "project", lambda w: {}, "owner"),
    ("get", "api:nodes", "project", lambda w: {}, "owner"),
    ("get", "api:node", "basic", lambda w: {}, "owner"),
    ("get", "api:nodes-figure", "project", lambda w: {"counts": "references"}, "owner"),
    ("get", "api:matrix", "project", lambda w: {"value": "references"}, "owner"),
    ("get", "api:agreement", "project", lambda w: {"coders": "alice,bob", "assume_all_reviewed": "1"}, "owner"),
    (
        "get",
        "api:agreement-export",
        "agreement-export",
        lambda w: {"coders": "alice,bob", "assume_all_reviewed": "1"},
        "owner",
    ),
    ("get", "api:word-frequency", "project", lambda w: {"node": w["share"].pk}, "owner"),
    ("get", "api:word-frequency", "project", lambda w: {"coder": "bob"}, "owner"),
    ("get", "api:word-groups", "project", lambda w: {"node": w["share"].pk}, "owner"),
    ("get", "api:word-groups", "project", lambda w: {"coder": "bob"}, "owner"),
    ("get", "api:text-search", "project", lambda w: {"q": "网信部门", "node": w["collect"].pk}, "owner"),
    ("post", "api:auto-code", "project", lambda w: {"q": "网信部门", "target": w["basic"].pk, "preview": True}, "bob"),
    ("get", "policies:document", "first", lambda w: {}, "owner"),
    ("get", "policies:word-frequency", "project", lambda w: {"node": w["share"].pk}, "owner"),
    ("get", "policies:word-frequency-csv", "project", lambda w: {"node": w["share"].pk}, "owner"),
    ("get", "policies:word-frequency-xlsx", "project", lambda w: {"coder": "bob"}, "owner"),
    ("get", "policies:text-search", "project", lambda w: {"q": "网信部门", "node": w["collect"].pk}, "owner"),
    ("post", "coding:auto-code", "project", lambda w: {"q": "网信部门", "target": w["basic"].pk}, "bob"),
    ("get", "framework:codebook", "project", lambda w: {"node": w["basic"].pk}, "owner"),
    ("get", "framework:tree", "project", lambda w: {}, "owner"),
    ("get", "framework:figure", "project", lambda w: {"counts": "coders"}, "owner"),
    ("get", "framework:node", "basic", lambda w: {}, "owner"),
    ("get", "coding:workspace", "first", lambda w: {}, "owner"),
    ("get", "coding:node-view", "node-view", lambda w: {}, "owner"),
    ("get", "coding:matrix", "project", lambda w: {"value": "references"}, "owner"),
    ("get", "coding:matrix-cell", "project", lambda w: {"node": w["share"].pk, "row": "云南省"}, "owner"),
    ("get", "coding:matrix-csv", "project", lambda w: {"value": "characters"}, "owner"),
    ("get", "coding:matrix-xlsx", "project", lambda w: {"value": "coverage"}, "owner"),
    ("get", "coding:matrix-svg", "project", lambda w: {"value": "documents"}, "owner"),
    ("get", "api:cooccurrence", "project", lambda w: {"unit": "document"}, "owner"),
    ("get", "cooccurrence:page", "project", lambda w: {"unit": "document"}, "owner"),
    (
        "get",
        "cooccurrence:cell",
        "project",
        lambda w: {"a": w["collect"].pk, "b": w["share"].pk, "unit": "document"},
        "owner",
    ),
    ("get", "cooccurrence:csv", "project", lambda w: {"unit": "document"}, "owner"),
    ("get", "cooccurrence:xlsx", "project", lambda w: {"unit": "document"}, "owner"),
    ("get", "cooccurrence:svg", "project", lambda w: {"unit": "document"}, "owner"),
    ("get", "cooccurrence:network", "project", lambda w: {"unit": "document"}, "owner"),
    ("get", "coding:framework-summary", "project", lambda w: {}, "owner"),
    ("get", "coding:summary-csv", "project", lambda w: {}, "owner"),
    ("get", "coding:summary-xlsx", "project", lambda w: {}, "owner"),
    ("get", "coding:summary-figure", "project", lambda w: {}, "owner"),
    ("get", "coding:team", "project", lambda w: {}, "owner"),
    ("get", "coding:agreement", "project", lambda w: {"coders": "alice,bob", "assume_all_reviewed": "1"}, "owner"),
    ("get", "coding:disagreement", "disagreement", lambda w: {"a": "alice", "b": "bob"}, "owner"),
    ("get", "coding:matrix-png", "project", lambda w: {"value": "documents"}, "owner"),
    ("get", "coding:summary-figure-png", "project", lambda w: {}, "owner"),
    ("get", "framework:figure-png", "project", lambda w: {"counts": "coders"}, "owner"),
    ("get", "analysis:map-svg", "project", lambda w: {"map": w["share"].pk}, "owner"),
    ("get", "analysis:map-png", "project", lambda w: {"map": w["share"].pk}, "owner"),
    ("get", "analysis:timeline-svg", "project", lambda w: {}, "owner"),
    ("get", "analysis:timeline-png", "project", lambda w: {"chart": "line"}, "owner"),
    ("get", "analysis:report", "project", lambda w: {}, "owner"),
    ("get", "analysis:report-docx", "project", lambda w: {}, "owner"),
    ("get", "api:report-docx", "project", lambda w: {}, "owner"),
    ("get", "api:report-html", "project", lambda w: {}, "owner"),
    *(
        ("get", f"policies:word-frequency-{figure}", "project", lambda w: {"node": w["share"].pk}, "owner")
        for figure in ("cloud-svg", "cloud-png", "bars-svg", "bars-png")
    ),
]

OWNERS_ONLY = "owners only, and owners see every coder's codings"
NO_CODINGS = "answers with no codings and no counts of them"
OWN_ONLY = "writes or answers only the requesting user's own codings or actions"
MEMOS = "memos on documents, nodes and the journal are shared by the team; coding memos travel with the codings"
OWN_LAYER = (
    "suggestions: a blind coder learns and reads them on their own layer only (coding/suggest/layer.py parse); "
    "tests/coding/suggest/test_api.py checks training, the list, the evaluation and accepting"
)
EXEMPT = {
    "api:suggestions": OWN_LAYER,
    "api:suggestions-train": OWN_LAYER,
    "api:suggestions-accept": OWN_LAYER,
    "api:suggestions-evaluation": OWN_LAYER,
    "api:suggestion-accept": OWN_LAYER,
    "api:suggestion-reject": OWN_LAYER,
    "coding:suggestions": OWN_LAYER,
    "coding:suggestions-train": OWN_LAYER,
    "coding:suggestions-accept": OWN_LAYER,
    "coding:suggestions-threshold": OWN_LAYER,
    "coding:suggestion-review": OWN_LAYER,
    "coding:suggestions-panel": OWN_LAYER,
    "api:project": NO_CODINGS,
    "api:project-export": OWNERS_ONLY,  # and it reads codings through layers.visible_codings all the same
    "api:members": NO_CODINGS,
    "api:member": OWNERS_ONLY,
    "api:documents": NO_CODINGS,
    "api:attribute-sheet": NO_CODINGS,
    "api:document": NO_CODINGS,
    "api:document-file": NO_CODINGS,
    "api:nodes-apply-template": OWNERS_ONLY,
    "api:nodes-import": OWNERS_ONLY,
    "api:nodes-export": NO_CODINGS,
    "api:node-move": OWNERS_ONLY,
    "api:node-merge": OWNERS_ONLY,
    "api:codings-undo": OWN_ONLY,
    "api:document-audit": OWNERS_ONLY,
    "api:memos": MEMOS,
    "api:memo": MEMOS,
    "api:memo-history": MEMOS,
    "api:consensus": OWNERS_ONLY,
    "api:dictionary": NO_CODINGS,
    "api:dictionary-term": OWNERS_ONLY,
    "api:word-group": OWNERS_ONLY,
    "api:stopwords": NO_CODINGS,
    "api:segmentation": NO_CODINGS,
    "policies:project-home": NO_CODINGS,
    "policies:document-row": NO_CODINGS,
    "policies:upload": OWNERS_ONLY,
    "policies:members": NO_CODINGS,
    "policies:member-change": OWNERS_ONLY,
    "policies:project-settings": OWNERS_ONLY,
    "policies:attribute-sheet": NO_CODINGS,
    "policies:attribute-sheet-import": OWNERS_ONLY,
    "policies:document-original": NO_CODINGS,
    "policies:document-replace": OWNERS_ONLY,
    "policies:document-delete": OWNERS_ONLY,
    "policies:segmentation-status": NO_CODINGS,
    "coding:auto-code-undo": OWN_ONLY,
    "policies:dictionary": NO_CODINGS,
    "framework:node-create": OWNERS_ONLY,
    "framework:template-apply": OWNERS_ONLY,
    "framework:import": OWNERS_ONLY,
    "framework:export": NO_CODINGS,
    "framework:node-move": OWNERS_ONLY,
    "framework:node-merge": OWNERS_ONLY,
    "framework:node-delete": OWNERS_ONLY,
    "coding:document-memo": MEMOS,
    "coding:journal": MEMOS,
    "coding:audit": OWNERS_ONLY,
    "coding:attribute-counts": NO_CODINGS,
    "coding:counts-csv": NO_CODINGS,
    "coding:counts-xlsx": NO_CODINGS,
    "coding:counts-svg": NO_CODINGS,
    "coding:counts-png": NO_CODINGS,
    "coding:assignment-done": OWN_ONLY,
}


def _volatile(text: str) -> str:
    """Page text without what changes on every request: CSRF tokens and CSP nonces."""
    text = re.sub(r"[A-Za-z0-9]{64}", "<token>", text)
    return re.sub(r'nonce="[^"]*"', 'nonce=""', text)


def _docx_tables(document) -> list:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def _seen(response) -> tuple:
    """What a response shows, comparable between two requests."""
    if response.status_code in (301, 302):
        return response.status_code, response["Location"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body))
        return response.status_code, [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]
    if "json" in content_type:
        return response.status_code, json.loads(body or b"null")
    if "wordprocessingml" in content_type:  # a .docx zip carries its write time: compare its text and pictures
        from docx import Document as WordDocument

        document = WordDocument(io.BytesIO(body))
        pictures = [part.blob for part in document.part.related_parts.values() if "image" in part.content_type]
        return response.status_code, [p.text for p in document.paragraphs], _docx_tables(document), pictures
    return response.status_code, _volatile(body.decode("utf-8", "replace"))


def _ask(client_for, w, method, name, target, params, user) -> tuple:
    url = reverse(name, kwargs=_kwargs(w, target))
    if name.startswith("api:"):
        client = client_for(user, api=True)
        if method == "get":
            return _seen(client.get(url, params))
        return _seen(getattr(client, method)(url, params, format="json"))
    client = client_for(user, api=False)
    return _seen(getattr(client, method)(url, params))


@pytest.fixture
def client_for(api_as):
    from django.test import Client

    def make(user, *, api):
        if api:
            return api_as(user)
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "name", "target", "params", "control"),
    BLIND_ROUTES,
    ids=[f"{r[0]} {r[1]} {i}" for i, r in enumerate(BLIND_ROUTES)],
)
def test_a_blind_coder_learns_nothing_of_another_coders_codings(
    client_for, blind_project, method, name, target, params, control
):
    w, query = blind_project, params(blind_project)
    mine_with = _ask(client_for, w, method, name, target, query, w["alice"])
    control_with = _ask(client_for, w, method, name, target, query, w[control])
    assert SECRET not in repr(mine_with)
    Coding.objects.filter(coder=w["bob"]).delete()
    mine_without = _ask(client_for, w, method, name, target, query, w["alice"])
    control_without = _ask(client_for, w, method, name, target, query, w[control])
    assert mine_with == mine_without
    assert control_with != control_without  # the route does carry codings, for those allowed to see them


@pytest.mark.django_db
def test_the_world_really_codes_blind(blind_project):
    from coding import layers

    assert not layers.sees_everyone(blind_project["project"], blind_project["alice"])
    assert layers.sees_everyone(blind_project["project"], blind_project["owner"])
    assert set(
        layers.visible_codings(blind_project["project"], blind_project["alice"]).values_list(
            "coder__username", flat=True
        )
    ) == {"alice"}


def test_every_project_route_is_checked_for_blind_coding_or_exempted_with_a_reason():
    from tests.test_no_server_errors import _named_routes

    names = {
        name
        for name, _pattern in _named_routes()
        if name.startswith(("api:", "policies:", "framework:", "coding:", "cooccurrence:"))
    }
    checked = {route[1] for route in BLIND_ROUTES}
    assert names - ACCOUNT_ROUTES - checked - set(EXEMPT) == set()
    assert checked & set(EXEMPT) == set()
    assert set(EXEMPT) - names == set()  # no stale exemptions


def test_routes_exempted_as_owners_only_are_owners_only_in_the_permission_matrix():
    needs = {}
    for _kind, _method, name, _target, _data, need in PERMISSION_ROUTES:
        needs.setdefault(name, set()).add(need)
    owners_only = [name for name, reason in EXEMPT.items() if reason == OWNERS_ONLY]
    assert {name: needs.get(name) for name in owners_only} == {name: {Role.OWNER} for name in owners_only}
