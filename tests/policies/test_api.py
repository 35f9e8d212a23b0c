"""The JSON contract for auth, projects, members and documents (DESIGN.md)."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from coding import services as coding_services
from coding.models import Coding
from policies.models import Document, Project, Role
from tests.factories import (
    CodingFactory,
    DocumentFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
    documents_in_bulk,
)

GUIZHOU = (
    "贵州省政府数据共享开放条例\n"
    "贵州省人民代表大会常务委员会\n"
    "（2020年9月25日贵州省第十三届人民代表大会常务委员会第十九次会议通过）\n"
    "第一章　总则\n"
    "第一条　为了推动政府数据共享开放，制定本条例。\n"
    "第二条　本条例适用于本省行政区域内政府数据共享开放活动。\n"
)


def upload(client, project, name, data, **fields):
    url = reverse("api:documents", kwargs={"project_id": project.pk})
    return client.post(url, {"file": SimpleUploadedFile(name, data), **fields}, format="multipart")


@pytest.mark.django_db
def test_token_login_returns_a_token_that_authenticates(client, owner, project):
    response = client.post(reverse("api:token"), {"username": "owner", "password": "pw-secret-123"})
    token = response.json()["token"]
    listed = client.get(reverse("api:projects"), headers={"Authorization": f"Token {token}"})
    assert listed.status_code == 200
    assert [p["id"] for p in listed.json()] == [project.pk]


@pytest.mark.django_db
def test_wrong_password_gets_a_readable_detail(client, owner):
    response = client.post(reverse("api:token"), {"username": "owner", "password": "nope"})
    assert response.status_code == 400
    assert response.json() == {"detail": "Unable to log in with provided credentials."}
    assert not Token.objects.exists()


@pytest.mark.django_db
def test_creating_a_project_makes_the_creator_owner(api_as):
    user = UserFactory()
    response = api_as(user).post(
        reverse("api:projects"), {"name": "数据开放政策", "description": "19 省"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["role"] == "owner"
    members = api_as(user).get(reverse("api:members", kwargs={"project_id": body["id"]})).json()
    assert members == [{"id": members[0]["id"], "username": user.username, "role": "owner"}]


@pytest.mark.django_db
def test_document_count_is_a_number_on_every_answer_never_null(api_as, project, owner):
    DocumentFactory(project=project)
    DocumentFactory(project=project)
    detail = api_as(owner).get(reverse("api:project", kwargs={"project_id": project.pk})).json()
    listed = api_as(owner).get(reverse("api:projects")).json()
    created = api_as(owner).post(reverse("api:projects"), {"name": "新项目"}, format="json").json()
    assert (detail["document_count"], listed[0]["document_count"], created["document_count"]) == (2, 2, 0)


@pytest.mark.django_db
def test_project_without_name_is_refused(api_as):
    response = api_as(UserFactory()).post(reverse("api:projects"), {"name": ""}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "name: This field may not be blank."
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_owner_adds_member_and_unknown_user_is_explained(api_as, project, owner):
    UserFactory(username="alice")
    url = reverse("api:members", kwargs={"project_id": project.pk})
    assert api_as(owner).post(url, {"username": "alice", "role": "coder"}, format="json").status_code == 201
    again = api_as(owner).post(url, {"username": "alice", "role": "coder"}, format="json")
    assert again.status_code == 400
    assert again.json() == {"detail": "alice is already a member of this project."}
    missing = api_as(owner).post(url, {"username": "nobody", "role": "coder"}, format="json")
    assert missing.status_code == 400
    assert missing.json() == {"detail": "There is no user named “nobody”."}
    members = project.memberships.order_by("user__username").values_list("user__username", "role")
    assert list(members) == [("alice", Role.CODER), ("owner", Role.OWNER)]


@pytest.mark.django_db
def test_an_inactive_account_is_refused_in_the_words_used_for_nobody(api_as, project, owner):
    other = ProjectFactory()
    consensus = coding_services.consensus_coder(other)  # another project's consensus layer: an inactive account
    UserFactory(username="retired", is_active=False)
    url = reverse("api:members", kwargs={"project_id": project.pk})
    for username in (consensus.username, "retired"):
        response = api_as(owner).post(url, {"username": username, "role": "viewer"}, format="json")
        assert response.status_code == 400
        assert response.json() == {"detail": f"There is no user named “{username}”."}
    assert list(project.memberships.values_list("user__username", flat=True)) == ["owner"]


@pytest.mark.django_db
def test_last_owner_cannot_be_demoted(api_as, project, owner):
    membership = project.memberships.get(user=owner)
    url = reverse("api:member", kwargs={"project_id": project.pk, "member_id": membership.pk})
    response = api_as(owner).patch(url, {"role": "viewer"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "A project needs at least one owner: make someone else owner first."
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


@pytest.mark.django_db
def test_upload_gbk_text_guesses_attributes_and_sections(api_as, project, owner):
    response = upload(api_as(owner), project, "贵州省政府数据共享开放条例.txt", GUIZHOU.encode("gbk"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["province"] == "贵州省"
    assert body["issuer_type"] == "人大及其常委会"
    assert body["policy_type"] == "条例"
    detail = api_as(owner).get(reverse("api:document", kwargs={"document_id": body["id"]})).json()
    assert detail["text"] == GUIZHOU.rstrip("\n")
    assert detail["char_count"] == len(detail["text"])
    articles = [s for s in detail["sections"] if s["kind"] == "article"]
    assert [s["label"] for s in articles] == ["第一条", "第二条"]
    assert detail["text"][articles[1]["start"] : articles[1]["end"]].startswith("第二条")


@pytest.mark.django_db
def test_explicit_attributes_override_guesses(api_as, project, owner):
    response = upload(
        api_as(owner),
        project,
        "a.txt",
        GUIZHOU.encode(),
        province="Zhejiang",
        issue_date="2020-09-25",
        attributes='{"城市": "杭州"}',
    )
    body = response.json()
    assert body["province"] == "浙江省"
    assert body["issue_date"] == "2020-09-25"
    assert body["attributes"] == {"城市": "杭州"}
    assert list(project.custom_attributes.values_list("name", flat=True)) == ["城市"]


@pytest.mark.django_db
def test_unknown_province_is_refused_with_the_accepted_names(api_as, project, owner):
    response = upload(api_as(owner), project, "a.txt", GUIZHOU.encode(), province="火星")
    assert response.status_code == 400
    assert "火星" in response.json()["detail"]
    assert "浙江省" in response.json()["detail"]
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_duplicate_text_answers_409_naming_the_existing_document(api_as, project, owner):
    first = upload(api_as(owner), project, "a.txt", GUIZHOU.encode()).json()
    again = upload(api_as(owner), project, "b.txt", GUIZHOU.encode("gbk"))
    assert again.status_code == 409
    assert first["title"] in again.json()["detail"]
    assert project.documents.count() == 1


@pytest.mark.parametrize(
    ("name", "data", "code", "phrase"),
    [
        ("empty.txt", b"", 400, "empty"),
        ("photo.png", b"\x89PNG\r\n", 415, ".png"),
        ("broken.docx", b"PK\x03\x04 not really", 400, "docx"),
        ("broken.pdf", b"%PDF-1.4 garbage", 400, "PDF"),
        ("noise.txt", bytes(range(256)) * 40, 400, "decoded"),
    ],
)
@pytest.mark.django_db
def test_bad_files_are_refused_with_a_reason(api_as, project, owner, name, data, code, phrase):
    response = upload(api_as(owner), project, name, data)
    assert response.status_code == code
    assert phrase.lower() in response.json()["detail"].lower()
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_file_over_the_limit_answers_413(api_as, project, owner, settings):
    settings.MAX_UPLOAD_MB = 1
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    response = upload(api_as(owner), project, "big.txt", "数据".encode() * 400_000)
    assert response.status_code == 413, response.json()
    assert "1 MB" in response.json()["detail"]


@pytest.mark.django_db
def test_zip_imports_each_file_and_lists_the_refused(api_as, project, owner):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("一.txt", GUIZHOU.encode("gbk"))
        archive.writestr("二.html", "<html><body><p>第一条　开放数据。</p><script>x()</script></body></html>".encode())
        archive.writestr("../evil.txt", b"x")
        archive.writestr("inner.zip", b"PK")
    response = upload(api_as(owner), project, "batch.zip", buffer.getvalue())
    assert response.status_code == 201
    body = response.json()
    assert len(body["documents"]) == 2
    assert sorted(r["file"] for r in body["refused"]) == ["../evil.txt", "inner.zip"]
    assert project.documents.count() == 2


@pytest.mark.django_db
def test_document_list_filters_by_province_in_any_form(api_as, project, owner):
    DocumentFactory(project=project, province="浙江省")
    DocumentFactory(project=project, province="贵州省")
    url = reverse("api:documents", kwargs={"project_id": project.pk})
    listed = api_as(owner).get(url, {"province": "Zhejiang"}).json()
    assert [d["province"] for d in listed] == ["浙江省"]
    assert "text" not in listed[0]
    bad = api_as(owner).get(url, {"province": "火星"})
    assert bad.status_code == 400
    assert bad.json()["detail"].startswith("Unknown province “火星”. Use one of: 北京市, 天津市")


def links(response) -> dict[str, str]:
    """The Link header's URLs by rel."""
    return {rel: url for url, rel in re.findall(r'<([^>]*)>; rel="(\w+)"', response["Link"])}


