"""The codebook in Chromium: drag a node to a new parent, merge two nodes, read-only for coders."""

import pytest

from framework import services, tree
from framework.models import Node
from policies.models import Role
from tests.factories import CodingFactory, DocumentFactory, MembershipFactory, ProjectFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def codebook():
    project = ProjectFactory(name="数据开放共享政策研究")
    MembershipFactory(project=project, user=UserFactory(username="owner"), role=Role.OWNER)
    MembershipFactory(project=project, user=UserFactory(username="coder"), role=Role.CODER)
    services.apply_template(project=project, template="lifecycle")
    return project, {n.path: n.row.id for n in tree.walk(tree.rows_for(project))}


def _row(page, node_id):
    return page.locator(f'#node-tree .cb-row[data-node-id="{node_id}"]')


def test_owner_drags_a_node_onto_a_new_parent(new_page, login, live_server, codebook):
    project, ids = codebook
    page = new_page()
    login(page, "owner")
    page.goto(f"{live_server.url}/projects/{project.pk}/codebook/")
    _row(page, ids["法律责任"]).drag_to(_row(page, ids["数据保障"]))
    moved = page.locator(f'#node-tree li[data-node-id="{ids["数据保障"]}"] .cb-row[data-node-id="{ids["法律责任"]}"]')
    moved.wait_for()
    assert Node.objects.get(pk=ids["法律责任"]).parent_id == ids["数据保障"]
    assert "数据保障/法律责任" in page.locator("#node-detail .cb-path").inner_text()


def test_owner_merges_one_node_into_another(new_page, login, live_server, codebook):
    project, ids = codebook
    CodingFactory(document=DocumentFactory(project=project), node_id=ids["数据开放/开放需求"])
    page = new_page()
    login(page, "owner")
    page.goto(f"{live_server.url}/projects/{project.pk}/codebook/")
    page.locator(f'#node-tree .cb-row[data-node-id="{ids["数据开放/开放需求"]}"] a').click()
    page.locator("#node-merge-form select").wait_for()
    page.select_option("#node-merge-form select", str(ids["数据开放/开放重点"]))
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#node-merge-form button[type=submit]")
    page.locator("#node-detail .cb-notice").wait_for()
    _row(page, ids["数据开放/开放需求"]).wait_for(state="detached")
    assert not Node.objects.filter(pk=ids["数据开放/开放需求"]).exists()
    assert Node.objects.get(pk=ids["数据开放/开放重点"]).codings.count() == 1
    assert "数据开放/开放重点" in page.locator("#node-detail .cb-path").inner_text()


def test_coder_sees_the_tree_read_only(new_page, login, live_server, codebook):
    project, ids = codebook
    page = new_page()
    login(page, "coder")
    page.goto(f"{live_server.url}/projects/{project.pk}/codebook/")
    assert page.locator("#node-tree .cb-row").count() == 40
    assert page.locator('#node-tree [draggable="true"]').count() == 0
    page.locator(f'#node-tree .cb-row[data-node-id="{ids["数据利用"]}"] a').click()
    page.locator("#node-detail .cb-description").wait_for()
    assert "释放数据价值的过程" in page.locator("#node-detail").inner_text()
    assert page.locator("#node-edit").count() == 0


def test_the_codebook_figure_downloads_as_a_png_with_counts(new_page, login, live_server, codebook):
    project, _ids = codebook
    page = new_page()
    login(page, "owner")
    page.goto(f"{live_server.url}/projects/{project.pk}/codebook/")
    page.select_option("#figure-counts", "references")
    assert "counts=references" in page.get_attribute("#figure-png", "data-png-src")
    page.wait_for_function("() => document.getElementById('figure-img').complete")
    with page.expect_download() as download:
        page.click("#figure-png")
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".png")
    with open(path, "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"
