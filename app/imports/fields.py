"""What a column of a hand-kept register can be brought in as, the names offices give it
(Chinese and Tibetan), and reading its values: Chinese dates, risk colours, channels.

A mapping is ``{field code: column position}``; :func:`propose` fills it from the header's
names, and the person checks it on screen.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.core.i18n import N_
from app.core.labels import Vocabulary
from app.ledger.rules import Level


class Kind(Vocabulary):
    PETITIONS = "petitions", N_("Petition register (信访登记簿)")
    LEDGER = "ledger", N_("Key-petitioner ledger (重点信访人员台账)")


@dataclass(frozen=True)
class Field:
    code: str
    label: str  # N_ message
    names: tuple[str, ...]  # what offices call the column, best first
    required: bool = False


_PERSON = (
    Field("name_zh", N_("Name (Chinese)"),
          ("姓名", "信访人", "信访人姓名", "来访人", "来访人姓名", "当事人", "姓名（汉文）",
           "汉文姓名", "名字", "མིང་", "མིང"), required=True),
    Field("name_bo", N_("Name (Tibetan)"),
          ("藏文姓名", "姓名（藏文）", "藏文名", "བོད་ཡིག་གི་མིང་", "བོད་མིང་")),
    Field("id_number", N_("ID number"),
          ("身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码", "身份号码",
           "ངོ་སྤྲོད་ལག་ཁྱེར་ཨང་", "ངོ་སྤྲོད་ལག་ཁྱེར་གྱི་ཨང་གྲངས་", "ངོ་སྤྲོད་ལག་ཁྱེར")),
    Field("sex", N_("Sex"), ("性别", "ཕོ་མོ", "ཕོ་མོའི་དབྱེ་བ")),
    Field("phone", N_("Phone"),
          ("联系电话", "电话", "电话号码", "手机", "手机号", "手机号码", "联系方式", "ཁ་པར་",
           "ཁ་པར་ཨང་གྲངས་", "ཁ་པར")),
    Field("address", N_("Address"),
          ("住址", "家庭住址", "现住址", "户籍地址", "地址", "住所", "居住地", "སྡོད་གནས་",
           "གནས་ཡུལ་")),
)

_PETITION = (
    Field("reg_no", N_("Registration number"),
          ("登记编号", "登记号", "编号", "信访编号", "案号", "ཐོ་འགོད་ཨང་རྟགས་")),
    Field("received_at", N_("Date received"),
          ("登记日期", "来访日期", "来信日期", "接待日期", "受理日期", "收到日期", "信访日期",
           "时间", "日期", "登记时间", "来访时间", "ཟླ་ཚེས་", "ཐོ་འགོད་ཟླ་ཚེས་"), required=True),
    Field("channel", N_("Channel"),
          ("来访方式", "信访方式", "信访形式", "方式", "渠道", "来源", "形式", "ཡོང་ལམ་")),
    Field("category", N_("Category"), ("信访类别", "类别", "性质", "问题类别", "རིགས་")),
    Field("business_type", N_("Business type"), ("业务类别", "业务类型", "案件类型", "案件类别")),
    Field("summary", N_("What the petition is about"),
          ("反映问题", "主要问题", "反映的主要问题", "信访事项", "事由", "反映内容", "问题",
           "简要案情", "信访内容", "ཞུ་གཏུག་གནད་དོན་", "གནད་དོན་"), required=True),
    Field("requests", N_("Requests"),
          ("诉求", "主要诉求", "信访诉求", "请求", "诉求内容", "རེ་འདུན་")),
    Field("original_case_no", N_("Original case number"), ("原案号", "原案件号", "原审案号")),
    Field("leader", N_("Leader in charge"), ("包案领导", "包案院领导", "领导", "ལས་འཛིན་འགོ་ཁྲིད་")),
    Field("handling", N_("Handling procurator"),
          ("承办人", "承办检察官", "承办人员", "经办人", "责任人", "专办人")),
    Field("answered_on", N_("Date answered"),
          ("办结日期", "答复日期", "办结时间", "结案日期", "答复时间")),
)

_LEDGER = (
    Field("entered_on", N_("Date entered in the ledger"),
          ("列管日期", "列管时间", "纳入日期", "纳入时间", "登记日期", "登记时间", "建档日期",
           "时间", "日期", "ཟླ་ཚེས་")),
    Field("reason", N_("Why the person is in the ledger"),
          ("列管原因", "纳入原因", "列管理由", "列为重点原因", "反映问题", "主要问题",
           "信访事项", "ཞུ་གཏུག་གནད་དོན་", "གནད་དོན་")),
    Field("situation", N_("Current situation"),
          ("目前状况", "目前情况", "现状", "近期状况", "稳控情况", "近期动态", "当前状态",
           "ད་ལྟའི་གནས་སྟངས་")),
    Field("demands", N_("Demands"), ("诉求", "主要诉求", "信访诉求", "请求", "རེ་འདུན་")),
    Field("level", N_("Risk level"),
          ("风险等级", "预警等级", "风险预警等级", "等级", "预警", "颜色", "三色预警",
           "ཉེན་ཁའི་རིམ་པ་", "ཉེན་བརྡའི་རིམ་པ་")),
    Field("leader", N_("Leader in charge"), ("包案领导", "包案院领导", "领导", "ལས་འཛིན་འགོ་ཁྲིད་")),
    Field("responsible", N_("Staff member responsible"),
          ("责任人", "专办人", "稳控责任人", "包案责任人", "承办人", "联系人", "འགན་འཛིན་པ་")),
)


def fields_of(kind: str) -> tuple[Field, ...]:
    """The fields a register of this kind can fill, the person's first."""
    return _PERSON + (_LEDGER if kind == Kind.LEDGER else _PETITION)


