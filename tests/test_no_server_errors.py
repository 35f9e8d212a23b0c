"""Every page and endpoint, given nonsense parameters or a broken body, answers without a server error."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from coding.models import Memo, MemoKind
from tests.factories import CodingFactory, DocumentFactory, NodeFactory

NONSENSE = {
    "province": "火星",
    "issuer_type": "x",
    "policy_type": "?",
    "sort": "--title",
    "node": "abc",
    "nodes": "1,a,,",
    "coder": "<script>",
    "coders": "nobody,",
    "documents": "x,1",
    "rows": "nonsense",
    "level": "-3",
    "value": "everything",
    "parent": "9999999",
    "unit": "planet",
    "q": "(((",
    "mode": "regex",
    "top": "-5",
    "min_length": "abc",
    "page": "-1",
    "spread": "galaxy",
    "by": "attr:不存在",
    "a": "ghost",
    "b": "",
    "depth": "x",
    "counts": "x",
    "bom": "maybe",
}


def _named_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _named_routes(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", entry


@pytest.fixture
def route_ids(project, owner):
    document = DocumentFactory(project=project)
    node = NodeFactory(project=project)
    coding = CodingFactory(document=document, node=node, coder=owner, start=0, end=4)
    memo = Memo.objects.create(project=project, kind=MemoKind.JOURNAL, author=owner, body="x")
    return {
        "project_id": project.pk,
        "document_id": document.pk,
        "node_id": node.pk,
        "coding_id": coding.pk,
        "memo_id": memo.pk,
        "member_id": project.memberships.first().pk,
        "fmt": "csv",
        "term_id": 999999,
    }


def _urls(route_ids):
    for name, pattern in _named_routes():
        if name.startswith(("admin:", "api:schema", "api:docs", "api:redoc")) or name in ("logout", "set_language"):
            continue
        keys = list(pattern.pattern.regex.groupindex)
        if all(k in route_ids for k in keys):
            yield name, reverse(name, kwargs={k: route_ids[k] for k in keys})


@pytest.mark.django_db
def test_no_route_answers_500_to_nonsense(client, owner, route_ids):
    client.force_login(owner)
    urls = sorted(_urls(route_ids), key=lambda item: "delete" in item[0] or item[0] in ("api:document", "api:node"))
    assert len(urls) > 90
    for name, url in urls:
        response = client.get(url, NONSENSE)
        assert response.status_code < 500, f"GET {name} {url}: {response.status_code}"
    for name, url in urls:  # writes last, deletions at the very end, so the world stays for the others
        for response in (client.post(url, NONSENSE), client.post(url, "{not json", content_type="application/json")):
            assert response.status_code < 500, f"POST {name} {url}: {response.status_code}"
