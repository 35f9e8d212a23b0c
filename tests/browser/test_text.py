"""Text analytics in Chromium: the word cloud draws, a word opens its search, a search is auto-coded and undone."""

import pytest

from coding.models import Coding
from framework import services as framework_services
from framework import tree
from policies.models import Role
from policies.services.documents import document_import
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = (
    "第一条　网信部门负责统筹协调公共数据安全工作。\n第二条　网信部门和公安机关依法监督公共数据。",
    "第一条　省人民政府统筹公共数据开放。\n第二条　网信部门负责数据安全。",
)


@pytest.fixture
def stakeholder_study():
    project = ProjectFactory(name="利益相关者研究")
    owner = UserFactory(username="owner")
    MembershipFactory(project=project, user=owner, role=Role.OWNER)
    MembershipFactory(project=project, user=UserFactory(username="coder"), role=Role.CODER)
    framework_services.apply_template(project=project, template="stakeholders")
    for i, text in enumerate(TEXTS):
        document_import(project=project, user=owner, filename=f"条例{i}.txt", data=text.encode())
    paths = {n.path: n.row.id for n in tree.walk(tree.rows_for(project))}
    return project, paths


def test_the_word_cloud_is_drawn_and_a_word_opens_its_search(new_page, login, live_server, stakeholder_study):
    project, _paths = stakeholder_study
    page = new_page()
    login(page, "coder")
    page.goto(f"{live_server.url}/projects/{project.pk}/word-frequency/")
    page.locator(".wordcloud svg text", has_text="公共数据").wait_for()
    page.locator("#word-frequency-table a", has_text="网信部门").click()
    page.locator(".kwic mark").first.wait_for()
    assert page.locator(".kwic mark").count() == 3


def test_a_coder_auto_codes_a_stakeholder_search_and_undoes_it(new_page, login, live_server, stakeholder_study):
    project, paths = stakeholder_study
    node_id = next(i for p, i in paths.items() if p.endswith("网信部门"))
    page = new_page()
    login(page, "coder")
    page.goto(f"{live_server.url}/projects/{project.pk}/text-search/?q=网信部门")
    page.select_option("select[name=target]", str(node_id))
    page.select_option("select[name=spread]", "sentence")
    page.get_by_role("button", name="预览").or_(page.get_by_role("button", name="Preview")).click()
    write = page.locator("#autocode-result button.primary")
    write.wait_for()
    assert Coding.objects.count() == 0
    write.click()
    page.locator("#autocode-result .ok").wait_for()
    assert Coding.objects.filter(node_id=node_id).count() == 3
    assert set(Coding.objects.values_list("document__title", flat=True)) == {"条例0", "条例1"}
    undo = page.locator("#autocode-result button")
    undo.click()
    undo.wait_for(state="detached")  # the undone result replaces the panel and has no button
    page.locator("#autocode-result .ok").wait_for()
    assert Coding.objects.count() == 0