def link_params(url: str) -> dict[str, list[str]]:
    return dict(QueryDict(url.partition("?")[2]).lists())


@pytest.mark.django_db
def test_document_list_is_paginated_with_total_count_and_links(api_as, project, owner):
    created = documents_in_bulk(project, 5)
    url = reverse("api:documents", kwargs={"project_id": project.pk})
    first = api_as(owner).get(url, {"page_size": 2})
    assert first.status_code == 200
    assert [d["id"] for d in first.json()] == [d.pk for d in created[:2]]
    assert first["X-Total-Count"] == "5"
    absolute = f"http://testserver{url}"
    assert links(first) == {
        "first": f"{absolute}?page_size=2&page=1",
        "next": f"{absolute}?page_size=2&page=2",
        "last": f"{absolute}?page_size=2&page=3",
    }
    last = api_as(owner).get(links(first)["last"])
    assert [d["id"] for d in last.json()] == [created[4].pk]
    assert set(links(last)) == {"first", "prev", "last"}
    assert link_params(links(last)["prev"]) == {"page_size": ["2"], "page": ["2"]}


@pytest.mark.django_db
def test_document_list_defaults_to_pages_of_200(api_as, project, owner):
    documents_in_bulk(project, 201)
    response = api_as(owner).get(reverse("api:documents", kwargs={"project_id": project.pk}))
    assert len(response.json()) == 200
    assert response["X-Total-Count"] == "201"
    assert link_params(links(response)["next"]) == {"page": ["2"]}


