"""The methods report and the matrix page's figures in Chromium: the map and timeline images load, the report page
shows its numbered tables and inline figures in Chinese, and the Word button downloads a .docx."""

import pytest
from django.urls import reverse

from policies.models import Role
from tests.factories import CodingFactory, DocumentFactory, MembershipFactory, NodeFactory, ProjectFactory, UserFactory


@pytest.fixture
def report_project(transactional_db):
    project = ProjectFactory(name="报告测试")
    owner = UserFactory(username="owner")
    MembershipFactory(project=project, user=owner, role=Role.OWNER)
    alice = MembershipFactory(project=project, user=UserFactory(username="alice"), role=Role.CODER).user
    share = NodeFactory(project=project, name="数据共享", order=0)
    guizhou = DocumentFactory(project=project, province="贵州省", issue_date="2021-03-01")
    CodingFactory(document=guizhou, node=share, coder=alice, start=0, end=5)
    return {"project": project, "share": share}


@pytest.mark.django_db(transaction=True)
def test_matrix_figures_and_report_render(report_project, new_page, login, live_server):
    page = new_page()
    login(page, "owner")
    project = report_project["project"]
    page.goto(live_server.url + reverse("coding:matrix", args=[project.pk]))
    for figure in ("map", "timeline"):
        image = page.locator(f"#matrix-figures img[src*='{figure}.svg']")
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    page.locator("#matrix-figures a", has_text="数据共享").click()
    assert f"map={report_project['share'].pk}" in page.url

    page.goto(live_server.url + reverse("policies:project-home", args=[project.pk]))
    page.locator("a", has_text="方法报告").click()
    page.wait_for_url("**/report/")
    report = page.locator("#methods-report")
    assert "表 1" in report.locator("caption").first.inner_text()
    assert report.locator("figure svg").count() == 4
    assert "贵州" in report.locator("figure svg").nth(2).inner_html()  # the province map
    with page.expect_download() as download:
        page.locator("a", has_text="Word").click()
    assert download.value.suggested_filename.endswith(".docx")
