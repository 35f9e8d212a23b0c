"""Tests for province names: the standard list, normalizing researchers' spellings, and guessing from text."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies import provinces
from policies.provinces import (
    NATIONAL,
    PROVINCE_CHOICES,
    PROVINCES,
    UnknownProvince,
    normalize_province,
    province_from_text,
)

CITIES_FILE = Path(provinces.__file__).with_name("data") / "cities.json"


def test_provinces_are_the_34_divisions_in_official_order_and_choices_add_national():
    assert len(PROVINCES) == 34
    assert len(set(PROVINCES)) == 34
    assert PROVINCES[:3] == ("北京市", "天津市", "河北省")
    assert PROVINCES[-3:] == ("台湾省", "香港特别行政区", "澳门特别行政区")
    assert PROVINCES.index("广西壮族自治区") == 19
    assert PROVINCE_CHOICES[:-1] == PROVINCES
    assert PROVINCE_CHOICES[-1] == NATIONAL == "全国"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # full and short names, with and without suffix
        ("浙江省", "浙江省"),
        ("浙江", "浙江省"),
        ("北京", "北京市"),
        ("北京市", "北京市"),
        ("重庆", "重庆市"),
        ("广西", "广西壮族自治区"),
        ("广西壮族自治区", "广西壮族自治区"),
        ("广西自治区", "广西壮族自治区"),
        ("内蒙古", "内蒙古自治区"),
        ("新疆", "新疆维吾尔自治区"),
        ("宁夏", "宁夏回族自治区"),
        ("西藏", "西藏自治区"),
        ("香港", "香港特别行政区"),
        ("香港特区", "香港特别行政区"),
        ("澳门", "澳门特别行政区"),
        ("台湾", "台湾省"),
        ("黑龙江", "黑龙江省"),
        # traditional characters
        ("廣東", "广东省"),
        ("廣東省", "广东省"),
        ("臺灣", "台湾省"),
        ("台灣", "台湾省"),
        ("內蒙古", "内蒙古自治区"),
        ("遼寧", "辽宁省"),
        ("澳門", "澳门特别行政区"),
        # one-character abbreviations
        ("京", "北京市"),
        ("沪", "上海市"),
        ("津", "天津市"),
        ("渝", "重庆市"),
        ("冀", "河北省"),
        ("晋", "山西省"),
        ("蒙", "内蒙古自治区"),
        ("辽", "辽宁省"),
        ("吉", "吉林省"),
        ("黑", "黑龙江省"),
        ("苏", "江苏省"),
        ("浙", "浙江省"),
        ("皖", "安徽省"),
        ("闽", "福建省"),
        ("赣", "江西省"),
        ("鲁", "山东省"),
        ("豫", "河南省"),
        ("鄂", "湖北省"),
        ("湘", "湖南省"),
        ("粤", "广东省"),
        ("桂", "广西壮族自治区"),
        ("琼", "海南省"),
        ("川", "四川省"),
        ("蜀", "四川省"),
        ("贵", "贵州省"),
        ("黔", "贵州省"),
        ("云", "云南省"),
        ("滇", "云南省"),
        ("藏", "西藏自治区"),
        ("陕", "陕西省"),
        ("秦", "陕西省"),
        ("甘", "甘肃省"),
        ("陇", "甘肃省"),
        ("青", "青海省"),
        ("宁", "宁夏回族自治区"),
        ("新", "新疆维吾尔自治区"),
        ("港", "香港特别行政区"),
        ("澳", "澳门特别行政区"),
        ("台", "台湾省"),
        # pinyin and English, any case
        ("Zhejiang", "浙江省"),
        ("zhejiang", "浙江省"),
        ("ZHEJIANG", "浙江省"),
        ("Zhejiang Province", "浙江省"),
        ("Beijing", "北京市"),
        ("Beijing Shi", "北京市"),
        ("Inner Mongolia", "内蒙古自治区"),
        ("Nei Mongol", "内蒙古自治区"),
        ("Guangxi", "广西壮族自治区"),
        ("Tibet", "西藏自治区"),
        ("Xizang", "西藏自治区"),
        ("Hong Kong", "香港特别行政区"),
        ("Hongkong", "香港特别行政区"),
        ("Hong Kong SAR", "香港特别行政区"),
        ("Macau", "澳门特别行政区"),
        ("Macao", "澳门特别行政区"),
        ("Taiwan", "台湾省"),
        ("Shaanxi", "陕西省"),
        ("Shanxi", "山西省"),
        # whitespace, including full-width spaces
        ("  浙江省 ", "浙江省"),
        ("\u3000浙江\u3000", "浙江省"),
        ("\t上海\n", "上海市"),
        ("浙 江", "浙江省"),
        # national
        ("全国", NATIONAL),
        ("国家", NATIONAL),
        ("中央", NATIONAL),
        ("中华人民共和国", NATIONAL),
        ("national", NATIONAL),
        ("National", NATIONAL),
        ("China", NATIONAL),
        # blank means unknown
        ("", ""),
        ("   ", ""),
        ("\u3000", ""),
    ],
)
def test_normalize_province_reads_common_forms(value, expected):
    assert normalize_province(value) == expected


@pytest.mark.parametrize("choice", PROVINCE_CHOICES)
def test_normalize_province_keeps_every_standard_name(choice):
    assert normalize_province(choice) == choice


@pytest.mark.parametrize("value", ["火星", "浙江江", "浙江市", "北京省", "苏州", "京沪", "ZJ", "Mars", "江"])
def test_normalize_province_refuses_unknown_values(value):
    with pytest.raises(UnknownProvince):
        normalize_province(value)


def test_unknown_province_message_names_the_value_and_lists_every_choice():
    with pytest.raises(UnknownProvince) as caught:
        normalize_province(" 火星 ")
    message = str(caught.value)
    assert message.startswith("Unknown province “火星”. Use one of: 北京市, 天津市, ")
    assert message.endswith("澳门特别行政区, 全国.")
    assert all(choice in message for choice in PROVINCE_CHOICES)
    assert caught.value.value == "火星"


def test_unknown_province_is_a_value_error():
    assert issubclass(UnknownProvince, ValueError)


def test_unknown_province_message_shortens_a_very_long_value():
    with pytest.raises(UnknownProvince) as caught:
        normalize_province("未" * 500)
    assert "未" * 40 + "…" in str(caught.value)
    assert "未" * 41 not in str(caught.value)


@given(st.sampled_from(PROVINCE_CHOICES), st.sampled_from(["", " ", "\u3000", "\t"]))
def test_normalize_province_is_idempotent_and_ignores_surrounding_space(choice, space):
    once = normalize_province(space + choice + space)
    assert once == choice
    assert normalize_province(once) == once


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("浙江省公共数据条例", "浙江省"),
        ("关于推进浙江数字化改革的意见", "浙江省"),
        ("苏州市公共数据开放管理办法", "江苏省"),
        ("苏州公共数据开放管理办法", "江苏省"),
        ("延边朝鲜族自治州数字经济促进条例", "吉林省"),
        ("深圳经济特区数据条例", "广东省"),
        ("杭州市公共数据授权运行管理办法", "浙江省"),
        ("成都市", "四川省"),
        ("贵阳市政府数据共享开放条例", "贵州省"),
        ("厦门经济特区", "福建省"),
        ("青岛市", "山东省"),
        ("大连市", "辽宁省"),
        ("宁波市", "浙江省"),
        ("乌鲁木齐市", "新疆维吾尔自治区"),
        ("呼和浩特市", "内蒙古自治区"),
        ("吉林市数据管理办法", "吉林省"),
        ("海南省大数据开发应用条例", "海南省"),
        ("海南藏族自治州", "青海省"),
        ("海南州", "青海省"),
        ("朝阳市", "辽宁省"),
        ("中华人民共和国数据安全法", NATIONAL),
        ("国务院关于在线政务服务的若干规定", NATIONAL),
        ("全国人民代表大会常务委员会", NATIONAL),
        ("国家数据局关于印发的通知", NATIONAL),
        ("中共中央 国务院关于构建数据基础制度的意见", NATIONAL),
        ("上海市贯彻落实国务院决定的实施意见", "上海市"),
        ("根据国务院部署，浙江省制定本办法", NATIONAL),
        ("上海南京路步行街管理规定", "上海市"),
        ("政务数据共享条例", ""),
        ("", ""),
    ],
)
def test_province_from_text_takes_the_first_place_or_national_body(text, expected):
    assert province_from_text(text) == expected


@pytest.mark.parametrize(
    "text",
    ["幸福建设三年行动", "隆重庆祝建党百年", "黄河南岸生态保护", "长治久安", "世界大同", "三明治", "中山路", "朝阳区"],
)
def test_province_from_text_ignores_place_names_hidden_in_ordinary_words(text):
    assert province_from_text(text) == ""


def test_province_from_text_looks_past_a_false_friend_to_a_real_place():
    assert province_from_text("幸福建设在重庆") == "重庆市"


def test_cities_table_covers_the_prefecture_level_divisions_and_names_only_standard_provinces():
    cities = json.loads(CITIES_FILE.read_text(encoding="utf-8"))
    assert len(cities) >= 330
    assert set(cities.values()) <= set(PROVINCES)
    assert {province for province in PROVINCES if province not in ("北京市", "天津市", "上海市", "重庆市")} <= set(
        cities.values()
    ) | {"香港特别行政区", "澳门特别行政区"}
    for city, province in {
        "苏州": "江苏省",
        "延边朝鲜族自治州": "吉林省",
        "深圳": "广东省",
        "拉萨": "西藏自治区",
        "银川": "宁夏回族自治区",
        "海南藏族自治州": "青海省",
        "吉林市": "吉林省",
    }.items():
        assert cities[city] == province


@pytest.mark.parametrize(
    ("city", "province"),
    [
        ("武汉", "湖北省"),
        ("南京", "江苏省"),
        ("西安", "陕西省"),
        ("郑州", "河南省"),
        ("长沙", "湖南省"),
        ("合肥", "安徽省"),
        ("南昌", "江西省"),
        ("福州", "福建省"),
        ("济南", "山东省"),
        ("太原", "山西省"),
        ("石家庄", "河北省"),
        ("沈阳", "辽宁省"),
        ("长春", "吉林省"),
        ("哈尔滨", "黑龙江省"),
        ("南宁", "广西壮族自治区"),
        ("海口", "海南省"),
        ("昆明", "云南省"),
        ("拉萨", "西藏自治区"),
        ("兰州", "甘肃省"),
        ("西宁", "青海省"),
        ("银川", "宁夏回族自治区"),
    ],
)
def test_province_from_text_knows_provincial_capitals_with_and_without_shi(city, province):
    assert province_from_text(f"{city}数据条例") == province
    assert province_from_text(f"{city}市数据条例") == province
