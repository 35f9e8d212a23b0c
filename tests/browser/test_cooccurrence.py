"""The co-occurrence page in Chromium: the heatmap renders with Chinese labels, the unit changes over htmx, a cell
opens its passages, and the network figure is drawn."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from policies.models import Role
from tests.factories import CodingFactory, DocumentFactory, MembershipFactory, NodeFactory, ProjectFactory, UserFactory


@pytest.fixture
def cooccurrence_project(transactional_db):
    project = ProjectFactory(name="共现测试")
    owner = UserFactory(username="owner")
    MembershipFactory(project=project, user=owner, role=Role.OWNER)
    alice = MembershipFactory(project=project, user=UserFactory(username="alice"), role=Role.CODER).user
    collect = NodeFactory(project=project, name="数据归集", order=0)
    basic = NodeFactory(project=project, name="基础数据", parent=collect)
    share = NodeFactory(project=project, name="数据共享", order=1)
    guizhou = DocumentFactory(project=project, title="贵州省政府数据共享开放条例")
    yunnan = DocumentFactory(project=project, title="云南省数据条例")
    CodingFactory(document=guizhou, node=basic, coder=alice, start=0, end=12)
    CodingFactory(document=guizhou, node=share, coder=alice, start=6, end=20)
    CodingFactory(document=yunnan, node=share, coder=alice, start=0, end=5)
    CodingFactory(document=yunnan, node=collect, coder=alice, start=30, end=40)
    return {"project": project, "guizhou": guizhou}


@pytest.mark.django_db(transaction=True)
def test_the_heatmap_renders_with_chinese_labels_and_a_cell_opens_its_passages(
    cooccurrence_project, new_page, login, live_server
):
    page = new_page()
    login(page, "owner")
    page.goto(live_server.url + reverse("cooccurrence:page", args=[cooccurrence_project["project"].pk]))
    expect(page.locator("h1")).to_contain_text("编码层: 编码员 alice")  # the Chinese UI names the layer
    table = page.locator("#cooccurrence-table table")
    assert table.locator("tbody th").all_inner_texts() == ["数据归集", "数据共享"]
    assert table.locator("thead th.col-head").all_inner_texts() == ["数据归集", "数据共享"]
    cells = table.locator("tbody tr").first.locator("td")
    assert cells.all_inner_texts() == ["2", "1"]  # two passages at 数据归集, one overlapping 数据共享
    assert "background" in (cells.nth(1).get_attribute("style") or "")  # on the heat scale
    network = page.locator("figure.cooccurrence-network svg")
    expect(network).to_be_visible()
    assert "数据共享 (2)" in network.inner_html()
    box = network.bounding_box()
    assert box["width"] > 100
    assert box["height"] > 100

    page.select_option("select[name=unit]", "document")  # htmx swaps the table
    expect(cells.nth(1)).to_have_text("2")  # both documents hold both nodes
    assert "unit=document" in page.url

    cells.nth(1).locator("a").click()
    page.wait_for_url("**/cooccurrence/cell/**")
    expect(page.locator("h1")).to_have_text("数据归集 × 数据共享")
    passages = page.locator("ol.cooccurrence-passages li")
    expect(passages).to_have_count(2)
    assert "贵州省政府数据共享开放条例" in passages.first.inner_text()
