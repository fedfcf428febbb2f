"""The judicial-aid papers: the decision notice (国家司法救助决定书, or 不予国家司法救助决定书 for
a refusal) and the receipt for aid money paid out (司法救助金领取凭证).

Same page as the other papers (``reports.paper``). When a person aided prefers Tibetan, every
paragraph comes in Tibetan, then in Chinese. Amounts are printed in figures formatted for each
script; the Chinese text also gives them in capital numerals (大写), as on any paper about money.
What staff wrote (the facts, a reason) is printed once, as written.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from reports.layout import FANGSONG_FONT, FontFiles, ScriptParagraph
from reports.notices import Both, SealBox
from reports.paper import N_, Maker, Paper, SignatureRow, is_tibetan_text

APPROVED, REDUCED, REFUSED = "approved", "reduced", "refused"
BANK = "bank"  # the other method is cash


@dataclass(frozen=True)
class AidedPerson:
    name: Both
    id_number: str


@dataclass(frozen=True)
class AidDecisionData:
    office: Both
    reg_no: str
    persons: list[AidedPerson]
    group: Both  # the eligibility group, e.g. 贫困户
    facts: str
    decision: str  # approved | reduced | refused
    amount: Both  # what was granted, in figures per script (empty when refused)
    amount_capital: str  # the same in Chinese capital numerals: 壹万贰仟元整
    amount_words: str  # and in Tibetan words: སྒོར་མོ་ཁྲི་ཕྲག་གཅིག་དང་སྟོང་ཕྲག་གཉིས
    proposed: Both  # what the handling procurator proposed, in figures per script
    reason: str  # why it was reduced or refused
    issued: Both
    bilingual: bool


@dataclass(frozen=True)
class AidReceiptData:
    office: Both
    reg_no: str
    persons: list[Both]  # the persons aided
    approved: Both  # the amount approved for the case, in figures per script
    payee: str
    relation: Both  # the payee's relation to the person aided
    payee_id_number: str
    amount: Both  # this payment, in figures per script
    amount_capital: str
    amount_words: str  # in Tibetan words
    method: str  # cash | bank
    method_label: Both
    bank_name: str
    account: str  # the account number as it may be printed (middle digits masked)
    paid_on: Both
    paid_by: Both
    reversed_on: Both | None  # when a reversing entry cancelled this payment
    reversal_reason: str
    bilingual: bool


def _names(values: list[Both], script: str) -> str:
    return ("  " if script == "bo" else "、").join(v.get(script) for v in values)


def _inline(label: Both, script: str) -> str:
    """A label inside a Tibetan sentence loses its closing shad."""
    return label.get(script).rstrip("།") if script == "bo" else label.zh


def _end(line: str, script: str) -> str:
    """A sentence's end: a shad after Tibetan (not after a Chinese name or a number), 。 in
    Chinese."""
    if script == "bo":
        return line + ("།" if "\u0f00" <= line[-1] <= "\u0fff" else "")
    return line + "。"


def _money(amount: Both, capital: str, words: str, script: str,
           _: Callable[[str], str]) -> str:
    """An amount in figures, and also in words: in Chinese capital numerals, or in Tibetan."""
    if script == "zh" and capital:
        return _("{amount} (in capitals: {capital})").format(amount=amount.zh, capital=capital)
    if script == "bo" and words:
        return _("{amount} (in words: {words})").format(amount=amount.bo, words=words)
    return amount.get(script)


def render_aid_decision(data: AidDecisionData, zh: gettext.NullTranslations,
                        bo: gettext.NullTranslations, fonts: FontFiles) -> bytes:
    """The leader's decision on an aid case as PDF bytes (same data, same bytes)."""
    paper = Paper(data.bilingual, zh, bo, fonts)
    paper.keep_whole(*(person.name for person in data.persons))
    title = (N_("Decision not to grant state judicial aid") if data.decision == REFUSED
             else N_("Decision on state judicial aid"))
    paper.title(lambda s, _: data.office.get(s))
    paper.title(lambda s, _: _(title))
    paper.para(lambda s, _: _("Petition no. {number}").format(number=data.reg_no),
               indent=False, align="right")
    paper.gap(4 * mm)
    for person in data.persons:
        def person_line(s: str, _: Callable[[str], str], person: AidedPerson = person) -> str:
            line = _("Applicant for aid: {name}").format(name=person.name.get(s))
            if person.id_number:
                line += _(", resident ID number {number}").format(number=person.id_number)
            return _end(line, s)
        paper.para(person_line, indent=False, space_after=0.0)
    paper.para(lambda s, _: _("Group eligible for aid: {group}").format(
        group=data.group.get(s)), indent=False)
    paper.gap(2 * mm)
    names = [p.name for p in data.persons]
    if data.facts.strip():
        paper.para(lambda s, _: _("Having examined the application, this office finds:"),
                   keep_with_next=True)
        for line in data.facts.splitlines():
            if line.strip():
                paper.once(line.strip())
    paper.para(lambda s, _: _("In accordance with the provisions on state judicial aid by the "
                              "people's procuratorates, this office decides as follows:"))
    if data.decision == APPROVED:
        paper.para(lambda s, _: _(
            "This office grants {names} state judicial aid of {amount}.").format(
                names=_names(names, s),
                amount=_money(data.amount, data.amount_capital, data.amount_words, s, _)))
    elif data.decision == REDUCED:
        paper.para(lambda s, _: _(
            "The handling procurator proposed aid of {proposed}. This office grants {names} "
            "state judicial aid of a reduced amount: {amount}.").format(
                proposed=data.proposed.get(s), names=_names(names, s),
                amount=_money(data.amount, data.amount_capital, data.amount_words, s, _)))
        paper.para(lambda s, _: _("The reason for reducing the amount:"), keep_with_next=True)
    elif data.decision == REFUSED:
        paper.para(lambda s, _: _("This office does not grant {names} state judicial "
                                  "aid.").format(names=_names(names, s)))
        paper.para(lambda s, _: _("The reason:"), keep_with_next=True)
    else:
        raise ValueError(f"unknown decision {data.decision!r}")
    if data.decision in (REDUCED, REFUSED):
        for line in data.reason.splitlines():
            if line.strip():
                paper.once(line.strip())
    if data.decision in (APPROVED, REDUCED):
        paper.para(lambda s, _: _(
            "This office pays the aid money in cash or by bank transfer, at once or in several "
            "payments; whoever receives it signs a receipt for each payment."))
    paper.para(lambda s, _: _(
        "To ask about this decision, call the 12309 procuratorial service hotline or come to "
        "the 12309 window, and give the registration number {number}.").format(
            number=data.reg_no))
    paper.office_signature(data.office, data.issued, keep_with=len(paper.scripts))
    return paper.build(zh.gettext(title), data.office.zh, data.reg_no)


