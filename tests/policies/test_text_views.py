"""The word frequency, text search and dictionary pages: full pages, htmx partials, exports, auto-coding."""

import pytest
from django.urls import reverse

from coding.models import Coding
from policies.services.documents import document_import
from tests.factories import NodeFactory

TEXT = "第一条　网信部门负责统筹协调公共数据工作。\n第二条　网信部门和公安机关依法监督公共数据。"


@pytest.fixture
def imported(project, owner):
    return document_import(project=project, user=owner, filename="条例.txt", data=TEXT.encode())[0].document


@pytest.mark.django_db
def test_word_frequency_page_shows_table_chart_and_cloud(client, project, viewer, imported):
    client.force_login(viewer)
    response = client.get(reverse("policies:word-frequency", args=[project.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="word-frequency-table"' in content
    assert "wf-bars" in content
    assert 'id="wordcloud-data"' in content
    assert "公共数据" in content
    assert "?q=%E5%85%AC%E5%85%B1%E6%95%B0%E6%8D%AE" in content  # a word opens its text search


@pytest.mark.django_db
def test_htmx_gets_only_the_word_frequency_results(client, project, viewer, imported):
    client.force_login(viewer)
    response = client.get(
        reverse("policies:word-frequency", args=[project.pk]) + "?top=5",
        headers={"HX-Request": "true", "HX-Target": "word-frequency-results"},
    )
    assert b'id="word-frequency-results"' in response.content
    assert b"<html" not in response.content


@pytest.mark.django_db
def test_a_bad_option_shows_a_message_not_an_error_page(client, project, viewer, imported):
    client.force_login(viewer)
    response = client.get(reverse("policies:word-frequency", args=[project.pk]) + "?top=-3")
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


@pytest.mark.django_db
def test_word_frequency_exports_csv_with_bom_and_xlsx(client, project, viewer, imported):
    client.force_login(viewer)
    csv = client.get(reverse("policies:word-frequency-csv", args=[project.pk]) + "?top=3")
    assert csv.content.startswith("\ufeff".encode())
    assert "公共数据" in csv.content.decode("utf-8-sig")
    xlsx = client.get(reverse("policies:word-frequency-xlsx", args=[project.pk]))
    assert xlsx.content[:2] == b"PK"


@pytest.mark.django_db
def test_text_search_page_lists_kwic_lines(client, project, viewer, imported):
    client.force_login(viewer)
    response = client.get(reverse("policies:text-search", args=[project.pk]), {"q": "网信部门"})
    content = response.content.decode()
    assert content.count("<mark>网信部门</mark>") == 2
    assert "第二条" in content
    assert 'name="hit"' not in content  # viewers cannot auto-code


@pytest.mark.django_db
def test_a_catastrophic_regex_on_the_page_shows_a_message(client, project, viewer, imported):
    client.force_login(viewer)
    response = client.get(reverse("policies:text-search", args=[project.pk]), {"q": "(x", "mode": "regex"})
    assert response.status_code == 200
    assert "not valid" in response.content.decode()


@pytest.mark.django_db
def test_auto_code_from_the_page_previews_writes_and_undoes(client, project, coder, imported):
    node = NodeFactory(project=project, name="网信部门")
    client.force_login(coder)
    url = reverse("coding:auto-code", args=[project.pk])
    data = {"q": "网信部门", "mode": "terms", "target": node.pk, "spread": "paragraph"}
    preview = client.post(url, data, headers={"HX-Request": "true"})
    assert b'id="autocode-result"' in preview.content
    assert not Coding.objects.exists()
    done = client.post(url, {**data, "confirm": "1"}, headers={"HX-Request": "true"})
    assert "codings-changed" in done["HX-Trigger"]
    assert Coding.objects.filter(node=node).count() == 2
    client.post(reverse("coding:auto-code-undo", args=[project.pk]), headers={"HX-Request": "true"})
    assert not Coding.objects.exists()


@pytest.mark.django_db
def test_auto_code_without_a_node_says_so(client, project, coder, imported):
    client.force_login(coder)
    response = client.post(reverse("coding:auto-code", args=[project.pk]), {"q": "网信部门", "target": ""})
    assert response.status_code in (200, 404)
    assert not Coding.objects.exists()


@pytest.mark.django_db
def test_owner_edits_the_dictionary_on_its_page(client, project, owner, imported):
    client.force_login(owner)
    url = reverse("policies:dictionary", args=[project.pk])
    client.post(url, {"action": "add", "word": "统筹协调", "tag": "v"})
    assert project.dictionary_terms.get().word == "统筹协调"
    response = client.post(url, {"action": "add", "word": "数据 开放"}, follow=True)
    assert "space" in response.content.decode()
    client.post(url, {"action": "stopwords", "stopwords": "本市 本条例"})
    assert project.stopwords.count() == 2
    page = client.get(url).content.decode()
    assert "统筹协调" in page
    assert "网信部门" in page  # the built-in lexicon is listed


@pytest.mark.django_db
def test_segmentation_status_tells_the_page_when_it_finished(client, project, viewer, imported):
    client.force_login(viewer)
    response = client.get(reverse("policies:segmentation-status", args=[project.pk]) + "?was=running")
    assert b'id="segmentation-status"' in response.content
    assert "segmentation-finished" in response["HX-Trigger"]


@pytest.mark.django_db
def test_kwic_hits_and_document_counts_link_to_the_hit_on_the_coding_page(client, project, viewer, imported):
    client.force_login(viewer)
    content = client.get(reverse("policies:text-search", args=[project.pk]), {"q": "公安机关"}).content.decode()
    start = TEXT.index("公安机关")
    link = reverse("coding:workspace", args=[imported.pk]) + f"#at-{start}-{start + 4}"
    assert content.count(f'href="{link}"') == 3  # the document, the hit and the per-document count


@pytest.mark.django_db
def test_auto_code_preview_lists_passages_and_writing_leaves_out_the_unticked(client, project, coder, imported):
    node = NodeFactory(project=project, name="网信部门")
    client.force_login(coder)
    url = reverse("coding:auto-code", args=[project.pk])
    data = {"q": "网信部门", "mode": "terms", "target": node.pk, "spread": "sentence"}
    preview = client.post(url, data, headers={"HX-Request": "true"}).content.decode()
    keys = [f"{imported.pk}:0:21", f"{imported.pk}:22:44"]
    for key in keys:
        assert f'name="keep" value="{key}"' in preview
    assert "第一条　网信部门负责统筹协调公共数据工作。" in preview
    unticked = {**data, "shown": keys, "keep": keys[1:]}
    again = client.post(url, unticked, headers={"HX-Request": "true"}).content.decode()
    assert "1 passage left out." in again or "1 个段落未编码" in again
    assert not Coding.objects.exists()
    client.post(url, {**unticked, "confirm": "1"}, headers={"HX-Request": "true"})
    assert list(Coding.objects.values_list("start", "end")) == [(22, 44)]


@pytest.mark.django_db
def test_auto_code_keeps_left_out_passages_of_other_pages(client, project, coder, imported):
    node = NodeFactory(project=project, name="网信部门")
    client.force_login(coder)
    url = reverse("coding:auto-code", args=[project.pk])
    data = {"q": "网信部门", "target": node.pk, "spread": "sentence", "omit": f"{imported.pk}:0:21", "confirm": "1"}
    client.post(url, data, headers={"HX-Request": "true"})
    assert list(Coding.objects.values_list("start", "end")) == [(22, 44)]


@pytest.mark.django_db
def test_whole_word_checkbox_narrows_the_page_search(client, project, owner):
    document_import(project=project, user=owner, filename="w.txt", data="大数据中心和数据。".encode())
    client.force_login(owner)
    url = reverse("policies:text-search", args=[project.pk])
    assert client.get(url, {"q": "数据"}).context["result"].total == 2
    assert client.get(url, {"q": "数据", "whole": "1"}).context["result"].total == 1


@pytest.mark.django_db
@pytest.mark.parametrize("figure", ["cloud", "bars"])
def test_word_figures_download_as_svg_and_png(client, project, owner, imported, figure):
    import io

    from PIL import Image

    client.force_login(owner)
    svg = client.get(reverse(f"policies:word-frequency-{figure}-svg", args=[project.pk]))
    assert svg.status_code == 200
    assert "网信部门" in svg.content.decode()
    png = client.get(reverse(f"policies:word-frequency-{figure}-png", args=[project.pk]))
    assert png["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(png.content)).info["dpi"] == pytest.approx((300, 300), abs=0.1)
