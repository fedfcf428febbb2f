"""The registry's list as files: every petition the filters select (not only those the screen
has loaded), in the columns and the language the screen shows them, as an Excel workbook, a CSV
file or a printed list (PDF, A4 landscape, the filters named under its title).

Each is one read of the store; the texts are written in the display mode of the moment.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from app.audit import trail
from app.core.errors import AppError, NotAllowedError
from app.core.files import write_atomically
from app.core.formatting import format_iso_date, format_number, format_short_datetime
from app.core.fulltext import fts_query
from app.core.i18n import N_, _, labelled, ngettext, pick
from app.core.labels import BusinessType, Category, Channel, PetitionStatus, label
from app.core.progress import SILENT, Progress
from app.core.sqltext import dialect_of
from app.core.store import Store
from app.petitions.registry import RegistryFilter, _conditions, status_of
from models import Office, Person, Petition, PetitionParty
from reports.registry_list import ListTable

log = logging.getLogger(__name__)

XLSX, CSV, PDF = ".xlsx", ".csv", ".pdf"
# A printed list longer than this is refused (the preview holds an image of every page, some
# 5 MB each: too much for an old laptop); the workbook holds any number of rows. Petitions are
# counted first (laying out many thousands would take minutes), then pages (a bilingual list
# takes about three times the pages of a list in one script).
MAX_PRINTED_ROWS = 2000
MAX_PRINTED_PAGES = 50
_CHECK_EVERY = 1000  # rows between two looks at ``is_cancelled``


class RegistryFileError(AppError):
    pass


class TooLongToPrintError(AppError):
    pass


class FileInUseError(NotAllowedError):
    """The file to replace is held open by another program (Excel, on Windows)."""


@dataclass(frozen=True)
class ListedPetition:
    id: str
    reg_no: str
    received_at: str
    channel: str
    category: str
    business_type: str
    summary: str
    names_zh: str
    names_bo: str
    status: str
    reply_due: str
    answer_due: str


# The registry's columns (as ui/petitions/petitions_table_model.py shows them): heading, share
# of a printed page's width, text.
Cell = Callable[[ListedPetition], str]
COLUMNS: list[tuple[str, float, Cell]] = [
    (N_("Registration number"), 1.55, lambda p: p.reg_no),
    (N_("Received"), 1.3, lambda p: format_short_datetime(datetime.fromisoformat(p.received_at))),
    (N_("Petitioners"), 1.5, lambda p: pick(p.names_zh, p.names_bo)),
    (N_("Channel"), 0.8, lambda p: label(Channel, p.channel)),
    (N_("Category"), 0.9, lambda p: label(Category, p.category)),
    (N_("Business type"), 1.1, lambda p: label(BusinessType, p.business_type)),
    (N_("Summary"), 2.75, lambda p: p.summary),
    (N_("Status"), 1.05, lambda p: label(PetitionStatus, p.status)),
    (N_("Reply due"), 0.85, lambda p: "" if p.status != "awaiting_reply"
     else format_iso_date(p.reply_due)),
    (N_("Result due"), 0.85, lambda p: "" if p.status in ("answered", "void")
     else format_iso_date(p.answer_due)),
]


@dataclass(frozen=True)
class RegistryListing:
    petitions: list[ListedPetition]
    office_names: dict[str, tuple[str, str]]


def registry_listing(store: Store, flt: RegistryFilter,
                     today: date | None = None) -> RegistryListing:
    """Every petition the filters select, newest first as the registry lists them, with its
    parties' names: one read."""
    today = today or date.today()
    p = Petition
    # The registry's own conditions: the files hold exactly what the screen lists.
    with store.read() as session:
        conds = _conditions(flt, today, dialect_of(session))
        conn = session.connection()
        rows = conn.execute(
            select(p.id, p.reg_no, p.received_at, p.channel, p.category, p.business_type,
                   p.summary, p.voided_at, p.reply_done_on, p.answer_done_on, p.reply_due,
                   p.answer_due)
            .where(*conds).order_by(p.received_at.desc(), p.id.desc())).all()
        # The parties of the same petitions, read by the same conditions (not a list of ids:
        # a hundred thousand would not go into one statement).
        names: dict[str, tuple[list[str], list[str]]] = {}
        for pid, zh, bo in conn.execute(
                select(PetitionParty.petition_id, Person.name_zh, Person.name_bo)
                .join(Person, Person.id == PetitionParty.person_id)
                .where(PetitionParty.petition_id.in_(select(p.id).where(*conds)),
                       PetitionParty.deleted.is_(False))
                .order_by(PetitionParty.petition_id, PetitionParty.position)):
            entry = names.setdefault(pid, ([], []))
            if zh:
                entry[0].append(zh)
            if bo:
                entry[1].append(bo)
        offices = {o.id: (o.name_zh, o.name_bo) for o in session.scalars(select(Office))}
    petitions = []
    for (pid, reg_no, received, channel, category, business, summary, voided_at, reply_done,
         answer_done, reply_due, answer_due) in rows:
        names_zh, names_bo = names.get(pid, ([], []))
        petitions.append(ListedPetition(
            pid, reg_no, received, channel, category, business, summary, "、".join(names_zh),
            "  ".join(names_bo), status_of(voided_at, reply_done, answer_done), reply_due,
            answer_due))
    return RegistryListing(petitions, offices)


