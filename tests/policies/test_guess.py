"""Tests for guessing a policy's attributes from its file name and opening lines."""

import datetime
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies import guess as guess_module
from policies.guess import guess_attributes
from policies.models import PolicyType
from policies.provinces import PROVINCE_CHOICES

KEYS = {"title", "province", "issuer", "issuer_type", "issue_date", "doc_number", "policy_type"}
ISSUER_TYPES = {"", "人民政府", "人大及其常委会", "政府部门", "其他"}
POLICY_TYPES = {"", *PolicyType.values}

GUIZHOU = (
    "贵州省人民代表大会常务委员会\n"
    "《贵州省政府数据共享开放条例》\n"
    "（2020年9月25日贵州省第十三届人民代表大会常务委员会第十九次会议通过）\n"
    "第一章　总则\n"
    "第一条　为了推动政府数据共享开放，根据《中华人民共和国数据安全法》，制定本条例。\n"
)
SUZHOU = (
    "苏州市人民政府关于印发《苏州市公共数据开放管理办法》的通知\n"
    "苏府规字〔2020〕5号\n"
    "各市、区人民政府，市各委办局：\n"
    "现将《苏州市公共数据开放管理办法》印发给你们，请认真贯彻执行。\n"
    "苏州市人民政府\n"
    "2020年11月30日\n"
)
BEIJING_GUIDANCE = (
    "北京市经济和信息化局印发《关于推进北京市数据专区建设的指导意见》的通知\n"
    "京经信发〔2022〕87号\n"
    "各区政府,各相关单位：\n"
    "\u3000\u3000为促进政企数据融合应用，根据《国务院关于加强数字政府建设的指导意见》等相关政策文件，"
    "我局制定了《关于推进北京市数据专区建设的指导意见》，现印发给你们，请结合实际认真贯彻落实。\n"
    "北京市经济和信息化局\n"
    "2022年11月21日\n"
    "关于推进北京市数据专区建设的指导意见\n"
)
SHANGHAI = (
    "上海市数据条例\n"
    "2021年11月25日 上海市第十五届人民代表大会常务委员会第三十七次会议通过\n"
    "第一章  总则\n"
    "第一条 为了保护自然人、法人和非法人组织与数据有关的权益，根据《中华人民共和国数据安全法》"
    "《中华人民共和国个人信息保护法》等法律、行政法规，结合本市实际，制定本条例。\n"
)
NATIONAL_LAW = (
    "中华人民共和国数据安全法\n"
    "2021年6月10日 第十三届全国人民代表大会常务委员会第二十九次会议通过\n"
    "第一章 总  则\n"
    "第一条 为了规范数据处理活动，保障数据安全，制定本法。\n"
)
STATE_COUNCIL = (
    "中华人民共和国政府信息公开条例\n"
    "2007年4月5日 中华人民共和国国务院令第492号公布\n"
    "2019年4月3日 中华人民共和国国务院令第711号修订\n"
    "2019年5月15日 施行\n"
    "第一章 总则\n"
    "第一条 为了保障公民、法人和其他组织依法获取政府信息，制定本条例。\n"
)


def test_guess_returns_every_attribute_key():
    assert set(guess_attributes("a.txt", SHANGHAI)) == KEYS


def test_guizhou_regulation_with_congress_head_line():
    guess = guess_attributes("guizhou.docx", GUIZHOU)
    assert guess["title"] == "贵州省政府数据共享开放条例"
    assert guess["province"] == "贵州省"
    assert guess["issuer"] == "贵州省人民代表大会常务委员会"
    assert guess["issuer_type"] == "人大及其常委会"
    assert guess["policy_type"] == "条例"
    assert guess["issue_date"] == datetime.date(2020, 9, 25)


def test_suzhou_notice_keeps_full_title_and_types_the_issued_measures():
    guess = guess_attributes("notice.pdf", SUZHOU)
    assert guess == {
        "title": "苏州市人民政府关于印发《苏州市公共数据开放管理办法》的通知",
        "province": "江苏省",
        "issuer": "苏州市人民政府",
        "issuer_type": "人民政府",
        "issue_date": datetime.date(2020, 11, 30),
        "doc_number": "苏府规字〔2020〕5号",
        "policy_type": "办法",
    }


def test_autonomous_prefecture_gives_its_province():
    guess = guess_attributes(
        "yanbian.txt", "延边朝鲜族自治州数字经济促进条例\n第一条 为了促进数字经济发展，制定本条例。\n"
    )
    assert guess["province"] == "吉林省"
    assert guess["title"] == "延边朝鲜族自治州数字经济促进条例"
    assert guess["policy_type"] == "条例"


