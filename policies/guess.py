"""Guess a policy document's attributes from its file name and opening lines, for the import form to prefill (pure)."""

import datetime
import logging
import re
from pathlib import PurePosixPath

from policies.provinces import province_from_text
from policies.structure import chinese_numeral_to_int

logger = logging.getLogger(__name__)

OPENING_LINES = 40
OPENING_CHARS = 2000
HEAD_LINES = 6  # a title, issuer, 文号 and date block comes before the body starts
LIMITS = {"title": 500, "issuer": 200, "doc_number": 100}

_CJK = r"\u3400-\u9fff"
_DIGIT = "0-9０-９"
_CN_DIGIT = "〇○零O０一二三四五六七八九"
_CN_NUMBER = "一二三四五六七八九十"

_ISSUER_SUFFIX = (
    r"(?:人民代表大会常务委员会|人民代表大会|常务委员会|人民政府办公厅|人民政府办公室|人民政府|国务院办公厅|国务院"
    r"|办公厅|办公室|委员会|政府|局|厅|委|部|署|办|中心)"
)
# "X关于印发…" / "X印发《…》的通知": the issuer opens the notice title.
_ISSUER_OPENING = re.compile(rf"^(?P<issuer>[{_CJK}、 ]{{2,60}}?{_ISSUER_SUFFIX})(?:关于|印发|转发|颁布|发布)")
_ISSUER_LINE = re.compile(rf"^(?!关于)[{_CJK}、 ]{{2,60}}{_ISSUER_SUFFIX}$")
# "（2021年11月25日上海市第十五届人民代表大会常务委员会第三十七次会议通过）"
_CONGRESS = re.compile(
    rf"(?<![{_CJK}])(?P<place>[{_CJK}]{{2,12}}?(?:省|市|自治区|自治州|州|县|区|盟))?"
    rf"第[{_CN_NUMBER}\d]+届(?P<body>(?:全国)?人民代表大会(?:常务委员会)?)第[{_CN_NUMBER}\d]+次(?:全体)?会议"
)
# "中华人民共和国国务院令第716号公布"; 主席令 promulgates laws the congress passed, so it names no issuer.
_DECREE = re.compile(
    rf"(?<![{_CJK}])(?:中华人民共和国)?(?P<body>[{_CJK}]{{2,20}}?)令\s*第\s*(?P<number>[{_DIGIT}]+|[{_CN_NUMBER}百零〇]+)\s*号"
)
_BRACKETED_NUMBER = re.compile(
    rf"(?<![{_CJK}])(?P<prefix>[{_CJK}]{{1,10}})\s*[〔\[［（(【]\s*(?P<year>[{_DIGIT}]{{4}})\s*[〕\]］）)】]"
    rf"\s*(?P<number>[{_DIGIT}]{{1,5}})\s*号"
)

_DATE = re.compile(
    rf"(?P<y>[{_DIGIT}]{{4}})\s*年\s*(?P<m>[{_DIGIT}]{{1,2}})\s*月\s*(?P<d>[{_DIGIT}]{{1,2}})\s*日"
    rf"|(?<![{_DIGIT}])(?P<iy>[{_DIGIT}]{{4}})[-/.](?P<im>[{_DIGIT}]{{1,2}})[-/.](?P<id>[{_DIGIT}]{{1,2}})(?![{_DIGIT}])"
    rf"|(?P<cy>[{_CN_DIGIT}]{{4}})\s*年\s*(?P<cm>[{_CN_NUMBER}]{{1,3}})\s*月\s*(?P<cd>[{_CN_NUMBER}]{{1,3}})\s*日"
)
# What follows a date up to the end of its clause says what the date is of; 施行 (entry into force) is not issue.
_DATE_ACTION = re.compile(r"通过|公布|发布|印发|修订|修正|批准|颁布|签发")
_CLAUSE_END = re.compile(r"[。；;，,）)\n]")
_FILENAME_DATE = re.compile(r"[(（]\s*\d{4}\s*[-_.年]\s*\d{1,2}\s*[-_.月]\s*\d{1,2}\s*日?\s*[)）]")

