"""The HTML pages: projects, the document table, uploads, the document page, members, settings and language."""

import html as html_module
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from coding.models import Coding
from config import settings as project_settings
from policies.models import CustomAttribute, Document, Membership, Project, Role
from policies.services.documents import document_import
from tests.factories import CodingFactory, DocumentFactory, MembershipFactory, UserFactory, documents_in_bulk

HTMX = {"HX-Request": "true"}
GUIZHOU = (
    "贵州省政府数据共享开放条例\n"
    "第一章　总则\n"
    "第一条　为了推动政府数据共享开放，制定本条例。\n"
    "第二条　本条例适用于本省行政区域内政府数据共享开放活动。\n"
)


@pytest.fixture
def client(client):
    """Django's client asking for English, so message assertions survive the Chinese catalogue."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def imported(project, owner, name, text):
    """A document imported the way uploads are, so its sections are stored."""
    (outcome,) = document_import(project=project, user=owner, filename=name, data=text.encode())
    assert outcome.document, outcome.error
    return outcome.document


def home(client, project, **params):
    return client.get(reverse("policies:project-home", args=[project.pk]), params)


def table_titles(response) -> list[str]:
    return re.findall(r'<td class="title-cell"><a href="[^"]+">([^<]+)</a>', response.content.decode())


# --- project list --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_project_list_shows_my_projects_with_document_counts(client, project, owner):
    DocumentFactory.create_batch(2, project=project)
    Project.objects.create(name="别人的项目")
    client.force_login(owner)
    html = client.get(reverse("policies:project-list")).content.decode()
    assert project.name in html
    assert "别人的项目" not in html
    assert "2 documents" in html


@pytest.mark.django_db
def test_creating_a_project_in_the_page_makes_the_creator_owner(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("policies:project-list"), {"name": "数据开放政策", "description": "19 省"})
    project = Project.objects.get(name="数据开放政策")
    assert response.status_code == 302
    assert response["Location"] == reverse("policies:project-home", args=[project.pk])
    assert Membership.objects.get(project=project).user == user
    assert Membership.objects.get(project=project).role == Role.OWNER


@pytest.mark.parametrize("name", ["", "   "])
@pytest.mark.django_db
def test_creating_a_project_without_a_name_shows_the_error_in_the_page(client, name):
    client.force_login(UserFactory())
    response = client.post(reverse("policies:project-list"), {"name": name})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Project.objects.exists()


# --- project home: the document table ------------------------------------------------------------


@pytest.mark.django_db
def test_project_home_lists_the_documents_of_this_project_only(owner_client, project):
    DocumentFactory(project=project, title="浙江省数据条例")
    DocumentFactory(title="别的项目的文件")
    response = home(owner_client, project)
    assert response.status_code == 200
    assert table_titles(response) == ["浙江省数据条例"]


@pytest.mark.django_db
def test_filters_narrow_the_table_and_show_facet_counts(owner_client, project):
    DocumentFactory(project=project, title="甲", province="浙江省", issuer_type="人民政府", policy_type="办法")
    DocumentFactory(project=project, title="乙", province="浙江省", issuer_type="人大及其常委会", policy_type="条例")
    DocumentFactory(project=project, title="丙", province="贵州省", issuer_type="人民政府", policy_type="条例")
    assert table_titles(home(owner_client, project, province="Zhejiang")) == ["甲", "乙"]
    assert table_titles(home(owner_client, project, issuer_type="人民政府")) == ["甲", "丙"]
    assert table_titles(home(owner_client, project, policy_type="条例", province="贵州")) == ["丙"]
    html = home(owner_client, project).content.decode()
    assert "浙江省 (2)" in html
    assert "贵州省 (1)" in html
    assert "条例 (2)" in html
    assert "人大及其常委会 (1)" in html


@pytest.mark.django_db
def test_filter_selects_mark_the_chosen_value_and_count_documents_without_one(owner_client, project):
    DocumentFactory(project=project, title="甲", province="浙江省")
    DocumentFactory(project=project, title="乙", province="")
    chosen = home(owner_client, project, province="浙江省").content.decode()
    assert '<option value="浙江省" selected>浙江省 (1)</option>' in chosen
    unfiltered = home(owner_client, project).content.decode()
    assert '<option value="" selected>All</option>' in unfiltered  # not the blank-province line below it
    assert '<option value="">(none) (1)</option>' in unfiltered


@pytest.mark.django_db
def test_table_sorts_by_a_column_and_descending_with_a_minus(owner_client, project):
    DocumentFactory(project=project, title="乙", char_count=300)
    DocumentFactory(project=project, title="甲", char_count=100)
    DocumentFactory(project=project, title="丙", char_count=200)
    assert table_titles(home(owner_client, project, sort="char_count")) == ["甲", "丙", "乙"]
    descending = home(owner_client, project, sort="-char_count")
    assert table_titles(descending) == ["乙", "丙", "甲"]
    assert "▼" in descending.content.decode()


@pytest.mark.parametrize("sort", ["text", "-password", "--title", "title;drop", ""])
@pytest.mark.django_db
def test_unknown_sort_key_falls_back_to_upload_order(owner_client, project, sort):
    DocumentFactory(project=project, title="乙")
    DocumentFactory(project=project, title="甲")
    response = home(owner_client, project, sort=sort)
    assert response.status_code == 200
    assert table_titles(response) == ["乙", "甲"]


@pytest.mark.django_db
def test_unknown_province_filter_shows_a_message_in_the_page(owner_client, project):
    DocumentFactory(project=project, title="甲", province="浙江省")
    response = home(owner_client, project, province="火星")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error" role="alert"' in html
    assert "火星" in html


@pytest.mark.django_db
def test_htmx_request_for_the_table_gets_only_the_table_fragment(owner_client, project):
    DocumentFactory(project=project, title="甲")
    response = owner_client.get(
        reverse("policies:project-home", args=[project.pk]), headers={**HTMX, "HX-Target": "document-table"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="document-table"')
    assert "<html" not in html
    assert "甲" in html


@pytest.mark.django_db
def test_plain_request_gets_the_whole_page(owner_client, project):
    html = home(owner_client, project).content.decode()
    assert "<html" in html
    assert 'id="document-table"' in html
    assert 'id="upload-form"' in html


@pytest.mark.django_db
def test_viewer_sees_the_table_without_upload_or_edit_controls(client, project, viewer):
    document = DocumentFactory(project=project)
    client.force_login(viewer)
    html = home(client, project).content.decode()
    assert document.title in html
    assert 'id="upload-form"' not in html
    assert "?edit=1" not in html


# --- pages of the document table -----------------------------------------------------------------


def pager_links(response) -> dict[str, str]:
    """The pager's links by rel (first, prev, next, last), their href unescaped."""
    found = re.findall(r'<a href="([^"]*)" hx-get="[^"]*"[^>]*rel="(\w+)"', response.content.decode())
    return {rel: html_module.unescape(href) for href, rel in found}


