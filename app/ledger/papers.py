"""The ledger of key petitioners and a month's screening on paper (A4 landscape) and as Excel
workbooks, in Chinese, Tibetan or both as chosen, whatever the screen's language.

The data are read here (each reading of the ledger is recorded, as the ledger's reading is);
``reports.registry_list`` draws them: the header row repeated on every page, pages numbered,
Tibetan broken after a tsheg or a shad and shaped. The screening's paper ends with the red
persons not resolved, reported to the higher office, and the sign-off lines (制表人, 分管副检察长,
date). A paper printed or saved is recorded by the preview (``trail.printed``); a workbook
written is recorded here (``trail.exported``).
"""

from __future__ import annotations

import gettext
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from babel import dates

from app.audit import trail
from app.core import i18n
from app.core.errors import AppError
from app.core.files import write_atomically
from app.core.i18n import N_
from app.core.labels import Vocabulary
from app.core.store import Store
from app.ledger import entries, screening
from app.ledger.entries import Status
from app.ledger.rules import Level
from reports.registry_list import ListTable

log = logging.getLogger(__name__)

PDF, XLSX = ".pdf", ".xlsx"
LANGUAGES = (i18n.ZH, i18n.BO, i18n.BILINGUAL)
BAD_LANGUAGE = N_("Please choose the language of the paper.")
NOT_XLSX = N_("The table is written as an .xlsx file, not {name}.")

LEDGER_TITLE = N_("Ledger of key petitioners")
SCREENING_TITLE = N_("Monthly screening of key petitioners, {month}")
PAGE_LABEL = N_("Page {page} of {pages}")
UNRESOLVED = N_("Red persons not resolved (reported to the higher office)")
NONE_UNRESOLVED = N_("No red person is left unresolved.")
CLERK = N_("Made by (clerk)")
DEPUTY = N_("Deputy chief procurator in charge")
DATE = N_("Date")
YES, NO = N_("Yes"), N_("No")


@dataclass(frozen=True)
class _Words:
    """The paper's language: its messages and a record's own two-script texts."""

    language: str
    catalog: gettext.NullTranslations

    def __call__(self, message: str) -> str:
        return self.catalog.gettext(message)

    def name(self, zh: str, bo: str) -> str:
        if self.language == i18n.BO:
            return bo or zh
        if self.language == i18n.BILINGUAL and bo and zh and bo != zh:
            return f"{bo} / {zh}"
        return zh or bo

    def with_month(self, message: str, month: str) -> str:
        """``message`` with its {month} ("2026-12") written as each script writes a month:
        2026年12月 or 2026 ཟླ་བ་བཅུ་གཉིས་པ (Arabic digits, as every date on the papers)."""
        def each(script: str) -> str:
            text = i18n.catalog(script).gettext(message)
            return text.format(month=_month_text(month, script))

        if self.language == i18n.BILINGUAL:
            return f"{each(i18n.BO)}{i18n.BILINGUAL_SEPARATOR}{each(i18n.ZH)}"
        return each(self.language)

    def label(self, vocabulary: type[Vocabulary], code: str) -> str:
        member = vocabulary.lookup(code)
        return self(member.message) if member is not None else code

    def labelled(self, label: str, value_zh: str, value_bo: str = "") -> str:
        """A label and its value, punctuated for the script (the Tibetan label ends with its
        own shad); bilingual: the Tibetan, then the Chinese."""
        bo = f"{i18n.catalog(i18n.BO).gettext(label)} {value_bo or value_zh}"
        zh = f"{i18n.catalog(i18n.ZH).gettext(label)}：{value_zh or value_bo}"
        return {i18n.ZH: zh, i18n.BO: bo}.get(self.language, f"{bo}   {zh}")