_NOTICE = re.compile(
    r"(?:印发|转发|颁布|发布)\s*(?:《(?P<quoted>[^《》]+)》|(?P<bare>.+?))\s*的(?:通知|决定|通告|公告)"
)
_QUOTED_LINE = re.compile(r"^《(?P<title>[^《》]+)》\s*(?:[（(][^（）()]*[）)])?$")
_SENTENCE_PUNCTUATION = re.compile(r"[。；;！!？?：:]")
_SECTION_HEADING = re.compile(
    rf"^第[{_CN_NUMBER}百零〇两{_DIGIT}]+[编章节条]|^[{_CN_NUMBER}]+、|^[（(][{_CN_NUMBER}]+[）)]"
)
_TRAILING_PARENTHESES = re.compile(r"\s*(?:[（(][^（）()]*[）)]\s*)+$")
_MARKDOWN = re.compile(r"^[#>*\s]+|[*\s]+$")
_NOT_TITLES = {"目录", "公告", "通知", "命令", "令"}
_TYPE_ENDINGS = (
    ("细则", "细则"),
    ("条例", "条例"),
    ("办法", "办法"),
    ("规定", "规定"),
    ("意见", "意见"),
    ("规划", "规划"),
    ("纲要", "规划"),
    ("方案", "方案"),
    ("计划", "方案"),  # an action plan (行动计划) is a programme of tasks, like a 方案
    ("通知", "通知"),
    ("决定", "决定"),
    ("决议", "决议"),
    ("指引", "指引"),
    ("标准", "标准"),
    ("法律", "法律"),
    ("法", "法律"),  # 中华人民共和国数据安全法; 办法 is matched above, and a 方法 or 算法 is no law
)
_NOT_LAWS = ("方法", "算法", "做法", "用法", "写法", "说法", "看法", "想法")


def _opening_lines(text: str) -> list[str]:
    lines: list[str] = []
    for raw in text[:OPENING_CHARS].splitlines()[:OPENING_LINES]:
        line = _MARKDOWN.sub("", raw)
        if not line:
            continue
        # a title broken inside its 《…》 (as PDFs and Word line wrapping leave it) is one line
        if lines and lines[-1].count("《") > lines[-1].count("》") and len(lines[-1]) + len(line) <= 120:
            lines[-1] += line
        else:
            lines.append(line)
    return lines


def _head(lines: list[str]) -> list[str]:
    """The lines before the body starts (a heading, a sentence, or an addressee line)."""
    head = []
    for line in lines[:HEAD_LINES]:
        if _SECTION_HEADING.match(line) or "。" in line or line.endswith(("：", ":")):
            break
        head.append(line)
    return head


def _stem(filename: str) -> str:
    name = PurePosixPath(filename.replace("\\", "/")).name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and re.fullmatch(r"[A-Za-z0-9]{1,5}", extension):
        name = stem
    return _FILENAME_DATE.sub("", name).strip(" _-")


def _is_title_like(line: str) -> bool:
    return (
        len(line) <= 80
        and re.search(f"[{_CJK}]", line) is not None
        and not _SENTENCE_PUNCTUATION.search(line)
        and not _SECTION_HEADING.match(line)
        and not _DATE.match(line)
        and not _BRACKETED_NUMBER.fullmatch(line)
        and not _ISSUER_LINE.match(line)
        and not line.startswith(("（", "("))
        and line.replace(" ", "") not in _NOT_TITLES
    )


def _title(lines: list[str], stem: str) -> tuple[str, str]:
    """Return the title and the title whose ending gives the policy type (the X of 关于印发《X》的通知)."""
    for source in (_head(lines), [stem]):
        for line in source:
            notice = _NOTICE.search(line)
            if notice and len(line) <= 120 and not _SENTENCE_PUNCTUATION.search(line):
                issued = notice.group("quoted") or notice.group("bare")
                # an unquoted 印发X的通知 only names a document when X ends like one (not 做好数据发布工作的通知)
                return line, issued if notice.group("quoted") or _policy_type(issued) not in ("其他", "通知") else line
            quoted = _QUOTED_LINE.match(line)
            if quoted:
                return quoted.group("title"), quoted.group("title")
    for line in _head(lines):
        if _is_title_like(line):
            return line, line
    return stem, stem


def _policy_type(title: str) -> str:
    bare = _TRAILING_PARENTHESES.sub("", title).strip(' 》”"')
    for ending, policy_type in _TYPE_ENDINGS:
        if bare.endswith(ending) and not (ending == "法" and bare.endswith(_NOT_LAWS)):
            return policy_type
    return "其他" if re.search(f"[{_CJK}]", bare) else ""


def _issuer(lines: list[str]) -> str:
    head = _head(lines)
    for line in lines:
        congress = _CONGRESS.search(_DATE.sub(" ", line))  # 2021年11月25日上海市…: 日 is not part of the place
        if congress:
            return (congress.group("place") or "") + congress.group("body")
        decree = _DECREE.search(line)
        if decree and decree.group("body") != "主席" and not _SENTENCE_PUNCTUATION.search(line):
            return decree.group("body")
        if line in head:
            opening = _ISSUER_OPENING.match(line)
            if opening:
                return opening.group("issuer").strip()
        if _ISSUER_LINE.match(line):
            return line
    return ""