@pytest.mark.django_db
def test_document_list_links_keep_filters_and_sort_and_count_after_filters(api_as, project, owner):
    documents_in_bulk(project, 3, province="浙江省")
    documents_in_bulk(project, 4, province="贵州省")
    url = reverse("api:documents", kwargs={"project_id": project.pk})
    response = api_as(owner).get(url, {"province": "浙江", "sort": "-title", "page_size": 2, "page": 2})
    assert [d["title"] for d in response.json()] == ["文件000"]
    assert response["X-Total-Count"] == "3"
    assert link_params(links(response)["first"]) == {
        "province": ["浙江"],
        "sort": ["-title"],
        "page_size": ["2"],
        "page": ["1"],
    }
    ordered = api_as(owner).get(url, {"sort": "-title"}).json()
    assert [d["title"] for d in ordered] == [f"文件{i:03d}" for i in range(6, -1, -1)]


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"page": "0"}, "page must be a whole number of at least 1."),
        ({"page": "-1"}, "page must be a whole number of at least 1."),
        ({"page": "abc"}, "page must be a whole number of at least 1."),
        ({"page": "²"}, "page must be a whole number of at least 1."),
        ({"page_size": "0"}, "page_size must be a whole number from 1 to 1000."),
        ({"page_size": "1001"}, "page_size must be a whole number from 1 to 1000."),
        ({"page_size": "2.5"}, "page_size must be a whole number from 1 to 1000."),
        (
            {"sort": "--title"},
            "Unknown sort “--title”: use one of title, province, issuer, issuer_type, issue_date, doc_number, "
            "policy_type, char_count, id, with a leading “-” for descending.",
        ),
        (
            {"sort": "text"},
            "Unknown sort “text”: use one of title, province, issuer, issuer_type, issue_date, doc_number, "
            "policy_type, char_count, id, with a leading “-” for descending.",
        ),
    ],
)
@pytest.mark.django_db
def test_bad_page_page_size_or_sort_is_refused_naming_what_is_allowed(api_as, project, owner, params, detail):
    DocumentFactory(project=project)
    response = api_as(owner).get(reverse("api:documents", kwargs={"project_id": project.pk}), params)
    assert response.status_code == 400
    assert response.json() == {"detail": detail}
    assert "Link" not in response
    assert project.documents.count() == 1


