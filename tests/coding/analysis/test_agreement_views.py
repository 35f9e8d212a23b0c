"""The agreement page, the disagreement view with adjudication, and the consensus layer in the pickers."""

import re

import pytest
from django.urls import reverse

from coding import services
from coding.models import Coding
from policies.models import Role
from tests.factories import CodingFactory, DocumentFactory, MembershipFactory, NodeFactory, UserFactory

BLIND_REFUSAL = "While the project codes blind, only owners and adjudicators can compare coders."
TEXT = "第一条𠮷数据开放共享<规定>\n第二条　政府数据以共享为原则。"


# --- pages -------------------------------------------------------------------------------------------


@pytest.fixture
def pair(project, owner):
    alice = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="alice")).user
    bob = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="bob")).user
    document = DocumentFactory(project=project, text=TEXT)
    node = NodeFactory(project=project, name="数据开放")
    start = TEXT.index("数据")
    a = CodingFactory(document=document, node=node, coder=alice, start=start, end=start + 4)  # 数据开放
    b = CodingFactory(document=document, node=node, coder=bob, start=start + 2, end=start + 6)  # 开放共享
    services.assignments_add(project=project, documents=[document], coders=[alice, bob], actor=owner)
    for coder in (alice, bob):
        services.assignment_mark(document=document, coder=coder, done=True)
    return {"alice": alice, "bob": bob, "document": document, "node": node, "a": a, "b": b}


def _disagreement_url(project, pair, **extra):
    url = reverse("coding:disagreement", args=[project.pk, pair["document"].pk])
    query = "&".join(f"{k}={v}" for k, v in {"a": "alice", "b": "bob", **extra}.items())
    return f"{url}?{query}"