def _body_type(body: str) -> str:
    if "人民代表大会" in body or "人大" in body:
        return "人大及其常委会"
    if body.startswith(("中共", "中国共产党")) or "党委" in body or body.endswith("省委办公厅"):
        return "其他"
    if body in ("国务院", "国务院办公厅") or re.search(r"(?:人民政府|政府)(?:办公厅|办公室)?$", body):
        return "人民政府"
    if re.search(r"(?:局|厅|委员会|委|办公室|办|部|署|中心)$", body):
        return "政府部门"
    return "其他"


def _issuer_type(issuer: str) -> str:
    """Classify an issuer as 人民政府, 人大及其常委会, 政府部门 or 其他; joint issuers of different kinds are 其他."""
    kinds = {_body_type(body) for body in re.split(r"[\s、]+", issuer) if body}
    if not kinds:
        return ""
    return kinds.pop() if len(kinds) == 1 else "其他"


def _date(year: str, month: str, day: str) -> datetime.date | None:
    try:
        value = datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None
    return value if 1949 <= value.year <= 2100 else None


def _match_date(match: re.Match[str]) -> datetime.date | None:
    if match.group("y"):
        return _date(match.group("y"), match.group("m"), match.group("d"))
    if match.group("iy"):
        return _date(match.group("iy"), match.group("im"), match.group("id"))
    year = "".join("0" if ch in "〇○零O０" else str(chinese_numeral_to_int(ch)) for ch in match.group("cy"))
    month, day = chinese_numeral_to_int(match.group("cm")), chinese_numeral_to_int(match.group("cd"))
    if month is None or day is None:
        return None
    return _date(year, str(month), str(day))


def _issue_date(lines: list[str], filename: str) -> tuple[datetime.date | None, int | None]:
    """Return the issue date and the index of the line it came from (None when from the file name)."""
    acted: list[tuple[datetime.date, int]] = []
    standalone: list[tuple[datetime.date, int]] = []
    for index, line in enumerate(lines):
        for match in _DATE.finditer(line):
            value = _match_date(match)
            if value is None:
                continue
            clause = _CLAUSE_END.split(line[match.end() :], maxsplit=1)[0]
            if _DATE_ACTION.search(clause):
                acted.append((value, index))
            elif not line[match.end() :].strip("（）() \u3000") and "。" not in line:
                standalone.append((value, index))  # a dated signature line, or a date line of its own
    if acted:
        return max(acted)  # the latest of 通过/公布/修订: the version the text is
    if standalone:
        return standalone[0]
    for match in _DATE.finditer(PurePosixPath(filename.replace("\\", "/")).name):
        value = _match_date(match)
        if value:
            return value, None
    return None, None


def _doc_numbers(line: str) -> list[str]:
    found = [
        (match.start(), f"{match.group('prefix')}〔{int(match.group('year'))}〕{int(match.group('number'))}号")
        for match in _BRACKETED_NUMBER.finditer(line)
    ]
    found += [
        (match.start(), f"{match.group('body')}令第{match.group('number')}号")
        for match in _DECREE.finditer(line)
        if len(match.group("body")) <= 12
    ]
    return [number for _start, number in sorted(found)]


def _doc_number(lines: list[str], filename: str, date_line: int | None) -> str:
    if date_line is not None and _doc_numbers(lines[date_line]):
        return _doc_numbers(lines[date_line])[0]
    for line in [_stem(filename), *(line for line in lines if len(line) <= 80 and "。" not in line)]:
        numbers = _doc_numbers(line)
        if numbers:
            return numbers[0]
    return ""


def _guess(filename: str, text: str) -> dict:
    lines = _opening_lines(text)
    stem = _stem(filename)
    title, typed_title = _title(lines, stem)
    issuer = _issuer(lines)
    issue_date, date_line = _issue_date(lines, filename)
    province = province_from_text(title) or province_from_text(issuer) or province_from_text("\n".join(lines))
    return {
        "title": title[: LIMITS["title"]],
        "province": province,
        "issuer": issuer[: LIMITS["issuer"]],
        "issuer_type": _issuer_type(issuer),
        "issue_date": issue_date,
        "doc_number": _doc_number(lines, filename, date_line)[: LIMITS["doc_number"]],
        "policy_type": _policy_type(typed_title),
    }


def guess_attributes(filename: str, text: str) -> dict:
    """Guess title, province, issuer, issuer_type, issue_date, doc_number and policy_type; blank where unsure."""
    try:
        return _guess(filename or "", text or "")
    except Exception:  # a failed guess must not block an import: the researcher fills the form in
        logger.exception("Could not guess attributes of %r", filename)
        stem = _stem(filename or "")
        return dict.fromkeys(("province", "issuer", "issuer_type", "doc_number", "policy_type"), "") | {
            "title": stem,
            "issue_date": None,
        }
