"""Every page and endpoint, for every role: non-members get 404, too-low roles get 403, the rest get through."""

import pytest
from django.urls import reverse

from coding.models import Memo, MemoKind, Suggestion
from policies.models import DictionaryTerm, Role, WordGroup
from tests.factories import CodingFactory, DocumentFactory, MembershipFactory, NodeFactory, UserFactory

RANK = {"outsider": -1, Role.VIEWER: 0, Role.CODER: 1, Role.OWNER: 2}

# (kind, method, url name, kwargs from the world, data, minimum role)
ROUTES = [
    ("api", "get", "api:project", "project", None, Role.VIEWER),
    ("api", "get", "api:project-export", "project", None, Role.OWNER),
    ("api", "get", "api:members", "project", None, Role.VIEWER),
    ("api", "post", "api:members", "project", {"username": "newcomer", "role": "coder"}, Role.OWNER),
    ("api", "patch", "api:member", "member", {"role": "viewer"}, Role.OWNER),
    ("api", "delete", "api:member", "member", None, Role.OWNER),
    ("api", "get", "api:documents", "project", None, Role.VIEWER),
    ("api", "post", "api:documents", "project", "upload", Role.OWNER),
    ("api", "get", "api:attribute-sheet", "project", None, Role.VIEWER),
    ("api", "post", "api:attribute-sheet", "project", "sheet", Role.OWNER),
    ("api", "get", "api:document", "document", None, Role.VIEWER),
    ("api", "patch", "api:document", "document", {"issuer": "贵州省人民政府"}, Role.OWNER),
    ("api", "delete", "api:document", "document", None, Role.OWNER),
    ("api", "get", "api:document-file", "document", None, Role.VIEWER),
    ("api", "put", "api:document-file", "document", "upload", Role.OWNER),
    ("page", "get", "policies:project-home", "project", None, Role.VIEWER),
    ("page", "post", "policies:upload", "project", "upload", Role.OWNER),
    ("page", "get", "policies:members", "project", None, Role.VIEWER),
    ("page", "post", "policies:members", "project", {"username": "newcomer", "role": "coder"}, Role.OWNER),
    ("page", "post", "policies:member-change", "member", {"role": "viewer"}, Role.OWNER),
    ("page", "get", "policies:project-settings", "project", None, Role.OWNER),
    ("page", "post", "policies:project-settings", "project", {"name": "新名称"}, Role.OWNER),
    ("page", "get", "policies:attribute-sheet", "project", None, Role.VIEWER),
    ("page", "post", "policies:attribute-sheet-import", "project", "sheet", Role.OWNER),
    ("page", "get", "policies:document", "document", None, Role.VIEWER),
    ("page", "post", "policies:document", "document", {"title": "新标题"}, Role.OWNER),
    ("page", "get", "policies:document-row", "document", None, Role.VIEWER),
    ("page", "post", "policies:document-row", "document", {"title": "新标题"}, Role.OWNER),
    ("page", "get", "policies:document-original", "document", None, Role.VIEWER),
    ("page", "post", "policies:document-replace", "document", "upload", Role.OWNER),
    ("page", "post", "policies:document-delete", "document", None, Role.OWNER),
    ("api", "get", "api:nodes", "project", None, Role.VIEWER),
    ("api", "post", "api:nodes", "project", {"name": "新节点"}, Role.OWNER),
    ("api", "post", "api:nodes-apply-template", "project", {"template": "stakeholders"}, Role.OWNER),
    ("api", "post", "api:nodes-import", "project", "codebook", Role.OWNER),
    ("api", "get", "api:nodes-export", "export", None, Role.VIEWER),
    ("api", "get", "api:nodes-figure", "project", None, Role.VIEWER),
    ("api", "get", "api:node", "node", None, Role.VIEWER),
    ("api", "patch", "api:node", "node", {"description": "编码规则"}, Role.OWNER),
    ("api", "delete", "api:node", "node", None, Role.OWNER),
    ("api", "post", "api:node-move", "node", {"parent": None}, Role.OWNER),
    ("api", "post", "api:node-merge", "node", "merge", Role.OWNER),
    ("page", "get", "framework:codebook", "project", None, Role.VIEWER),
    ("page", "get", "framework:tree", "project", None, Role.VIEWER),
    ("page", "post", "framework:node-create", "project", {"name": "新节点"}, Role.OWNER),
    ("page", "post", "framework:template-apply", "project", {"template": "stakeholders"}, Role.OWNER),
    ("page", "post", "framework:import", "project", "codebook", Role.OWNER),
    ("page", "get", "framework:export", "export", None, Role.VIEWER),
    ("page", "get", "framework:figure", "project", None, Role.VIEWER),
    ("page", "get", "framework:figure-png", "project", None, Role.VIEWER),
    ("page", "get", "framework:node", "node", None, Role.VIEWER),
    ("page", "post", "framework:node", "node", {"name": "改名"}, Role.OWNER),
    ("page", "post", "framework:node-move", "node", {"parent": "root"}, Role.OWNER),
    ("page", "post", "framework:node-merge", "node", "merge", Role.OWNER),
    ("page", "post", "framework:node-delete", "node", None, Role.OWNER),
    ("api", "get", "api:matrix", "project", None, Role.VIEWER),
    ("page", "get", "coding:matrix", "project", None, Role.VIEWER),
    ("page", "get", "coding:matrix-cell", "project", {"node": "0", "row": "贵州省"}, Role.VIEWER),
    ("page", "get", "coding:matrix-csv", "project", None, Role.VIEWER),
    ("page", "get", "coding:matrix-xlsx", "project", None, Role.VIEWER),
    ("page", "get", "coding:matrix-svg", "project", None, Role.VIEWER),
    ("api", "get", "api:cooccurrence", "project", None, Role.VIEWER),
    ("page", "get", "cooccurrence:page", "project", None, Role.VIEWER),
    ("page", "get", "cooccurrence:cell", "project", {"a": "0", "b": "0"}, Role.VIEWER),
    ("page", "get", "cooccurrence:csv", "project", None, Role.VIEWER),
    ("page", "get", "cooccurrence:xlsx", "project", None, Role.VIEWER),
    ("page", "get", "cooccurrence:svg", "project", None, Role.VIEWER),
    ("page", "get", "cooccurrence:network", "project", None, Role.VIEWER),
    ("page", "get", "coding:matrix-png", "project", None, Role.VIEWER),
    ("page", "get", "analysis:report", "project", None, Role.VIEWER),
    ("page", "get", "analysis:report-docx", "project", None, Role.VIEWER),
    ("api", "get", "api:report-docx", "project", None, Role.VIEWER),
    ("api", "get", "api:report-html", "project", None, Role.VIEWER),
    ("page", "get", "analysis:map-svg", "project", None, Role.VIEWER),
    ("page", "get", "analysis:map-png", "project", None, Role.VIEWER),
    ("page", "get", "analysis:timeline-svg", "project", None, Role.VIEWER),
    ("page", "get", "analysis:timeline-png", "project", None, Role.VIEWER),
    ("page", "get", "coding:attribute-counts", "project", None, Role.VIEWER),
    ("page", "get", "coding:counts-csv", "project", None, Role.VIEWER),
    ("page", "get", "coding:counts-xlsx", "project", None, Role.VIEWER),
    ("page", "get", "coding:counts-svg", "project", None, Role.VIEWER),
    ("page", "get", "coding:counts-png", "project", None, Role.VIEWER),
    ("page", "get", "coding:framework-summary", "project", None, Role.VIEWER),
    ("page", "get", "coding:summary-csv", "project", None, Role.VIEWER),
    ("page", "get", "coding:summary-xlsx", "project", None, Role.VIEWER),
    ("page", "get", "coding:summary-figure", "project", None, Role.VIEWER),
    ("page", "get", "coding:summary-figure-png", "project", None, Role.VIEWER),
    ("api", "get", "api:codings", "project", None, Role.VIEWER),
    ("api", "post", "api:codings", "project", "new-coding", Role.CODER),
    ("api", "post", "api:codings-undo", "project", None, Role.CODER),
    ("api", "get", "api:codings-csv", "project", None, Role.VIEWER),
    ("api", "get", "api:codings-xlsx", "project", None, Role.VIEWER),
    ("api", "get", "api:coding", "coding", None, Role.VIEWER),
    ("api", "patch", "api:coding", "coding", {"memo": "复核"}, Role.OWNER),  # another member's coding
    ("api", "delete", "api:coding", "coding", None, Role.OWNER),
    ("api", "get", "api:document-audit", "document", None, Role.OWNER),
    ("api", "get", "api:memos", "project", None, Role.VIEWER),
    ("api", "post", "api:memos", "project", {"kind": "journal", "body": "讨论"}, Role.CODER),
    ("api", "patch", "api:memo", "memo", {"body": "修改"}, Role.OWNER),  # another member's journal entry
    ("api", "get", "api:memo-history", "memo", None, Role.OWNER),  # owners, and the memo's author
    ("api", "delete", "api:memo", "memo", None, Role.OWNER),  # another member's memo
    ("page", "get", "coding:workspace", "document", None, Role.VIEWER),
    ("page", "post", "coding:document-memo", "document", {"body": "备忘"}, Role.CODER),
    ("page", "get", "coding:audit", "document", None, Role.OWNER),
    ("page", "get", "coding:node-view", "project-node", None, Role.VIEWER),
    ("page", "post", "coding:node-view", "project-node", {"body": "规则"}, Role.CODER),
    ("page", "get", "coding:journal", "project", None, Role.VIEWER),
    ("page", "post", "coding:journal", "project", {"body": "日志"}, Role.CODER),
    ("page", "get", "coding:team", "project", None, Role.VIEWER),
    ("page", "post", "coding:team", "project", {"action": "options", "blind": "on"}, Role.OWNER),
    ("page", "post", "coding:assignment-done", "document", {"done": "1"}, Role.CODER),
    ("api", "get", "api:agreement", "project", {"coders": "owner,consensus"}, Role.VIEWER),
    ("api", "get", "api:agreement-export", "agreement-export", {"coders": "owner,consensus"}, Role.VIEWER),
    ("api", "post", "api:consensus", "project", "new-coding", Role.OWNER),  # owners and designated adjudicators
    ("page", "get", "coding:agreement", "project", {"coders": "owner,consensus"}, Role.VIEWER),
    ("page", "get", "coding:disagreement", "project-document", {"a": "owner", "b": "consensus"}, Role.VIEWER),
    ("page", "post", "coding:disagreement", "project-document", {"coding": "1"}, Role.OWNER),
    ("api", "get", "api:word-frequency", "project", None, Role.VIEWER),
    ("api", "get", "api:text-search", "project", {"q": "政府数据"}, Role.VIEWER),
    ("api", "post", "api:auto-code", "project", "autocode", Role.CODER),
    ("api", "get", "api:dictionary", "project", None, Role.VIEWER),
    ("api", "post", "api:dictionary", "project", {"word": "新词"}, Role.OWNER),
    ("api", "delete", "api:dictionary-term", "dictionary-term", None, Role.OWNER),
    ("api", "get", "api:word-groups", "project", None, Role.VIEWER),
    ("api", "post", "api:word-groups", "project", {"kind": "focus", "name": "焦点", "words": "安全"}, Role.OWNER),
    ("api", "delete", "api:word-group", "word-group", None, Role.OWNER),
    ("api", "get", "api:stopwords", "project", None, Role.VIEWER),
    ("api", "put", "api:stopwords", "project", {"words": "本市"}, Role.OWNER),
    ("api", "get", "api:segmentation", "project", None, Role.VIEWER),
    ("api", "post", "api:segmentation", "project", None, Role.OWNER),
    ("page", "get", "policies:word-frequency", "project", None, Role.VIEWER),
    ("page", "get", "policies:word-frequency-csv", "project", None, Role.VIEWER),
    ("page", "get", "policies:word-frequency-xlsx", "project", None, Role.VIEWER),
    ("page", "get", "policies:word-frequency-cloud-svg", "project", None, Role.VIEWER),
    ("page", "get", "policies:word-frequency-cloud-png", "project", None, Role.VIEWER),
    ("page", "get", "policies:word-frequency-bars-svg", "project", None, Role.VIEWER),
    ("page", "get", "policies:word-frequency-bars-png", "project", None, Role.VIEWER),
    ("page", "get", "policies:segmentation-status", "project", None, Role.VIEWER),
    ("page", "get", "policies:text-search", "project", {"q": "政府数据"}, Role.VIEWER),
    ("page", "post", "coding:auto-code", "project", "autocode", Role.CODER),
    ("page", "post", "coding:auto-code-undo", "project", None, Role.CODER),
    ("page", "get", "policies:dictionary", "project", None, Role.VIEWER),
    ("page", "post", "policies:dictionary", "project", {"action": "stopwords", "stopwords": "本市"}, Role.OWNER),
    (
        "page",
        "post",
        "policies:dictionary",
        "project",
        {"action": "group-save", "kind": "subjects", "name": "主体二", "words": "政府"},
        Role.OWNER,
    ),
    ("api", "get", "api:suggestions", "project", None, Role.VIEWER),
    ("api", "post", "api:suggestions-train", "project", {"layer": "owner"}, Role.CODER),
    ("api", "post", "api:suggestions-accept", "project", {"min_probability": 0.9}, Role.CODER),
    ("api", "get", "api:suggestions-evaluation", "project", None, Role.VIEWER),
    ("api", "post", "api:suggestions-evaluation", "project", {"threshold": 0.7}, Role.CODER),
    ("api", "post", "api:suggestion-accept", "suggestion", None, Role.CODER),
    ("api", "post", "api:suggestion-reject", "suggestion", None, Role.CODER),
    ("page", "get", "coding:suggestions", "project", None, Role.VIEWER),
    ("page", "post", "coding:suggestions-train", "project", {"layer": "owner"}, Role.CODER),
    ("page", "post", "coding:suggestions-accept", "project", {"min_probability": "0.9"}, Role.CODER),
    ("page", "post", "coding:suggestions-threshold", "project", {"threshold": "0.6"}, Role.CODER),
    ("page", "post", "coding:suggestion-review", "suggestion", {"action": "reject"}, Role.CODER),
    ("page", "get", "coding:suggestions-panel", "document", None, Role.VIEWER),
]