class NoteBox(Flowable):  # type: ignore[misc]
    """Paragraphs inside a heavy frame, for what a reader must not miss."""

    PADDING = 3 * mm

    def __init__(self, paragraphs: list[ScriptParagraph]) -> None:
        super().__init__()
        self.paragraphs = paragraphs
        self.width = 0.0
        self.height = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        inner = avail_width - 2 * self.PADDING
        self.height = 2 * self.PADDING + sum(p.wrap(inner, avail_height)[1]
                                             for p in self.paragraphs)
        return self.width, self.height

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.setLineWidth(1.5)
        self.canv.rect(0, 0, self.width, self.height)
        self.canv.restoreState()
        y = self.height - self.PADDING
        for para in self.paragraphs:
            y -= para.height
            para.drawOn(self.canv, self.PADDING, y)


class SideBySide(Flowable):  # type: ignore[misc]
    """Columns of flowables next to each other (signatures side by side), each given its share
    of the width, as high as the tallest."""

    GUTTER = 8 * mm

    def __init__(self, columns: list[list[Flowable]], shares: list[float]) -> None:
        super().__init__()
        self.columns, self.shares = columns, shares
        self.width = 0.0
        self.height = 0.0
        self._heights: list[list[float]] = []

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self._heights = [[f.wrap(width, avail_height)[1] for f in flowables]
                         for flowables, width in zip(self.columns, self._widths(), strict=True)]
        self.height = max(sum(heights) for heights in self._heights)
        return self.width, self.height

    def _widths(self) -> list[float]:
        room = self.width - self.GUTTER * (len(self.columns) - 1)
        return [room * share / sum(self.shares) for share in self.shares]

    def draw(self) -> None:
        x = 0.0
        for flowables, heights, width in zip(self.columns, self._heights, self._widths(),
                                             strict=True):
            y = self.height
            for flowable, height in zip(flowables, heights, strict=True):
                y -= height
                flowable.drawOn(self.canv, x, y)
            x += width + self.GUTTER