def test_department_notice_with_document_number_and_signature_date():
    guess = guess_attributes("FBM-CLI.12.5679380.txt", BEIJING_GUIDANCE)
    assert guess == {
        "title": "北京市经济和信息化局印发《关于推进北京市数据专区建设的指导意见》的通知",
        "province": "北京市",
        "issuer": "北京市经济和信息化局",
        "issuer_type": "政府部门",
        "issue_date": datetime.date(2022, 11, 21),
        "doc_number": "京经信发〔2022〕87号",
        "policy_type": "意见",
    }


def test_local_congress_passage_names_the_standing_committee_without_session_numbers():
    guess = guess_attributes("shanghai.txt", SHANGHAI)
    assert guess["issuer"] == "上海市人民代表大会常务委员会"
    assert guess["issuer_type"] == "人大及其常委会"
    assert guess["issue_date"] == datetime.date(2021, 11, 25)
    assert guess["province"] == "上海市"
    assert guess["title"] == "上海市数据条例"


def test_parenthesised_passage_right_after_the_date_names_the_issuer():
    text = "深圳经济特区数据条例\n（2021年6月29日深圳市第七届人民代表大会常务委员会第二次会议通过）\n"
    guess = guess_attributes("sz.txt", text)
    assert guess["issuer"] == "深圳市人民代表大会常务委员会"
    assert guess["province"] == "广东省"
    assert guess["issue_date"] == datetime.date(2021, 6, 29)


def test_national_law_is_national_and_a_fa_is_a_law():
    guess = guess_attributes("law.txt", NATIONAL_LAW)
    assert guess["province"] == "全国"
    assert guess["issuer"] == "全国人民代表大会常务委员会"
    assert guess["issuer_type"] == "人大及其常委会"
    assert guess["policy_type"] == "法律"
    assert guess["issue_date"] == datetime.date(2021, 6, 10)


def test_revised_regulation_takes_the_latest_revision_date_and_its_decree_number_not_the_effective_date():
    guess = guess_attributes("xinxi.txt", STATE_COUNCIL)
    assert guess["issue_date"] == datetime.date(2019, 4, 3)
    assert guess["doc_number"] == "国务院令第711号"
    assert guess["issuer"] == "国务院"
    assert guess["issuer_type"] == "人民政府"
    assert guess["province"] == "全国"


def test_state_council_provisions_take_issuer_from_the_title():
    text = (
        "国务院关于在线政务服务的若干规定\n"
        "2019年4月26日 中华人民共和国国务院令第716号公布\n"
        "第一条 为了全面提升政务服务规范化水平，制定本规定。\n"
    )
    guess = guess_attributes("guiding.txt", text)
    assert guess["issuer"] == "国务院"
    assert guess["policy_type"] == "规定"
    assert guess["doc_number"] == "国务院令第716号"
    assert guess["province"] == "全国"


def test_national_regulation_without_issuer_is_found_national_from_its_opening():
    text = (
        "政务数据共享条例\n第一章 总 则\n"
        "第一条 为了推进政务数据共享，根据《中华人民共和国网络安全法》等法律，制定本条例。\n"
    )
    guess = guess_attributes("gongxiang.txt", text)
    assert guess["province"] == "全国"
    assert guess["issuer"] == ""
    assert guess["issuer_type"] == ""
    assert guess["issue_date"] is None


def test_filename_gives_title_and_date_when_the_text_does_not():
    guess = guess_attributes(
        "上海市数据条例(2021-11-25).md", "第一章 总则\n第一条 为了规范数据处理活动，制定本条例。\n"
    )
    assert guess["title"] == "上海市数据条例"
    assert guess["issue_date"] == datetime.date(2021, 11, 25)
    assert guess["province"] == "上海市"
    assert guess["policy_type"] == "条例"


def test_filename_quoted_title_is_used_without_its_brackets():
    guess = guess_attributes("《浙江省公共数据条例》.pdf", "第一条 为了规范公共数据，制定本条例。\n")
    assert guess["title"] == "浙江省公共数据条例"
    assert guess["province"] == "浙江省"


def test_markdown_heading_marks_are_not_part_of_the_title():
    assert guess_attributes("x.md", "# 上海市数据条例\n\n第一章 总则\n")["title"] == "上海市数据条例"