def link_params(href: str) -> dict[str, list[str]]:
    return dict(QueryDict(href.removeprefix("?")).lists())


@pytest.mark.django_db
def test_table_shows_fifty_rows_a_page_with_counts_and_a_pager(owner_client, project):
    documents_in_bulk(project, 120)
    first = home(owner_client, project)
    assert table_titles(first) == [f"文件{i:03d}" for i in range(50)]
    assert "Showing 1–50 of 120 documents</span>" in first.content.decode()
    assert "Page 1 of 3" in first.content.decode()
    assert pager_links(first) == {"next": "?page=2", "last": "?page=3"}
    last = home(owner_client, project, page=3)
    assert table_titles(last) == [f"文件{i:03d}" for i in range(100, 120)]
    assert "Showing 101–120 of 120 documents</span>" in last.content.decode()
    assert pager_links(last) == {"first": "?page=1", "prev": "?page=2"}


@pytest.mark.django_db
def test_rows_per_page_is_a_choice_of_50_100_or_200(owner_client, project):
    documents_in_bulk(project, 120)
    response = home(owner_client, project, page_size=100, page=2)
    assert table_titles(response) == [f"文件{i:03d}" for i in range(100, 120)]
    assert '<option value="100" selected>100</option>' in response.content.decode()
    assert pager_links(response) == {"first": "?page_size=100&page=1", "prev": "?page_size=100&page=1"}
    odd = home(owner_client, project, page_size=7)
    assert len(table_titles(odd)) == 50
    assert '<option value="50" selected>50</option>' in odd.content.decode()


