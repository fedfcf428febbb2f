"""Printed papers for a petition, and page images for previewing them on screen."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

from babel import dates, numbers
from sqlalchemy import select

from app.aid import cases as aid
from app.core import i18n
from app.core.errors import AppError
from app.core.fonts import shipped_fonts
from app.core.i18n import N_
from app.core.labels import (
    AidGroup,
    Channel,
    Codes,
    HearingKind,
    HearingOutcome,
    OfficerRole,
    PayeeRelation,
    PaymentMethod,
    messages,
)
from app.core.money import capital, tibetan_words
from app.core.store import Store
from app.hearings import agreements
from app.hearings.record import HearingDetail, hearing_detail, place_text
from app.papers.kinds import PAPERS, REFERRAL_NOTICE, REPLY_NOTICE
from app.papers.kinds import papers_for as papers_for  # where the tests and screens look
from app.petitions.detail import PetitionDetail, petition_detail
from models import (
    Agreement,
    AidCase,
    Hearing,
    HearingParticipant,
    Office,
    Person,
    Petition,
    PetitionParty,
)
from reports import aid_papers, hearing_papers
from reports.aid_papers import AidDecisionData, AidedPerson, AidReceiptData
from reports.hearing_papers import (
    AgreementData,
    HearingNoticeData,
    MinutesData,
    Officer,
    Statement,
)
from reports.notices import (
    Both,
    NoticeData,
    render_notice,
)


def _both_date(value: date) -> Both:
    return Both(dates.format_date(value, format="long", locale=i18n.BABEL_LOCALES[i18n.ZH]),
                dates.format_date(value, format="long", locale=i18n.BABEL_LOCALES[i18n.BO]))


def _due(value: str) -> Both:
    if value.startswith("9999"):
        zh, bo = i18n.catalog(i18n.ZH), i18n.catalog(i18n.BO)
        return Both(zh.gettext("(deadline paused)"), bo.gettext("(deadline paused)"))
    return _both_date(date.fromisoformat(value))


VOIDED = N_("This registration was voided: no paper is printed from it.")


def _standing(store: Store, record: type[Agreement] | type[AidCase], record_id: str) -> None:
    """Refuse a paper of an agreement or aid case whose petition was voided."""
    with store.read() as session:
        petition = session.scalar(select(Petition).join(
            record, record.petition_id == Petition.id).where(record.id == record_id.strip()))
        if petition is not None and petition.voided_at:
            raise AppError(VOIDED)


def notice_data(store: Store, detail: PetitionDetail, kind: str,
                issued: date | None = None) -> NoticeData:
    if kind not in PAPERS:
        raise AppError(N_("Unknown paper: {kind}"), kind=kind)
    if detail.voided:
        raise AppError(VOIDED)
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
    channel = Channel(detail.row.channel).message
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


def _label(code: str, vocabulary: Codes) -> Both:
    label = messages(vocabulary).get(code, code)
    return Both(i18n.catalog(i18n.ZH).gettext(label), i18n.catalog(i18n.BO).gettext(label))


def _both_time(value: str) -> Both:
    """A hearing's date and time: 2026年11月3日 10:00."""
    moment = datetime.fromisoformat(value)
    day = _both_date(moment.date())
    clock = moment.strftime("%H:%M")
    return Both(f"{day.zh} {clock}", f"{day.bo} {clock}")


def agreement_data(store: Store, agreement_id: str) -> AgreementData:
    _standing(store, Agreement, agreement_id)
    detail = agreements.agreement_detail(store, agreement_id)
    text = detail.text
    office = Both(detail.office_zh, detail.office_bo)
    return AgreementData(
        office=office, reg_no=detail.reg_no,
        parties=[hearing_papers.AgreementParty(Both(p.name_zh or p.name_bo, p.name_bo),
                                               p.id_number, p.address)
                 for p in detail.parties],
        matter=Both(text.matter_zh, text.matter_bo),
        office_terms=Both(text.office_zh, text.office_bo),
        petitioner_terms=Both(text.petitioner_zh, text.petitioner_bo),
        closing=Both(text.closing_zh, text.closing_bo),
        agreed_on=_both_date(date.fromisoformat(text.agreed_on)), place=text.place,
        procurator=Both(detail.procurator_zh, detail.procurator_bo),
        bilingual=detail.bilingual)


def render_agreement(store: Store, agreement_id: str) -> bytes:
    """The agreement as it stands; a withdrawn one is not printed again."""
    detail = agreements.agreement_detail(store, agreement_id)
    if detail.status == "withdrawn":
        raise AppError(N_("This agreement was withdrawn; it is not printed any more."))
    return hearing_papers.render_agreement(agreement_data(store, agreement_id),
                                           i18n.catalog(i18n.ZH), i18n.catalog(i18n.BO),
                                           shipped_fonts())


def _people(detail: HearingDetail) -> tuple[list[Both], list[Officer]]:
    procurators = [Both(zh, bo) for zh, bo in detail.procurators]
    officers = [Officer(Both(zh, bo), _label(role, OfficerRole))
                for zh, bo, role in detail.officers]
    return procurators, officers