@pytest.mark.django_db
def test_a_page_past_the_end_is_not_found_and_names_the_last(api_as, project, owner):
    documents_in_bulk(project, 3)
    url = reverse("api:documents", kwargs={"project_id": project.pk})
    response = api_as(owner).get(url, {"page_size": 2, "page": 3})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page: page 3 is past the last page, 2."}
    empty = api_as(owner).get(url, {"province": "浙江"})  # no match: page 1 is an empty list, not a 404
    assert (empty.status_code, empty.json(), empty["X-Total-Count"]) == (200, [], "0")
    assert set(links(empty)) == {"first", "last"}


@pytest.mark.django_db
def test_non_member_gets_404_for_any_page_and_learns_no_count(api_as, project, outsider):
    documents_in_bulk(project, 3)
    response = api_as(outsider).get(reverse("api:documents", kwargs={"project_id": project.pk}), {"page": 1})
    assert response.status_code == 404
    assert "X-Total-Count" not in response
    assert "Link" not in response


@pytest.mark.django_db
def test_hostile_filter_values_are_percent_encoded_in_the_link_header(api_as, project, owner):
    documents_in_bulk(project, 3)
    hostile = '>; rel="next", <http://evil.example/>\r\nX-Injected: 1'
    url = reverse("api:documents", kwargs={"project_id": project.pk})
    response = api_as(owner).get(url, {"issuer_type": hostile, "page_size": 1})
    assert response.status_code == 200
    assert response.json() == []
    assert set(links(response)) == {"first", "last"}
    assert re.fullmatch(r'<[^<>"\s,;]+>; rel="first", <[^<>"\s,;]+>; rel="last"', response["Link"])
    assert link_params(links(response)["first"])["issuer_type"] == [hostile]


@pytest.mark.django_db
def test_document_list_queries_do_not_grow_with_the_documents(api_as, project, owner):
    url = reverse("api:documents", kwargs={"project_id": project.pk})
    client = api_as(owner)

    def queries_for(params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured)

    documents_in_bulk(project, 3, province="浙江省")
    few = queries_for({}), queries_for({"province": "浙江", "page_size": 2, "page": 2})
    documents_in_bulk(project, 300, province="浙江省")
    many = queries_for({}), queries_for({"province": "浙江", "page_size": 2, "page": 2})
    assert many == few


@pytest.mark.django_db
def test_patch_edits_attributes_and_refuses_bad_dates(api_as, project, owner):
    document = DocumentFactory(project=project)
    url = reverse("api:document", kwargs={"document_id": document.pk})
    ok = api_as(owner).patch(url, {"province": "广西", "issuer_type": "人大常委会"}, format="json")
    assert ok.status_code == 200
    assert (ok.json()["province"], ok.json()["issuer_type"]) == ("广西壮族自治区", "人大及其常委会")
    bad = api_as(owner).patch(url, {"issue_date": "2021-02-30"}, format="json")
    assert bad.status_code == 400
    assert "YYYY-MM-DD" in bad.json()["detail"]
    document.refresh_from_db()
    assert document.province == "广西壮族自治区"


