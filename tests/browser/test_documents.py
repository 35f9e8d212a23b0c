"""A researcher imports documents in the browser, sees the guessed attributes, and jumps to an article."""

import io

import docx
import pytest

from policies.models import Document, Role
from tests.factories import MembershipFactory, ProjectFactory, UserFactory, documents_in_bulk

GBK_TEXT = (
    "贵州省政府数据共享开放条例\n"
    "贵州省人民代表大会常务委员会\n"
    "（2020年9月25日贵州省第十三届人民代表大会常务委员会第十九次会议通过）\n"
    "第一章　总则\n"
    + "".join(f"第{n}条　政府数据共享开放应当遵循统一标准、依法有序的原则。\n" for n in "一二三四五六七八九十")
    + "第二章　附则\n第十一条　本条例自2020年12月1日起施行。\n"
)


def make_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("苏州市人民政府关于印发《苏州市公共数据开放管理办法》的通知")
    document.add_paragraph("苏府规〔2021〕3号")
    document.add_paragraph("第一条　为了规范公共数据开放，制定本办法。")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "开放类型"
    table.cell(0, 1).text = "无条件开放"
    document.add_paragraph("第二条　本办法自发布之日起施行。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db(transaction=True)
def test_owner_uploads_gbk_and_docx_sees_guesses_and_jumps_to_an_article(new_page, login, live_server):
    project = ProjectFactory(name="数据开放政策")
    MembershipFactory(project=project, user=UserFactory(username="owner"), role=Role.OWNER)
    page = new_page()
    login(page, "owner")
    page.click("text=数据开放政策")
    page.set_input_files(
        "#upload-input",
        [
            {"name": "贵州省政府数据共享开放条例.txt", "mimeType": "text/plain", "buffer": GBK_TEXT.encode("gbk")},
            {"name": "苏州办法.docx", "mimeType": "application/octet-stream", "buffer": make_docx()},
        ],
    )
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#upload-results li.ok >> nth=1")
    assert page.locator("#upload-results li.refused").count() == 0
    rows = page.locator("#document-table tbody tr")
    rows.first.wait_for()
    page.wait_for_function("() => document.querySelectorAll('#document-table tbody tr').length === 2")
    table = page.inner_text("#document-table")
    assert "贵州省" in table
    assert "人大及其常委会" in table or "人大" in table
    assert "江苏省" in table
    assert "苏府规〔2021〕3号" in table
    assert Document.objects.filter(project=project).count() == 2

    page.click("text=贵州省政府数据共享开放条例 >> nth=0")
    page.wait_for_selector("#doc-text")
    assert "第十一条" in page.inner_text("#doc-text")
    page.click(".outline a:text-is('第十一条')")
    target = page.locator("#doc-text p.target")
    assert target.inner_text().startswith("第十一条")
    assert page.evaluate("location.hash").startswith("#p-")
    top = target.evaluate("el => el.getBoundingClientRect().top")
    assert 0 <= top < 900  # scrolled into view


@pytest.mark.django_db(transaction=True)
def test_an_upload_over_the_request_limits_shows_the_refusal_in_the_results(new_page, login, live_server, settings):
    settings.MAX_UPLOAD_FILES = 1
    project = ProjectFactory(name="数据开放政策")
    MembershipFactory(project=project, user=UserFactory(username="owner"), role=Role.OWNER)
    page = new_page()
    login(page, "owner")
    page.click("text=数据开放政策")
    files = [{"name": f"{n}.txt", "mimeType": "text/plain", "buffer": f"第{n}条 内容".encode()} for n in range(2)]
    page.set_input_files("#upload-input", files)
    page.click("#upload-form button[type=submit]")
    refused = page.locator("#upload-results li.refused")
    refused.wait_for()
    assert "1" in refused.inner_text()  # the limit, in the page's language
    assert Document.objects.filter(project=project).count() == 0


@pytest.mark.django_db(transaction=True)
def test_pager_and_rows_per_page_swap_the_table_and_keep_the_filter(new_page, login, live_server):
    project = ProjectFactory(name="数据开放政策")
    MembershipFactory(project=project, user=UserFactory(username="owner"), role=Role.OWNER)
    documents_in_bulk(project, 70, province="浙江省")
    documents_in_bulk(project, 5, province="贵州省")
    page = new_page()
    login(page, "owner")
    page.click("text=数据开放政策")
    # The filter's change must reach htmx's listener, bound once the page (and its deferred htmx) has loaded
    page.wait_for_url(f"**/projects/{project.pk}/", wait_until="load")
    page.select_option("#document-table select[name=province]", "浙江省")
    page.wait_for_function("() => location.search.includes('province=')")  # pushed by htmx
    count = page.locator("#document-table .count", has_text="已筛选")
    count.wait_for()
    assert count.inner_text() == "显示 1–50 / 共 70 篇（已筛选，项目共 75 篇）"
    assert page.locator("#document-table tbody tr").count() == 50
    page.click("#document-table nav.pager a[rel=next]")
    page.wait_for_function("() => location.search.includes('page=2')")  # pushed by htmx
    page.wait_for_function("() => document.querySelectorAll('#document-table tbody tr').length === 20")
    assert page.locator("#document-table tbody tr").first.inner_text().startswith("文件050")
    assert "<html" not in page.inner_text("#document-table")  # the fragment replaced the table, not nested a page
    page.select_option("#document-table select[name=page_size]", "100")
    page.wait_for_function("() => location.search.includes('page_size=100')")  # pushed by htmx
    page.wait_for_function("() => document.querySelectorAll('#document-table tbody tr').length === 70")
    assert "page=2" not in page.url  # a new page size starts at the first page
    assert page.locator("#document-table nav.pager").count() == 0