def _hearing_office(store: Store, detail: HearingDetail) -> tuple[Both, str, str, bool]:
    """The office, the petition's number and summary, and whether a party of the hearing
    prefers Tibetan."""
    with store.read() as session:
        petition = session.get(Petition, detail.petition_id)
        assert petition is not None
        if petition.voided_at:
            raise AppError(VOIDED)
        office = session.get(Office, petition.office_id)
        assert office is not None
        languages = list(session.scalars(
            select(Person.preferred_language)
            .join(HearingParticipant, HearingParticipant.person_id == Person.id)
            .where(HearingParticipant.hearing_id == detail.id,
                   HearingParticipant.deleted.is_(False))))
        if not languages:
            languages = list(session.scalars(
                select(Person.preferred_language)
                .join(PetitionParty, PetitionParty.person_id == Person.id)
                .where(PetitionParty.petition_id == petition.id,
                       PetitionParty.deleted.is_(False))))
        return (Both(office.name_zh, office.name_bo), petition.reg_no, petition.summary,
                "bo" in languages)


def hearing_notice_data(store: Store, hearing_id: str,
                        issued: date | None = None) -> HearingNoticeData:
    detail = hearing_detail(store, hearing_id)
    office, reg_no, summary, bilingual = _hearing_office(store, detail)
    procurators, officers = _people(detail)
    parties = [Both(zh or bo, bo) for zh, bo in detail.parties]
    return HearingNoticeData(
        office=office, reg_no=reg_no,
        addressees=Both("、".join(p.zh for p in parties), "  ".join(p.get("bo") for p in parties)),
        kind=_label(detail.kind, HearingKind), held_at=_both_time(detail.held_at),
        place=place_text(detail.township, detail.village, detail.herding_group, detail.place),
        summary=summary, host=Both(detail.host_zh, detail.host_bo),
        procurators=procurators, officers=officers, interpreter=detail.interpreter,
        issued=_both_date(issued or date.today()), bilingual=bilingual)


def render_hearing_notice(store: Store, hearing_id: str, issued: date | None = None) -> bytes:
    return hearing_papers.render_hearing_notice(
        hearing_notice_data(store, hearing_id, issued), i18n.catalog(i18n.ZH),
        i18n.catalog(i18n.BO), shipped_fonts())


def minutes_data(store: Store, hearing_id: str) -> MinutesData:
    detail = hearing_detail(store, hearing_id)
    if not detail.outcome:
        raise AppError(N_("This hearing has not been held yet: there are no minutes to print."))
    office, reg_no, _summary, bilingual = _hearing_office(store, detail)
    procurators, officers = _people(detail)
    return MinutesData(
        office=office, reg_no=reg_no, kind=_label(detail.kind, HearingKind),
        held_at=_both_time(detail.held_at),
        place=place_text(detail.township, detail.village, detail.herding_group, detail.place),
        host=Both(detail.host_zh, detail.host_bo), procurators=procurators, officers=officers,
        parties=[Both(zh or bo, bo) for zh, bo in detail.parties],
        interpreter=detail.interpreter,
        statements=[Statement(Both(s.speaker_zh or s.speaker_bo, s.speaker_bo), s.text)
                    for s in detail.statements],
        opinions=[Statement(Both(zh or bo, bo), text) for zh, bo, text in detail.opinions],
        outcome=_label(detail.outcome, HearingOutcome), outcome_note=detail.outcome_note,
        bilingual=bilingual)


def render_minutes(store: Store, hearing_id: str) -> bytes:
    return hearing_papers.render_minutes(minutes_data(store, hearing_id),
                                         i18n.catalog(i18n.ZH), i18n.catalog(i18n.BO),
                                         shipped_fonts())


def latest_hearing(store: Store, reg_no: str) -> str:
    """The petition's most recent hearing, for printing from the command line."""
    petition_id = find_by_number(store, reg_no)
    with store.read() as session:
        found = session.scalar(select(Hearing.id).where(
            Hearing.petition_id == petition_id, Hearing.deleted.is_(False))
            .order_by(Hearing.held_at.desc()).limit(1))
    if found is None:
        raise AppError(N_("Petition {number} has no hearing."), number=reg_no)
    return found


def current_agreement(store: Store, reg_no: str) -> str:
    """The petition's agreement that still holds (the latest one not withdrawn)."""
    petition_id = find_by_number(store, reg_no)
    with store.read() as session:
        found = session.scalar(select(Agreement.id).where(
            Agreement.petition_id == petition_id, Agreement.deleted.is_(False),
            Agreement.status != "withdrawn")
            .order_by(Agreement.agreed_on.desc(), Agreement.id.desc()).limit(1))
    if found is None:
        raise AppError(N_("Petition {number} has no agreement to print."), number=reg_no)
    return found