@pytest.mark.django_db
def test_patch_cannot_change_text(api_as, project, owner):
    document = DocumentFactory(project=project)
    before = document.text
    api_as(owner).patch(reverse("api:document", kwargs={"document_id": document.pk}), {"text": "改"}, format="json")
    document.refresh_from_db()
    assert document.text == before


@pytest.mark.django_db
def test_replacing_the_file_of_a_coded_document_is_refused(api_as, project, owner):
    coding = CodingFactory(document=DocumentFactory(project=project), coder=owner)
    url = reverse("api:document-file", kwargs={"document_id": coding.document_id})
    response = api_as(owner).put(
        url, {"file": SimpleUploadedFile("new.txt", "第一条　新。".encode())}, format="multipart"
    )
    assert response.status_code == 409
    assert "1" in response.json()["detail"]
    coding.document.refresh_from_db()
    assert coding.document.text.startswith("贵州省政府数据共享开放条例")
    assert Coding.objects.count() == 1


@pytest.mark.django_db
def test_replacing_the_file_of_an_uncoded_document_changes_text_and_sections(api_as, project, owner):
    document = DocumentFactory(project=project)
    url = reverse("api:document-file", kwargs={"document_id": document.pk})
    new = "第一条　新的文本。\n第二条　第二条的文本。"
    response = api_as(owner).put(url, {"file": SimpleUploadedFile("new.txt", new.encode())}, format="multipart")
    assert response.status_code == 200
    assert response.json()["text"] == new
    assert [s["label"] for s in response.json()["sections"]] == ["第一条", "第二条"]


@pytest.mark.django_db
def test_another_projects_document_is_not_found(api_as, project, owner):
    foreign = DocumentFactory()
    response = api_as(owner).get(reverse("api:document", kwargs={"document_id": foreign.pk}))
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.django_db
def test_schema_lists_the_contract_paths(client):
    schema = client.get(reverse("api:schema")).content.decode()
    for path in (
        "/api/projects/",
        "/api/projects/{project_id}/documents/",
        "/api/documents/{document_id}/",
        "/api/auth/token/",
    ):
        assert path in schema


@pytest.mark.django_db
def test_api_docs_serve_without_a_cdn(client):
    html = client.get(reverse("api:docs")).content.decode()
    assert "swagger" in html.lower()
    assert "cdn." not in html
    assert "unpkg" not in html


@pytest.mark.django_db
def test_coder_membership_lists_documents_but_cannot_upload(api_as, project, coder):
    assert api_as(coder).get(reverse("api:documents", kwargs={"project_id": project.pk})).status_code == 200
    refused = upload(api_as(coder), project, "a.txt", GUIZHOU.encode())
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Your role in this project (Coder) does not allow this."}
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_members_of_other_projects_are_not_listed(api_as, project, owner):
    MembershipFactory()
    members = api_as(owner).get(reverse("api:members", kwargs={"project_id": project.pk})).json()
    assert [m["username"] for m in members] == ["owner"]


@pytest.mark.django_db
def test_a_new_project_can_start_from_the_lifecycle_framework(api_as):
    user = UserFactory()
    body = (
        api_as(user)
        .post(reverse("api:projects"), {"name": "生命周期", "templates": ["lifecycle"]}, format="json")
        .json()
    )
    nodes = api_as(user).get(reverse("api:nodes", kwargs={"project_id": body["id"]})).json()
    assert len(nodes) == 40
    assert sum(1 for n in nodes if n["parent"] is None) == 7
    before = Project.objects.count()
    bad = api_as(user).post(reverse("api:projects"), {"name": "x", "templates": ["nvivo"]}, format="json")
    assert bad.status_code == 400
    assert bad.json()["detail"] == '0: "nvivo" is not a valid choice.'
    assert Project.objects.count() == before  # no half-made project without its codebook
