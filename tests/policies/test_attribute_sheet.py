"""The attribute sheet: CSV export (UTF-8 with BOM, one row per document) and an all-or-nothing import."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from policies import attribute_sheet
from policies.models import CustomAttribute, Document
from tests.factories import DocumentFactory, ProjectFactory

BOM = b"\xef\xbb\xbf"
FIXED = [
    "id",
    "title",
    "province",
    "issuer",
    "issuer_type",
    "issue_date",
    "doc_number",
    "policy_type",
    "original_name",
    "char_count",
]


@pytest.fixture(autouse=True)
def _english():
    """Messages in English, so assertions survive the Chinese catalogue."""
    with translation.override("en"):
        yield


def export(project) -> bytes:
    return attribute_sheet.csv_response(project).content


def read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def write(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def snapshot(project) -> list[tuple]:
    return list(
        project.documents.order_by("id").values_list(
            "title", "province", "issuer", "issuer_type", "issue_date", "doc_number", "policy_type", "attributes"
        )
    )


# --- export ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_is_utf8_with_a_bom_so_excel_shows_chinese(project):
    DocumentFactory(project=project, title="贵州省政府数据共享开放条例")
    response = attribute_sheet.csv_response(project)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"project-{project.pk}-attributes.csv" in response["Content-Disposition"]
    assert response.content.startswith(BOM)
    assert "贵州省政府数据共享开放条例" in response.content.decode("utf-8-sig")


@pytest.mark.django_db
def test_export_has_the_fixed_columns_then_custom_ones_in_their_order(project):
    CustomAttribute.objects.create(project=project, name="层级", order=1)
    CustomAttribute.objects.create(project=project, name="城市", order=0)
    assert read(export(project)) == [[*FIXED, "城市", "层级"]]


@pytest.mark.django_db
def test_export_has_one_row_per_document_of_this_project_only(project):
    CustomAttribute.objects.create(project=project, name="城市")
    first = DocumentFactory(
        project=project,
        title="甲",
        province="浙江省",
        issuer="浙江省人民政府",
        issuer_type="人民政府",
        issue_date=datetime.date(2021, 11, 25),
        doc_number="浙政发〔2021〕1号",
        policy_type="办法",
        original_name="甲.docx",
        attributes={"城市": "杭州"},
    )
    second = DocumentFactory(project=project, title="乙", province="", attributes={})
    DocumentFactory(title="别的项目")
    rows = read(export(project))[1:]
    assert rows == [
        [
            str(first.pk),
            "甲",
            "浙江省",
            "浙江省人民政府",
            "人民政府",
            "2021-11-25",
            "浙政发〔2021〕1号",
            "办法",
            "甲.docx",
            str(first.char_count),
            "杭州",
        ],
        [str(second.pk), "乙", "", "", "", "", "", "", "sample.txt", str(second.char_count), ""],
    ]


@pytest.mark.django_db
def test_sheet_downloads_through_the_page_and_the_api(client, project, viewer, api_as):
    DocumentFactory(project=project, title="甲")
    client.force_login(viewer)
    page = client.get(reverse("policies:attribute-sheet", args=[project.pk]))
    api = api_as(viewer).get(reverse("api:attribute-sheet", kwargs={"project_id": project.pk}))
    assert page.content.startswith(BOM)
    assert api.content == page.content


# --- round trip ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_edited_export_imports_back_with_values_normalized(project):
    CustomAttribute.objects.create(project=project, name="城市")
    document = DocumentFactory(project=project, title="原标题", province="贵州省")
    other = DocumentFactory(project=project, title="不改", province="贵州省")
    rows = read(export(project))
    header = rows[0]
    row = rows[1]
    row[header.index("province")] = "浙江"
    row[header.index("issue_date")] = "2021/11/25"
    row[header.index("issuer_type")] = "人大常委会"
    row[header.index("policy_type")] = "条例"
    row[header.index("城市")] = " 杭州 "
    assert attribute_sheet.apply_csv(project=project, data=write(rows)) == 2
    document.refresh_from_db()
    assert document.province == "浙江省"
    assert document.issue_date == datetime.date(2021, 11, 25)
    assert document.issuer_type == "人大及其常委会"
    assert document.policy_type == "条例"
    assert document.attributes == {"城市": "杭州"}
    other.refresh_from_db()
    assert (other.title, other.province) == ("不改", "贵州省")


@pytest.mark.django_db
def test_unchanged_export_imports_back_without_changing_anything(project):
    CustomAttribute.objects.create(project=project, name="城市")
    DocumentFactory(project=project, title="甲", issue_date=datetime.date(2020, 9, 25), attributes={"城市": "贵阳"})
    DocumentFactory(project=project, title="乙", province="", attributes={"城市": ""})
    before = snapshot(project)
    attribute_sheet.apply_csv(project=project, data=export(project))
    assert snapshot(project) == before


@pytest.mark.django_db
def test_newlines_and_quotes_inside_a_title_survive_the_round_trip(project):
    title = '关于印发《"数字政府"建设方案》的通知\n（第二版）, 修订'
    document = DocumentFactory(project=project, title=title)
    DocumentFactory(project=project, title="后一行")
    data = export(project)
    assert read(data)[1][1] == title
    attribute_sheet.apply_csv(project=project, data=data)
    document.refresh_from_db()
    assert document.title == title


@pytest.mark.django_db
def test_sheet_saved_as_gbk_by_excel_imports(project):
    document = DocumentFactory(project=project, province="贵州省")
    data = write([["id", "province", "issuer"], [document.pk, "广西", "广西壮族自治区人民政府"]], encoding="gbk")
    assert not data.startswith(BOM)
    attribute_sheet.apply_csv(project=project, data=data)
    document.refresh_from_db()
    assert (document.province, document.issuer) == ("广西壮族自治区", "广西壮族自治区人民政府")


@pytest.mark.django_db
def test_sheet_with_only_some_columns_changes_only_those(project):
    document = DocumentFactory(project=project, title="原标题", province="贵州省", issuer="贵州省人民政府")
    attribute_sheet.apply_csv(project=project, data=write([["id", "doc_number"], [document.pk, "黔府发〔2020〕3号"]]))
    document.refresh_from_db()
    assert (document.title, document.province, document.issuer) == ("原标题", "贵州省", "贵州省人民政府")
    assert document.doc_number == "黔府发〔2020〕3号"


@pytest.mark.django_db
def test_a_custom_attribute_column_not_yet_defined_gets_defined(project):
    CustomAttribute.objects.create(project=project, name="城市")
    document = DocumentFactory(project=project, attributes={"城市": "贵阳"})
    attribute_sheet.apply_csv(project=project, data=write([["id", "城市", "主题"], [document.pk, "贵阳", "数据"]]))
    assert list(project.custom_attributes.values_list("name", flat=True)) == ["城市", "主题"]
    document.refresh_from_db()
    assert document.attributes == {"城市": "贵阳", "主题": "数据"}
    assert read(export(project))[0][-2:] == ["城市", "主题"]


@pytest.mark.django_db
def test_read_only_columns_are_ignored_on_import(project):
    document = DocumentFactory(project=project, original_name="a.txt")
    rows = read(export(project))
    rows[1][rows[0].index("original_name")] = "改名.txt"
    rows[1][rows[0].index("char_count")] = "1"
    attribute_sheet.apply_csv(project=project, data=write(rows))
    document.refresh_from_db()
    assert (document.original_name, document.char_count) == ("a.txt", len(document.text))
    assert not project.custom_attributes.exists()


# --- bad sheets: reported by line, nothing applied -------------------------------------------------


@pytest.mark.django_db
def test_bad_rows_are_reported_by_line_and_nothing_is_applied(project):
    good, mars, bad_date = (DocumentFactory(project=project, province="贵州省") for _ in range(3))
    before = snapshot(project)
    data = write(
        [
            ["id", "province", "issue_date", "issuer"],
            [good.pk, "浙江", "2021-01-01", "已改"],  # line 2: valid on its own
            [mars.pk, "火星", "", "已改"],  # line 3
            [bad_date.pk, "", "2021-13-45", "已改"],  # line 4
        ]
    )
    with pytest.raises(ValidationError) as caught:
        attribute_sheet.apply_csv(project=project, data=data)
    message = " ".join(caught.value.messages)
    assert "line 3" in message
    assert "火星" in message
    assert "line 4" in message
    assert "2021-13-45" in message
    assert "line 2" not in message
    assert snapshot(project) == before


@pytest.mark.django_db
def test_sheet_without_an_id_column_is_refused_with_a_clear_message(project):
    document = DocumentFactory(project=project, province="贵州省")
    with pytest.raises(ValidationError) as caught:
        attribute_sheet.apply_csv(project=project, data=write([["编号", "province"], [document.pk, "浙江"]]))
    assert "“id” column" in caught.value.messages[0]
    document.refresh_from_db()
    assert document.province == "贵州省"


@pytest.mark.django_db
def test_empty_sheet_is_refused_for_lack_of_an_id_column(project):
    with pytest.raises(ValidationError, match="id"):
        attribute_sheet.apply_csv(project=project, data=b"")


@pytest.mark.django_db
def test_another_projects_document_id_is_reported_by_line(project):
    mine = DocumentFactory(project=project, province="贵州省")
    foreign = DocumentFactory(project=ProjectFactory(), province="贵州省")
    data = write([["id", "province"], [mine.pk, "浙江"], [foreign.pk, "浙江"]])
    with pytest.raises(ValidationError) as caught:
        attribute_sheet.apply_csv(project=project, data=data)
    assert f"line 3: there is no document {foreign.pk} in this project" in caught.value.messages[0]
    mine.refresh_from_db()
    foreign.refresh_from_db()
    assert (mine.province, foreign.province) == ("贵州省", "贵州省")


@pytest.mark.django_db
def test_an_id_that_is_not_a_number_is_reported_by_line(project):
    with pytest.raises(ValidationError, match="line 2: “abc” is not a document id"):
        attribute_sheet.apply_csv(project=project, data=write([["id", "province"], ["abc", "浙江"]]))


@pytest.mark.django_db
def test_emptied_title_cell_is_refused(project):
    document = DocumentFactory(project=project, title="原标题")
    with pytest.raises(ValidationError, match="line 2"):
        attribute_sheet.apply_csv(project=project, data=write([["id", "title"], [document.pk, " "]]))
    document.refresh_from_db()
    assert document.title == "原标题"


@pytest.mark.django_db
def test_error_list_is_cut_after_twenty_rows(project):
    rows = [["id"], *([f"x{n}"] for n in range(25))]
    with pytest.raises(ValidationError) as caught:
        attribute_sheet.apply_csv(project=project, data=write(rows))
    message = caught.value.messages[0]
    assert "line 21:" in message
    assert "line 22:" not in message
    assert "5 more" in message


@pytest.mark.parametrize(
    "data",
    [
        "id,title\n1,标题\n".encode("utf-16"),  # Excel's "Unicode text"
        b"id,title\n1,\x00\x00\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    ],
)
@pytest.mark.django_db
def test_a_file_that_is_not_a_text_csv_is_refused(project, data):
    document = DocumentFactory(project=project, title="标题")
    with pytest.raises(ValidationError, match="UTF-8"):
        attribute_sheet.apply_csv(project=project, data=data.replace(b"1", str(document.pk).encode()))
    document.refresh_from_db()
    assert document.title == "标题"


@pytest.mark.django_db
def test_a_cell_over_the_csv_field_limit_is_refused_not_a_crash(project):
    document = DocumentFactory(project=project, title="原标题")
    data = f'id,title\n{document.pk},"{"长" * 200_000}\n'.encode()  # an unclosed quote swallows the rest
    with pytest.raises(ValidationError):
        attribute_sheet.apply_csv(project=project, data=data)
    document.refresh_from_db()
    assert document.title == "原标题"


# --- the page and the API --------------------------------------------------------------------------


@pytest.mark.django_db
def test_bad_sheet_through_the_page_shows_the_lines_and_changes_nothing(project, owner):
    document = DocumentFactory(project=project, province="贵州省")
    browser = Client(headers={"Accept-Language": "en"})
    browser.force_login(owner)
    sheet = SimpleUploadedFile("sheet.csv", write([["id", "province"], [document.pk, "火星"]]))
    response = browser.post(reverse("policies:attribute-sheet-import", args=[project.pk]), {"file": sheet}, follow=True)
    html = response.content.decode()
    assert 'class="message error"' in html
    assert "line 2" in html
    document.refresh_from_db()
    assert document.province == "贵州省"


@pytest.mark.django_db
def test_good_sheet_through_the_page_reports_the_count(project, owner):
    document = DocumentFactory(project=project, province="贵州省")
    browser = Client(headers={"Accept-Language": "en"})
    browser.force_login(owner)
    sheet = SimpleUploadedFile("sheet.csv", write([["id", "province"], [document.pk, "浙江"]]))
    response = browser.post(reverse("policies:attribute-sheet-import", args=[project.pk]), {"file": sheet}, follow=True)
    assert 'class="message success"' in response.content.decode()
    document.refresh_from_db()
    assert document.province == "浙江省"


@pytest.mark.django_db
def test_sheet_import_page_without_a_file_asks_for_one(project, owner):
    browser = Client()
    browser.force_login(owner)
    response = browser.post(reverse("policies:attribute-sheet-import", args=[project.pk]), {}, follow=True)
    assert 'class="message error"' in response.content.decode()


@pytest.mark.django_db
def test_bad_sheet_through_the_api_answers_400_with_a_detail(api_as, project, owner):
    document = DocumentFactory(project=project, issue_date=None)
    sheet = SimpleUploadedFile("sheet.csv", write([["id", "issue_date"], [document.pk, "2021-02-30"]]))
    response = api_as(owner).post(
        reverse("api:attribute-sheet", kwargs={"project_id": project.pk}),
        {"file": sheet},
        format="multipart",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "line 2" in response.json()["detail"]
    assert Document.objects.get(pk=document.pk).issue_date is None


@pytest.mark.django_db
def test_good_sheet_through_the_api_answers_the_count(api_as, project, owner):
    document = DocumentFactory(project=project)
    sheet = SimpleUploadedFile("sheet.csv", write([["id", "issuer"], [document.pk, "贵州省人民政府"]]))
    response = api_as(owner).post(
        reverse("api:attribute-sheet", kwargs={"project_id": project.pk}), {"file": sheet}, format="multipart"
    )
    assert response.status_code == 200
    assert response.json()["updated"] == 1
    assert Document.objects.get(pk=document.pk).issuer == "贵州省人民政府"


@pytest.mark.django_db
def test_a_control_character_in_a_cell_refuses_the_whole_sheet(project):
    DocumentFactory(project=project, issuer="贵州省人民政府")
    before = snapshot(project)
    rows = read(export(project))
    rows[1][FIXED.index("issuer")] = "贵州省\x1b人民政府"
    with pytest.raises(ValidationError) as refused:
        attribute_sheet.apply_csv(project=project, data=write(rows))
    assert "line 2: “issuer” contains a control character (U+001B)" in " ".join(refused.value.messages)
    assert snapshot(project) == before


@pytest.mark.django_db
def test_a_line_break_in_a_value_is_kept_but_not_in_a_custom_attribute_name(project):
    DocumentFactory(project=project)
    rows = read(export(project))
    rows[0].append("城\n市")
    rows[1].append("贵阳")
    with pytest.raises(ValidationError, match=r"contains a control character \(U\+000A\)"):
        attribute_sheet.apply_csv(project=project, data=write(rows))
    rows[0][-1] = "城市"
    rows[1][FIXED.index("doc_number")] = "黔府发\n〔2020〕1号"
    attribute_sheet.apply_csv(project=project, data=write(rows))
    assert project.documents.get().doc_number == "黔府发\n〔2020〕1号"
