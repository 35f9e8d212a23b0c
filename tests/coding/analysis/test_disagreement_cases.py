"""Disagreement cases: pairing "same passage, different code", positions by article, accept and "neither" resolve a
case, and the document's adjudication progress (issue 14, item 6)."""

import pytest
from django.urls import reverse

from coding import services
from coding.models import Adjudication, Coding
from policies.models import Role
from policies.services.documents import document_import
from tests.factories import CodingFactory, MembershipFactory, NodeFactory, UserFactory

TEXT = "第一条　数据应当开放。\n第十二条　省级平台汇聚公共数据，推动共享。\n第十三条　其他。"


# --- the page ----------------------------------------------------------------------------------------


@pytest.fixture
def case(project, owner):
    alice = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="alice")).user
    bob = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="bob")).user
    document = document_import(project=project, user=owner, filename="平台.txt", data=TEXT.encode())[0].document
    hub, platform = NodeFactory(project=project, name="平台汇聚"), NodeFactory(project=project, name="共享平台")
    start = TEXT.index("省级平台")
    a = CodingFactory(document=document, node=hub, coder=alice, start=start, end=start + 8)
    b = CodingFactory(document=document, node=platform, coder=bob, start=start + 2, end=start + 12)
    return {"document": document, "a": a, "b": b, "alice": alice}


def _url(project, document):
    return reverse("coding:disagreement", args=[project.pk, document.pk]) + "?a=alice&b=bob"


@pytest.mark.django_db
def test_the_page_shows_one_pair_case_at_its_article_with_the_passage_and_progress(client, project, owner, case):
    client.force_login(owner)
    content = client.get(_url(project, case["document"])).content.decode()
    assert content.count('class="cluster case cluster-pair"') == 1
    assert 'class="jump case-label">第十二条</a>' in content
    assert '<blockquote class="case-text">省级平台汇聚公共数据，推</blockquote>' in content
    assert "平台汇聚" in content
    assert "共享平台" in content
    assert 'id="dis-progress"' in content
    assert "0 of 1" in content or "已解决 0 / 1" in content


@pytest.mark.django_db
def test_after_accept_the_case_is_resolved_without_accept_buttons(client, project, owner, case):
    client.force_login(owner)
    url = _url(project, case["document"])
    response = client.post(url, {"coding": [case["a"].pk]}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert 'class="cluster case cluster-pair resolved"' in content
    assert 'class="accept-a"' not in content
    assert "accept-neither" not in content
    assert "1 of 1" in content or "已解决 1 / 1" in content


@pytest.mark.django_db
def test_neither_resolves_the_case_without_writing_a_coding_and_reopen_undoes_it(client, project, owner, case):
    client.force_login(owner)
    url = _url(project, case["document"])
    key = f"{case['a'].pk},{case['b'].pk}"
    content = client.post(url, {"action": "neither", "case": key}, headers={"HX-Request": "true"}).content.decode()
    assert Adjudication.objects.get().case == key
    assert not Coding.objects.filter(coder__username__startswith="consensus-").exists()
    assert 'case-state">✓' in content
    assert 'class="accept-a"' not in content
    assert 'class="link reopen"' in content
    client.post(url, {"action": "reopen", "case": key}, headers={"HX-Request": "true"})
    assert not Adjudication.objects.exists()
    assert "accept-neither" in client.get(url).content.decode()


@pytest.mark.django_db
def test_neither_for_an_unknown_case_is_refused_and_nothing_is_stored(client, project, owner, case):
    client.force_login(owner)
    response = client.post(
        _url(project, case["document"]), {"action": "neither", "case": "1,99999"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert "reload the page" in response.content.decode() or "重新加载" in response.content.decode()
    assert not Adjudication.objects.exists()


@pytest.mark.django_db
def test_a_coder_who_is_no_adjudicator_cannot_resolve_as_neither(client, project, case):
    client.force_login(case["alice"])
    key = f"{case['a'].pk},{case['b'].pk}"
    response = client.post(_url(project, case["document"]), {"action": "neither", "case": key})
    assert response.status_code == 403
    assert "Only an owner or a designated adjudicator can write the consensus layer." in response.content.decode()
    assert not Adjudication.objects.exists()


@pytest.mark.django_db
def test_adjudication_record_refuses_a_non_adjudicator(project, case):
    with pytest.raises(services.PermissionDenied):
        services.adjudication_record(
            project=project, actor=case["alice"], role=Role.CODER, document=case["document"], case="1"
        )
    assert not Adjudication.objects.exists()
