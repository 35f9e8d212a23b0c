"""Services: projects and members, attribute cleaning, and document import, replacement and deletion."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from policies import structure
from policies.models import CustomAttribute, Document, Membership, Role
from policies.services.attributes import clean_attributes, custom_attribute_remove, document_update, parse_date
from policies.services.documents import (
    SECTION_BATCH,
    DocumentRefused,
    document_delete,
    document_import,
    document_replace_file,
    text_hash,
)
from policies.services.projects import member_add, member_remove, member_set_role, project_create, project_update
from tests.factories import CodingFactory, DocumentFactory, MembershipFactory, UserFactory

ZHEJIANG = (
    "浙江省数字经济促进条例\n"
    "浙江省人民代表大会常务委员会\n"
    "（2020年12月24日浙江省第十三届人民代表大会常务委员会第二十六次会议通过）\n"
    "第一章　总则\n"
    "第一条　为了促进数字经济发展，制定本条例。\n"
    "第二条　本条例适用于本省。\n"
    "第二章　数字基础设施\n"
    "第三条　加快建设数字基础设施。"
)


@pytest.fixture(autouse=True)
def _english():
    """Messages in English, so assertions survive the Chinese catalogue."""
    with translation.override("en"):
        yield


def import_file(project, user, name, data, attributes=None):
    return document_import(project=project, user=user, filename=name, data=data, attributes=attributes)


def zipped(*entries: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def stored_sections(document) -> list[tuple]:
    return list(document.sections.order_by("start", "level").values_list("kind", "label", "level", "start", "end"))


# --- projects and members --------------------------------------------------------------------------


@pytest.mark.django_db
def test_project_create_strips_the_name_and_makes_the_creator_owner():
    user = UserFactory()
    project = project_create(user=user, name="  数据开放政策  ")
    assert project.name == "数据开放政策"
    assert list(project.memberships.values_list("user", "role")) == [(user.pk, Role.OWNER)]


@pytest.mark.django_db
def test_project_create_refuses_a_blank_name():
    with pytest.raises(ValidationError, match="name"):
        project_create(user=UserFactory(), name="   ")


@pytest.mark.django_db
def test_project_update_refuses_a_blank_name_and_keeps_the_old_one(project):
    before = project.name
    with pytest.raises(ValidationError):
        project_update(project=project, name=" ")
    project.refresh_from_db()
    assert project.name == before


@pytest.mark.django_db
def test_member_add_refuses_an_unknown_role(project):
    UserFactory(username="alice")
    with pytest.raises(ValidationError, match="admin"):
        member_add(project=project, username="alice", role="admin")
    assert not project.memberships.exists()


@pytest.mark.django_db
def test_the_last_owner_cannot_be_removed_or_demoted(project, owner, coder):
    membership = project.memberships.get(user=owner)
    with pytest.raises(ValidationError, match="owner"):
        member_remove(membership=membership)
    with pytest.raises(ValidationError, match="owner"):
        member_set_role(membership=membership, role=Role.VIEWER)
    assert project.memberships.get(user=owner).role == Role.OWNER


@pytest.mark.django_db
def test_an_owner_can_step_down_once_another_owner_exists(project, owner, coder):
    member_set_role(membership=project.memberships.get(user=coder), role=Role.OWNER)
    member_set_role(membership=project.memberships.get(user=owner), role=Role.VIEWER)
    member_remove(membership=project.memberships.get(user=owner))
    assert list(project.memberships.values_list("user__username", "role")) == [("coder", Role.OWNER)]


@pytest.mark.django_db
def test_non_owners_are_removed_and_changed_freely(project, owner, coder, viewer):
    member_set_role(membership=project.memberships.get(user=viewer), role=Role.CODER)
    member_remove(membership=project.memberships.get(user=coder))
    assert dict(project.memberships.values_list("user__username", "role")) == {"owner": "owner", "viewer": "coder"}


@pytest.mark.django_db
def test_member_set_role_refuses_an_unknown_role(project, owner, coder):
    membership = project.memberships.get(user=coder)
    with pytest.raises(ValidationError, match="boss"):
        member_set_role(membership=membership, role="boss")
    membership.refresh_from_db()
    assert membership.role == Role.CODER


# --- attributes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [("人大常委会", "人大及其常委会"), ("人大", "人大及其常委会"), ("部门", "政府部门"), (" 人民政府 ", "人民政府")],
)
def test_clean_attributes_reads_issuer_type_aliases(given, expected):
    assert clean_attributes({"issuer_type": given}) == {"issuer_type": expected}


def test_clean_attributes_refuses_an_unknown_policy_type_listing_the_accepted_ones():
    with pytest.raises(ValidationError) as caught:
        clean_attributes({"policy_type": "白皮书"})
    message = caught.value.messages[0]
    assert "白皮书" in message
    assert "条例、办法、规定、意见、通知、规划、方案、细则、法律、决定、决议、指引、标准、其他" in message


def test_clean_attributes_refuses_an_unknown_issuer_type_listing_the_accepted_ones():
    with pytest.raises(ValidationError, match="人民政府、人大及其常委会、政府部门、其他"):
        clean_attributes({"issuer_type": "法院"})


def test_clean_attributes_refuses_a_title_over_500_characters():
    with pytest.raises(ValidationError, match=r"title is too long \(501 characters; at most 500\)"):
        clean_attributes({"title": "长" * 501})
    assert clean_attributes({"title": "长" * 500}) == {"title": "长" * 500}


@pytest.mark.parametrize(("field", "limit"), [("issuer", 200), ("doc_number", 100)])
def test_clean_attributes_refuses_other_text_over_its_limit(field, limit):
    with pytest.raises(ValidationError, match=field):
        clean_attributes({field: "x" * (limit + 1)})


def test_clean_attributes_refuses_a_blank_title():
    with pytest.raises(ValidationError, match="title"):
        clean_attributes({"title": "  "})


@pytest.mark.parametrize("custom", [["城市", "杭州"], "城市=杭州", 3])
def test_clean_attributes_refuses_custom_attributes_that_are_not_an_object(custom):
    with pytest.raises(ValidationError, match="object"):
        clean_attributes({"attributes": custom})


@pytest.mark.parametrize("name", ["", "  ", "名" * 101])
def test_clean_attributes_refuses_a_custom_attribute_without_a_sensible_name(name):
    with pytest.raises(ValidationError, match="1 to 100"):
        clean_attributes({"attributes": {name: "x"}})


def test_clean_attributes_normalizes_custom_values_to_trimmed_strings():
    cleaned = clean_attributes({"attributes": {" 城市 ": " 杭州 ", "级别": None, "年份": 2021}})
    assert cleaned == {"attributes": {"城市": "杭州", "级别": "", "年份": "2021"}}


def test_clean_attributes_returns_only_the_keys_given_and_skips_nulls():
    cleaned = clean_attributes({"province": "Zhejiang", "issuer": None, "issue_date": "2021年11月25日"})
    assert cleaned == {"province": "浙江省", "issue_date": datetime.date(2021, 11, 25)}


@pytest.mark.parametrize("value", ["2021-02-30", "25/11/2021", "明年"])
def test_parse_date_refuses_what_is_not_a_calendar_date(value):
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        parse_date(value)


@pytest.mark.django_db
def test_document_update_changes_attributes_merges_custom_ones_and_defines_them(project):
    document = DocumentFactory(project=project, attributes={"城市": "杭州"})
    document_update(document=document, data={"province": "上海", "attributes": {"层级": "省级"}})
    document.refresh_from_db()
    assert document.province == "上海市"
    assert document.attributes == {"城市": "杭州", "层级": "省级"}
    assert list(project.custom_attributes.values_list("name", flat=True)) == ["层级"]


@pytest.mark.django_db
def test_document_update_with_one_bad_value_changes_nothing(project):
    document = DocumentFactory(project=project, title="原标题", province="贵州省")
    with pytest.raises(ValidationError):
        document_update(document=document, data={"title": "新标题", "province": "火星"})
    document.refresh_from_db()
    assert (document.title, document.province) == ("原标题", "贵州省")


@pytest.mark.django_db
def test_custom_attribute_remove_drops_the_values_from_every_document(project):
    CustomAttribute.objects.create(project=project, name="城市")
    CustomAttribute.objects.create(project=project, name="层级")
    with_both = DocumentFactory(project=project, attributes={"城市": "杭州", "层级": "省级"})
    with_one = DocumentFactory(project=project, attributes={"城市": "贵阳"})
    foreign = DocumentFactory(attributes={"城市": "成都"})
    custom_attribute_remove(project=project, name="城市")
    assert list(project.custom_attributes.values_list("name", flat=True)) == ["层级"]
    for document in (with_both, with_one, foreign):
        document.refresh_from_db()
    assert with_both.attributes == {"层级": "省级"}
    assert with_one.attributes == {}
    assert foreign.attributes == {"城市": "成都"}


@pytest.mark.django_db
def test_custom_attribute_remove_of_an_unknown_name_is_refused(project):
    with pytest.raises(ValidationError, match="不存在"):
        custom_attribute_remove(project=project, name="不存在")


# --- import ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_guesses_attributes_from_the_name_and_opening_lines(project, owner):
    (outcome,) = import_file(project, owner, "浙江省数字经济促进条例.txt", ZHEJIANG.encode("gbk"))
    document = outcome.document
    assert outcome.status == 201
    assert (document.title, document.province, document.policy_type) == ("浙江省数字经济促进条例", "浙江省", "条例")
    assert (document.issuer_type, document.issue_date) == ("人大及其常委会", datetime.date(2020, 12, 24))
    assert (document.original_name, document.file_format, document.uploaded_by) == (
        "浙江省数字经济促进条例.txt",
        "txt",
        owner,
    )
    assert document.original.read() == ZHEJIANG.encode("gbk")


@pytest.mark.django_db
def test_import_overrides_replace_guesses_and_define_custom_attributes(project, owner):
    (outcome,) = import_file(
        project,
        owner,
        "a.txt",
        ZHEJIANG.encode(),
        attributes={"province": "贵州", "title": "自定标题", "issue_date": "2021/1/2", "attributes": {"城市": "贵阳"}},
    )
    document = outcome.document
    assert (document.province, document.title, document.issue_date) == ("贵州省", "自定标题", datetime.date(2021, 1, 2))
    assert document.policy_type == "条例"  # still guessed
    assert document.attributes == {"城市": "贵阳"}
    assert list(project.custom_attributes.values_list("name", flat=True)) == ["城市"]


@pytest.mark.django_db
def test_import_with_a_bad_override_raises_before_storing_anything(project, owner):
    with pytest.raises(ValidationError, match="火星"):
        import_file(project, owner, "a.txt", ZHEJIANG.encode(), attributes={"province": "火星"})
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_import_without_a_guessable_title_uses_the_file_name(project, owner):
    (outcome,) = import_file(project, owner, "文件/第七号.txt", "。".encode())
    assert outcome.document.title == "第七号"
    assert outcome.document.original_name == "第七号.txt"


@pytest.mark.django_db
def test_import_normalizes_the_text_once_so_offsets_are_stable(project, owner):
    body = "为了推动政府数据共享开放，制定本条例。"
    raw = f"\ufeff第一条　{body}\r\n第二条　{body}\x07\r第三条　{body}Cafe\u0301\r\n\r\n"
    (outcome,) = import_file(project, owner, "a.txt", raw.encode())
    document = Document.objects.get(pk=outcome.document.pk)
    assert document.text == f"第一条　{body}\n第二条　{body}\n第三条　{body}Café"
    assert document.char_count == len(document.text)
    assert document.text_hash == text_hash(document.text)
    articles = [(label, start) for _kind, label, _level, start, _end in stored_sections(document)]
    assert articles == [(label, document.text.index(label)) for label in ("第一条", "第二条", "第三条")]


@pytest.mark.django_db
def test_imported_sections_are_the_ones_structure_detects(project, owner):
    (outcome,) = import_file(project, owner, "a.txt", ZHEJIANG.encode())
    document = outcome.document
    expected = [(s.kind, s.label, s.level, s.start, s.end) for s in structure.detect_sections(document.text)]
    assert len(expected) == 5
    assert stored_sections(document) == sorted(expected, key=lambda s: (s[3], s[2]))


@pytest.mark.django_db
def test_import_stores_sections_in_batches_past_the_insert_limit(project, owner):
    text = "\n".join(f"第{n}条　内容{n}。" for n in range(1, SECTION_BATCH * 2 + 7))
    (outcome,) = import_file(project, owner, "long.txt", text.encode())
    assert outcome.document.sections.count() == SECTION_BATCH * 2 + 6


@pytest.mark.django_db
def test_the_same_text_in_another_encoding_is_a_duplicate_naming_the_first(project, owner):
    (first,) = import_file(project, owner, "a.txt", ZHEJIANG.encode())
    (again,) = import_file(project, owner, "b.txt", ("\ufeff" + ZHEJIANG.replace("\n", "\r\n")).encode("utf-8"))
    assert again.document is None
    assert again.status == 409
    assert first.document.title in again.error
    assert str(first.document.pk) in again.error
    assert project.documents.count() == 1


@pytest.mark.django_db
def test_the_same_text_in_another_project_is_not_a_duplicate(project, owner):
    import_file(project, owner, "a.txt", ZHEJIANG.encode())
    other = MembershipFactory(user=owner, role=Role.OWNER).project
    (outcome,) = import_file(other, owner, "a.txt", ZHEJIANG.encode())
    assert outcome.document is not None


@pytest.mark.django_db
def test_a_duplicate_inside_one_zip_is_refused_and_the_first_copy_kept(project, owner):
    outcomes = import_file(
        project,
        owner,
        "批量.zip",
        zipped(
            ("一.txt", ZHEJIANG.encode()),
            ("二.txt", "第一条　别的。".encode()),
            ("一副本.txt", ZHEJIANG.encode("gbk")),
        ),
    )
    assert [(o.name, o.status) for o in outcomes] == [("一.txt", 201), ("二.txt", 201), ("一副本.txt", 409)]
    assert "浙江省数字经济促进条例" in outcomes[2].error
    assert sorted(project.documents.values_list("original_name", flat=True)) == ["一.txt", "二.txt"]


@pytest.mark.django_db
def test_a_zip_refuses_bad_entries_one_by_one_with_their_reasons(project, owner, settings):
    settings.MAX_UPLOAD_MB = 1
    settings.MAX_UPLOAD_BYTES = 3000  # the archive itself stays under it; 大.txt unpacks past it
    outcomes = import_file(
        project,
        owner,
        "batch.ZIP",
        zipped(
            ("好.txt", ZHEJIANG.encode()),
            ("空.txt", b""),
            ("图.png", b"\x89PNG"),
            ("坏.docx", b"PK\x03\x04 not a docx"),
            ("大.txt", "数据".encode() * 1000),
            ("../逃.txt", "第一条　越界。".encode()),
            ("inner.zip", zipped(("x.txt", b"x"))),
        ),
    )
    reasons = {o.name: (o.status, o.error) for o in outcomes}
    assert reasons["好.txt"] == (201, None)
    assert reasons["空.txt"][0] == 400
    assert reasons["图.png"][0] == 415
    assert reasons["坏.docx"][0] == 400
    assert reasons["大.txt"][0] == 413
    assert "1 MB" in reasons["大.txt"][1]
    assert "Unsafe path" in reasons["../逃.txt"][1]
    assert "inside an archive" in reasons["inner.zip"][1]
    assert list(project.documents.values_list("original_name", flat=True)) == ["好.txt"]


@pytest.mark.parametrize(
    ("data", "setting", "phrase", "status"),
    [
        (b"PK\x03\x04 broken", {}, "damaged", 400),
        (b"", {}, "empty", 400),
        (zipped(*((f"{n}.txt", b"x") for n in range(6))), {"MAX_ZIP_ENTRIES": 5}, "more than 5 entries", 400),
        (zipped(("big.txt", b"0" * (2 * 1024 * 1024))), {"MAX_ZIP_UNPACKED_MB": 1}, "more than 1 MB", 413),
        (zipped(), {}, "no files", 400),
    ],
    ids=["damaged", "empty", "too-many-entries", "too-big", "no-files"],  # zips carry timestamps: named, not by bytes
)
@pytest.mark.django_db
def test_a_zip_that_cannot_be_imported_is_refused_as_a_whole(project, owner, settings, data, setting, phrase, status):
    existing = DocumentFactory(project=project)
    for name, value in setting.items():
        setattr(settings, name, value)
    (outcome,) = import_file(project, owner, "batch.zip", data)
    assert (outcome.name, outcome.document, outcome.status) == ("batch.zip", None, status)
    assert phrase in outcome.error
    assert list(project.documents.all()) == [existing]


@pytest.mark.django_db
def test_a_scanned_pdf_is_refused_with_the_ocr_hint(project, owner):
    blank_pdf = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF"
    )
    (outcome,) = import_file(project, owner, "扫描.pdf", blank_pdf)
    assert outcome.status == 400
    assert "no text layer: this looks like a scanned PDF, run OCR first" in outcome.error
    assert not project.documents.exists()


# --- replace and delete ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_replacing_an_uncoded_document_swaps_text_sections_and_file_and_deletes_the_old_file_after_commit(
    project, owner, django_capture_on_commit_callbacks
):
    (outcome,) = import_file(project, owner, "旧.txt", "第一条　旧的。".encode())
    document = outcome.document
    storage, old_name = document.original.storage, document.original.name
    with django_capture_on_commit_callbacks() as callbacks:
        document_replace_file(document=document, filename="新.docx.txt", data=ZHEJIANG.encode("gbk"))
        assert storage.exists(old_name)  # still there until the new text is committed
    document.refresh_from_db()
    assert document.text == ZHEJIANG
    assert (document.char_count, document.text_hash) == (len(ZHEJIANG), text_hash(ZHEJIANG))
    assert document.original_name == "新.docx.txt"
    assert document.original.read() == ZHEJIANG.encode("gbk")
    assert [s[1] for s in stored_sections(document)] == ["第一章", "第一条", "第二条", "第二章", "第三条"]
    assert storage.exists(old_name)
    for callback in callbacks:
        callback()
    assert not storage.exists(old_name)
    assert storage.exists(document.original.name)


@pytest.mark.django_db
def test_replacing_a_coded_document_is_refused_and_changes_nothing(project, owner):
    document = DocumentFactory(project=project)
    CodingFactory(document=document, coder=owner)
    CodingFactory(document=document, coder=owner, start=6, end=9)
    before = (document.text, document.original.name)
    with pytest.raises(DocumentRefused) as caught:
        document_replace_file(document=document, filename="new.txt", data="第一条　新。".encode())
    assert caught.value.status == 409
    assert "2 codings" in caught.value.message
    document.refresh_from_db()
    assert (document.text, document.original.name) == before


@pytest.mark.django_db
def test_replacing_with_the_text_of_another_document_is_a_duplicate(project, owner):
    (first,) = import_file(project, owner, "a.txt", ZHEJIANG.encode())
    second = DocumentFactory(project=project)
    before = second.text
    with pytest.raises(DocumentRefused) as caught:
        document_replace_file(document=second, filename="b.txt", data=ZHEJIANG.encode())
    assert caught.value.status == 409
    assert caught.value.existing == first.document
    second.refresh_from_db()
    assert second.text == before


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [("new.zip", b"PK\x05\x06" + b"\x00" * 18, 400), ("new.png", b"\x89PNG", 415), ("new.txt", b"", 400)],
)
@pytest.mark.django_db
def test_replacing_with_an_unusable_file_is_refused_and_changes_nothing(project, name, data, status):
    document = DocumentFactory(project=project)
    before = document.text
    with pytest.raises(DocumentRefused) as caught:
        document_replace_file(document=document, filename=name, data=data)
    assert caught.value.status == status
    document.refresh_from_db()
    assert document.text == before


@pytest.mark.django_db
def test_document_delete_removes_codings_sections_and_the_file_after_commit(
    project, owner, django_capture_on_commit_callbacks
):
    (outcome,) = import_file(project, owner, "a.txt", ZHEJIANG.encode())
    document = outcome.document
    CodingFactory(document=document, coder=owner)
    storage, name = document.original.storage, document.original.name
    with django_capture_on_commit_callbacks(execute=True):
        document_delete(document=document)
    assert not Document.objects.exists()
    assert not storage.exists(name)
    assert document.sections.model.objects.count() == 0
    assert Membership.objects.filter(project=project).exists()