@pytest.mark.django_db
def test_agreement_page_shows_the_report_with_settings_and_links_to_disagreements(client, project, owner, pair):
    client.force_login(owner)
    response = client.get(reverse("coding:agreement", args=[project.pk]), {"a": "alice", "b": "bob"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" in content
    assert 'id="agreement-report"' in content
    assert "数据开放" in content
    assert "alice × bob" in content
    assert "marked done" in content  # the missing-coder rule
    assert reverse("coding:disagreement", args=[project.pk, pair["document"].pk]) in content
    assert "band-" in content


@pytest.mark.django_db
def test_htmx_request_gets_only_the_agreement_report(client, project, owner, pair):
    client.force_login(owner)
    response = client.get(
        reverse("coding:agreement", args=[project.pk]),
        {"coders": "alice,bob", "unit": "document"},
        headers={"HX-Request": "true", "HX-Target": "agreement-report"},
    )
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="agreement-report"')
    assert "<html" not in content


@pytest.mark.django_db
def test_agreement_page_without_coders_shows_the_form_and_bad_input_an_error(client, project, owner, pair):
    client.force_login(owner)
    url = reverse("coding:agreement", args=[project.pk])
    form = client.get(url).content.decode()
    assert 'name="assume_all_reviewed"' in form
    assert ">共识</option>" in form
    error = client.get(url, {"coders": "alice,ghost"}).content.decode()
    assert "ghost" in error
    assert 'role="alert"' in error


@pytest.mark.django_db
def test_three_coders_show_a_pairwise_kappa_matrix(client, project, owner, pair):
    carol = MembershipFactory(project=project, role=Role.CODER, user=UserFactory(username="carol")).user
    CodingFactory(document=pair["document"], node=pair["node"], coder=carol, start=3, end=5)
    client.force_login(owner)
    response = client.get(reverse("coding:agreement", args=[project.pk]), {"all": "1", "assume_all_reviewed": "1"})
    assert 'class="kappa-matrix"' in response.content.decode()


@pytest.mark.django_db
def test_disagreement_view_marks_a_only_both_and_b_only_after_a_non_bmp_character(client, project, owner, pair):
    client.force_login(owner)
    response = client.get(_disagreement_url(project, pair, node=pair["node"].pk))
    content = response.content.decode()
    assert response.status_code == 200
    text = content.split('id="dis-text"')[1].split("</div>")[0]
    marked = re.findall(r'<mark(?: id="m-\d+")? class="dis (dis-[a-z]+)"[^>]*>([^<]*)</mark>', text)
    assert marked == [("dis-a", "数据"), ("dis-both", "开放"), ("dis-b", "共享")]
    assert '<p id="p-0" data-start="0">第一条𠮷<mark' in content
    assert f'data-start="{TEXT.index(chr(10)) + 1}"' in content
    assert "&lt;规定&gt;" in content
    assert "Accept A" in content
    assert "Accept both" in content


@pytest.mark.django_db
@pytest.mark.parametrize(("take", "spans"), [("a", [(4, 8)]), ("b", [(6, 10)]), ("both", [(4, 8), (6, 10)])])
def test_accepting_writes_the_chosen_codings_to_the_consensus_layer(client, project, owner, pair, take, spans):
    client.force_login(owner)
    ids = {"a": [pair["a"].pk], "b": [pair["b"].pk], "both": [pair["a"].pk, pair["b"].pk]}[take]
    response = client.post(_disagreement_url(project, pair), {"coding": ids}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="disagreement"' in response.content.decode()
    assert "<html" not in response.content.decode()
    consensus = Coding.objects.filter(coder__username=f"consensus-{project.pk}").order_by("start")
    assert [(c.start, c.end) for c in consensus] == spans
    assert "dis-c" in response.content.decode()


@pytest.mark.django_db
def test_accepting_without_htmx_redirects_back(client, project, owner, pair):
    client.force_login(owner)
    url = _disagreement_url(project, pair)
    response = client.post(url, {"coding": [pair["a"].pk]})
    assert response.status_code == 302
    assert response["Location"].endswith(url.split("/", 3)[-1]) or "a=alice" in response["Location"]


@pytest.mark.django_db
def test_codings_of_other_coders_cannot_be_accepted(client, project, owner, pair):
    other = CodingFactory(document=pair["document"], node=pair["node"], coder=owner, start=0, end=2)
    client.force_login(owner)
    before = Coding.objects.count()
    response = client.post(_disagreement_url(project, pair), {"coding": [other.pk]}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "Choose codings of the two compared coders in this document." in response.content.decode()
    assert not Coding.objects.filter(coder__username__startswith="consensus-").exists()
    assert Coding.objects.count() == before


@pytest.mark.django_db
def test_a_coder_who_is_no_adjudicator_sees_the_comparison_but_cannot_accept(client, project, pair):
    client.force_login(pair["alice"])
    page = client.get(_disagreement_url(project, pair))
    assert page.status_code == 200
    assert "Accept A" not in page.content.decode()
    before = Coding.objects.count()
    refused = client.post(_disagreement_url(project, pair), {"coding": [pair["a"].pk]})
    assert refused.status_code == 403
    assert "Only an owner or a designated adjudicator can write the consensus layer." in refused.content.decode()
    assert not Coding.objects.filter(coder__username__startswith="consensus-").exists()
    assert Coding.objects.count() == before


@pytest.mark.django_db
def test_a_designated_adjudicator_may_accept(client, project, pair):
    services.options_update(project=project, adjudicators=[pair["alice"]])
    client.force_login(pair["alice"])
    response = client.post(_disagreement_url(project, pair), {"coding": [pair["b"].pk]}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert Coding.objects.filter(coder__username=f"consensus-{project.pk}").count() == 1


@pytest.mark.django_db
def test_blind_coders_get_403_on_the_agreement_pages(client, project, owner, pair):
    services.options_update(project=project, blind=True)
    client.force_login(pair["alice"])
    for refused in (
        client.get(reverse("coding:agreement", args=[project.pk])),
        client.get(_disagreement_url(project, pair)),
    ):
        assert refused.status_code == 403
        assert BLIND_REFUSAL in refused.content.decode()
    client.force_login(owner)
    assert client.get(_disagreement_url(project, pair)).status_code == 200


@pytest.mark.django_db
def test_workspace_in_consensus_mode_writes_to_the_consensus_layer_for_adjudicators(client, project, owner, pair):
    url = reverse("coding:workspace", args=[pair["document"].pk]) + "?layer=consensus"
    client.force_login(owner)
    content = client.get(url).content.decode()
    assert "Writing to the consensus layer (共识)" in content
    assert reverse("api:consensus", args=[project.pk]) in content
    client.force_login(pair["alice"])
    assert "Writing to the consensus layer" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_pickers_show_the_consensus_layer_as_gongshi(client, project, owner, pair):
    services.consensus_coder(project)
    client.force_login(owner)
    node_view = client.get(reverse("coding:node-view", args=[project.pk, pair["node"].pk])).content.decode()
    assert f'<option value="consensus-{project.pk}">共识</option>' in node_view
    workspace = client.get(reverse("coding:workspace", args=[pair["document"].pk])).content.decode()
    assert f'value="consensus-{project.pk}" checked> 共识' in workspace
