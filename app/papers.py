"""Printed papers for a petition, and page images for previewing them on screen."""

from __future__ import annotations

import io
from datetime import date, datetime

from babel import dates
from sqlalchemy import select

from app import i18n
from app.errors import AppError
from app.i18n import N_
from app.labels import CHANNELS
from app.paths import fonts_dir
from app.registry import PetitionDetail, petition_detail
from app.store import Store
from models import Office, Petition
from reports.layout import FontFiles
from reports.notices import (
    RECEIPT,
    REFERRAL_NOTICE,
    REPLY_NOTICE,
    Both,
    NoticeData,
    render_notice,
)

PAPERS = {
    RECEIPT: N_("Receipt for the petitioner"),
    REPLY_NOTICE: N_("Procedural-reply notice"),
    REFERRAL_NOTICE: N_("Referral notice"),
}


def shipped_fonts() -> FontFiles:
    folder = fonts_dir()
    return FontFiles(folder / "NotoSerifTibetan-Regular.ttf", folder / "uming.ttc", 0)


def _both_date(value: date) -> Both:
    return Both(dates.format_date(value, format="long", locale=i18n.BABEL_LOCALES[i18n.ZH]),
                dates.format_date(value, format="long", locale=i18n.BABEL_LOCALES[i18n.BO]))


def _due(value: str) -> Both:
    if value.startswith("9999"):
        zh, bo = i18n.catalog(i18n.ZH), i18n.catalog(i18n.BO)
        return Both(zh.gettext("(deadline paused)"), bo.gettext("(deadline paused)"))
    return _both_date(date.fromisoformat(value))


def papers_for(detail: PetitionDetail) -> list[str]:
    """The papers that make sense for this petition."""
    kinds = [RECEIPT]
    kinds.append(REFERRAL_NOTICE if detail.jurisdiction == "refer" else REPLY_NOTICE)
    return kinds


def notice_data(store: Store, detail: PetitionDetail, kind: str,
                issued: date | None = None) -> NoticeData:
    if kind not in PAPERS:
        raise AppError(N_("Unknown paper: {kind}"), kind=kind)
    if kind == REFERRAL_NOTICE and detail.jurisdiction != "refer":
        raise AppError(N_("This petition was accepted, not referred: there is no referral "
                          "notice to print."))
    if kind == REPLY_NOTICE and detail.jurisdiction == "refer":
        raise AppError(N_("This petition was referred to another body: print the referral "
                          "notice instead."))
    with store.read() as session:
        petition = session.get(Petition, detail.row.id)
        assert petition is not None
        office = session.get(Office, petition.office_id)
        assert office is not None
        reply_days, answer_months = office.reply_days, office.answer_months
    names_zh = "、".join(p.name_zh or p.name_bo for p in detail.parties)
    names_bo = "  ".join(p.name_bo or p.name_zh for p in detail.parties)
    zh, bo = i18n.catalog(i18n.ZH), i18n.catalog(i18n.BO)
    channel = CHANNELS[detail.row.channel]
    return NoticeData(
        kind=kind, office=Both(detail.office_zh, detail.office_bo), reg_no=detail.row.reg_no,
        petitioners=Both(names_zh, names_bo),
        received=_both_date(datetime.fromisoformat(detail.row.received_at).date()),
        channel=Both(zh.gettext(channel), bo.gettext(channel)), summary=detail.row.summary,
        reply_due=_due(detail.row.reply_due), answer_due=_due(detail.row.answer_due),
        reply_days=reply_days, answer_months=answer_months,
        procurator=Both(detail.procurator_zh, detail.procurator_bo),
        referral_body=detail.referral_body, referral_note=detail.referral_note,
        issued=_both_date(issued or date.today()), bilingual=detail.prefers_tibetan)


def render(store: Store, petition_id: str, kind: str, issued: date | None = None) -> bytes:
    """The paper as PDF bytes, in both scripts when a petitioner prefers Tibetan."""
    detail = petition_detail(store, petition_id)
    data = notice_data(store, detail, kind, issued)
    return render_notice(data, i18n.catalog(i18n.ZH), i18n.catalog(i18n.BO), shipped_fonts())


def find_by_number(store: Store, reg_no: str) -> str:
    with store.read() as session:
        found = session.scalar(select(Petition.id).where(Petition.reg_no == reg_no.strip(),
                                                         Petition.deleted.is_(False)))
    if found is None:
        raise AppError(N_("No petition has the registration number {number}."),
                       number=reg_no)
    return found


def page_images(pdf: bytes, dpi: int = 96) -> list[bytes]:
    """Each page of ``pdf`` as a PNG, for the preview."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    images = []
    try:
        for index in range(len(document)):
            page = document[index]
            bitmap = page.render(scale=dpi / 72)
            buffer = io.BytesIO()
            bitmap.to_pil().save(buffer, format="PNG")
            images.append(buffer.getvalue())
    finally:
        document.close()
    return images
