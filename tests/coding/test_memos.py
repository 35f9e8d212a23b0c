"""Who edits which memo, and the history every edit leaves: API, services and the journal page."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from coding import services
from coding.models import Memo, MemoKind, MemoRevision
from policies.models import Role
from tests.factories import DocumentFactory, MembershipFactory, NodeFactory, UserFactory


@pytest.fixture
def colleague(project):
    return MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="colleague")).user


@pytest.fixture
def entry(project, coder):
    return services.memo_save(project=project, author=coder, kind=MemoKind.JOURNAL, title="第一次讨论", body="统一规则")


def _memo_url(memo, suffix=""):
    return reverse(f"api:memo{suffix}", args=[memo.pk])


@pytest.mark.django_db
def test_a_coder_cannot_edit_another_coders_journal_entry(api_as, entry, colleague):
    response = api_as(colleague).patch(_memo_url(entry), {"body": "改掉别人的日志"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the author of this journal entry, or a project owner, can change it."
    entry.refresh_from_db()
    assert (entry.title, entry.body) == ("第一次讨论", "统一规则")
    assert not MemoRevision.objects.exists()


@pytest.mark.django_db
def test_the_author_and_an_owner_edit_a_journal_entry_and_each_edit_is_kept(api_as, entry, coder, owner):
    mine = api_as(coder).patch(_memo_url(entry), {"body": "统一编码规则"}, format="json")
    assert mine.status_code == 200
    assert (mine.json()["title"], mine.json()["body"]) == ("第一次讨论", "统一编码规则")  # no title: it stays
    theirs = api_as(owner).patch(_memo_url(entry), {"title": "讨论纪要", "body": "规则已定"}, format="json")
    assert theirs.status_code == 200
    assert theirs.json()["author"] == "coder"  # an owner's edit does not take the entry over
    revisions = list(
        MemoRevision.objects.filter(memo=entry).values_list("editor__username", "previous_title", "previous_body")
    )
    assert revisions == [("owner", "第一次讨论", "统一编码规则"), ("coder", "第一次讨论", "统一规则")]


@pytest.mark.django_db
def test_an_edit_that_changes_nothing_leaves_no_revision(api_as, entry, coder):
    assert (
        api_as(coder).patch(_memo_url(entry), {"title": "第一次讨论", "body": "统一规则"}, format="json").status_code
        == 200
    )
    assert not MemoRevision.objects.exists()


@pytest.mark.django_db
def test_a_bad_edit_is_refused_and_changes_nothing(api_as, entry, coder):
    response = api_as(coder).patch(_memo_url(entry), {"body": "   "}, format="json")
    assert response.status_code == 400
    assert "needs some text" in response.json()["detail"]
    entry.refresh_from_db()
    assert entry.body == "统一规则"
    assert not MemoRevision.objects.exists()


@pytest.mark.django_db
def test_document_and_node_memos_stay_shared_by_the_team_with_their_history(api_as, project, coder, colleague, owner):
    document, node = DocumentFactory(project=project), NodeFactory(project=project)
    for kind, target in ((MemoKind.DOCUMENT, {"document": document}), (MemoKind.NODE, {"node": node})):
        memo = services.memo_save(project=project, author=coder, kind=kind, body="初读", **target)
        assert api_as(colleague).patch(_memo_url(memo), {"body": "复读"}, format="json").status_code == 200
        services.memo_save(project=project, author=owner, kind=kind, body="三读", **target)  # the pages' upsert
        history = api_as(owner).get(_memo_url(memo, "-history")).json()
        assert [(r["editor"], r["previous_body"]) for r in history] == [("owner", "复读"), ("colleague", "初读")]


@pytest.mark.django_db
def test_the_history_is_for_owners_and_the_author(api_as, entry, coder, colleague, owner, viewer, outsider):
    services.memo_update(memo=entry, actor=coder, role=Role.CODER, body="第二稿")
    for user in (owner, coder):
        history = api_as(user).get(_memo_url(entry, "-history"))
        assert history.status_code == 200
        assert [set(r) for r in history.json()] == [{"id", "editor", "edited_at", "previous_title", "previous_body"}]
        assert history.json()[0]["previous_body"] == "统一规则"
    for user in (colleague, viewer):
        refused = api_as(user).get(_memo_url(entry, "-history"))
        assert refused.status_code == 403
        assert refused.json()["detail"] == "Only project owners and the memo's author can read its history."
    assert api_as(outsider).get(_memo_url(entry, "-history")).status_code == 404


@pytest.mark.django_db
def test_the_service_refuses_an_edit_of_someone_elses_journal_entry(entry, colleague):
    with pytest.raises(PermissionDenied):
        services.memo_update(memo=entry, actor=colleague, role=Role.CODER, body="改")
    assert Memo.objects.get(pk=entry.pk).body == "统一规则"


# --- the journal page -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_journal_page_edits_my_entry_and_refuses_anothers(client, project, entry, coder, colleague):
    url = reverse("coding:journal", args=[project.pk])
    client.force_login(colleague)
    page = client.get(url).content.decode()
    assert f'name="memo" value="{entry.pk}"' not in page  # no edit form on someone else's entry
    refused = client.post(url, {"memo": entry.pk, "title": "", "body": "改掉别人的日志"})
    assert refused.status_code == 403
    assert Memo.objects.get(pk=entry.pk).body == "统一规则"
    client.force_login(coder)
    assert f'name="memo" value="{entry.pk}"' in client.get(url).content.decode()
    assert client.post(url, {"memo": entry.pk, "title": "第一次讨论", "body": "统一编码规则"}).status_code == 302
    assert Memo.objects.get(pk=entry.pk).body == "统一编码规则"
    assert Memo.objects.filter(kind=MemoKind.JOURNAL).count() == 1  # edited, not added


@pytest.mark.django_db
def test_a_failed_edit_on_the_page_keeps_the_typed_text_and_changes_nothing(client, project, entry, coder):
    client.force_login(coder)
    response = client.post(reverse("coding:journal", args=[project.pk]), {"memo": entry.pk, "body": "长" * 10_001})
    assert response.status_code == 200
    assert "长" * 100 in response.content.decode()  # the typed text comes back in the open edit form
    assert Memo.objects.get(pk=entry.pk).body == "统一规则"
    assert not MemoRevision.objects.exists()


@pytest.mark.django_db
def test_owners_read_the_history_on_the_journal_page(client, project, entry, coder, colleague, owner):
    services.memo_update(memo=entry, actor=owner, role=Role.OWNER, body="<b>第二稿</b>")
    url = reverse("coding:journal", args=[project.pk])
    client.force_login(owner)
    page = client.get(url).content.decode()
    assert "Edited once" in page
    assert "owner changed it on" in page
    assert "统一规则" in page  # the text before the edit
    assert "<b>第二稿</b>" not in page  # memos are text, escaped
    client.force_login(colleague)
    assert "Edited once" not in client.get(url).content.decode()
