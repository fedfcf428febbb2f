"""Catalogs complete in both scripts, consistent with the glossary; locale formatting."""

from __future__ import annotations

import csv
import string
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.core import i18n
from app.core.formatting import format_date, format_money, format_number
from app.core.tibetan import unknown_cases

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "title_text": None}


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
    return [name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name]


@pytest.mark.parametrize("locale", ["zh_CN", "bo_CN"])
def test_only_tibetan_fields_name_a_case_and_only_a_known_one(locale: str) -> None:
    """A Tibetan translator writes the case of the particle after a name ({name:ins}, see
    locale/README.md); a slip there would stop the message from being shown."""
    problems = []
    for message in catalog(locale):
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in texts:
            if locale == "bo_CN":
                wrong = unknown_cases(str(text))
            else:
                wrong = [spec for _lit, _name, spec, _conv in string.Formatter().parse(str(text))
                         if spec]
            if wrong:
                problems.append(f"{message.id!r}: {wrong}")
    assert problems == []


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


def test_tibetan_catalog_writes_figures_as_the_papers_print_dates() -> None:
    """Figures in Arabic digits, as every date and amount beside them (the 12309 hotline)."""
    strings = [m.string if isinstance(m.string, str) else " ".join(m.string)
               for m in catalog("bo_CN") if m.id]
    assert not [text for text in strings if any("\u0f20" <= ch <= "\u0f29" for ch in text)]
    hotline = [text for text in strings if "ཁ་པར" in text and "12309" in text]
    assert len(hotline) >= 2


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
    assert format_money(1_234_560) == "¥12,345.60"  # once: it reads alike in both scripts
    with pytest.raises(TypeError):
        format_money(12.5)  # type: ignore[arg-type]


def test_a_changed_catalog_is_read_without_writing_into_the_program_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A translator's fix in a .po that setup has not compiled yet is shown at once, and the
    program's own folder (read-only under Program Files) is never written: a .mo missing, or
    older than its .po, is read from the .po."""
    import os
    import shutil
    import stat

    from babel.messages.mofile import write_mo

    from app.core import i18n_build

    copy = tmp_path / "program" / "locale"
    shutil.copytree(ROOT / "locale", copy, ignore=shutil.ignore_patterns("*.mo", "*.tmp"))
    msgid = "Please enter at least one petitioner."
    zh_po = copy / "zh_CN" / "LC_MESSAGES" / "doorstep.po"
    with zh_po.open("rb") as f:
        old = read_po(f, locale="zh_CN")
    expected_zh = old[msgid].string
    old[msgid].string = "旧的译文"
    with (zh_po.with_suffix(".mo")).open("wb") as f:  # compiled before the translator's fix
        write_mo(f, old)
    past = zh_po.stat().st_mtime - 3600
    os.utime(zh_po.with_suffix(".mo"), (past, past))
    expected_bo = catalog("bo_CN")[msgid].string  # bo_CN: no .mo at all

    def snapshot() -> dict[str, tuple[float, int]]:
        return {str(p): (p.stat().st_mtime, p.stat().st_size) for p in copy.rglob("*")}

    before = snapshot()
    folders = [copy, *(p for p in copy.rglob("*") if p.is_dir())]
    for folder in folders:
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    monkeypatch.setattr(i18n, "locale_dir", lambda: copy)
    monkeypatch.setattr(i18n_build, "locale_dir", lambda: copy)
    i18n.catalog.cache_clear()
    try:
        assert i18n.catalog(i18n.ZH).gettext(msgid) == expected_zh
        assert i18n.catalog(i18n.BO).gettext(msgid) == expected_bo
        assert snapshot() == before
    finally:
        for folder in folders:
            folder.chmod(stat.S_IRWXU)
        i18n.catalog.cache_clear()