def _both_money(fen: int) -> Both:
    """An amount held as integer fen, in figures as each script's locale writes yuan."""
    yuan = Decimal(fen).scaleb(-2)
    return Both(*(numbers.format_currency(yuan, "CNY", locale=i18n.BABEL_LOCALES[script])
                  for script in (i18n.ZH, i18n.BO)))


def masked_account(number: str) -> str:
    """A bank account number as a paper may show it: the middle digits hidden, the first and
    last four kept (6230***********6789), so that the person can recognise their account."""
    digits = number.replace(" ", "")
    if len(digits) <= 8:
        return "*" * max(len(digits) - 4, 0) + digits[-4:]
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def _office(store: Store, office_id: str) -> Both:
    with store.read() as session:
        office = session.get(Office, office_id)
        assert office is not None
        return Both(office.name_zh, office.name_bo)


def _aid_case(store: Store, aid_case_id: str) -> aid.AidCaseDetail:
    with store.read() as session:
        case = session.get(AidCase, aid_case_id.strip())
        if case is None or case.deleted:
            raise AppError(N_("No aid case has the id {id}."), id=aid_case_id)
    return aid.aid_case_detail(store, case.id)


def aid_decision_data(store: Store, aid_case_id: str,
                      issued: date | None = None) -> AidDecisionData:
    """The decision notice's content; dated the day of the decision unless ``issued`` says."""
    _standing(store, AidCase, aid_case_id)
    detail = _aid_case(store, aid_case_id)
    if detail.status == "proposed" or not detail.decisions:
        raise AppError(N_("No leader has decided on this aid case yet: there is no decision "
                          "to print."))
    decision = detail.decisions[-1]
    granted = decision.amount_fen if decision.decision != "refused" else 0
    return AidDecisionData(
        office=_office(store, detail.office_id), reg_no=detail.reg_no,
        persons=[AidedPerson(Both(p.name_zh or p.name_bo, p.name_bo), p.id_number)
                 for p in detail.persons],
        group=_label(detail.eligibility, AidGroup), facts=detail.facts,
        decision=decision.decision,
        amount=_both_money(granted) if granted else Both(""),
        amount_capital=capital(granted) if granted else "",
        amount_words=tibetan_words(granted) if granted else "",
        proposed=_both_money(detail.proposed_fen), reason=decision.reason,
        issued=_both_date(issued or date.fromisoformat(decision.decided_at[:10])),
        bilingual=any(p.preferred_language == "bo" for p in detail.persons))


def render_aid_decision(store: Store, aid_case_id: str, issued: date | None = None) -> bytes:
    """The decision notice (or the notice of refusal) as PDF bytes, in both scripts when a
    person aided prefers Tibetan."""
    return aid_papers.render_aid_decision(aid_decision_data(store, aid_case_id, issued),
                                          i18n.catalog(i18n.ZH), i18n.catalog(i18n.BO),
                                          shipped_fonts())


def aid_receipt_data(store: Store, payment_id: str) -> AidReceiptData:
    """The receipt's content for one payment; the account number comes masked."""
    case_id = aid.payment_case(store, payment_id)
    _standing(store, AidCase, case_id)
    detail = aid.aid_case_detail(store, case_id)
    payment = next(p for p in detail.payments if p.id == payment_id.strip())
    if payment.reverses_id is not None:
        raise AppError(N_("This entry reverses an earlier payment: no money was handed over, "
                          "so it has no receipt."))
    reversal = next((p for p in detail.payments if p.reverses_id == payment.id), None)
    return AidReceiptData(
        office=_office(store, detail.office_id), reg_no=detail.reg_no,
        persons=[Both(p.name_zh or p.name_bo, p.name_bo) for p in detail.persons],
        approved=_both_money(detail.approved_fen),
        payee=payment.payee_name, relation=_label(payment.payee_relation, PayeeRelation),
        payee_id_number=payment.payee_id_number, amount=_both_money(payment.amount_fen),
        amount_capital=capital(payment.amount_fen),
        amount_words=tibetan_words(payment.amount_fen), method=payment.method,
        method_label=_label(payment.method, PaymentMethod), bank_name=payment.bank_name,
        account=masked_account(payment.account_no) if payment.account_no else "",
        paid_on=_both_date(date.fromisoformat(payment.paid_on)),
        paid_by=Both(payment.paid_by_zh or payment.paid_by_bo, payment.paid_by_bo),
        reversed_on=(_both_date(date.fromisoformat(reversal.paid_on))
                     if reversal is not None else None),
        reversal_reason=reversal.note if reversal is not None else "",
        bilingual=any(p.preferred_language == "bo" for p in detail.persons))


def render_aid_receipt(store: Store, payment_id: str) -> bytes:
    """The receipt for one payment of aid money as PDF bytes; a payment reversed later prints
    marked as reversed, a reversing entry has no receipt."""
    return aid_papers.render_aid_receipt(aid_receipt_data(store, payment_id),
                                         i18n.catalog(i18n.ZH), i18n.catalog(i18n.BO),
                                         shipped_fonts())


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
