"""Every main page in Chromium under the Content-Security-Policy: no violation, no console error, no request to
another origin; and the behaviours moved out of inline handlers (confirm, auto-submit, tick all, drop) still work."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from coding.models import Assignment, Memo, MemoKind
from framework import services as framework_services
from framework import tree
from policies.models import CustomAttribute, Document, Membership, Role
from policies.services.documents import document_import
from tests.factories import CodingFactory, MembershipFactory, ProjectFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARKUP = "\"'><svg onload=alert(1)>"
TEXTS = (
    "第一章　总则\n第一条　网信部门负责统筹协调公共数据安全工作。\n第二条　网信部门和公安机关依法监督公共数据。",
    "第一条　省人民政府统筹公共数据开放。\n第二条　网信部门负责数据安全。",
)
# Records what the policy refused, before any page script runs (an init script is not subject to the page's CSP).
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def hostile_study():
    project = ProjectFactory(name="安全测试", description=MARKUP)
    owner = UserFactory(username="owner")
    MembershipFactory(project=project, user=owner, role=Role.OWNER)
    coder = MembershipFactory(project=project, user=UserFactory(username="coder"), role=Role.CODER).user
    MembershipFactory(project=project, user=UserFactory(username="reader"), role=Role.VIEWER)
    framework_services.apply_template(project=project, template="stakeholders")
    CustomAttribute.objects.create(project=project, name=MARKUP)
    documents = [
        document_import(project=project, user=owner, filename=f"条例{i}.txt", data=text.encode())[0].document
        for i, text in enumerate(TEXTS)
    ]
    Document.objects.filter(pk=documents[0].pk).update(attributes={MARKUP: "一级"})
    nodes = [n.row.id for n in tree.walk(tree.rows_for(project))]
    for who in (owner, coder):
        CodingFactory(document=documents[0], node_id=nodes[1], coder=who, start=7, end=15, memo=MARKUP)
    Assignment.objects.create(project=project, document=documents[0], coder=coder)
    Memo.objects.create(project=project, kind=MemoKind.JOURNAL, author=coder, title=MARKUP, body=MARKUP)
    return {"project": project, "documents": documents, "node": nodes[1]}


def _complaint(kind: str, text: str) -> bool:
    """An error, or a warning about the security headers themselves (an unknown Permissions-Policy feature)."""
    return kind == "error" or (kind == "warning" and ("Policy" in text or "policy" in text))


def _watch(page, origin: str) -> dict[str, list[str]]:
    """Console errors and requests to other origins, as they happen."""
    seen: dict[str, list[str]] = {"console": [], "outside": [], "dialogs": []}
    page.add_init_script(WATCH)
    page.on("console", lambda m: seen["console"].append(m.text) if _complaint(m.type, m.text) else None)
    page.on("pageerror", lambda error: seen["console"].append(str(error)))
    page.on(
        "request",
        lambda r: None if r.url.startswith((origin, "data:", "blob:")) else seen["outside"].append(r.url),
    )
    return seen


def _clean(page, seen, what: str) -> None:
    violations = page.evaluate("window.__violations || []")
    assert violations == [], f"{what}: {violations}"
    assert seen["console"] == [], f"{what}: {seen['console']}"
    assert seen["outside"] == [], f"{what}: {seen['outside']}"


def test_no_page_breaks_the_policy_or_reaches_outside(new_page, login, live_server, hostile_study):
    project, document = hostile_study["project"].pk, hostile_study["documents"][0].pk
    node = hostile_study["node"]
    pages = {
        "project list": (reverse("policies:project-list"), "main"),
        "project home": (reverse("policies:project-home", args=[project]), "#document-table"),
        "document": (reverse("policies:document", args=[document]), ".doc-text"),
        "coding": (reverse("coding:workspace", args=[document]), ".doc-text p"),
        "codebook": (reverse("framework:codebook", args=[project]) + f"?node={node}", ".cb-row"),
        "matrix": (reverse("coding:matrix", args=[project]) + "?rows=attr:" + MARKUP, "#matrix-table table"),
        "counts": (reverse("coding:attribute-counts", args=[project]), "svg"),
        "summary": (reverse("coding:framework-summary", args=[project]), "table"),
        "agreement": (reverse("coding:agreement", args=[project]) + "?coders=owner,coder", "#agreement-report"),
        "disagreement": (reverse("coding:disagreement", args=[project, document]) + "?a=owner&b=coder", "mark"),
        "team": (reverse("coding:team", args=[project]), "main table"),
        "journal": (reverse("coding:journal", args=[project]), "main"),
        "node view": (reverse("coding:node-view", args=[project, node]), "#passages"),
        "text search": (reverse("policies:text-search", args=[project]) + "?q=网信部门", ".kwic mark"),
        "word frequency": (reverse("policies:word-frequency", args=[project]), ".wordcloud svg text"),
        "dictionary": (reverse("policies:dictionary", args=[project]), "main"),
        "members": (reverse("policies:members", args=[project]), "main table"),
        "settings": (reverse("policies:project-settings", args=[project]), "main form"),
        "audit": (reverse("coding:audit", args=[document]), "main"),
        "API docs": (reverse("api:docs"), ".swagger-ui .info"),
        "ReDoc": (reverse("api:redoc"), ".api-content h1"),
    }
    page = new_page()
    seen = _watch(page, live_server.url)
    login(page, "owner")
    for what, (url, ready) in pages.items():
        page.goto(live_server.url + url)
        page.locator(ready).first.wait_for()
        page.wait_for_load_state("networkidle")
        _clean(page, seen, what)
    assert page.evaluate("window.alertFired === undefined")


def _answering(page, answers: list[bool]) -> list[str]:
    """Answer each confirm() with the next of answers (True: OK); returns the questions as they are asked."""
    asked: list[str] = []

    def answer(dialog):
        asked.append(dialog.message)
        if answers.pop(0):
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", answer)
    return asked


def test_confirm_dialogs_ask_first_and_a_no_changes_nothing(new_page, login, live_server, hostile_study):
    project = hostile_study["project"]
    page = new_page()
    seen = _watch(page, live_server.url)
    login(page, "owner")
    asked = _answering(page, [False, True, False, True])
    page.goto(live_server.url + reverse("policies:members", args=[project.pk]))
    remove = page.locator("tr", has_text="reader").locator("form[data-confirm] button")
    remove.click()
    page.wait_for_timeout(300)  # a refused confirm leaves the page as it is: there is nothing to wait for
    with translation.override("zh-hans"):
        assert asked == [gettext("Remove this member?")]
    assert Membership.objects.filter(project=project, user__username="reader").exists()
    with page.expect_navigation():
        remove.click()
    assert not Membership.objects.filter(project=project, user__username="reader").exists()

    document = hostile_study["documents"][1]
    page.goto(live_server.url + reverse("policies:document", args=[document.pk]))
    page.locator("form[data-confirm] button").click()
    page.wait_for_timeout(300)
    assert Document.objects.filter(pk=document.pk).exists()
    with page.expect_navigation():
        page.locator("form[data-confirm] button").click()
    assert not Document.objects.filter(pk=document.pk).exists()
    assert len(asked) == 4
    _clean(page, seen, "confirm dialogs")


def test_selects_submit_their_forms_and_tick_all_ticks_every_hit(new_page, login, live_server, hostile_study):
    project = hostile_study["project"]
    page = new_page()
    seen = _watch(page, live_server.url)
    login(page, "owner")
    page.goto(live_server.url + reverse("policies:members", args=[project.pk]))
    with page.expect_navigation():
        page.locator("tr", has_text="reader").locator("select[data-autosubmit]").select_option("coder")
    assert Membership.objects.get(project=project, user__username="reader").role == Role.CODER

    page.goto(live_server.url + reverse("coding:attribute-counts", args=[project.pk]))
    with page.expect_navigation():
        page.select_option("select[name=by]", "attr:" + MARKUP)
    assert "by=attr" in page.url
    page.locator("svg text", has_text=MARKUP).first.wait_for()  # the name is drawn as text, not run as markup

    page.goto(live_server.url + reverse("coding:framework-summary", args=[project.pk]))
    with page.expect_navigation():
        page.select_option("select[name=rows]", "policy_type")
    assert "rows=policy_type" in page.url

    page.goto(live_server.url + reverse("policies:text-search", args=[project.pk]) + "?q=网信部门")
    hits = page.locator(".kwic tbody input[type=checkbox]")
    assert hits.count() == 3
    page.check("input[data-tick-all]")
    assert all(hits.nth(i).is_checked() for i in range(3))
    page.uncheck("input[data-tick-all]")
    assert not any(hits.nth(i).is_checked() for i in range(3))

    with page.expect_navigation():
        page.select_option(".lang-switch select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    _clean(page, seen, "auto-submit and tick all")


def test_a_dropped_file_is_imported_and_the_outline_marks_its_target(new_page, login, live_server, hostile_study):
    project = hostile_study["project"]
    page = new_page()
    seen = _watch(page, live_server.url)
    login(page, "owner")
    page.goto(live_server.url + reverse("policies:project-home", args=[project.pk]))
    dropped = page.evaluate_handle(
        """() => {
          const data = new DataTransfer();
          data.items.add(new File(["第一条　拖放上传的政策文本。"], "拖放.txt", {type: "text/plain"}));
          return data;
        }"""
    )
    page.dispatch_event("[data-dropzone]", "drop", {"dataTransfer": dropped})
    page.locator("#upload-results li").first.wait_for()
    assert Document.objects.filter(project=project, title="拖放").exists()

    document = hostile_study["documents"][0]
    page.goto(live_server.url + reverse("policies:document", args=[document.pk]))
    link = page.locator(".outline a[href^='#p-']").last
    target = link.get_attribute("href")
    link.click()
    assert "target" in (page.locator(target).get_attribute("class") or "")
    _clean(page, seen, "drop and outline")