@dataclass(frozen=True)
class FormType:
    """The type of a form: values, their leading in each script, and their labels (every script
    on one line, in small type over the value)."""

    size: float
    leading: dict[str, float]
    label_size: float
    label_leading: float

    def line(self) -> float:
        return max(self.leading.values())


# A receipt is a form, set smaller than the body. Its signatures are never on another sheet than
# the amount they sign for, so the receipt is set in the first of these that fits it on one.
RECEIPT_TYPES = {
    False: [FormType(14.0, {"zh": 24.0}, 10.5, 16.0), FormType(12.0, {"zh": 20.0}, 9.5, 15.0)],
    True: [FormType(12.0, {"bo": 24.0, "zh": 18.0}, 9.5, 17.0),
           FormType(11.0, {"bo": 22.0, "zh": 16.0}, 8.5, 15.0),
           FormType(10.0, {"bo": 20.0, "zh": 15.0}, 8.0, 14.0)],
}
PADDING = 3.0
Field = tuple[Maker, Maker]  # label, value


def _box(paper: Paper, form: FormType, field: Field) -> list[Flowable]:
    """A box of the grid: the label, then the value in every script, or once when it reads the
    same in all (a name, a number); a value may have several lines."""
    label, value = field
    cell: list[Flowable] = [ScriptParagraph(paper.both(label), paper.measurer, form.label_size,
                                            form.label_leading)]
    texts = paper.each(value)
    if len({"".join(text.split()) for _script, text in texts}) == 1:
        text = texts[0][1]
        texts = [("bo" if is_tibetan_text(text) else "zh", text)]
    cell += [ScriptParagraph(line, paper.measurer, form.size, form.leading[script],
                             chinese_font=FANGSONG_FONT)
             for script, text in texts for line in text.splitlines()]
    return cell


def _grid(paper: Paper, form: FormType, rows: list[list[Field]]) -> Table:
    """Rows of two boxes side by side; a row of one box spans the width."""
    cells = [[_box(paper, form, field) for field in row] + [[]] * (2 - len(row))
             for row in rows]
    style = [("GRID", (0, 0), (-1, -1), 0.6, colors.black),
             ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("LEFTPADDING", (0, 0), (-1, -1), PADDING + 1),
             ("RIGHTPADDING", (0, 0), (-1, -1), PADDING + 1),
             ("TOPPADDING", (0, 0), (-1, -1), PADDING),
             ("BOTTOMPADDING", (0, 0), (-1, -1), PADDING)]
    style += [("SPAN", (0, number), (1, number))
              for number, row in enumerate(rows) if len(row) == 1]
    return Table(cells, colWidths=["50%", "50%"], style=style)


def render_aid_receipt(data: AidReceiptData, zh: gettext.NullTranslations,
                       bo: gettext.NullTranslations, fonts: FontFiles) -> bytes:
    """The receipt for one payment of aid money as PDF bytes (same data, same bytes): signed
    (or thumb-printed) by whoever received it and by the staff who paid it, under the office's
    seal, on one sheet. A payment reversed since prints as a record marked reversed, with
    nothing to sign."""
    pdf = b""
    for form in RECEIPT_TYPES[data.bilingual]:
        paper = _receipt(data, form, zh, bo, fonts)
        pdf = paper.build(zh.gettext("Receipt for judicial aid money"), data.office.zh,
                          data.reg_no)
        if paper.pages == 1:
            break
    return pdf


