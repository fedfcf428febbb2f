"""Catalogs complete in both scripts, consistent with the glossary; locale formatting."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.core import i18n
from app.core.formatting import format_date, format_money, format_number

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def source_messages() -> set[tuple[str | None, str]]:
    found: set[tuple[str | None, str]] = set()
    for folder in ("app", "ui", "reports", "demo"):
        for _file, _line, message, _comments, context in extract_from_dir(
                ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS):
            msgid = message[0] if isinstance(message, tuple) else message
            found.add((context, msgid))
    return found


def catalog(locale: str):  # type: ignore[no-untyped-def]
    with (ROOT / "locale" / locale / "LC_MESSAGES" / "doorstep.po").open("rb") as f:
        return read_po(f, locale=locale)


@pytest.mark.parametrize("locale", ["zh_CN", "bo_CN"])
def test_every_source_message_is_translated(locale: str) -> None:
    messages = source_messages()
    assert len(messages) > 50
    cat = catalog(locale)
    problems = []
    for context, msgid in sorted(messages, key=lambda m: m[1]):
        entry = cat.get(msgid, context=context)
        if entry is None:
            problems.append(f"missing: {msgid!r}")
        elif not entry.string or entry.fuzzy:
            problems.append(f"untranslated or fuzzy: {msgid!r}")
        elif "{" in msgid and set(_fields(msgid)) != set(_fields(str(entry.string))):
            problems.append(f"placeholders differ: {msgid!r}")
    assert not problems, "\n".join(problems)


def _fields(text: str) -> list[str]:
    import string

    return [name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name]


def test_tibetan_catalog_is_in_tibetan_script() -> None:
    import re

    cat = catalog("bo_CN")
    # Messages with words in them (not just "{name} ({role})").
    worded = [m for m in cat if m.id and re.search(
        r"[A-Za-z]", re.sub(r"\{\w+\}", "", m.id if isinstance(m.id, str) else m.id[0]))]
    strings = {m.id if isinstance(m.id, str) else m.id[0]:
               m.string if isinstance(m.string, str) else m.string[0] for m in worded}
    latin = [key for key, text in strings.items()
             if not any("\u0f00" <= ch <= "\u0fff" for ch in text)]
    # Only the product's name stays as it is, and units written the same in every script.
    assert [k for k in latin if k not in ("{n} KB", "{n} MB")] == ["Doorstep"]


def test_catalogs_follow_the_glossary() -> None:
    with (ROOT / "locale" / "glossary.csv").open(encoding="utf-8") as f:
        terms = sorted(csv.DictReader(f), key=lambda t: -len(t["zh"]))
    assert {"zh", "bo", "en", "status"} <= set(terms[0])
    zh, bo = catalog("zh_CN"), catalog("bo_CN")
    problems = []
    for message in zh:
        if not message.id:
            continue
        zh_text = str(message.string)
        bo_text = str(bo.get(message.id, context=message.context).string)
        for term in terms:  # longest first, so 副检察长 is not also checked as 检察长
            if term["zh"] in zh_text:
                if term["bo"] not in bo_text:
                    problems.append(f"{message.id!r}: {term['zh']} should be {term['bo']}")
                zh_text = zh_text.replace(term["zh"], "")
    assert not problems, "\n".join(problems)


def test_modes_translate_and_bilingual_shows_both_scripts() -> None:
    i18n.set_mode(i18n.ZH)
    assert i18n._("People") == "人员"
    i18n.set_mode(i18n.BO)
    assert i18n._("People") == "མི་སྣ།"
    i18n.set_mode(i18n.BILINGUAL)
    assert i18n._("People") == "མི་སྣ། / 人员"
    assert i18n._("Doorstep") == "Doorstep"
    assert i18n._("&File") == "ཡིག་ཆ། (&F) / 文件"  # one accelerator, not two
    assert i18n.pick("扎西", "བཀྲ་ཤིས") == "བཀྲ་ཤིས / 扎西"
    assert i18n.pick("王建国", "") == "王建国"


def test_dates_numbers_and_money_follow_the_locale() -> None:
    day = date(2026, 11, 24)
    i18n.set_mode(i18n.ZH)
    assert format_date(day) == "2026年11月24日"
    assert format_money(1_234_560) == "¥12,345.60"
    assert format_number(100000) == "100,000"
    i18n.set_mode(i18n.BO)
    assert "ཟླ་བ་བཅུ་གཅིག་པ" in format_date(day)
    i18n.set_mode(i18n.BILINGUAL)
    both = format_date(day)
    assert "ཟླ་བ་བཅུ་གཅིག་པ" in both and "2026年11月24日" in both
    with pytest.raises(TypeError):
        format_money(12.5)  # type: ignore[arg-type]