def _kwargs(route_objects, target):
    return {
        "project": {"project_id": route_objects["project"].pk},
        "member": {"project_id": route_objects["project"].pk, "member_id": route_objects["member"].pk},
        "document": {"document_id": route_objects["document"].pk},
        "node": {"node_id": route_objects["node"].pk},
        "export": {"project_id": route_objects["project"].pk, "fmt": "qdc"},
        "coding": {"coding_id": route_objects["coding"].pk},
        "memo": {"memo_id": route_objects["memo"].pk},
        "project-node": {"project_id": route_objects["project"].pk, "node_id": route_objects["node"].pk},
        "project-document": {"project_id": route_objects["project"].pk, "document_id": route_objects["document"].pk},
        "agreement-export": {"project_id": route_objects["project"].pk, "fmt": "csv"},
        "dictionary-term": {"project_id": route_objects["project"].pk, "term_id": route_objects["term"].pk},
        "word-group": {"project_id": route_objects["project"].pk, "group_id": route_objects["word_group"].pk},
        "suggestion": {"suggestion_id": route_objects["suggestion"].pk},
    }[target]


def _data(data, document, route_objects=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if data == "upload":
        return {"file": SimpleUploadedFile("新政策.txt", "第一条　新的政策文本。".encode())}
    if data == "codebook":
        return {"file": SimpleUploadedFile("codebook.csv", "path,description\n数据开放/分级分类,规则\n".encode())}
    if data == "new-coding":
        return {"document": document.pk, "node": route_objects["node"].pk, "start": 0, "end": 5}
    if data == "autocode":
        return {"q": "政府数据", "target": route_objects["node"].pk}
    if data == "merge":
        return {"target": route_objects["merge_target"].pk}
    if data == "sheet":
        return {"file": SimpleUploadedFile("sheet.csv", f"id,issuer\n{document.pk},贵州省人民政府\n".encode())}
    return data


@pytest.fixture
def route_objects(project, owner):
    UserFactory(username="newcomer")
    member = MembershipFactory(project=project, role=Role.CODER)
    document = DocumentFactory(project=project)
    node = NodeFactory(project=project)
    return {
        "project": project,
        "member": member,
        "document": document,
        "node": node,
        "merge_target": NodeFactory(project=project),
        "coding": CodingFactory(document=document, node=node, coder=owner, start=6, end=10),
        "memo": Memo.objects.create(project=project, kind=MemoKind.JOURNAL, author=owner, body="原始"),
        "term": DictionaryTerm.objects.create(project=project, word="数据二十条", frequency=3),
        "word_group": WordGroup.objects.create(project=project, kind="subjects", name="主体", words="政府 部门"),
        "suggestion": Suggestion.objects.create(
            project=project,
            model_version=1,
            layer_key="",
            document=document,
            node=node,
            start=0,
            end=5,
            probability=0.9,
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["outsider", Role.VIEWER, Role.CODER, Role.OWNER])
@pytest.mark.parametrize(
    ("kind", "method", "name", "target", "data", "need"), ROUTES, ids=[f"{r[1]} {r[2]}" for r in ROUTES]
)
def test_route_answers_by_role(client, api_as, route_objects, role, kind, method, name, target, data, need):
    user = UserFactory(username=f"as-{role}")
    if role != "outsider":
        MembershipFactory(project=route_objects["project"], user=user, role=role)
    url = reverse(name, kwargs=_kwargs(route_objects, target))
    payload = _data(data, route_objects["document"], route_objects)
    if kind == "api":
        fmt = "multipart" if data in ("upload", "sheet", "codebook") else "json"
        response = (
            getattr(api_as(user), method)(url, payload, format=fmt) if payload else getattr(api_as(user), method)(url)
        )
    else:
        client.force_login(user)
        response = getattr(client, method)(url, payload or {})
    if role == "outsider":
        assert response.status_code == 404
    elif RANK[role] < RANK[need]:
        assert response.status_code == 403
    else:
        assert response.status_code not in (403, 404, 500), response.content[:300]


@pytest.mark.django_db
def test_anonymous_api_request_is_refused(client, route_objects):
    response = client.get(reverse("api:documents", kwargs={"project_id": route_objects["project"].pk}))
    assert response.status_code in (401, 403)
    assert "detail" in response.json()


@pytest.mark.django_db
def test_anonymous_page_request_goes_to_login(client, route_objects):
    response = client.get(reverse("policies:project-home", kwargs={"project_id": route_objects["project"].pk}))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.django_db
def test_project_list_shows_only_my_projects(api_as, route_objects, outsider):
    other = MembershipFactory(user=outsider, role=Role.OWNER).project
    names = [p["name"] for p in api_as(outsider).get(reverse("api:projects")).json()]
    assert names == [other.name]


ACCOUNT_ROUTES = {
    *("api:projects", "policies:project-list", "api:token", "api:schema", "api:docs", "api:redoc"),
    "api:redoc-bundle",  # ReDoc's script, a static file served by a view (config/api_docs.py)
    "api:project-import",  # creates a new project of the caller's own (tests/coding/exchange/test_api.py)
    "coding:project-import",
}


def test_every_project_route_is_in_the_permission_matrix():
    from tests.test_no_server_errors import _named_routes

    names = {
        name
        for name, _pattern in _named_routes()
        if name.startswith(("api:", "policies:", "framework:", "coding:", "cooccurrence:"))
    }
    assert names - ACCOUNT_ROUTES - {route[2] for route in ROUTES} == set()