_ALL_NAMES = frozenset(n for group in (_PERSON, _PETITION, _LEDGER) for f in group
                       for n in f.names)
_PUNCTUATION = re.compile(r"[\s*:：、,，.。()（）\[\]【】“”\"'‘’་།]+")


def _plain(name: str) -> str:
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", name))


_PLAIN_NAMES = frozenset(_plain(n) for n in _ALL_NAMES)


def header_score(cells: Sequence[str]) -> int:
    """How many cells of a row are names of known fields (the header row names the most)."""
    return sum(1 for cell in cells if cell and _plain(cell) in _PLAIN_NAMES)


def _score(column: str, field: Field) -> tuple[int, int] | None:
    """How well a column's name fits a field: (strength, the name's rank); None when not."""
    leaf = _plain(column.rsplit("/", 1)[-1])
    whole = _plain(column)
    for rank, name in enumerate(field.names):
        if _plain(name) == leaf:
            return 3, rank
    for rank, name in enumerate(field.names):
        if _plain(name) == whole:
            return 2, rank
    for rank, name in enumerate(field.names):
        plain = _plain(name)
        if len(plain) >= 2 and plain in leaf:
            return 1, rank
    return None


def propose(kind: str, columns: Sequence[str]) -> dict[str, int]:
    """The mapping the header's names suggest: each field to at most one column, each column
    to at most one field, the closest names first."""
    fits = []
    for order, field in enumerate(fields_of(kind)):
        for position, column in enumerate(columns):
            score = _score(column, field)
            if score is not None:
                fits.append((-score[0], score[1], order, position, field.code))
    mapping: dict[str, int] = {}
    taken: set[int] = set()
    for *_rank, position, code in sorted(fits):
        if code not in mapping and position not in taken:
            mapping[code] = position
            taken.add(position)
    return mapping