def test_a_sentence_is_not_taken_for_a_title_and_the_file_stem_is_used():
    guess = guess_attributes("scan-001.txt", "这是一段很长的说明文字，没有标题。\n")
    assert guess["title"] == "scan-001"
    assert guess["policy_type"] == ""


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2021年11月25日", datetime.date(2021, 11, 25)),
        ("２０２１年１１月２５日", datetime.date(2021, 11, 25)),
        ("2021-11-25", datetime.date(2021, 11, 25)),
        ("二〇二一年十一月二十五日", datetime.date(2021, 11, 25)),
        ("二零二二年一月五日", datetime.date(2022, 1, 5)),
        ("二○二○年三月十日", datetime.date(2020, 3, 10)),
        ("2021年2月30日", None),
        ("二〇二一年二月三十日", None),
        ("2021年13月1日", None),
    ],
)
def test_signature_dates_are_read_in_arabic_and_chinese_numerals(line, expected):
    assert guess_attributes("x.txt", f"某某管理办法\n{line}\n")["issue_date"] == expected


def test_an_entry_into_force_date_in_the_body_is_not_the_issue_date():
    assert guess_attributes("x.txt", "某某管理办法\n第一条 本办法自2022年1月1日起施行。\n")["issue_date"] is None


def test_an_invalid_filename_date_gives_no_date():
    assert guess_attributes("某某条例(2021-02-30).md", "")["issue_date"] is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("京经信发〔2022〕87号", "京经信发〔2022〕87号"),
        ("国办发[2022]2号", "国办发〔2022〕2号"),
        ("国办发［2022］2号", "国办发〔2022〕2号"),
        ("沪府规（2021）3号", "沪府规〔2021〕3号"),
        ("沪府规(2021)3号", "沪府规〔2021〕3号"),
        ("浙政办发〔２０２１〕１２号", "浙政办发〔2021〕12号"),
    ],
)
def test_document_numbers_are_normalized_to_hexagonal_brackets(line, expected):
    assert guess_attributes("x.txt", f"某某实施方案\n{line}\n")["doc_number"] == expected


def test_a_document_number_cited_in_a_body_sentence_is_ignored():
    text = "某某实施方案\n各区：\n根据《国务院关于加强数字政府建设的指导意见》（国发〔2022〕14号）要求，制定本方案。\n"
    assert guess_attributes("x.txt", text)["doc_number"] == ""


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("上海市数据条例", "条例"),
        ("苏州市公共数据开放管理办法", "办法"),
        ("浙江省公共数据开放与安全管理暂行办法", "办法"),
        ("杭州市公共数据授权运行管理办法（试行）", "办法"),
        ("某某条例实施细则", "细则"),
        ("关于推进北京市数据专区建设的指导意见", "意见"),
        ("广东省数字政府建设总体规划", "规划"),
        ("某某市大数据发展行动纲要", "规划"),
        ("某某省数据要素市场化配置改革工作方案", "方案"),
        ("某某市数据开放实施方案", "方案"),
        ("某某市公共数据行动计划", "方案"),
        ("国务院关于在线政务服务的若干规定", "规定"),
        ("关于做好数据发布工作的通知", "通知"),
        ("中华人民共和国数据安全法", "法律"),
        ("中华人民共和国网络安全法（2016年）", "法律"),
        ("全国人民代表大会常务委员会关于加强网络信息保护的决定", "决定"),
        ("关于数据开放的决定", "决定"),
        ("某某市人民代表大会关于促进数据共享的决议", "决议"),
        ("某某省公共数据授权运营合规指引", "指引"),
        ("政务数据共享交换平台技术标准", "标准"),
        ("某某市政务数据统计方法", "其他"),
        ("某某平台推荐算法", "其他"),
        ("某某条例（2019年修订）", "条例"),
    ],
)
def test_policy_type_follows_the_title_ending(title, expected):
    assert guess_attributes("x.txt", f"{title}\n第一条 内容。\n")["policy_type"] == expected


@pytest.mark.parametrize(
    ("first_line", "expected"),
    [
        ("某某省人民政府关于印发《某某省数据条例实施细则》的通知", "细则"),
        ("某某市人民政府办公厅关于印发某某市公共数据开放管理办法的通知", "办法"),
        ("关于转发《国务院办公厅关于数据共享的通知》的通知", "通知"),
        ("关于印发《某某省“十四五”数字经济发展规划》的通知", "规划"),
    ],
)
def test_a_notice_that_issues_a_document_is_typed_by_that_document(first_line, expected):
    guess = guess_attributes("x.txt", f"{first_line}\n各区：\n")
    assert guess["policy_type"] == expected
    assert guess["title"] == first_line