def describe_filter(flt: RegistryFilter, offices: dict[str, tuple[str, str]],
                    caption: str = "") -> list[str]:
    """What the filters select, in words (``caption`` stands for a figure of the statistics)."""
    if flt.figure is not None:
        return [caption] if caption else []
    found = []
    if fts_query(flt.text):
        found.append(labelled(N_("Search"), flt.text.strip()))
    for message, vocabulary, code in ((N_("Channel"), Channel, flt.channel),
                                      (N_("Category"), Category, flt.category),
                                      (N_("Business type"), BusinessType, flt.business_type),
                                      (N_("Status"), PetitionStatus, flt.status)):
        if code:
            found.append(labelled(message, label(vocabulary, code)))
    if flt.office_id:
        zh, bo = offices.get(flt.office_id, ("", ""))
        found.append(labelled(N_("Office"), zh, bo))
    for message, day in ((N_("Received from"), flt.date_from),
                         (N_("Received until"), flt.date_to)):
        if day:
            found.append(labelled(message, format_iso_date(day.isoformat())))
    if flt.overdue_only:
        found.append(_("Overdue only"))
    # (Bilingual mode gives a label its two scripts on two lines: one line each here.)
    return [text.replace("\n", " / ") for text in found]


def list_table(listing: RegistryListing, flt: RegistryFilter, caption: str = "",
               now: datetime | None = None, progress: Progress = SILENT) -> ListTable:
    """The listing's texts as the screen shows them, in the display language of the moment."""
    now = now or datetime.now()
    filters = describe_filter(flt, listing.office_names, caption)
    count = len(listing.petitions)
    lines = ["; ".join(filters) if filters else _("All petitions"),
             ngettext("{n} petition", "{n} petitions", count).format(n=format_number(count))
             + "   " + _("Listed on {date}").format(date=format_short_datetime(now))]
    rows: list[tuple[str, ...]] = []
    for number, petition in enumerate(listing.petitions, start=1):
        rows.append(tuple(cell(petition) for _h, _w, cell in COLUMNS))
        if number % _CHECK_EVERY == 0:
            if progress.is_cancelled():
                from app.core.progress import CancelledError

                raise CancelledError()
            progress(number, count)
    return ListTable(_("Registry of petitions"), lines, [_(h) for h, _w, _c in COLUMNS], rows,
                     tuple(w for _h, w, _c in COLUMNS), _("Page {page} of {pages}"),
                     sheet=_("Registry"))


def render_registry_pdf(store: Store, flt: RegistryFilter, caption: str = "",
                        today: date | None = None, progress: Progress = SILENT) -> bytes:
    """The printed list (at most ``MAX_PRINTED_ROWS`` petitions)."""
    from app.core.fonts import shipped_fonts
    from reports.registry_list import TooManyPagesError, render_list_pdf

    listing = registry_listing(store, flt, today)
    if len(listing.petitions) > MAX_PRINTED_ROWS:
        raise TooLongToPrintError(
            N_("{n} petitions are listed: too many to print (at most {most}). Narrow the "
               "filters, or export the list to Excel."),
            n=format_number(len(listing.petitions)), most=format_number(MAX_PRINTED_ROWS))
    table = list_table(listing, flt, caption, progress=progress)
    try:
        return render_list_pdf(table, shipped_fonts(), progress, MAX_PRINTED_PAGES)
    except TooManyPagesError as error:
        raise TooLongToPrintError(
            N_("The list of {n} petitions would take {pages} pages: too many to print (at "
               "most {most}). Narrow the filters, or export the list to Excel."),
            n=format_number(len(listing.petitions)), pages=format_number(error.pages),
            most=format_number(MAX_PRINTED_PAGES)) from None


def save_registry(store: Store, flt: RegistryFilter, out: Path, caption: str = "",
                  today: date | None = None, progress: Progress = SILENT) -> int:
    """The list as an .xlsx or a .csv file, chosen by the suffix of ``out`` (written whole or
    not at all); the number of petitions written."""
    from reports.registry_list import render_csv, render_xlsx

    suffix = out.suffix.lower()
    if suffix not in (XLSX, CSV):
        raise RegistryFileError(N_("The list is written as an .xlsx or a .csv file, not "
                                   "{name}."), name=out.name)
    table = list_table(registry_listing(store, flt, today), flt, caption, progress=progress)
    content = render_xlsx(table) if suffix == XLSX else render_csv(table)
    try:
        write_atomically(out, content)
    except NotAllowedError as error:
        # A writable folder, a file that may not be replaced: on Windows, open in Excel.
        if out.exists() and os.access(out.parent, os.W_OK):
            raise FileInUseError(N_("{path} could not be replaced: it may be open in another "
                                    "program, such as Excel. Close it there and try again."),
                                 path=str(out)) from error
        raise
    log.info("registry list written: %d petitions to %s", len(table.rows), out)
    trail.exported(store, "registry_list", file=out.name, count=len(table.rows))
    return len(table.rows)
