"""Coding pages: the workspace, the node view, memos, the journal and the audit trail."""

import json

import pytest
from django.urls import reverse

from coding import services
from coding.models import Memo, MemoKind
from policies.models import Role
from tests.factories import CodingFactory, DocumentFactory, NodeFactory

TEXT = "第一条　为了推动𠮷政府数据开放，制定本条例。\n第二条　政府数据以共享为原则。"


@pytest.fixture
def document(project):
    return DocumentFactory(project=project, text=TEXT, char_count=len(TEXT), title="开放条例", province="浙江省")


@pytest.fixture
def nodes(project):
    parent = NodeFactory(project=project, name="数据开放")
    return parent, NodeFactory(project=project, name="分级分类", parent=parent)


def workspace_data(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="workspace-data" type="application/json">') + len(
        '<script id="workspace-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_workspace_embeds_codings_nodes_and_rights(client, project, coder, viewer, document, nodes):
    coding = CodingFactory(document=document, node=nodes[1], coder=coder, start=4, end=9)
    client.force_login(coder)
    data = workspace_data(client.get(reverse("coding:workspace", args=[document.pk])))
    assert data["canCode"] is True
    assert data["length"] == len(TEXT)
    assert [(c["id"], c["start"], c["end"], c["coder"]) for c in data["codings"]] == [(coding.pk, 4, 9, "coder")]
    assert [n["path"] for n in data["nodes"]] == ["数据开放", "数据开放/分级分类"]
    client.force_login(viewer)
    assert workspace_data(client.get(reverse("coding:workspace", args=[document.pk])))["canCode"] is False


def test_workspace_paragraph_offsets_count_code_points(client, project, coder, document):
    client.force_login(coder)
    html = client.get(reverse("coding:workspace", args=[document.pk])).content.decode()
    second = TEXT.index("第二条")
    assert f'<p id="p-{second}" data-start="{second}">第二条' in html
    assert second == len("第一条　为了推动𠮷政府数据开放，制定本条例。\n")


def test_node_view_lists_passages_with_descendants_and_counts(client, project, coder, owner, document, nodes):
    parent, child = nodes
    CodingFactory(document=document, node=parent, coder=coder, start=4, end=9)
    CodingFactory(document=document, node=child, coder=owner, start=TEXT.index("政府数据以"), end=len(TEXT))
    client.force_login(coder)
    url = reverse("coding:node-view", args=[project.pk, parent.pk])
    page = client.get(url).content.decode()
    assert "<mark>为了推动𠮷</mark>" in page
    assert "<mark>政府数据以共享为原则。</mark>" in page
    assert f"#at-{TEXT.index('政府数据以')}-{len(TEXT)}" in page
    only = client.get(url, {"descendants": "0"}).content.decode()
    assert "政府数据以共享为原则" not in only
    by_owner = client.get(url, {"coder": "owner"}, headers={"HX-Request": "true", "HX-Target": "passages"})
    fragment = by_owner.content.decode()
    assert "<html" not in fragment
    assert "为了推动" not in fragment
    assert "政府数据以共享" in fragment


def test_node_view_filters_by_province_and_reports_bad_filters(client, project, coder, document, nodes):
    CodingFactory(document=document, node=nodes[0], coder=coder, start=4, end=9)
    client.force_login(coder)
    url = reverse("coding:node-view", args=[project.pk, nodes[0].pk])
    assert "为了推动" not in client.get(url, {"province": "贵州"}).content.decode()
    bad = client.get(url, {"province": "火星"})
    assert bad.status_code == 200
    assert "火星" in bad.content.decode()
    assert client.get(url, {"documents": "a,b"}).status_code == 200


def test_node_of_another_project_is_404(client, project, coder):
    client.force_login(coder)
    response = client.get(reverse("coding:node-view", args=[project.pk, NodeFactory().pk]))
    assert response.status_code == 404
    assert "This page does not exist, or it belongs to a project you are not a member of." in response.content.decode()


def test_node_memo_is_saved_from_the_node_view(client, project, coder, nodes):
    client.force_login(coder)
    client.post(reverse("coding:node-view", args=[project.pk, nodes[0].pk]), {"body": "只编码开放行为"})
    assert Memo.objects.get(kind=MemoKind.NODE, node=nodes[0]).body == "只编码开放行为"


def test_document_memo_saves_through_htmx_and_escapes_html(client, project, coder, viewer, document):
    client.force_login(coder)
    response = client.post(reverse("coding:document-memo", args=[document.pk]), {"body": "<script>alert(1)</script>"})
    assert b'id="document-memo"' in response.content
    assert b"<script>alert(1)</script>" not in response.content
    assert Memo.objects.get(kind=MemoKind.DOCUMENT).body == "<script>alert(1)</script>"
    client.force_login(viewer)
    refused = client.post(reverse("coding:document-memo", args=[document.pk]), {"body": "x"})
    assert refused.status_code == 403
    assert "Your role in this project (Viewer) does not allow this." in refused.content.decode()
    assert list(Memo.objects.values_list("body", flat=True)) == ["<script>alert(1)</script>"]


def test_oversized_memo_is_refused_in_the_page(client, project, coder, document):
    client.force_login(coder)
    response = client.post(reverse("coding:document-memo", args=[document.pk]), {"body": "长" * 10_001})
    assert response.status_code == 200
    assert b"error" in response.content
    assert not Memo.objects.exists()


def test_journal_adds_entries_and_searches_all_memos(client, project, coder, document):
    services.memo_save(project=project, author=coder, kind=MemoKind.DOCUMENT, document=document, body="提到网信部门")
    client.force_login(coder)
    client.post(reverse("coding:journal", args=[project.pk]), {"title": "第一次讨论", "body": "统一编码规则"})
    page = client.get(reverse("coding:journal", args=[project.pk]), {"q": "网信"}).content.decode()
    assert "提到网信部门" in page
    assert "统一编码规则" not in page
    assert Memo.objects.filter(kind=MemoKind.JOURNAL).count() == 1


def test_audit_page_shows_removed_codings_to_owners_only(client, project, owner, coder, document, nodes):
    coding, _ = services.coding_create(coder=coder, document=document, node=nodes[0], start=4, end=9)
    services.coding_delete(coding=coding, actor=coder, role=Role.CODER)
    client.force_login(owner)
    page = client.get(reverse("coding:audit", args=[document.pk])).content.decode()
    assert page.count("数据开放") >= 2
    client.force_login(coder)
    refused = client.get(reverse("coding:audit", args=[document.pk]))
    assert refused.status_code == 403
    assert "Your role in this project (Coder) does not allow this." in refused.content.decode()


def test_node_view_and_journal_selects_show_the_chosen_layer_and_kind(client, project, coder, nodes):
    client.force_login(coder)
    url = reverse("coding:node-view", args=[project.pk, nodes[0].pk])
    page = client.get(url, {"coder": coder.username}).content.decode()
    assert f'<option value="{coder.username}" selected>' in page
    journal = client.get(reverse("coding:journal", args=[project.pk]), {"kind": MemoKind.NODE}).content.decode()
    assert f'<option value="{MemoKind.NODE}" selected>' in journal
    assert 'aria-label="Kind"' in journal