@pytest.mark.parametrize(
    ("page", "shown"), [("abc", 0), ("0", 0), ("-1", 0), ("²", 0), ("2.5", 0), ("", 0), ("3", 100), ("99999", 100)]
)
@pytest.mark.django_db
def test_junk_or_out_of_range_page_gets_the_first_or_last_page(owner_client, project, page, shown):
    documents_in_bulk(project, 120)
    response = home(owner_client, project, page=page)
    assert response.status_code == 200
    assert table_titles(response)[0] == f"文件{shown:03d}"


@pytest.mark.django_db
def test_filters_and_sort_are_kept_in_the_page_links_and_the_count_says_filtered(owner_client, project):
    documents_in_bulk(project, 60, province="浙江省", policy_type="条例")
    documents_in_bulk(project, 10, province="贵州省")
    response = home(owner_client, project, province="浙江省", policy_type="条例", sort="-title", page=2)
    assert table_titles(response) == [f"文件{i:03d}" for i in range(9, -1, -1)]
    html = response.content.decode()
    assert "Showing 51–60 of 60 documents (filtered; 70 in the project)" in html
    kept = {"province": ["浙江省"], "policy_type": ["条例"], "sort": ["-title"], "page": ["1"]}
    assert link_params(pager_links(response)["first"]) == kept
    assert link_params(pager_links(response)["prev"]) == kept
    followed = owner_client.get(reverse("policies:project-home", args=[project.pk]) + pager_links(response)["prev"])
    assert table_titles(followed) == [f"文件{i:03d}" for i in range(59, 9, -1)]


@pytest.mark.django_db
def test_sort_headers_keep_the_filters_and_go_back_to_the_first_page(owner_client, project):
    documents_in_bulk(project, 60, province="浙江省")
    html = home(owner_client, project, province="浙江省", page=2, sort="title").content.decode()
    headers = {
        label.strip(): link_params(html_module.unescape(href))
        for href, label in re.findall(r'<th><a hx-get="[^"]*" [^>]*href="([^"]*)">([^<▲▼]+)', html)
    }
    assert headers["Title"] == {"province": ["浙江省"], "sort": ["-title"]}  # a second click sorts descending
    assert headers["Issuer"] == {"province": ["浙江省"], "sort": ["issuer"]}


