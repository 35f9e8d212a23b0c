"""The edge refuses NUL and other control characters in every part of a request, before a view or query sees them."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from coding.models import Memo
from framework.models import Node
from policies.models import Document, Project
from tests.factories import DocumentFactory, NodeFactory
from tests.test_no_server_errors import _urls, route_ids  # noqa: F401  (route_ids is a fixture)

JSON = "application/json"


def _detail(response) -> str:
    assert response["Content-Type"].startswith(JSON), response.content[:200]
    return response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "query"),
    [
        ("api:codings", "coder=a%00"),
        ("api:matrix", "coders=a%00b"),
        ("api:memos", "q=%00"),
        ("api:documents", "province=%1b"),
        ("api:text-search", "q=%C2%85"),  # U+0085, a C1 control
    ],
)
def test_a_control_character_in_a_query_parameter_is_refused_with_json(client, owner, project, route, query):
    client.force_login(owner)
    response = client.get(f"{reverse(route, kwargs={'project_id': project.pk})}?{query}")
    assert response.status_code == 400
    name = query.split("=")[0]
    assert f"“{name}” contains a control character (U+00" in _detail(response)


@pytest.mark.django_db
def test_a_line_break_in_a_query_name_is_refused_but_allowed_in_a_value(client, owner, project):
    client.force_login(owner)
    url = reverse("api:memos", kwargs={"project_id": project.pk})
    assert client.get(f"{url}?q=%E6%95%B0%0A%E6%8D%AE").status_code == 200
    response = client.get(f"{url}?q%0A=1")
    assert response.status_code == 400
    assert "(U+000A)" in _detail(response)


@pytest.mark.django_db
def test_a_page_refuses_with_the_escaped_message_in_the_layout(client, owner, project):
    client.force_login(owner)
    url = reverse("policies:word-frequency", kwargs={"project_id": project.pk})
    response = client.get(f"{url}?%3Cscript%3Ealert(1)%3C/script%3E=%00")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "<script>alert(1)" not in page
    assert "“&lt;script&gt;alert(1)&lt;/script&gt;” contains a control character (U+0000)" in page
    assert 'class="topbar"' in page  # the page layout, not a bare string


@pytest.mark.django_db
def test_nul_in_a_json_attribute_name_changes_nothing(client, owner, project):
    document = DocumentFactory(project=project, attributes={"城市": "贵阳"})
    client.force_login(owner)
    url = reverse("api:document", kwargs={"document_id": document.pk})
    response = client.patch(url, {"attributes": {"城\u0000市": "x"}, "issuer": "某厅"}, content_type=JSON)
    assert response.status_code == 400
    assert "contains a control character (U+0000)" in _detail(response)
    document.refresh_from_db()
    assert (document.attributes, document.issuer) == ({"城市": "贵阳"}, "")


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["\u0000", "\u001b[31m", "\u009b", "\ud800"])
def test_a_control_character_or_lone_surrogate_in_a_json_string_changes_nothing(client, owner, project, bad):
    document = DocumentFactory(project=project, attributes={})
    client.force_login(owner)
    url = reverse("api:document", kwargs={"document_id": document.pk})
    body = json.dumps({"attributes": {"城市": [{"deep": f"贵阳{bad}"}]}})
    response = client.patch(url, body, content_type=JSON)
    assert response.status_code == 400
    assert "“deep” contains a control character" in _detail(response)  # the nearest key names the place
    document.refresh_from_db()
    assert document.attributes == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "char"),
    [
        ('{"attributes": {"城\\n市": "x"}}', "U+000A"),  # an escaped line break in a key
        ('{"issuer": "贵州\u0085省"}', "U+0085"),  # a raw C1 character, allowed unescaped in JSON text
        ('{"issuer": "贵州\\u007f省"}', "U+007F"),
        ('{"issuer": "贵州\\b省"}', "U+0008"),
    ],
)
def test_every_spelling_of_a_control_character_in_json_is_found(client, owner, project, body, char):
    document = DocumentFactory(project=project, issuer="", attributes={})
    client.force_login(owner)
    response = client.patch(reverse("api:document", kwargs={"document_id": document.pk}), body, content_type=JSON)
    assert response.status_code == 400
    assert f"({char})" in _detail(response)
    document.refresh_from_db()
    assert (document.issuer, document.attributes) == ("", {})


@pytest.mark.django_db
def test_tab_and_line_breaks_stay_allowed_in_a_memo(client, owner, project):
    client.force_login(owner)
    url = reverse("api:memos", kwargs={"project_id": project.pk})
    body = "第一行\r\n第二行\t（续）"
    response = client.post(url, {"kind": "journal", "body": body}, content_type=JSON)
    assert response.status_code == 201, response.content
    assert Memo.objects.get().body == body


@pytest.mark.django_db
def test_nul_in_a_memo_body_is_refused(client, owner, project):
    client.force_login(owner)
    url = reverse("api:memos", kwargs={"project_id": project.pk})
    response = client.post(url, {"kind": "journal", "body": "备忘\u0000"}, content_type=JSON)
    assert response.status_code == 400
    assert "“body” contains a control character (U+0000)" in _detail(response)
    assert not Memo.objects.exists()


@pytest.mark.django_db
def test_a_form_post_with_an_escape_character_creates_no_node(client, owner, project):
    client.force_login(owner)
    response = client.post(reverse("framework:node-create", kwargs={"project_id": project.pk}), {"name": "节点\x1b"})
    assert response.status_code == 400
    assert "“name” contains a control character (U+001B)" in response.content.decode()
    assert not Node.objects.exists()


@pytest.mark.django_db
def test_a_multipart_patch_is_checked_like_a_post(client, owner, project):
    node = NodeFactory(project=project, name="原名")
    client.force_login(owner)
    url = reverse("api:node", kwargs={"node_id": node.pk})
    response = client.patch(url, encode_multipart(BOUNDARY, {"name": "新\x00名"}), content_type=MULTIPART_CONTENT)
    assert response.status_code == 400
    assert "“name” contains a control character (U+0000)" in _detail(response)
    node.refresh_from_db()
    assert node.name == "原名"
    fine = client.patch(url, encode_multipart(BOUNDARY, {"name": "新名"}), content_type=MULTIPART_CONTENT)
    assert fine.status_code == 200, fine.content
    assert fine.json()["name"] == "新名"


@pytest.mark.django_db
def test_an_upload_field_is_checked_but_not_the_files_bytes(client, owner, project):
    client.force_login(owner)
    url = reverse("api:documents", kwargs={"project_id": project.pk})
    text = "贵州省政府数据共享开放条例\n第一条　为了推动政府数据共享开放，制定本条例。\n".encode()
    refused = client.post(url, {"file": SimpleUploadedFile("a.txt", text), "issuer": "贵州省\x00人民政府"})
    assert refused.status_code == 400
    assert "“issuer” contains a control character (U+0000)" in _detail(refused)
    assert not Document.objects.exists()
    binary = client.post(url, {"file": SimpleUploadedFile("b.txt", b"\x00\x01" + text)})
    assert "control character" not in _detail(binary)  # a file's bytes are extraction's to judge
    accepted = client.post(url, {"file": SimpleUploadedFile("a.txt", text), "issuer": "贵州省人民政府"})
    assert accepted.status_code == 201, accepted.content
    assert Document.objects.get().issuer == "贵州省人民政府"


@pytest.mark.django_db
def test_a_control_character_in_a_header_is_refused(client, owner, project):
    response = client.get(reverse("api:projects"), headers={"Authorization": "Token abc\x00def"})
    assert response.status_code == 400
    assert "The header Authorization contains a control character (U+0000)" in _detail(response)
    client.force_login(owner)
    page = client.get(reverse("policies:project-list"), headers={"HX-Current-URL": "http://x/\x01"})
    assert page.status_code == 400
    assert "Hx-Current-Url" in page.content.decode()


@pytest.mark.django_db
def test_a_session_cookie_with_nul_is_dropped_not_a_server_error(client):
    client.raise_request_exception = False
    response = client.get(reverse("policies:project-list"), headers={"Cookie": 'sessionid="abcdefghij\\000"'})
    assert response.status_code == 302  # as if logged out: on to the login page
    assert reverse("login") in response["Location"]


@pytest.mark.django_db
def test_a_control_character_in_the_path_is_refused(client, owner):
    client.force_login(owner)
    response = client.get("/api/projects/%00/")
    assert response.status_code == 400
    assert "The address contains a control character (U+0000)" in _detail(response)


@pytest.mark.django_db
def test_json_nested_too_deeply_is_a_400_not_a_recursion_error(client, owner, project):
    client.raise_request_exception = False
    client.force_login(owner)
    response = client.post(reverse("api:projects"), "[" * 100_000, content_type=JSON)
    assert response.status_code == 400
    assert _detail(response) == "The JSON body is nested too deeply. Nothing was changed."
    assert list(Project.objects.values_list("name", flat=True)) == [project.name]


@pytest.mark.django_db
def test_a_json_body_over_the_request_limit_answers_413(client, owner, project, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(owner)
    response = client.post(reverse("api:projects"), {"name": "x" * 2000}, content_type=JSON)
    assert response.status_code == 413
    assert _detail(response) == "The request body is too large. Nothing was changed."
    assert list(Project.objects.values_list("name", flat=True)) == [project.name]


@pytest.mark.django_db
def test_the_refusal_speaks_the_language_of_the_request(client, owner, project):
    client.force_login(owner)
    url = reverse("api:memos", kwargs={"project_id": project.pk})
    response = client.get(f"{url}?q=%00", headers={"Accept-Language": "zh-hans"})
    assert response.status_code == 400
    assert "控制字符" in _detail(response)


@pytest.mark.django_db
def test_every_route_refuses_nul_in_its_parameters_with_a_400(client, owner, request):
    client.force_login(owner)
    urls = list(_urls(request.getfixturevalue("route_ids")))
    assert len(urls) > 90
    for name, url in urls:
        response = client.get(url, {"q": "数据\x00", "coder": "owner\x00", "province": "\x00"})
        assert response.status_code == 400, f"GET {name} {url}: {response.status_code}"
        posted = client.post(url, {"name": "节点\x00", "body": "\x00"})
        assert posted.status_code == 400, f"POST {name} {url}: {posted.status_code}"
