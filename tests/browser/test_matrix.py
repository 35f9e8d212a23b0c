"""The matrix page in Chromium: change the value, sort, transpose, and click a cell to read its passages."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from policies.models import Role
from tests.factories import CodingFactory, DocumentFactory, MembershipFactory, NodeFactory, ProjectFactory, UserFactory


@pytest.fixture
def matrix_project(transactional_db):
    project = ProjectFactory(name="矩阵测试")
    owner = UserFactory(username="owner")
    MembershipFactory(project=project, user=owner, role=Role.OWNER)
    alice = MembershipFactory(project=project, user=UserFactory(username="alice"), role=Role.CODER).user
    collect = NodeFactory(project=project, name="数据归集", order=0)
    basic = NodeFactory(project=project, name="基础数据", parent=collect)
    share = NodeFactory(project=project, name="数据共享", order=1)
    guizhou = DocumentFactory(project=project, province="贵州省", title="贵州省政府数据共享开放条例")
    yunnan = DocumentFactory(project=project, province="云南省", title="云南省数据条例")
    CodingFactory(document=guizhou, node=basic, coder=alice, start=9, end=15)
    CodingFactory(document=yunnan, node=share, coder=alice, start=0, end=5)
    return {"project": project, "guizhou": guizhou, "collect": collect}


@pytest.mark.django_db(transaction=True)
def test_clicking_a_cell_opens_its_passages(matrix_project, new_page, login, live_server):
    page = new_page()
    login(page, "owner")
    page.goto(live_server.url + reverse("coding:matrix", args=[matrix_project["project"].pk]))
    table = page.locator("#matrix-table table")
    assert table.locator("tbody th").all_inner_texts() == ["贵州省", "云南省"]

    page.select_option("select[name=value]", "characters")
    expect(table.locator("tbody tr").first.locator("td").first).to_have_text("6")  # 6 characters, not 1 document
    page.check("input[name=transpose]")
    expect(page.locator("#matrix-table thead th a").nth(0)).to_have_text("贵州省")
    page.locator("#matrix-table table thead th a", has_text="云南省").click()  # sort the nodes by 云南省
    expect(page.locator("#matrix-table tbody th").first).to_have_text("数据共享")
    assert "sort=r1" in page.url
    assert "transpose=1" in page.url

    page.locator("#matrix-table td.cell a", has_text="6").click()
    page.wait_for_url("**/passages/**")
    passages = page.locator("#passages")
    assert "贵州省政府数据共享开放条例" in passages.inner_text()
    assert matrix_project["guizhou"].text[9:15] in passages.locator("mark").first.inner_text()
    assert page.locator("#passages article").count() == 1