def _receipt(data: AidReceiptData, form: FormType, zh: gettext.NullTranslations,
             bo: gettext.NullTranslations, fonts: FontFiles) -> Paper:
    paper = Paper(data.bilingual, zh, bo, fonts)
    paper.keep_whole(*data.persons, data.paid_by, Both(data.payee))
    paper.title(lambda s, _: _("Receipt for judicial aid money"))
    paper.gap(3 * mm)
    if data.reversed_on is not None:
        reversed_on = data.reversed_on
        note: list[ScriptParagraph] = [ScriptParagraph(
            text, paper.measurer, form.size, form.leading[script],
            chinese_font=FANGSONG_FONT) for script, text in paper.each(
                lambda s, _: _("Reversed: this payment was cancelled by a reversing entry on "
                               "{date}, for the reason below. It does not count as aid "
                               "paid.").format(date=reversed_on.get(s)))]
        reason = data.reversal_reason.strip()
        if reason:
            script = "bo" if is_tibetan_text(reason) else "zh"
            note.append(ScriptParagraph(reason, paper.measurer, form.size,
                                        form.leading[script], chinese_font=FANGSONG_FONT))
        paper.story.append(NoteBox(note))
        paper.gap(3 * mm)

    amount_once = _money(data.amount, data.amount_capital, "", "zh", zh.gettext)
    if data.bilingual and data.amount_words:
        amount_once += " " + bo.gettext("(in words: {words})").format(words=data.amount_words)

    def payee(s: str, _: Callable[[str], str]) -> str:
        return "\n".join(line for line in (data.payee, data.payee_id_number) if line)

    def method(s: str, _: Callable[[str], str]) -> str:
        if data.method == BANK:
            return _("{method}: {bank}, account no. {account}").format(
                method=_inline(data.method_label, s), bank=data.bank_name, account=data.account)
        return data.method_label.get(s)

    rows: list[list[Field]] = [
        [(lambda s, _: _("Petition no."), lambda s, _: data.reg_no),
         (lambda s, _: _("Persons aided"), lambda s, _: _names(data.persons, s))],
        [(lambda s, _: _("Aid approved"), lambda s, _: data.approved.get(s)),
         (lambda s, _: _("Paid on"), lambda s, _: data.paid_on.get(s))],
        [((lambda s, _: _("Payee and ID number")) if data.payee_id_number
          else (lambda s, _: _("Payee")), payee),
         (lambda s, _: _("Relation to the person aided"), lambda s, _: data.relation.get(s))],
        # Once, in figures and Chinese capitals, as a receipt for money gives it, and for a
        # Tibetan reader in Tibetan words too.
        [(lambda s, _: _("Amount"), lambda s, _: amount_once)],
        [(lambda s, _: _("Method of payment"), method)],
    ]
    office = [ScriptParagraph(data.office.get(script), paper.measurer, form.size,
                              form.leading[script], align="right",
                              chinese_font=FANGSONG_FONT)
              for script, _tr in paper.scripts]
    if data.reversed_on is not None:
        rows.append([(lambda s, _: _("Handled by"), lambda s, _: data.paid_by.get(s))])
        paper.story.append(_grid(paper, form, rows))
        paper.gap(6 * mm)
        paper.story.extend(office)
        return paper
    block: list[Flowable] = [_grid(paper, form, rows), Spacer(1, 3 * mm)]
    block += [ScriptParagraph(text, paper.measurer, form.size, form.leading[script],
                              indent=2 * form.size, chinese_font=FANGSONG_FONT)
              for script, text in paper.each(
        lambda s, _: _("I have received the judicial aid money above in full."))]
    block.append(Spacer(1, 3 * mm))
    thumb = paper.both(lambda s, _: _("(thumbprint)"))
    # The payee's name is in the grid just above: the label leaves room for the box.
    signs = SignatureRow([text for _script, text in paper.each(
        lambda s, _: _("Payee (signature)"))], paper.measurer, form.size, form.line(),
        thumbprint=thumb)
    staff = SignatureRow(paper.named_lines(N_("Handled by (signature): {name}"), data.paid_by),
                         paper.measurer, form.size, form.line())
    # The office that paid, its seal to be stamped over its name.
    seal = " ".join(tr.gettext("(seal)") for _script, tr in paper.scripts)
    stamp = [Spacer(1, 6 * mm), *office,
             SealBox(seal, paper.measurer, over=sum(form.leading.values()))]
    block.append(SideBySide([[signs], [staff, *stamp]], [1, 1]))
    # The amount and the signatures for it stay on one sheet.
    paper.story.append(KeepTogether(block))
    return paper


__all__ = [
    "APPROVED",
    "BANK",
    "REDUCED",
    "REFUSED",
    "AidDecisionData",
    "AidReceiptData",
    "AidedPerson",
    "render_aid_decision",
    "render_aid_receipt",
]