# -- values ----------------------------------------------------------------------------------
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$")
_DATE = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*[日号]?"
                   r"(?:\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})\s*分?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_DATE = re.compile(r"^([〇零○ＯO一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月"
                      r"([一二三四五六七八九十]{1,3})[日号]$")
# Excel counts days from 1899-12-30; a number in a date column is such a count.
_EXCEL_EPOCH = date(1899, 12, 30)


def _cn_number(text: str) -> int:
    import cn2an

    return int(cn2an.cn2an(text, "smart"))


def parse_moment(value: str) -> datetime | None:
    """A day (and a time, when written) as registers write them: 2023-05-06, 2023年5月6日,
    2023.5.6, 2023/5/6, 20230506, 二〇二三年五月六日, or a date cell's day count; None when
    it is not a date that exists."""
    text = unicodedata.normalize("NFKC", value).strip() if value else ""
    if not text:
        return None
    try:
        match = _ISO.match(text) or _DATE.match(text) or _COMPACT.match(text)
        if match:
            parts = [int(p) if p else 0 for p in match.groups()]
            parts += [0] * (5 - len(parts))
            return datetime(parts[0], parts[1], parts[2], parts[3], parts[4])
        match = _CN_DATE.match(text.replace(" ", ""))
        if match:
            year = int("".join(str(_CN_DIGITS[c]) for c in match.group(1)))
            return datetime(year, _cn_number(match.group(2)), _cn_number(match.group(3)))
        if text.isdigit() and 20000 <= int(text) <= 80000:
            day = _EXCEL_EPOCH + timedelta(days=int(text))
            return datetime(day.year, day.month, day.day)
    except ValueError:
        return None
    return None


def looks_like_value(cell: str) -> bool:
    """Whether a cell holds a record's value rather than a column's name (a date, a number)."""
    text = cell.strip()
    return bool(text) and (parse_moment(text) is not None or text.replace(".", "").isdigit())


_LEVELS = ((Level.RED, ("红", "紅", "高", "red", "དམར")),
           (Level.YELLOW, ("黄", "黃", "橙", "中", "yellow", "སེར")),
           (Level.GREEN, ("绿", "綠", "低", "green", "ལྗང")))


def parse_level(value: str) -> str | None:
    """red, yellow or green from 红/黄/绿 (红色, 红色预警 …), Tibetan or English; "" when blank,
    None when it is none of them."""
    text = value.strip().lower()
    if not text:
        return ""
    for level, marks in _LEVELS:
        if any(text.startswith(mark) for mark in marks):
            return str(level)
    return None


_CHANNELS = (("higher", ("交办", "转办", "上级", "转送", "交转")),
             ("web", ("网", "12309", "微信", "邮件")),
             ("video", ("视频",)),
             ("phone", ("电话", "热线")),
             ("letter", ("信", "邮寄")),
             ("visit", ("访", "面谈", "接待", "当面")))


def parse_channel(value: str) -> str | None:
    """letter, visit, phone, web, video or higher from what registers write (来信、来访、网上
    信访、电话、视频、上级交办); "" when blank, None when none fits."""
    text = value.strip()
    if not text:
        return ""
    for code, marks in _CHANNELS:
        if any(mark in text for mark in marks):
            return code
    return None


_CATEGORIES = (("accusation", ("控告", "举报", "检举")),
               ("appeal", ("申诉", "求决", "诉求")),
               ("suggestion", ("建议", "意见")))
_BUSINESS = (("criminal_appeal", ("刑事申诉", "刑事")),
             ("civil_supervision", ("民事",)),
             ("administrative", ("行政",)),
             ("judicial_aid", ("司法救助", "救助")),
             ("public_interest", ("公益",)),
             ("support_lawsuit", ("支持起诉",)),
             ("state_compensation", ("国家赔偿", "赔偿")))


def parse_category(value: str) -> str:
    """accusation, appeal or suggestion; "" when it names none of them."""
    for code, marks in _CATEGORIES:
        if any(mark in value for mark in marks):
            return code
    return ""


def parse_business_type(value: str) -> str:
    """One of the business types; "other" for text that names none; "" when blank."""
    if not value.strip():
        return ""
    for code, marks in _BUSINESS:
        if any(mark in value for mark in marks):
            return code
    return "other"


def parse_sex(value: str) -> str:
    text = value.strip()
    if text in ("男", "M", "m", "ཕོ"):
        return "M"
    if text in ("女", "F", "f", "མོ"):
        return "F"
    return ""


_PLACE = re.compile(r"^(?P<county>.+?[县市区旗])?(?P<township>.+?[乡镇])?(?P<village>.+?村)?"
                    r"(?P<rest>.*)$")


def split_address(value: str) -> tuple[str, str, str, str]:
    """(county, township, village, the rest) from an address such as 达日县吉迈镇查干村二社."""
    text = "".join(value.split())
    match = _PLACE.match(text)
    if match is None or not (match["county"] or match["township"] or match["village"]):
        return "", "", "", text
    return (match["county"] or "", match["township"] or "", match["village"] or "",
            match["rest"] or "")