def _month_text(month: str, script: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    if script == i18n.ZH:
        return f"{year}年{number}月"
    return str(dates.format_date(date(year, number, 1), format="yyyy MMMM",
                                 locale=i18n.BABEL_LOCALES[i18n.BO]))


def _words(language: str) -> _Words:
    if language not in LANGUAGES:
        raise AppError(BAD_LANGUAGE)
    return _Words(language, i18n.translations(language))


# -- the ledger --------------------------------------------------------------------------------
LEDGER_COLUMNS: list[tuple[str, float, Callable[[_Words, entries.LedgerRow], str]]] = [
    (N_("Name"), 1.6, lambda w, r: w.name(r.name_zh, r.name_bo)),
    (N_("Risk level"), 0.95, lambda w, r: w.label(Level, r.level)),
    (N_("Status"), 0.95, lambda w, r: w.label(Status, r.status)),
    (N_("Why in the ledger"), 2.6, lambda w, r: r.reason),
    (N_("Entered on"), 1.0, lambda w, r: r.entered_on),
    (N_("Staff member responsible"), 1.1,
     lambda w, r: w.name(r.responsible_zh, r.responsible_bo)),
    (N_("Leader in charge"), 1.1, lambda w, r: w.name(r.leader_zh, r.leader_bo)),
    (N_("Last movement"), 1.0, lambda w, r: r.last_movement_on),
]
NUMBER = N_("No.")


def _signoff(w: _Words, clerk: tuple[str, str] = ("", ""), clerk_on: str = "",
             deputy: tuple[str, str] = ("", ""), deputy_on: str = "") -> list[str]:
    """The sign-off lines (制表人, 分管副检察长, each with the date), filled in with who signed
    and when, else blanks to sign by hand; bilingual: a Tibetan line over a Chinese line."""
    blank = "＿＿＿＿＿＿"
    found: list[str] = []
    for label, (zh, bo), day in ((CLERK, clerk, clerk_on), (DEPUTY, deputy, deputy_on)):
        scripts = (i18n.BO, i18n.ZH) if w.language == i18n.BILINGUAL else (w.language,)
        for script in scripts:
            one = _Words(script, i18n.translations(script))
            found.append(one.labelled(label, zh or bo or blank, bo or zh or blank) + "      "
                         + one.labelled(DATE, day or blank))
        found.append("")
    return found[:-1]


def ledger_table(store: Store, office_id: str, language: str) -> ListTable:
    """The office's current ledger (red first), in ``language``; reading it is recorded."""
    w = _words(language)
    rows = entries.ledger(store, office_id)
    office_zh, office_bo = _office(store, office_id)
    return ListTable(
        w(LEDGER_TITLE), [w.name(office_zh, office_bo)],
        [w(NUMBER), *(w(h) for h, _s, _c in LEDGER_COLUMNS)],
        [(str(n), *(cell(w, r) for _h, _s, cell in LEDGER_COLUMNS))
         for n, r in enumerate(rows, start=1)],
        (0.4, *(s for _h, s, _c in LEDGER_COLUMNS)), w(PAGE_LABEL),
        sheet=i18n.catalog(i18n.ZH).gettext(LEDGER_TITLE) if language != i18n.BO
        else "Ledger", closing=tuple(["", *_signoff(w)]))


def _office(store: Store, office_id: str) -> tuple[str, str]:
    from models import Office

    with store.read() as session:
        office = session.get(Office, office_id)
        return (office.name_zh, office.name_bo) if office is not None else ("", "")


# -- the month's screening ---------------------------------------------------------------------
SCREENING_COLUMNS: list[tuple[str, float, Callable[[_Words, screening.ScreeningLine], str]]] = [
    (N_("Name"), 1.5, lambda w, r: w.name(r.name_zh, r.name_bo)),
    (N_("Risk level"), 0.95, lambda w, r: w.label(Level, r.level)),
    (N_("Situation this month"), 2.3, lambda w, r: r.situation),
    (N_("Work this month"), 2.3, lambda w, r: r.work),
    (N_("Leader in charge"), 1.2, lambda w, r: w.name(r.leader_zh, r.leader_bo)),
    (N_("Deadline"), 1.0, lambda w, r: r.deadline),
    (N_("Resolved"), 0.75, lambda w, r: w(YES) if r.resolved else w(NO)),
]


def screening_table(store: Store, screening_id: str, language: str) -> ListTable:
    """A month's screening in ``language``: its rows, the red persons not resolved, the
    sign-off lines (filled in with who signed, and when)."""
    w = _words(language)
    d = screening.screening_detail(store, screening_id)
    unresolved = [f"{n}. {w.name(r.name_zh, r.name_bo)}"
                  + (f" — {r.situation}" if r.situation else "")
                  for n, r in enumerate(d.unresolved_red, start=1)]
    closing = ["", w(UNRESOLVED), *(unresolved or [w(NONE_UNRESOLVED)]), "",
               *_signoff(w, (d.clerk_zh, d.clerk_bo), d.signed_by_clerk_on,
                         (d.deputy_zh, d.deputy_bo), d.signed_by_deputy_on)]
    return ListTable(
        w.with_month(SCREENING_TITLE, d.month), [w.name(d.office_zh, d.office_bo)],
        [w(NUMBER), *(w(h) for h, _s, _c in SCREENING_COLUMNS)],
        [(str(n), *(cell(w, r) for _h, _s, cell in SCREENING_COLUMNS))
         for n, r in enumerate(d.rows, start=1)],
        (0.4, *(s for _h, s, _c in SCREENING_COLUMNS)), w(PAGE_LABEL),
        sheet=d.month, closing=tuple(closing))


def _pdf(table: ListTable) -> bytes:
    from app.core.fonts import shipped_fonts
    from reports.registry_list import render_list_pdf

    return render_list_pdf(table, shipped_fonts())


def render_ledger_pdf(store: Store, office_id: str, language: str) -> bytes:
    return _pdf(ledger_table(store, office_id, language))


def render_screening_pdf(store: Store, screening_id: str, language: str) -> bytes:
    return _pdf(screening_table(store, screening_id, language))


def _check_xlsx(out: Path) -> None:
    if out.suffix.lower() != XLSX:
        raise AppError(NOT_XLSX, name=out.name)


def _write(store: Store, table: ListTable, out: Path, what: str, **more: str) -> int:
    from reports.registry_list import render_xlsx

    write_atomically(out, render_xlsx(table))
    log.info("%s written: %d rows to %s", what, len(table.rows), out)
    trail.exported(store, what, file=out.name, count=len(table.rows), **more)
    return len(table.rows)


def save_ledger_xlsx(store: Store, office_id: str, language: str, out: Path) -> int:
    """The ledger as a workbook (written whole or not at all); the number of persons."""
    _check_xlsx(out)
    return _write(store, ledger_table(store, office_id, language), out,
                  "key_petitioner_ledger", office=office_id)


def save_screening_xlsx(store: Store, screening_id: str, language: str, out: Path) -> int:
    """A month's screening as a workbook; the number of rows."""
    _check_xlsx(out)
    return _write(store, screening_table(store, screening_id, language), out,
                  "monthly_screening", screening=screening_id)
