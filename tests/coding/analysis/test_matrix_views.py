"""Matrix, attribute-count and framework-summary pages: full page vs. fragment, drill-down, exports, bad input."""

import io
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse


@pytest.fixture
def owner_client(client, owner):
    """The test client, logged in as the project's owner."""
    client.force_login(owner)
    return client


@pytest.mark.django_db
@pytest.mark.usefixtures("matrix_corpus")
def test_matrix_page_shows_the_table_with_drill_down_links(owner_client, project):
    response = owner_client.get(reverse("coding:matrix", args=[project.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body
    assert 'id="matrix-table"' in body
    assert "贵州省" in body
    assert reverse("coding:matrix-cell", args=[project.pk]) in body
    assert "2 — 贵州省, (blank)" in body


@pytest.mark.django_db
@pytest.mark.usefixtures("matrix_corpus")
def test_htmx_request_gets_only_the_matrix_table(owner_client, project):
    response = owner_client.get(
        reverse("coding:matrix", args=[project.pk]),
        {"value": "coverage", "transpose": "1", "sort": "r0"},
        headers={"HX-Request": "true", "HX-Target": "matrix-table"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="matrix-table"')
    assert "<html" not in body


@pytest.mark.django_db
@pytest.mark.usefixtures("matrix_corpus")
def test_bad_parameters_show_a_message_not_an_error_page(owner_client, project):
    response = owner_client.get(reverse("coding:matrix", args=[project.pk]), {"value": "words", "level": "x"})
    assert response.status_code == 200
    assert "Unknown value" in response.content.decode()


@pytest.mark.django_db
def test_a_cell_opens_the_node_view_on_the_row_documents_and_chosen_coders(owner_client, project, matrix_corpus):
    guizhou = matrix_corpus["docs"][0]
    collect = matrix_corpus["nodes"][0]
    url = reverse("coding:matrix-cell", args=[project.pk])
    response = owner_client.get(url, {"node": collect.pk, "row": "贵州省", "coder": ["alice", "bob"]})
    assert response.status_code == 302
    target = urlparse(response["Location"])
    assert target.path == reverse("coding:node-view", args=[project.pk, collect.pk])
    assert parse_qs(target.query) == {"documents": [str(guizhou.pk)], "coder": ["alice", "bob"]}
    passages = owner_client.get(response["Location"]).content.decode()
    assert guizhou.text[0:10] in passages


@pytest.mark.django_db
def test_an_empty_cell_opens_an_empty_node_view(owner_client, project, matrix_corpus):
    url = reverse("coding:matrix-cell", args=[project.pk])
    response = owner_client.get(url, {"node": matrix_corpus["nodes"][3].pk, "row": "贵州省"})
    assert "documents=0" in response["Location"]


@pytest.mark.django_db
@pytest.mark.usefixtures("matrix_corpus")
def test_bad_cell_requests_answer_400(owner_client, project):
    url = reverse("coding:matrix-cell", args=[project.pk])
    not_an_id = owner_client.get(url, {"node": "x"})
    assert not_an_id.status_code == 400
    assert '<p class="error">“node” must be a node id.</p>' in not_an_id.content.decode()
    unknown = owner_client.get(url, {"node": "999999", "row": "贵州省"})
    assert unknown.status_code == 400
    assert "Node 999999 is not in this project&#x27;s codebook." in unknown.content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("matrix_corpus")
def test_matrix_csv_has_a_bom_chinese_and_names_the_layer(owner_client, project):
    response = owner_client.get(
        reverse("coding:matrix-csv", args=[project.pk]), {"value": "characters", "coders": "alice"}
    )
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeffProvince,")  # the header is the first line
    assert "alice" in response["Content-Disposition"]
    assert response["X-PolicyCoder-Layer"] == "coder; coders=alice; label=Coder%20alice"
    assert "贵州省,18,0,18" in body
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.django_db
@pytest.mark.usefixtures("matrix_corpus")
def test_matrix_xlsx_opens_with_chinese_intact(owner_client, project):
    from openpyxl import load_workbook

    response = owner_client.get(reverse("coding:matrix-xlsx", args=[project.pk]), {"value": "coverage"})
    book = load_workbook(io.BytesIO(response.content))
    values = [[cell.value for cell in row] for row in book.worksheets[0].iter_rows()]
    assert values[0][:3] == ["Province", "数据归集", "数据共享"]
    assert values[1][0] == "贵州省"
    assert isinstance(values[1][1], int | float)  # a whole-number coverage reads back as an int
    about = dict(row for row in book["说明"].iter_rows(values_only=True))
    assert about["Layer"] == "All coders (union)"
    assert about["Coders"] == "alice, bob"
    assert about["Value"] == "Coverage (%)"


@pytest.mark.django_db
@pytest.mark.usefixtures("matrix_corpus")
def test_heatmap_svg_is_an_image_with_the_labels(owner_client, project):
    response = owner_client.get(reverse("coding:matrix-svg", args=[project.pk]), {"transpose": "1"})
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "贵州省" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("matrix_corpus")
def test_bad_export_parameters_answer_400(owner_client, project):
    response = owner_client.get(reverse("coding:matrix-csv", args=[project.pk]), {"rows": "city"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")  # a page that says why, not a file
    message = "Unknown rows “city”: use one of province, issuer_type, issuer, policy_type, year, document."
    assert f'<p class="error">{message}</p>' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("matrix_corpus")
def test_attribute_counts_page_and_exports(owner_client, project):
    page = owner_client.get(
        reverse("coding:attribute-counts", args=[project.pk]), {"by": "issuer_type"}
    ).content.decode()
    assert "人大及其常委会" in page
    assert "<svg" in page
    csv = owner_client.get(reverse("coding:counts-csv", args=[project.pk]), {"by": "province"}).content.decode()
    assert csv.startswith("\ufeff")
    assert "贵州省,1,33.3" in csv
    svg = owner_client.get(reverse("coding:counts-svg", args=[project.pk]), {"by": "year"})
    assert "(no date)" in svg.content.decode()
    bad = owner_client.get(reverse("coding:attribute-counts", args=[project.pk]), {"by": "colour"})
    assert "Unknown rows" in bad.content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("matrix_corpus")
def test_framework_summary_lists_every_node_with_counts_and_names(owner_client, project):
    page = owner_client.get(reverse("coding:framework-summary", args=[project.pk])).content.decode()
    assert "贵州省" in page
    assert "(blank)" not in page  # provinces only by default: the document without a province is left out
    everything = {"provinces_only": "0"}
    page = owner_client.get(reverse("coding:framework-summary", args=[project.pk]), everything).content.decode()
    assert "贵州省、(blank)" in page
    csv = owner_client.get(reverse("coding:summary-csv", args=[project.pk]), everything).content.decode()
    lines = csv.lstrip("\ufeff").splitlines()
    assert lines[1] == "1,数据归集,数据归集,2,贵州省、(blank)"
    assert lines[2] == "2,基础数据,数据归集/基础数据,1,贵州省"
    figure = owner_client.get(reverse("coding:summary-figure", args=[project.pk])).content.decode()
    assert "基础数据 (1 — 贵州省)" in figure
    xlsx = owner_client.get(reverse("coding:summary-xlsx", args=[project.pk]))
    assert xlsx.content[:2] == b"PK"


@pytest.mark.django_db
@pytest.mark.usefixtures("matrix_corpus")
def test_the_page_selects_come_from_the_form_with_the_chosen_options(owner_client, project):
    query = {"rows": "issuer_type", "level": "2", "value": "coverage", "province": "云南省"}
    body = owner_client.get(reverse("coding:matrix", args=[project.pk]), query).content.decode()
    assert '<option value="issuer_type" selected>' in body
    assert '<option value="2" selected>' in body
    assert '<option value="coverage" selected>' in body
    assert '<option value="云南省" selected>云南省 (1)</option>' in body


@pytest.mark.django_db
@pytest.mark.usefixtures("matrix_corpus")
def test_framework_summary_selects_show_what_the_query_parsed(owner_client, project):
    response = owner_client.get(reverse("coding:framework-summary", args=[project.pk]), {"provinces_only": "0"})
    body = response.content.decode()
    assert '<option value="province" selected>' in body  # the default the parser chose, not a blank parameter
    assert '<option value="0" selected>' in body
