"""China's provincial-level divisions: standard names, normalizing researchers' spellings, guessing from text (pure)."""

import json
import re
from functools import cache
from pathlib import Path

from django.utils.translation import gettext

PROVINCES: tuple[str, ...] = (
    "北京市",
    "天津市",
    "河北省",
    "山西省",
    "内蒙古自治区",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "上海市",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "广西壮族自治区",
    "海南省",
    "重庆市",
    "四川省",
    "贵州省",
    "云南省",
    "西藏自治区",
    "陕西省",
    "甘肃省",
    "青海省",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "台湾省",
    "香港特别行政区",
    "澳门特别行政区",
)
NATIONAL = "全国"
PROVINCE_CHOICES: tuple[str, ...] = (*PROVINCES, NATIONAL)

_SHORT_NAMES: dict[str, str] = {
    "北京市": "北京",
    "天津市": "天津",
    "河北省": "河北",
    "山西省": "山西",
    "内蒙古自治区": "内蒙古",
    "辽宁省": "辽宁",
    "吉林省": "吉林",
    "黑龙江省": "黑龙江",
    "上海市": "上海",
    "江苏省": "江苏",
    "浙江省": "浙江",
    "安徽省": "安徽",
    "福建省": "福建",
    "江西省": "江西",
    "山东省": "山东",
    "河南省": "河南",
    "湖北省": "湖北",
    "湖南省": "湖南",
    "广东省": "广东",
    "广西壮族自治区": "广西",
    "海南省": "海南",
    "重庆市": "重庆",
    "四川省": "四川",
    "贵州省": "贵州",
    "云南省": "云南",
    "西藏自治区": "西藏",
    "陕西省": "陕西",
    "甘肃省": "甘肃",
    "青海省": "青海",
    "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆",
    "台湾省": "台湾",
    "香港特别行政区": "香港",
    "澳门特别行政区": "澳门",
}

# One-character abbreviations (简称) as used in research spreadsheets; only ever matched as the whole value.
_ABBREVIATIONS: dict[str, str] = {
    "京": "北京市",
    "津": "天津市",
    "冀": "河北省",
    "晋": "山西省",
    "蒙": "内蒙古自治区",
    "辽": "辽宁省",
    "吉": "吉林省",
    "黑": "黑龙江省",
    "沪": "上海市",
    "苏": "江苏省",
    "浙": "浙江省",
    "皖": "安徽省",
    "闽": "福建省",
    "赣": "江西省",
    "鲁": "山东省",
    "豫": "河南省",
    "鄂": "湖北省",
    "湘": "湖南省",
    "粤": "广东省",
    "桂": "广西壮族自治区",
    "琼": "海南省",
    "渝": "重庆市",
    "川": "四川省",
    "蜀": "四川省",
    "贵": "贵州省",
    "黔": "贵州省",
    "云": "云南省",
    "滇": "云南省",
    "藏": "西藏自治区",
    "陕": "陕西省",
    "秦": "陕西省",
    "甘": "甘肃省",
    "陇": "甘肃省",
    "青": "青海省",
    "宁": "宁夏回族自治区",
    "新": "新疆维吾尔自治区",
    "台": "台湾省",
    "港": "香港特别行政区",
    "澳": "澳门特别行政区",
}

_OTHER_FORMS: dict[str, str] = {
    "内蒙古区": "内蒙古自治区",
    "广西自治区": "广西壮族自治区",
    "西藏区": "西藏自治区",
    "宁夏自治区": "宁夏回族自治区",
    "新疆自治区": "新疆维吾尔自治区",
    "台湾地区": "台湾省",
    "香港特区": "香港特别行政区",
    "澳门特区": "澳门特别行政区",
    "全国": NATIONAL,
    "国家": NATIONAL,
    "中央": NATIONAL,
    "中国": NATIONAL,
    "中华人民共和国": NATIONAL,
}

_LATIN: dict[str, str] = {
    "beijing": "北京市",
    "peking": "北京市",
    "tianjin": "天津市",
    "hebei": "河北省",
    "shanxi": "山西省",
    "innermongolia": "内蒙古自治区",
    "neimongol": "内蒙古自治区",
    "neimenggu": "内蒙古自治区",
    "liaoning": "辽宁省",
    "jilin": "吉林省",
    "heilongjiang": "黑龙江省",
    "shanghai": "上海市",
    "jiangsu": "江苏省",
    "zhejiang": "浙江省",
    "anhui": "安徽省",
    "fujian": "福建省",
    "jiangxi": "江西省",
    "shandong": "山东省",
    "henan": "河南省",
    "hubei": "湖北省",
    "hunan": "湖南省",
    "guangdong": "广东省",
    "guangxi": "广西壮族自治区",
    "hainan": "海南省",
    "chongqing": "重庆市",
    "sichuan": "四川省",
    "guizhou": "贵州省",
    "yunnan": "云南省",
    "tibet": "西藏自治区",
    "xizang": "西藏自治区",
    "shaanxi": "陕西省",
    "gansu": "甘肃省",
    "qinghai": "青海省",
    "ningxia": "宁夏回族自治区",
    "xinjiang": "新疆维吾尔自治区",
    "taiwan": "台湾省",
    "hongkong": "香港特别行政区",
    "xianggang": "香港特别行政区",
    "macau": "澳门特别行政区",
    "macao": "澳门特别行政区",
    "aomen": "澳门特别行政区",
    "national": NATIONAL,
    "nationwide": NATIONAL,
    "china": NATIONAL,
    "prc": NATIONAL,
    "peoplesrepublicofchina": NATIONAL,
    "central": NATIONAL,
    "quanguo": NATIONAL,
}
_LATIN_SUFFIXES = (
    "specialadministrativeregion",
    "autonomousregion",
    "municipality",
    "province",
    "region",
    "city",
    "sheng",
    "shi",
    "sar",
)