@pytest.mark.parametrize(
    ("head", "issuer", "issuer_type"),
    [
        ("某某省人民政府办公厅关于印发《某某办法》的通知", "某某省人民政府办公厅", "人民政府"),
        ("杭州市数据资源管理局关于印发《某某办法》的通知", "杭州市数据资源管理局", "政府部门"),
        ("某某市发展和改革委员会关于印发《某某方案》的通知", "某某市发展和改革委员会", "政府部门"),
        ("国务院办公厅关于印发《某某方案》的通知", "国务院办公厅", "人民政府"),
        ("中共某某省委办公厅关于印发《某某方案》的通知", "中共某某省委办公厅", "其他"),
        ("中共中央办公厅 国务院办公厅印发《某某意见》的通知", "中共中央办公厅 国务院办公厅", "其他"),
        ("某某市人民代表大会常务委员会关于数据的决定", "某某市人民代表大会常务委员会", "人大及其常委会"),
    ],
)
def test_issuer_opening_a_notice_and_its_type(head, issuer, issuer_type):
    guess = guess_attributes("x.txt", f"{head}\n各有关单位：\n")
    assert guess["issuer"] == issuer
    assert guess["issuer_type"] == issuer_type


def test_issuer_head_line_before_a_quoted_title():
    text = "某某市人民政府\n《某某市公共数据管理办法》\n第一条 为了规范公共数据管理，制定本办法。\n"
    guess = guess_attributes("x.txt", text)
    assert guess["issuer"] == "某某市人民政府"
    assert guess["issuer_type"] == "人民政府"
    assert guess["title"] == "某某市公共数据管理办法"


def test_nothing_to_go_on_gives_blanks_and_the_file_stem():
    assert guess_attributes("notes.txt", "") == {
        "title": "notes",
        "province": "",
        "issuer": "",
        "issuer_type": "",
        "issue_date": None,
        "doc_number": "",
        "policy_type": "",
    }


def test_guess_tolerates_missing_name_and_text():
    guess = guess_attributes("", "")
    assert guess["title"] == ""
    assert guess["issue_date"] is None


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=60),
    st.text(
        alphabet=st.sampled_from(
            list("第一二三十条章《》〔〕[]（）()年月日号令发关于印发的通知人民政府局厅省市\n\u3000 2019-0123。，：𠮷")
        )
        | st.characters(),
        max_size=400,
    ),
)
def test_guess_never_fails_and_returns_valid_choices(filename, text):
    with patch.object(guess_module.logger, "exception") as logged:
        guess = guess_attributes(filename, text)
    assert not logged.called, "the guess failed internally and fell back to blanks"
    assert set(guess) == KEYS
    assert guess["province"] in {"", *PROVINCE_CHOICES}
    assert guess["issuer_type"] in ISSUER_TYPES
    assert guess["policy_type"] in POLICY_TYPES
    assert guess["issue_date"] is None or isinstance(guess["issue_date"], datetime.date)
    assert len(guess["title"]) <= 500
    assert len(guess["issuer"]) <= 200
    assert len(guess["doc_number"]) <= 100
    assert bool(guess["issuer"]) == bool(guess["issuer_type"])


def test_an_internal_failure_falls_back_to_the_file_stem_and_is_logged():
    with (
        patch.object(guess_module, "province_from_text", side_effect=RuntimeError("boom")),
        patch.object(guess_module.logger, "exception") as logged,
    ):
        guess = guess_attributes("上海市数据条例(2021-11-25).md", SHANGHAI)
    assert logged.called
    assert guess == dict.fromkeys(KEYS, "") | {"title": "上海市数据条例", "issue_date": None}


def test_a_notice_title_wrapped_inside_its_quotation_marks_is_joined():
    text = "苏州市人民政府关于印发《苏州市公共数据开放\n管理办法》的通知\n各市、区人民政府：\n"
    guess = guess_attributes("x.pdf", text)
    assert guess["title"] == "苏州市人民政府关于印发《苏州市公共数据开放管理办法》的通知"
    assert guess["policy_type"] == "办法"


def test_a_signature_line_with_issuer_and_date_gives_the_date():
    text = "某某管理办法\n各区：\n现印发给你们，请遵照执行。\n某某市数据局\u30002023年3月8日\n"
    assert guess_attributes("x.txt", text)["issue_date"] == datetime.date(2023, 3, 8)


def test_a_generic_heading_word_is_not_taken_for_the_title():
    text = "某某省人民代表大会常务委员会\n公告\n某某省数据条例\n第一条 内容。\n"
    guess = guess_attributes("x.txt", text)
    assert guess["title"] == "某某省数据条例"
    assert guess["issuer"] == "某某省人民代表大会常务委员会"
