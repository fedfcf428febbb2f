"""The judicial-aid papers: the decision notice (approved, reduced, refused) and the receipt for
aid money, with the amount in capital numerals, the account masked, a reversed payment marked;
in both scripts for a Tibetan reader, with Tibetan shaped as HarfBuzz shapes it and kept inside
the margins; printed the same from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pypdfium2
import pytest

from app.aid import cases as aid
from app.aid.cases import AidProposal, PaymentInput
from app.core import i18n
from app.core.errors import AppError
from app.core.store import Store
from app.papers import documents as papers
from reports import aid_papers, layout
from reports.aid_papers import AidReceiptData
from reports.notices import LEFT, RIGHT, Both
from tests import test_hearing_papers
from tests.helpers import AidOffice as Office
from tests.helpers import aid_office, petition, tashi
from tests.pdf_glyphs import Outline, drawn_glyphs, harfbuzz_glyphs
from tests.test_hearing_papers import TIBETAN_FACE, DrawnLine, _shaping_matches, _text
from tests.test_papers import TIBETAN_SYLLABLES

ROOT = Path(__file__).resolve().parent.parent
drawn = test_hearing_papers.drawn  # the fixture recording every line the papers draw
NOW = datetime(2026, 11, 20, 10, 0)
DECIDED = datetime(2026, 11, 24, 15, 30)
TODAY = date(2026, 11, 26)
ACCOUNT = "6230 5800 0012 3456 789"
# What a Tibetan-speaking applicant told the procurator, recorded in Tibetan: long enough to be
# broken over several lines.
TIBETAN_FACTS = "་".join(TIBETAN_SYLLABLES[i * 7 % len(TIBETAN_SYLLABLES)]
                        for i in range(320)) + "།"


def _office(store: Store, prefers: str = "bo") -> Office:
    person = tashi() if prefers == "bo" else tashi(preferred_language="zh", name_bo="")
    return aid_office(store, petition(persons=[person]), now=NOW)


@pytest.fixture
def office(store: Store) -> Office:
    return _office(store)


@pytest.fixture
def chinese_office(store: Store) -> Office:
    return _office(store, prefers="zh")


def _case(o: Office, amount: str = "15000", facts: str = "家庭生活困难，工程款被拖欠。") -> str:
    return aid.propose(o.store, AidProposal(o.petition_id, [o.person_id], "poor", facts, amount,
                                            "符合国家司法救助条件。"), o.procurator, today=TODAY)


def _approved(o: Office, amount: str = "12000", **changes: str) -> str:
    case = _case(o, amount, **changes)
    aid.decide(o.store, case, "approved", o.chief, now=DECIDED)
    return case


def _pay(o: Office, case: str, amount: str = "12000", **changes: str) -> str:
    data = PaymentInput(case, amount, "2026-11-25", "拉毛", "guardian",
                        payee_id_number="632624198503120012", method="bank",
                        bank_name="青海省农村信用社", account_no=ACCOUNT)
    for key, value in changes.items():
        setattr(data, key, value)
    return aid.pay(o.store, data, o.procurator, today=TODAY)


def _zh(message: str) -> str:
    """A message as the Chinese catalog prints it, without spaces (as ``_text`` compares)."""
    return "".join(i18n.catalog(i18n.ZH).gettext(message).split())


def _tibetan(lines: list[DrawnLine]) -> str:
    return "\n".join(line.text for line in lines)


def test_receipt_shows_the_amount_in_capitals_the_payee_and_a_masked_account(
        chinese_office: Office) -> None:
    o = chinese_office
    payment = _pay(o, _approved(o))
    pdf = papers.render_aid_receipt(o.store, payment)
    text = _text(pdf)
    for expected in (_zh("Receipt for judicial aid money"), "达日县人民检察院", "达检信",
                     "壹万贰仟元整", "¥12,000.00", "拉毛", _zh("Guardian"),
                     "632624198503120012", "青海省农村信用社", "6230***********6789",
                     _zh("Bank transfer"), "2026年11月25日", "卓玛", "扎西才让",
                     _zh("Payee (signature)"), _zh("(thumbprint)"), _zh("(seal)")):
        assert expected in text, expected
    assert "6230580000123456789" not in text and "5800" not in text  # the account is masked
    assert not any("\u0f00" <= ch <= "\u0fff" for ch in text)  # Chinese only
    assert papers.render_aid_receipt(o.store, payment) == pdf  # same data, same bytes


def test_cash_receipt_has_no_bank_line(chinese_office: Office) -> None:
    o = chinese_office
    case = _approved(o, "10000")
    payment = _pay(o, case, "3000.50", method="cash", bank_name="", account_no="",
                   payee_name="扎西才让", payee_relation="self", payee_id_number="")
    text = _text(papers.render_aid_receipt(o.store, payment))
    for expected in ("叁仟元伍角", "¥3,000.50", _zh("Cash"), _zh("The person aided")):
        assert expected in text, expected
    assert "***" not in text and "¥10,000.00" in text  # the case's approved amount


def test_a_reversed_payment_prints_marked_and_a_reversing_entry_has_no_receipt(
        chinese_office: Office) -> None:
    o = chinese_office
    case = _approved(o)
    wrong = _pay(o, case)
    plain = _text(papers.render_aid_receipt(o.store, wrong))
    reversal = aid.reverse(o.store, wrong, "领款人填错", o.procurator, today=TODAY)
    marked = _text(papers.render_aid_receipt(o.store, wrong))
    note = _zh("Reversed: this payment was cancelled by a reversing entry on {date}, for the "
               "reason below. It does not count as aid paid.").format(date="2026年11月26日")
    assert note in marked and "领款人填错" in marked
    assert note not in plain and "领款人填错" not in plain
    # Nobody signs for money that no longer counts.
    assert _zh("Payee (signature)") in plain and _zh("Payee (signature)") not in marked
    assert "壹万贰仟元整" in marked and "拉毛" in marked  # what was recorded stays readable
    with pytest.raises(AppError, match="reverses an earlier payment"):
        papers.render_aid_receipt(o.store, reversal)


def test_approved_decision(chinese_office: Office) -> None:
    o = chinese_office
    case = _approved(o)
    pdf = papers.render_aid_decision(o.store, case)
    text = _text(pdf)
    for expected in (_zh("Decision on state judicial aid"), "达日县人民检察院", "扎西才让",
                     "632624198503120012", _zh("Poor household"), "家庭生活困难，工程款被拖欠。",
                     "¥12,000.00", "壹万贰仟元整", "2026年11月24日", _zh("(seal)")):
        assert expected in text, expected
    assert _zh("Decision not to grant state judicial aid") not in text
    assert papers.render_aid_decision(o.store, case) == pdf
    later = _text(papers.render_aid_decision(o.store, case, issued=date(2026, 12, 1)))
    assert "2026年12月1日" in later


def test_reduced_decision_shows_both_amounts_and_the_reason(chinese_office: Office) -> None:
    o = chinese_office
    case = _case(o, "15000")
    aid.decide(o.store, case, "reduced", o.deputy, "8000", "部分损失已获赔偿", now=DECIDED)
    text = _text(papers.render_aid_decision(o.store, case))
    for expected in ("¥15,000.00", "¥8,000.00", "捌仟元整", "部分损失已获赔偿",
                     _zh("The reason for reducing the amount:")):
        assert expected in text, expected
    assert "壹万伍仟" not in text  # capitals are for the amount granted


def test_refusal_shows_the_reason_and_no_amount(chinese_office: Office) -> None:
    o = chinese_office
    case = _case(o, "15000")
    aid.decide(o.store, case, "refused", o.chief, reason="已获得其他救助，不符合条件",
               now=DECIDED)
    text = _text(papers.render_aid_decision(o.store, case))
    for expected in (_zh("Decision not to grant state judicial aid"), "已获得其他救助，不符合条件",
                     _zh("The reason:")):
        assert expected in text, expected
    assert "元整" not in text and "¥15,000.00" not in text


def test_a_long_bilingual_receipt_still_takes_one_sheet() -> None:
    """Three persons aided, a long Tibetan payee name, a prefecture office, a long bank name:
    the receipt is set smaller rather than put its signatures on another sheet."""
    data = AidReceiptData(
        office=Both("海南藏族自治州人民检察院", "མཚོ་ལྷོ་བོད་རིགས་རང་སྐྱོང་ཁུལ་མི་དམངས་ཞིབ་ཚགས་ཁང་།"),
        reg_no="海检信〔2026〕1234号",
        persons=[Both("扎西才让", "བཀྲ་ཤིས་ཚེ་རིང"), Both("卓玛拉毛", "སྒྲོལ་མ་ལྷ་མོ"),
                 Both("索南多杰", "བསོད་ནམས་རྡོ་རྗེ")],
        approved=Both("¥93,012.45", "¥\xa093,012.45"), payee="བཀྲ་ཤིས་དབང་ཕྱུག་རྡོ་རྗེ",
        relation=Both("近亲属", "ཉེ་འབྲེལ།"), payee_id_number="632624198503120012",
        amount=Both("¥93,012.45", "¥\xa093,012.45"), amount_capital="玖万叁仟零壹拾贰元肆角伍分",
        amount_words="སྒོར་མོ་ཁྲི་ཕྲག་དགུ་དང་སྟོང་ཕྲག་གསུམ་དང་བཅུ་གཉིས་དང་ཞོ་བཞི་དང་སྐར་མ་ལྔ",
        method="bank", method_label=Both("银行转账", "དངུལ་ཁང་བརྒྱུད་སྤོ་སྒྱུར།"),
        bank_name="中国农业银行股份有限公司海南州共和县支行", account="6228***********1234",
        paid_on=Both("2026年11月25日", "སྤྱི་ལོ་2026 ཟླ་བ་བཅུ་གཅིག་པའི་ཚེས་25"),
        paid_by=Both("桑杰拉毛", "སངས་རྒྱས་ལྷ་མོ"), reversed_on=None, reversal_reason="",
        bilingual=True)
    zh, bo = i18n.catalog(i18n.ZH), i18n.catalog(i18n.BO)
    pdf = aid_papers.render_aid_receipt(data, zh, bo, papers.shipped_fonts())
    doc = pypdfium2.PdfDocument(pdf)
    try:
        assert len(doc) == 1
    finally:
        doc.close()
    text = _text(pdf)
    for expected in ("玖万叁仟零壹拾贰元肆角伍分", _zh("Payee (signature)"), "桑杰拉毛",
                     "海南藏族自治州人民检察院"):
        assert expected in text, expected
    assert aid_papers.render_aid_receipt(data, zh, bo, papers.shipped_fonts()) == pdf


def test_an_undecided_case_has_no_decision_to_print(office: Office) -> None:
    case = _case(office)
    with pytest.raises(AppError, match="No leader has decided"):
        papers.render_aid_decision(office.store, case)
    with pytest.raises(AppError, match="No aid case has the id"):
        papers.render_aid_decision(office.store, "no-such-case")


def test_bilingual_papers_for_a_tibetan_reader(office: Office, drawn: list[DrawnLine]) -> None:
    case = _approved(office, facts=TIBETAN_FACTS)
    decision = papers.render_aid_decision(office.store, case)
    tibetan = _tibetan(drawn)
    for expected in ("བཀྲ་ཤིས་ཚེ་རིང", "(ཐམ་ག)", "¥\xa012,000.00", TIBETAN_SYLLABLES[0] + "་"):
        assert expected in tibetan, expected
    # The amount in Tibetan words for the Tibetan reader, as the Chinese has it in capitals.
    assert "(ཡི་གེར། སྒོར་མོ་ཁྲི་ཕྲག་གཅིག་དང་སྟོང་ཕྲག་གཉིས)" in "".join(tibetan.split("\n"))
    # Tibetan paragraphs come before their Chinese twins; the Chinese ones carry the capitals.
    texts = [line.text for line in drawn]
    first_tibetan = next(i for i, t in enumerate(texts) if "བཀྲ་ཤིས་ཚེ་རིང" in t)
    first_chinese = next(i for i, t in enumerate(texts) if "扎西才让" in t)
    assert first_tibetan < first_chinese
    assert not any("元整" in t for t in texts if any("\u0f00" <= c <= "\u0fff" for c in t))
    text = _text(decision)
    assert "壹万贰仟元整" in text and "扎西才让" in text
    assert _shaping_matches(decision, drawn)

    drawn.clear()
    receipt = papers.render_aid_receipt(office.store, _pay(office, case))
    tibetan = _tibetan(drawn)
    for expected in ("བཀྲ་ཤིས་ཚེ་རིང", "(མཛུབ་རྗེས།)", "སྒྲོལ་མ",
                     "¥\xa012,000.00"):
        assert expected in tibetan, expected
    assert "壹万贰仟元整" in _text(receipt)
    assert "སྒོར་མོ་" in tibetan
    assert _shaped_runs(receipt, drawn) >= 8  # a form has fewer, shorter runs than a notice


def _shaped_runs(pdf: bytes, lines: list[DrawnLine]) -> int:
    """How many Tibetan runs the PDF draws, when each shows exactly the glyphs HarfBuzz chooses
    for it (as ``_shaping_matches`` checks, for a paper with few runs); 0 when any does not.
    Only the lines of the last document built count: a receipt too long for one sheet is built
    again in a smaller type."""
    lines = [line for line in lines if line.canvas is lines[-1].canvas
             and line.face != layout.TITLE_FONT]  # (titles: the bold face, checked elsewhere)
    font = papers.shipped_fonts().tibetan
    expected: Counter[tuple[Outline, ...]] = Counter(
        tuple(harfbuzz_glyphs(font, part.rstrip(" ")))
        for line in lines for face, part in layout.runs(line.text)
        if face == layout.TIBETAN_FONT)
    actual = Counter(tuple(block) for block in drawn_glyphs(pdf, TIBETAN_FACE))
    return sum(expected.values()) if actual == expected else 0


def test_tibetan_lines_break_after_a_tsheg_inside_the_frame(
        office: Office, drawn: list[DrawnLine]) -> None:
    papers.render_aid_decision(office.store, _approved(office, facts=TIBETAN_FACTS))
    measurer = layout.Measurer(papers.shipped_fonts())
    facts_lines = [line for line in drawn if TIBETAN_SYLLABLES[1] + "་" in line.text]
    assert len(facts_lines) > 3
    for line in drawn:
        assert not line.text.startswith(("་", "།")), line.text
        assert line.x >= 0
        assert line.x + measurer.width(line.text, line.size, line.face) <= line.frame + 0.01, \
            line.text


def _ink_columns(pdf: bytes) -> list[tuple[int, int, int]]:
    """For each page, the leftmost and rightmost inked pixel columns at 100 dpi, and its width."""
    doc = pypdfium2.PdfDocument(pdf)
    found = []
    try:
        for index in range(len(doc)):
            image = doc[index].render(scale=100 / 72).to_pil().convert("L")
            width, height = image.size
            inked = [x for x in range(width)
                     if min(image.getpixel((x, y)) for y in range(0, height, 2)) < 200]
            assert len(inked) > 100, f"page {index + 1} is empty"
            found.append((inked[0], inked[-1], width))
    finally:
        doc.close()
    return found


def test_aid_papers_keep_their_margins(office: Office) -> None:
    case = _approved(office, facts=TIBETAN_FACTS)
    payment = _pay(office, case)
    aid.reverse(office.store, payment, "ཞིབ་ཚགས་ཁང་གིས་ནོར་འཁྲུལ་བཟོ་བཅོས་བྱས།", office.procurator,
                today=TODAY)
    for pdf in (papers.render_aid_decision(office.store, case),
                papers.render_aid_receipt(office.store, payment)):
        for first, last, width in _ink_columns(pdf):
            assert first >= int(LEFT / 72 * 100) - 3, first
            assert last < width - int(RIGHT / 72 * 100) + 3, last


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "app", "print", *args], cwd=ROOT,
                          capture_output=True, text=True, env=env, check=False, timeout=120)


@pytest.mark.sqlite_file
@pytest.mark.slow
def test_command_line_prints_the_aid_papers(office: Office, tmp_path: Path) -> None:
    case = _approved(office)
    payment = _pay(office, case)
    data_dir = str(office.store.paths.data_dir)
    for paper, key, expected in (
            ("aid-decision", case, papers.render_aid_decision(office.store, case)),
            ("aid-receipt", payment, papers.render_aid_receipt(office.store, payment))):
        out = tmp_path / f"{paper}.pdf"
        result = _cli(paper, key, "--data-dir", data_dir, "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert out.read_bytes() == expected
    for paper in ("aid-decision", "aid-receipt"):
        out = tmp_path / f"missing-{paper}.pdf"
        result = _cli(paper, "no-such-id", "--data-dir", data_dir, "--out", str(out))
        assert result.returncode == 1
        assert "no-such-id" in result.stderr and "Traceback" not in result.stderr
        assert not out.exists() and not out.with_name(out.name + ".tmp").exists()


def test_a_bilingual_receipt_prints_the_amount_paid_once(office: Office,
                                                         drawn: list[DrawnLine]) -> None:
    payment = _pay(office, _approved(office, "10000"), "3000.50", method="cash",
                   bank_name="", account_no="")
    text = _text(papers.render_aid_receipt(office.store, payment))
    # In figures once, with the capitals a receipt for money needs.
    assert text.count("3,000.50") == 1
    assert "叁仟元伍角" in text
