"""The hearing's papers: the settle-and-withdraw agreement (息诉罢访协议书), the hearing notice
(听证通知书) and the hearing minutes (听证笔录).

Same page as the 12309 papers (``reports.notices``): A4, GB/T 9704 margins, title in 二号,
body in 三号 (四号 when every paragraph is printed twice), 第X页 共Y页 on multi-page papers. When a
party prefers Tibetan, every paragraph comes in Tibetan, then in Chinese. What people said at a
hearing is printed once, as it was recorded: the minutes are a record, not a translation.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from dataclasses import dataclass

import cn2an
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from reports.layout import FontFiles
from reports.notices import SENTENCE_GAP, Both, SealBox
from reports.paper import N_, Paper, SignatureRow

TIBETAN_DIGITS = str.maketrans("0123456789", "༠༡༢༣༤༥༦༧༨༩")


@dataclass(frozen=True)
class AgreementParty:
    name: Both
    id_number: str
    address: str


@dataclass(frozen=True)
class AgreementData:
    office: Both
    reg_no: str
    parties: list[AgreementParty]
    # Each section's text in both scripts, one paragraph per line.
    matter: Both
    office_terms: Both
    petitioner_terms: Both
    closing: Both
    agreed_on: Both
    place: str
    procurator: Both
    bilingual: bool


@dataclass(frozen=True)
class Officer:
    name: Both
    role: Both


@dataclass(frozen=True)
class Statement:
    speaker: Both
    text: str


@dataclass(frozen=True)
class HearingFacts:
    """What both papers of a hearing say about it."""

    office: Both
    reg_no: str
    kind: Both
    held_at: Both
    place: str
    host: Both
    procurators: list[Both]
    officers: list[Officer]
    interpreter: str
    bilingual: bool


@dataclass(frozen=True)
class HearingNoticeData(HearingFacts):
    addressees: Both
    summary: str
    issued: Both


@dataclass(frozen=True)
class MinutesData(HearingFacts):
    parties: list[Both]
    statements: list[Statement]
    opinions: list[Statement]
    outcome: Both
    outcome_note: str


def clause_number(number: int, script: str) -> str:
    """一、 in Chinese, ༡. in Tibetan."""
    if script == "bo":
        return f"{str(number).translate(TIBETAN_DIGITS)}. "
    return f"{cn2an.an2cn(number)}、"


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _names(values: list[Both], script: str) -> str:
    return ("  " if script == "bo" else "、").join(v.get(script) for v in values)


def render_agreement(data: AgreementData, zh: gettext.NullTranslations,
                     bo: gettext.NullTranslations, fonts: FontFiles) -> bytes:
    """The settle-and-withdraw agreement as PDF bytes (same data, same bytes)."""
    paper = Paper(data.bilingual, zh, bo, fonts)
    paper.keep_whole(data.procurator, *(party.name for party in data.parties))
    paper.title(lambda s, _: data.office.get(s))
    paper.title(lambda s, _: _("Settle-and-withdraw agreement"))
    paper.para(lambda s, _: _("Petition no. {number}").format(number=data.reg_no),
               indent=False, align="right")
    paper.gap(4 * mm)
    paper.para(lambda s, _: _("Party A: {office}").format(office=data.office.get(s)),
               indent=False)
    for party in data.parties:
        def party_line(s: str, _: Callable[[str], str], party: AgreementParty = party) -> str:
            line = _("Party B: {name}").format(name=party.name.get(s))
            if party.id_number:
                line += _(", resident ID number {number}").format(number=party.id_number)
            if party.address:
                line += _(", living at {address}").format(address=party.address)
            if s == "bo":  # a shad closes Tibetan, not a Chinese address
                return line + ("།" if "\u0f00" <= line[-1] <= "\u0fff" else "")
            return line + "。"
        paper.para(party_line, indent=False)
    paper.gap(3 * mm)
    _section(paper, data.matter)
    paper.heading(lambda s, _: _("Party A undertakes:"))
    _section(paper, data.office_terms, numbered=True)
    paper.heading(lambda s, _: _("Party B undertakes:"))
    _section(paper, data.petitioner_terms, numbered=True)
    # The signatures go with at least the agreement's last paragraph, its place and date.
    last = _section(paper, data.closing)
    paper.para(lambda s, _: _("Signed at: {place}").format(place=data.place)
               if data.place else "", indent=False, space_after=0.0)
    paper.para(lambda s, _: _("Date: {date}").format(date=data.agreed_on.get(s)),
               indent=False)

    signatures: list[Flowable] = [Spacer(1, 6 * mm)]
    leading = max(paper.leading(s) for s, _tr in paper.scripts)
    # The office seals on its line, the procurator signs on another.
    office_row = SignatureRow(paper.named_lines(N_("Party A (seal): {name}"), data.office),
                              paper.measurer, paper.size, leading)
    signatures.append(office_row)
    seal = " ".join(tr.gettext("(seal)") for _script, tr in paper.scripts)
    over = office_row.wrap(400, 400)[1]
    seal_box = SealBox(seal, paper.measurer, over=over)
    signatures.append(seal_box)
    # The procurator's line starts under the seal's circle.
    below = max(0.0, seal_box.size / 2 - over / 2) - seal_box.wrap(400, 400)[1]
    signatures.append(Spacer(1, max(3 * mm, below + 2)))
    signatures.append(SignatureRow(
        paper.named_lines(N_("Procurator (signature): {name}"), data.procurator),
        paper.measurer, paper.size, leading))
    thumb = paper.both(lambda s, _: _("(thumbprint)"))
    for party in data.parties:
        signatures.append(Spacer(1, 3 * mm))
        signatures.append(SignatureRow(
            paper.named_lines(N_("Party B (signature): {name}"), party.name),
            paper.measurer, paper.size, leading, thumbprint=thumb))
    paper.keep_together(last, *signatures)
    return paper.build(zh.gettext("Settle-and-withdraw agreement"), data.office.zh,
                       data.reg_no)


def _section(paper: Paper, text: Both, numbered: bool = False) -> int:
    """A section of the agreement, paragraph by paragraph in each script; numbered clauses.
    Returns where its last paragraph (in every script) starts in the story."""
    lines = {script: _paragraphs(text.get(script)) for script, _tr in paper.scripts}
    count = max(len(found) for found in lines.values())
    last = len(paper.story)
    for index in range(count):
        last = len(paper.story)
        for script, _tr in paper.scripts:
            found = lines[script]
            if index >= len(found):
                continue
            prefix = clause_number(index + 1, script) if numbered else ""
            paper.story.append(paper.paragraph(prefix + found[index], script, indent=True,
                                               align="justify", space_after=4.0))
    return last


def render_hearing_notice(data: HearingNoticeData, zh: gettext.NullTranslations,
                          bo: gettext.NullTranslations, fonts: FontFiles) -> bytes:
    """The notice telling the parties when and where the hearing is held."""
    paper = Paper(data.bilingual, zh, bo, fonts)
    paper.keep_whole(data.addressees, data.host, *data.procurators,
                     *(officer.name for officer in data.officers))
    paper.title(lambda s, _: data.office.get(s))
    paper.title(lambda s, _: _("Hearing notice"))
    paper.para(lambda s, _: _("Petition no. {number}").format(number=data.reg_no),
               indent=False, align="right")
    paper.gap(4 * mm)
    paper.para(lambda s, _: _("{name}:").format(name=data.addressees.get(s)), indent=False)
    paper.para(lambda s, _: _(
        "On the matter you raised (\u201c{summary}\u201d, petition no. {number}), this office "
        "will hold a {kind} at {time}, at {place}.").format(
            summary=data.summary, number=data.reg_no,
            kind=data.kind.get(s).rstrip("།") if s == "bo" else data.kind.zh,
            time=data.held_at.get(s), place=data.place))

    def who(s: str, _: Callable[[str], str]) -> str:
        line = _("The hearing is hosted by procurator {host}.").format(host=data.host.get(s))
        others = [p for p in data.procurators if p != data.host]
        if others:
            line += SENTENCE_GAP[s] + _("Procurators also taking part: {names}.").format(
                names=_names(others, s))
        if data.officers:
            officers = ("  " if s == "bo" else "、").join(
                _("{name} ({role})").format(name=o.name.get(s), role=o.role.get(s).rstrip("།"))
                for o in data.officers)
            line += SENTENCE_GAP[s] + _("Hearing officers: {names}.").format(names=officers)
        return line
    paper.para(who)
    paper.para(lambda s, _: _("{name} will interpret between Tibetan and Chinese.").format(
        name=data.interpreter) if data.interpreter else "")
    paper.para(lambda s, _: _(
        "At the hearing you may state your views and the reasons for them, present evidence, "
        "and ask that a procurator or hearing officer with an interest in the matter step "
        "aside. You may speak and write in Tibetan; this office provides an interpreter."))
    paper.para(lambda s, _: _(
        "Please bring your resident identity card and any evidence you have. If you cannot "
        "come at that time, tell this office as soon as possible."))
    paper.para(lambda s, _: _(
        "To ask about your petition, call the 12309 procuratorial service hotline or come to "
        "the 12309 window, and give the registration number {number}.").format(
            number=data.reg_no))
    paper.office_signature(data.office, data.issued)
    return paper.build(zh.gettext("Hearing notice"), data.office.zh, data.reg_no)


def render_minutes(data: MinutesData, zh: gettext.NullTranslations,
                   bo: gettext.NullTranslations, fonts: FontFiles) -> bytes:
    """The record of what was said and decided at the hearing, with everyone's signature."""
    paper = Paper(data.bilingual, zh, bo, fonts)
    paper.keep_whole(data.host, *data.procurators, *data.parties,
                     *(officer.name for officer in data.officers))
    paper.title(lambda s, _: data.office.get(s))
    paper.title(lambda s, _: _("Hearing minutes"))
    paper.gap(4 * mm)

    def facts(s: str, _: Callable[[str], str]) -> list[str]:
        rows = [_("Petition no.: {value}").format(value=data.reg_no),
                _("Kind of hearing: {value}").format(value=data.kind.get(s)),
                _("Time: {value}").format(value=data.held_at.get(s)),
                _("Place: {value}").format(value=data.place),
                _("Host: {value}").format(value=data.host.get(s))]
        others = [p for p in data.procurators if p != data.host]
        if others:
            rows.append(_("Procurators: {value}").format(value=_names(others, s)))
        if data.officers:
            rows.append(_("Hearing officers: {value}").format(value=("  " if s == "bo" else "、")
                        .join(_("{name} ({role})").format(name=o.name.get(s),
                                                          role=o.role.get(s).rstrip("།"))
                              for o in data.officers)))
        rows.append(_("Parties: {value}").format(value=_names(data.parties, s)))
        if data.interpreter:
            rows.append(_("Interpreter: {value}").format(value=data.interpreter))
        return rows

    table = {script: facts(script, tr.gettext) for script, tr in paper.scripts}
    for index in range(len(table["zh"])):
        for script, _tr in paper.scripts:
            paper.story.append(paper.paragraph(table[script][index], script))
    paper.gap(3 * mm)
    paper.section(lambda s, _: _("What was said"))
    for statement in data.statements:
        speaker = paper.named("{name}", statement.speaker)
        paper.once(f"{speaker}：{statement.text}")
    if data.opinions:
        paper.section(lambda s, _: _("Opinions of the hearing officers"))
        for opinion in data.opinions:
            speaker = paper.named("{name}", opinion.speaker)
            paper.once(f"{speaker}：{opinion.text}")
    if data.outcome_note:
        paper.heading(lambda s, _: _("Outcome: {value}").format(value=data.outcome.get(s)))
    else:
        paper.para(lambda s, _: _("Outcome: {value}").format(value=data.outcome.get(s)),
                   indent=False)
    if data.outcome_note:
        paper.once(data.outcome_note)
    confirmed = [paper.paragraph(tr.gettext(
        "These minutes were read out to everyone taking part, interpreted where needed, and "
        "they confirmed them as correct by signing."), script, indent=True, space_after=4.0)
        for script, tr in paper.scripts]

    leading = max(paper.leading(s) for s, _tr in paper.scripts)
    rows: list[Flowable] = []
    sign = [paper.named_lines(N_("Host (signature): {name}"), data.host)]
    sign += [paper.named_lines(N_("Procurator (signature): {name}"), p)
             for p in data.procurators if p != data.host]
    sign += [paper.named_lines(N_("Hearing officer (signature): {name}"), o.name)
             for o in data.officers]
    if data.interpreter:
        sign.append(paper.named_lines(N_("Interpreter (signature): {name}"),
                                      Both(data.interpreter)))
    for labels in sign:
        rows.append(SignatureRow(labels, paper.measurer, paper.size, leading))
    thumb = paper.both(lambda s, _: _("(thumbprint)"))
    for party in data.parties:
        rows.append(SignatureRow(
            paper.named_lines(N_("Party (signature): {name}"), party), paper.measurer, paper.size,
            leading, thumbprint=thumb))
    # The confirmation stays with every signature: none stands on a page of its own.
    paper.story.append(KeepTogether([*confirmed, Spacer(1, 4 * mm), *rows]))
    return paper.build(zh.gettext("Hearing minutes"), data.office.zh, data.reg_no,
                       page_sign=lambda s, _: _("Parties (signature) on this page:"))


__all__ = [
    "AgreementData",
    "AgreementParty",
    "HearingFacts",
    "HearingNoticeData",
    "MinutesData",
    "Officer",
    "Statement",
    "clause_number",
    "render_agreement",
    "render_hearing_notice",
    "render_minutes",
]