@pytest.mark.django_db
def test_htmx_page_link_swaps_the_table_and_the_refresh_keeps_the_page(owner_client, project):
    documents_in_bulk(project, 60)
    url = reverse("policies:project-home", args=[project.pk]) + "?page=2"
    response = owner_client.get(url, headers={**HTMX, "HX-Target": "document-table"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="document-table"')
    assert table_titles(response) == [f"文件{i:03d}" for i in range(50, 60)]
    refresh = re.search(r'<section id="document-table" hx-get="([^"]*)" hx-trigger="documents-changed', html)
    assert refresh.group(1).endswith("?page=2")  # an upload elsewhere on the page reloads the page shown
    assert f'hx-get="{reverse("policies:project-home", args=[project.pk])}?page=1"' in html


@pytest.mark.django_db
def test_count_is_translated_and_thousands_are_separated(project, owner):
    documents_in_bulk(project, 1001, province="贵州省")
    client = Client()
    client.force_login(owner)
    url = reverse("policies:project-home", args=[project.pk])
    html = client.get(url, {"page": 2, "province": "贵州省"}, headers={"Accept-Language": "zh-hans"}).content.decode()
    assert "显示 51–100 / 共 1,001 篇（已筛选，项目共 1,001 篇）" in html
    assert "第 2 页，共 21 页" in html


@pytest.mark.django_db
def test_hostile_filters_and_sort_are_escaped_in_the_page_and_its_links(owner_client, project):
    documents_in_bulk(project, 60)
    hostile = '"><script>alert(1)</script>'
    response = home(owner_client, project, province=hostile, sort=hostile, page=2)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in html
    assert "Unknown province" in html  # the filter is refused and left out: the whole project is listed
    assert table_titles(response) == [f"文件{i:03d}" for i in range(50, 60)]
    link = pager_links(response)["prev"]
    assert link_params(link) == {"province": [hostile], "sort": [hostile], "page": ["1"]}
    assert "%22%3E%3Cscript%3E" in link  # percent-encoded: nothing leaves the attribute


@pytest.mark.django_db
def test_document_table_queries_do_not_grow_with_the_documents(owner_client, project):
    def queries_for(**params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert home(owner_client, project, **params).status_code == 200
        return len(captured)

    documents_in_bulk(project, 3, province="浙江省")
    few = queries_for(), queries_for(province="浙江", page=1)
    documents_in_bulk(project, 400, province="浙江省")
    many = queries_for(), queries_for(province="浙江", page=5)
    assert many == few
    html = home(owner_client, project, province="浙江", page=5).content.decode()
    assert "Showing 201–250 of 403 documents" in html


# --- upload through the page -----------------------------------------------------------------------


def page_upload(client, project, *files):
    return client.post(reverse("policies:upload", args=[project.pk]), {"file": list(files)}, headers=HTMX)


def results(response) -> tuple[list[str], list[str]]:
    html = response.content.decode()
    return re.findall(r'<li class="ok">(.*?)</li>', html, re.S), re.findall(r'<li class="refused">(.*?)</li>', html)


@pytest.mark.django_db
def test_page_upload_imports_several_files_and_tells_the_table(owner_client, project):
    response = page_upload(
        owner_client,
        project,
        SimpleUploadedFile("贵州省政府数据共享开放条例.txt", GUIZHOU.encode("gbk")),
        SimpleUploadedFile("通知.html", "<p>第一条　开放数据。</p>".encode()),
    )
    ok, refused = results(response)
    assert len(ok) == 2
    assert refused == []
    assert "<html" not in response.content.decode()
    assert "documents-changed" in response.headers["HX-Trigger"]
    assert sorted(project.documents.values_list("original_name", flat=True)) == [
        "贵州省政府数据共享开放条例.txt",
        "通知.html",
    ]


@pytest.mark.django_db
def test_page_upload_of_a_zip_imports_each_file_and_lists_the_refused_with_reasons(owner_client, project):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("一.txt", GUIZHOU.encode())
        archive.writestr("二.txt", "第一条　另一份文件。".encode())
        archive.writestr("三.txt", GUIZHOU.encode("gbk"))  # the same text as 一.txt
        archive.writestr("图.png", b"\x89PNG\r\n")
    response = page_upload(owner_client, project, SimpleUploadedFile("批量.zip", buffer.getvalue()))
    ok, refused = results(response)
    assert len(ok) == 2
    assert len(refused) == 2
    assert refused[0].startswith("✗ 三.txt: ")
    assert "贵州省政府数据共享开放条例" in refused[0]
    assert refused[1].startswith("✗ 图.png: ")
    assert ".png" in refused[1]
    assert project.documents.count() == 2


@pytest.mark.django_db
def test_page_upload_lists_a_refused_file_beside_the_imported_one(owner_client, project):
    response = page_upload(
        owner_client,
        project,
        SimpleUploadedFile("a.txt", GUIZHOU.encode()),
        SimpleUploadedFile("空.txt", b""),
        SimpleUploadedFile("坏.docx", b"PK\x03\x04 not really"),
    )
    ok, refused = results(response)
    assert len(ok) == 1
    assert [r.split(":")[0] for r in refused] == ["✗ 空.txt", "✗ 坏.docx"]
    assert "empty" in refused[0]
    assert project.documents.count() == 1


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("photo.png", b"\x89PNG\r\n", ".png"),
        ("batch.zip", b"PK\x03\x04 broken", "damaged"),
        ("noise.txt", bytes(range(256)) * 40, "decoded"),
        ("scan.pdf", b"%PDF-1.4 garbage", "PDF"),
    ],
)
@pytest.mark.django_db
def test_page_upload_with_nothing_imported_lists_the_reason_and_does_not_tell_the_table(
    owner_client, project, name, data, reason
):
    existing = DocumentFactory(project=project)
    response = page_upload(owner_client, project, SimpleUploadedFile(name, data))
    ok, refused = results(response)
    assert response.status_code == 200
    assert ok == []
    assert len(refused) == 1
    assert refused[0].startswith(f"✗ {name}: ")
    assert reason in refused[0]
    assert "HX-Trigger" not in response.headers
    assert list(project.documents.all()) == [existing]


@pytest.mark.django_db
def test_page_upload_without_files_asks_for_one(owner_client, project):
    response = owner_client.post(reverse("policies:upload", args=[project.pk]), {}, headers=HTMX)
    ok, refused = results(response)
    assert response.status_code == 200
    assert ok == []
    assert refused == ["✗ : Choose one or more files first."]


@pytest.mark.django_db
def test_page_upload_of_an_oversized_file_lists_it_with_the_size_limit(owner_client, project, settings):
    settings.MAX_UPLOAD_MB = 1
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    response = page_upload(
        owner_client,
        project,
        SimpleUploadedFile("大.txt", "数据".encode() * 400_000),
        SimpleUploadedFile("小.txt", GUIZHOU.encode()),
    )
    ok, refused = results(response)
    assert response.status_code == 200
    assert len(ok) == 1
    assert len(refused) == 1
    assert refused[0].startswith("✗ 大.txt: ")
    assert "1 MB" in refused[0]
    assert list(project.documents.values_list("original_name", flat=True)) == ["小.txt"]


# --- document row edit -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_row_edit_gives_a_form_fragment(owner_client, project):
    document = DocumentFactory(project=project, issuer="贵州省人民政府")
    response = owner_client.get(reverse("policies:document-row", args=[document.pk]), {"edit": "1"}, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="doc-{document.pk}" class="editing">')
    assert "<form" in html
    assert 'value="贵州省人民政府"' in html
    assert "<html" not in html


@pytest.mark.django_db
def test_row_post_with_a_bad_date_re_renders_the_form_and_changes_nothing(owner_client, project):
    document = DocumentFactory(project=project, title="原标题", province="贵州省")
    response = owner_client.post(
        reverse("policies:document-row", args=[document.pk]),
        {"title": "新标题", "province": "浙江省", "issue_date": "2021-02-30"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="editing"' in html
    assert 'role="alert"' in html
    assert "2021-02-30" in html
    document.refresh_from_db()
    assert (document.title, document.province, document.issue_date) == ("原标题", "贵州省", None)


@pytest.mark.django_db
def test_row_post_with_valid_values_saves_and_returns_the_row(owner_client, project):
    document = DocumentFactory(project=project, title="原标题")
    response = owner_client.post(
        reverse("policies:document-row", args=[document.pk]),
        {"title": "新标题", "province": "浙江省", "issuer_type": "人民政府", "issue_date": "2021/11/25"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="doc-{document.pk}">')
    assert "新标题" in html
    assert "2021-11-25" in html
    document.refresh_from_db()
    assert (document.title, document.province, str(document.issue_date)) == ("新标题", "浙江省", "2021-11-25")
    assert document.issuer_type == "人民政府"


# --- document page ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_document_page_marks_each_line_with_its_code_point_offset(client, project, viewer):
    document = DocumentFactory(project=project, text="𠮷野家\n第一条　内容。\n\n末行")
    client.force_login(viewer)
    html = client.get(reverse("policies:document", args=[document.pk])).content.decode()
    assert '<p id="p-0" data-start="0">𠮷野家</p>' in html
    assert '<p id="p-4" data-start="4">第一条　内容。</p>' in html  # 𠮷 is one code point (two in UTF-16)
    assert '<p id="p-12" data-start="12"></p>' in html
    assert '<p id="p-13" data-start="13">末行</p>' in html


@pytest.mark.django_db
def test_document_page_outline_links_each_article_to_its_paragraph(client, project, owner):
    document = imported(project, owner, "a.txt", "𠮷条例\n第一章　总则\n　　第一条　甲。\n第二条　乙。")
    client.force_login(owner)
    html = client.get(reverse("policies:document", args=[document.pk])).content.decode()
    outline = html.split('<nav class="outline"')[1].split("</nav>")[0]
    for label in ("第一条", "第二条"):
        line_start = next(p for p in document.text.split("\n") if label in p)
        offset = document.text.index(line_start)
        assert f'<a href="#p-{offset}" data-start="{document.text.index(label)}"' in outline
        assert f'<p id="p-{offset}" data-start="{offset}">' in html
    assert "第一章　总则" in outline


@pytest.mark.django_db
def test_document_page_escapes_html_in_the_text(client, project, viewer):
    document = DocumentFactory(project=project, text="第一条　<script>alert(1)</script> & 其他", title="<b>标题</b>")
    client.force_login(viewer)
    html = client.get(reverse("policies:document", args=[document.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 其他" in html
    assert "<script>alert(1)</script>" not in html
    assert "<b>标题</b>" not in html


@pytest.mark.django_db
def test_owner_saves_attributes_on_the_document_page(owner_client, project):
    CustomAttribute.objects.create(project=project, name="城市")
    document = DocumentFactory(project=project, title="原标题")
    response = owner_client.post(
        reverse("policies:document", args=[document.pk]),
        {"title": "新标题", "province": "浙江省", "policy_type": "办法", "custom_0": "杭州"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="attributes-panel"')
    assert "<html" not in html
    document.refresh_from_db()
    assert (document.title, document.province, document.policy_type) == ("新标题", "浙江省", "办法")
    assert document.attributes == {"城市": "杭州"}


@pytest.mark.django_db
def test_htmx_attribute_save_confirms_in_the_panel_not_on_a_later_page(owner_client, project):
    document = DocumentFactory(project=project)
    response = owner_client.post(reverse("policies:document", args=[document.pk]), {"title": "新标题"}, headers=HTMX)
    assert 'class="message success"' in response.content.decode()
    assert 'class="message success"' not in home(owner_client, project).content.decode()


@pytest.mark.django_db
def test_bad_attributes_on_the_document_page_show_the_error_and_change_nothing(owner_client, project):
    document = DocumentFactory(project=project, title="原标题")
    response = owner_client.post(
        reverse("policies:document", args=[document.pk]), {"title": "新标题", "issue_date": "明天"}, headers=HTMX
    )
    assert 'role="alert"' in response.content.decode()
    assert "明天" in response.content.decode()
    document.refresh_from_db()
    assert document.title == "原标题"


@pytest.mark.django_db
def test_viewer_sees_attributes_as_a_read_only_list(client, project, viewer):
    document = DocumentFactory(project=project, issuer="贵州省人民政府", attributes={"城市": "贵阳"})
    client.force_login(viewer)
    html = client.get(reverse("policies:document", args=[document.pk])).content.decode()
    panel = html.split('id="attributes-panel"')[1].split("</section>")[0]
    assert '<dl class="attrs">' in panel
    assert "<form" not in panel
    assert "<dd>贵州省人民政府</dd>" in panel
    assert "<dt>城市</dt><dd>贵阳</dd>" in panel
    assert "document-replace" not in html
    assert reverse("policies:document-delete", args=[document.pk]) not in html


@pytest.mark.django_db
def test_replacing_a_coded_document_through_the_page_is_refused_with_a_message(owner_client, project, owner):
    document = DocumentFactory(project=project)
    CodingFactory(document=document, coder=owner)
    before = document.text
    response = owner_client.post(
        reverse("policies:document-replace", args=[document.pk]),
        {"file": SimpleUploadedFile("new.txt", "第一条　新文本。".encode())},
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain == [(reverse("policies:document", args=[document.pk]), 302)]
    assert 'class="message error"' in html
    assert "codings" in html
    document.refresh_from_db()
    assert document.text == before


@pytest.mark.django_db
def test_replacing_an_uncoded_document_through_the_page_changes_its_text(owner_client, project):
    document = DocumentFactory(project=project)
    response = owner_client.post(
        reverse("policies:document-replace", args=[document.pk]),
        {"file": SimpleUploadedFile("new.txt", "第一条　新文本。".encode())},
        follow=True,
    )
    assert 'class="message success"' in response.content.decode()
    document.refresh_from_db()
    assert document.text == "第一条　新文本。"
    assert list(document.sections.values_list("label", flat=True)) == ["第一条"]


@pytest.mark.django_db
def test_replacing_through_the_page_with_an_oversized_file_names_the_limit(owner_client, project, settings):
    settings.MAX_UPLOAD_MB = 1
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    document = DocumentFactory(project=project)
    before = document.text
    response = owner_client.post(
        reverse("policies:document-replace", args=[document.pk]),
        {"file": SimpleUploadedFile("大.txt", "数据".encode() * 400_000)},
        follow=True,
    )
    html = response.content.decode()
    assert 'class="message error"' in html
    assert "大.txt" in html
    assert "1 MB" in html
    document.refresh_from_db()
    assert document.text == before


@pytest.mark.django_db
def test_replacing_through_the_page_without_a_file_asks_for_one(owner_client, project):
    document = DocumentFactory(project=project)
    before = document.text
    response = owner_client.post(reverse("policies:document-replace", args=[document.pk]), {}, follow=True)
    assert 'class="message error"' in response.content.decode()
    document.refresh_from_db()
    assert document.text == before


@pytest.mark.django_db
def test_deleting_a_document_removes_it_its_codings_and_its_file(
    owner_client, project, owner, django_capture_on_commit_callbacks
):
    document = DocumentFactory(project=project)
    kept = DocumentFactory(project=project)
    CodingFactory(document=document, coder=owner)
    CodingFactory(document=kept, coder=owner)
    storage, name = document.original.storage, document.original.name
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("policies:document-delete", args=[document.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("policies:project-home", args=[project.pk])
    assert list(project.documents.all()) == [kept]
    assert list(Coding.objects.values_list("document", flat=True)) == [kept.pk]
    assert not storage.exists(name)
    assert kept.original.storage.exists(kept.original.name)


@pytest.mark.django_db
def test_original_file_downloads_under_its_original_name(owner_client, project, owner):
    document = imported(project, owner, "贵州条例.txt", GUIZHOU)
    response = owner_client.get(reverse("policies:document-original", args=[document.pk]))
    assert b"".join(response.streaming_content) == GUIZHOU.encode()
    # the one header every download gets (policies.writers): an ASCII stand-in, and the real name in filename*
    assert response["Content-Disposition"] == (
        "attachment; filename=\"download.txt\"; filename*=UTF-8''%E8%B4%B5%E5%B7%9E%E6%9D%A1%E4%BE%8B.txt"
    )


@pytest.mark.django_db
def test_document_of_another_project_is_not_found_for_a_member_of_this_one(owner_client):
    foreign = DocumentFactory()
    for name in ("policies:document", "policies:document-row", "policies:document-original"):
        response = owner_client.get(reverse(name, args=[foreign.pk]))
        assert response.status_code == 404
        assert (
            "This page does not exist, or it belongs to a project you are not a member of." in response.content.decode()
        )
    refused = owner_client.post(reverse("policies:document-delete", args=[foreign.pk]))
    assert refused.status_code == 404
    assert "This page does not exist, or it belongs to a project you are not a member of." in refused.content.decode()
    assert Document.objects.filter(pk=foreign.pk).exists()


# --- members ---------------------------------------------------------------------------------------


def members_url(project):
    return reverse("policies:members", args=[project.pk])


@pytest.mark.django_db
def test_owner_adds_a_member_in_the_page(owner_client, project):
    alice = UserFactory(username="alice")
    response = owner_client.post(members_url(project), {"username": "alice", "role": "viewer"})
    assert response.status_code == 302
    assert project.memberships.get(user=alice).role == Role.VIEWER
    assert "alice" in owner_client.get(members_url(project)).content.decode()


@pytest.mark.django_db
def test_adding_an_unknown_username_shows_the_error_in_the_page(owner_client, project):
    response = owner_client.post(members_url(project), {"username": "nobody", "role": "coder"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error" role="alert"' in html
    assert "nobody" in html
    assert project.memberships.count() == 1


@pytest.mark.django_db
def test_changing_the_last_owners_role_is_refused_with_a_message(owner_client, project, owner):
    membership = project.memberships.get(user=owner)
    response = owner_client.post(
        reverse("policies:member-change", args=[project.pk, membership.pk]), {"role": "coder"}, follow=True
    )
    assert 'class="message error"' in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


@pytest.mark.django_db
def test_owner_changes_another_members_role(owner_client, project, coder):
    membership = project.memberships.get(user=coder)
    owner_client.post(reverse("policies:member-change", args=[project.pk, membership.pk]), {"role": "owner"})
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


@pytest.mark.django_db
def test_members_page_shows_each_members_role_in_its_select(owner_client, project, coder, viewer):
    page = owner_client.get(reverse("policies:members", args=[project.pk])).content.decode()
    rows = re.findall(r"<tr>\s*<td>(\w+)</td>.*?</tr>", page, re.S)
    assert rows == ["owner", "coder", "viewer"]
    selects = re.findall(r'<select name="role" data-autosubmit aria-label="Role">.*?</select>', page, re.S)
    chosen = [re.search(r'<option value="(\w+)" selected>', select).group(1) for select in selects]
    assert chosen == ["owner", "coder", "viewer"]


@pytest.mark.django_db
def test_owner_removes_a_member(owner_client, project, coder):
    membership = project.memberships.get(user=coder)
    response = owner_client.post(
        reverse("policies:member-change", args=[project.pk, membership.pk]), {"action": "remove"}
    )
    assert response.status_code == 302
    assert not project.memberships.filter(user=coder).exists()


@pytest.mark.django_db
def test_member_of_another_project_cannot_be_changed_from_this_one(owner_client, project):
    foreign = MembershipFactory(role=Role.CODER)
    response = owner_client.post(reverse("policies:member-change", args=[project.pk, foreign.pk]), {"action": "remove"})
    assert response.status_code == 404
    assert "This page does not exist, or it belongs to a project you are not a member of." in response.content.decode()
    assert Membership.objects.filter(pk=foreign.pk).exists()


# --- project settings ------------------------------------------------------------------------------


def settings_url(project):
    return reverse("policies:project-settings", args=[project.pk])


@pytest.mark.django_db
def test_settings_add_a_custom_attribute(owner_client, project):
    response = owner_client.post(settings_url(project), {"attr-name": " 城市 "})
    assert response.status_code == 302
    assert list(project.custom_attributes.values_list("name", flat=True)) == ["城市"]
    assert "城市" in owner_client.get(settings_url(project)).content.decode()


@pytest.mark.django_db
def test_settings_remove_a_custom_attribute_and_its_values(owner_client, project):
    CustomAttribute.objects.create(project=project, name="城市")
    CustomAttribute.objects.create(project=project, name="层级")
    document = DocumentFactory(project=project, attributes={"城市": "杭州", "层级": "省级"})
    response = owner_client.post(settings_url(project), {"remove_attribute": "城市"})
    assert response.status_code == 302
    assert list(project.custom_attributes.values_list("name", flat=True)) == ["层级"]
    document.refresh_from_db()
    assert document.attributes == {"层级": "省级"}


@pytest.mark.django_db
def test_settings_removing_an_unknown_attribute_shows_a_message(owner_client, project):
    response = owner_client.post(settings_url(project), {"remove_attribute": "不存在"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="message error"' in html
    assert "不存在" in html


@pytest.mark.django_db
def test_settings_rename_the_project(owner_client, project):
    response = owner_client.post(settings_url(project), {"name": "新名称", "description": "说明"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.description) == ("新名称", "说明")


@pytest.mark.django_db
def test_settings_empty_name_shows_the_error_only_on_the_project_form(owner_client, project):
    before = project.name
    response = owner_client.post(settings_url(project), {"name": "", "description": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("errorlist") == 1
    project.refresh_from_db()
    assert project.name == before


@pytest.mark.django_db
def test_settings_empty_attribute_name_shows_the_error_only_on_the_attribute_form(owner_client, project):
    response = owner_client.post(settings_url(project), {"attr-name": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("errorlist") == 1
    assert not project.custom_attributes.exists()


# --- language --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_are_in_chinese_by_default(project, owner, settings):
    settings.LANGUAGE_CODE = project_settings.LANGUAGE_CODE  # the suite runs in English; this test checks the default
    browser = Client()
    browser.force_login(owner)
    with translation.override(None):
        html = browser.get(reverse("policies:project-list")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "我的项目" in html
    assert "退出登录" in html


@pytest.mark.django_db
def test_accept_language_english_gives_english_pages(project, owner):
    browser = Client(headers={"Accept-Language": "en"})
    browser.force_login(owner)
    assert '<html lang="en">' in browser.get(reverse("policies:project-list")).content.decode()


@pytest.mark.django_db
def test_set_language_switches_the_pages_to_english(project, owner):
    browser = Client()
    browser.force_login(owner)
    response = browser.post(reverse("set_language"), {"language": "en", "next": reverse("policies:project-list")})
    assert response.status_code == 302
    assert '<html lang="en">' in browser.get(reverse("policies:project-home", args=[project.pk])).content.decode()
