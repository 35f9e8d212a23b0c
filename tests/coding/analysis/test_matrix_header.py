"""The matrix at level 2: a two-row header, each category over its run of subcategories, merged — on the page
(colspan), in .xlsx (merged cells) and in the SVG figure; the CSV and API columns keep the full path."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from coding.analysis import downloads
from tests.factories import CodingFactory, DocumentFactory, NodeFactory


@pytest.fixture
def two_levels(project, owner):
    share = NodeFactory(project=project, name="数据共享", order=0)
    grading = NodeFactory(project=project, name="分级分类", parent=share, order=0)
    catalogue = NodeFactory(project=project, name="目录", parent=share, order=1)
    safety = NodeFactory(project=project, name="数据安全", order=1)
    protection = NodeFactory(project=project, name="保护", parent=safety, order=0)
    document = DocumentFactory(project=project, province="山东省")
    for node in (grading, catalogue, protection):
        CodingFactory(document=document, node=node, coder=owner, start=0, end=4)
    return project


@pytest.mark.django_db
def test_page_header_puts_each_category_over_its_subcategories(client, owner, two_levels):
    client.force_login(owner)
    page = client.get(reverse("coding:matrix", args=[two_levels.pk]), {"level": "2"}).content.decode()
    assert '<th class="col-group" colspan="2" title="数据共享">数据共享</th>' in page
    assert '<th class="col-group" colspan="1" title="数据安全">数据安全</th>' in page
    assert page.index('colspan="2" title="数据共享"') < page.index('colspan="1" title="数据安全"')


@pytest.mark.django_db
def test_page_at_level_1_has_one_header_row(client, owner, two_levels):
    client.force_login(owner)
    page = client.get(reverse("coding:matrix", args=[two_levels.pk]), {"level": "1"}).content.decode()
    assert 'class="col-group"' not in page


@pytest.mark.django_db
def test_xlsx_merges_the_category_cells_over_their_subcategories(client, owner, two_levels):
    client.force_login(owner)
    response = client.get(reverse("coding:matrix-xlsx", args=[two_levels.pk]), {"level": "2"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [str(r) for r in sheet.merged_cells.ranges] == ["B1:C1"]  # 数据共享 over two; 数据安全 over one: no merge
    first, second = list(sheet.iter_rows(values_only=True))[:2]
    assert first[1:4] == ("数据共享", None, "数据安全")
    assert second[1:4] == ("数据共享/分级分类", "数据共享/目录", "数据安全/保护")


@pytest.mark.django_db
def test_csv_keeps_one_header_of_full_paths(client, owner, two_levels):
    client.force_login(owner)
    response = client.get(reverse("coding:matrix-csv", args=[two_levels.pk]), {"level": "2"})
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    assert reader.fieldnames[1:4] == ["数据共享/分级分类", "数据共享/目录", "数据安全/保护"]


@pytest.mark.django_db
def test_svg_draws_the_category_row_and_the_subcategory_row(client, owner, two_levels):
    client.force_login(owner)
    svg = client.get(reverse("coding:matrix-svg", args=[two_levels.pk]), {"level": "2"}).content.decode()
    assert 'font-weight="600">数据共享</text>' in svg
    assert 'font-weight="600">数据安全</text>' in svg
    for name in ("分级分类", "目录", "保护"):
        assert f"{name}</text>" in svg
    assert svg.index(">数据共享</text>") < svg.index(">分级分类</text>")


def test_group_merges_skip_single_columns_and_start_after_the_corner():
    groups = [("a", 2), ("b", 1), ("c", 3)]
    assert downloads.group_merges(groups) == ["B1:C1", "E1:G1"]
    assert downloads.group_merges([("x", 30)]) == ["B1:AE1"]