# Traditional characters that occur in province names (as typed in Hong Kong, Macau and Taiwan sources).
_TRADITIONAL = str.maketrans(
    {
        "廣": "广",
        "東": "东",
        "臺": "台",
        "灣": "湾",
        "內": "内",
        "遼": "辽",
        "寧": "宁",
        "龍": "龙",
        "蘇": "苏",
        "雲": "云",
        "貴": "贵",
        "陝": "陕",
        "維": "维",
        "爾": "尔",
        "區": "区",
        "門": "门",
        "別": "别",
        "國": "国",
        "華": "华",
        "慶": "庆",
        "壯": "壮",
        "肅": "肃",
        "滬": "沪",
        "晉": "晋",
        "魯": "鲁",
        "閩": "闽",
        "贛": "赣",
        "粵": "粤",
        "瓊": "琼",
        "隴": "陇",
        "島": "岛",
        "張": "张",
    }
)
_SPACE = re.compile(r"\s+")
_LATIN_NOISE = re.compile(r"[\s\-_'’.,]+")


class UnknownProvince(ValueError):
    """A province value that cannot be read as one of PROVINCE_CHOICES."""

    def __init__(self, value: str) -> None:
        self.value = value
        shown = value if len(value) <= 40 else value[:40] + "…"
        super().__init__(
            gettext("Unknown province “%(value)s”. Use one of: %(choices)s.")
            % {"value": shown, "choices": ", ".join(PROVINCE_CHOICES)}
        )


@cache
def _chinese_forms() -> dict[str, str]:
    forms: dict[str, str] = {}
    for full, short in _SHORT_NAMES.items():
        forms[full] = full
        forms[short] = full
    forms.update(_ABBREVIATIONS)
    forms.update(_OTHER_FORMS)
    return forms


def normalize_province(value: str) -> str:
    """Return the standard name (or 全国) for a province as researchers write it; blank gives ''."""
    if value is None:
        return ""
    squeezed = _SPACE.sub("", str(value)).translate(_TRADITIONAL)
    if not squeezed:
        return ""
    forms = _chinese_forms()
    if squeezed in forms:
        return forms[squeezed]
    latin = _LATIN_NOISE.sub("", str(value)).casefold()
    if latin in _LATIN:
        return _LATIN[latin]
    for suffix in _LATIN_SUFFIXES:
        if latin.endswith(suffix) and latin[: -len(suffix)] in _LATIN:
            return _LATIN[latin[: -len(suffix)]]
    raise UnknownProvince(str(value).strip())


# Bodies whose name marks a document as national when no province is named before them.
_NATIONAL_PATTERN = (
    r"中华人民共和国|全国人民代表大会|全国人大|国务院|中共中央|党中央|全国"
    r"|国家[\u4e00-\u9fff]{0,12}?(?:委员会|总局|局|部|署|办公室|中心)"
    r"|中央[\u4e00-\u9fff]{0,12}?(?:委员会|办公厅|办公室)"
)

# Words in which a place name appears by accident (幸福建设 is not 福建, 隆重庆祝 is not 重庆).
_FALSE_FRIENDS = ("幸福建", "隆重庆", "黄河南", "黄河北", "洞庭湖南", "洞庭湖北")


@cache
def _place_names() -> dict[str, str]:
    cities = json.loads((Path(__file__).with_name("data") / "cities.json").read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for city, province in cities.items():
        names[city] = province
        if not city.endswith(("市", "州", "盟", "地区", "区")):
            names[city + "市"] = province
    for full, short in _SHORT_NAMES.items():
        names[full] = full
        names[short] = full
    return names


@cache
def _place_regex() -> re.Pattern[str]:
    names = sorted(_place_names(), key=len, reverse=True)
    return re.compile(f"(?P<national>{_NATIONAL_PATTERN})|(?P<place>{'|'.join(map(re.escape, names))})")


def _in_false_friend(text: str, start: int, name: str) -> bool:
    for word in _FALSE_FRIENDS:
        offset = word.find(name)
        if offset >= 0 and start - offset >= 0 and text.startswith(word, start - offset):
            return True
    return False


def province_from_text(text: str) -> str:
    """Guess the province (or 全国) named first in a title or opening text, using province and city names; else ''."""
    if not text:
        return ""
    pattern = _place_regex()
    position = 0
    while match := pattern.search(text, position):
        if match.group("national"):
            return NATIONAL
        name = match.group("place")
        if not _in_false_friend(text, match.start(), name):
            return _place_names()[name]
        position = match.start() + 1
    return ""
