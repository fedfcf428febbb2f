"""Every paper's text copies out of the PDF as it was written (issue 13, point 3): the text
pdftotext and PDFium extract from each paper, in Chinese and in both scripts, is the text of its
paragraphs in order, Tibetan stacks and vowel signs included, with no space invented; and no
paper lists a font it does not embed."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pypdf
import pypdfium2
import pytest
from reportlab.pdfgen.canvas import Canvas

from app.aid import cases as aid
from app.aid.cases import AidProposal
from app.core.store import Store
from app.papers import documents as papers
from reports import charts, layout, statistics_pdf
from tests.helpers import aid_office, office_with_staff, petition, register, tashi
from tests.test_aid_papers import DECIDED, TODAY, _pay
from tests.test_hearing_papers import _case
from tests.test_statistics_report import FONTS, report

NOW = datetime(2026, 11, 24, 10, 0)
NAME = "སྒྲོལ་མ་ཀླུ་འབུམ"  # a stack over a stack (སྒྲོ), a subjoined la (ཀླུ), a vowel under a letter
ANCHORS = (NAME, "བུ", "ཀུ", "ཛི")
FACTS = "བུ་ཀུ་ཛི་" + "ཁོང་ཚོའི་ཕྱུགས་ཀྱི་རྩྭ་ཐང་གི་རྩོད་གཞི་ཡོད། " * 12  # a paragraph over lines
VOWEL_SIGNS = "\u0f71-\u0f7d\u0f80-\u0f84"


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def _in_save() -> bool:
    """Whether the paper's canvas is being saved: it writes the page numbers then."""
    frame = sys._getframe()
    while frame is not None:
        if frame.f_code.co_name == "save" and isinstance(frame.f_locals.get("self"), Canvas):
            return True
        frame = frame.f_back
    return False


@pytest.fixture
def meant(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[str], list[str]]]:
    """What each paper meant to print, in order: the text each paragraph was given (whole,
    before it was broken into lines, once even when it runs over a page) and each chart label;
    and, apart, what is written at the foot of each page (its number, a record's per-page
    signature). Only the last document built
    counts (a receipt too long for one sheet is built again in a smaller type)."""
    texts: list[str] = []
    furniture: list[str] = []
    canvases: list[Any] = []
    draw, split = layout.ScriptParagraph.draw, layout.ScriptParagraph.split

    def on(canvas: Any) -> None:
        if canvases and canvases[-1] is not canvas:
            texts.clear()
            furniture.clear()
        canvases[:] = [canvas]

    def drawing(self: layout.ScriptParagraph) -> None:
        on(self.canv)
        if _in_save():  # what a page carries at its foot: its number, a record's signature
            page = self.canv.getPageNumber()
            furniture.extend([""] * (page - len(furniture)))
            furniture[page - 1] += self.text
        elif not getattr(self, "_continued", False):
            texts.append(self.text)
        draw(self)

    def splitting(self: layout.ScriptParagraph, width: float,
                  height: float) -> list[Any]:
        parts = split(self, width, height)
        for part in parts[1:]:
            part._continued = True
        return parts

    def label(canvas: Any, line: str, *args: Any) -> None:
        on(canvas)
        texts.append(line)
        layout.draw_line(canvas, line, *args)

    monkeypatch.setattr(layout.ScriptParagraph, "draw", drawing)
    monkeypatch.setattr(layout.ScriptParagraph, "split", splitting)
    monkeypatch.setattr(charts, "draw_line", label)
    yield texts, furniture


def _pdftotext(pdf: bytes) -> list[str]:
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf,
                         capture_output=True, check=True).stdout.decode()
    return out.split("\f")[:-1]


def _pypdf(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [page.extract_text() for page in reader.pages]


def _pdfium(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def _body(pages: list[str], furniture: list[str]) -> str:
    """The pages' text without what stands at their feet (the last thing drawn on each)."""
    body = []
    for number, page in enumerate(pages):
        text = _squash(page)
        if furniture:
            foot = _squash(furniture[number])
            assert text.endswith(foot), (number, text[-40:], foot)
            text = text[:-len(foot)]
        body.append(text)
    return "".join(body)


def _hearing_case(store: Store, bilingual: bool) -> Any:
    return _case(store, "bo" if bilingual else "zh")


def _person(bilingual: bool) -> Any:
    return tashi(name_bo=NAME) if bilingual else tashi(preferred_language="zh", name_bo="")


def _notice(kind: str) -> Callable[[Store, bool], bytes]:
    def render(store: Store, bilingual: bool) -> bytes:
        office_with_staff(store)
        refer = kind == "referral-notice"
        done = register(store, petition(
            persons=[_person(bilingual)], summary="草场承包纠纷 " + FACTS,
            jurisdiction="refer" if refer else "accept",
            referral_body="达日县人民法院" if refer else "",
            referral_note="已告知其向法院申请执行。" if refer else ""), now=NOW)
        return papers.render(store, done.id, kind)
    return render


def _aid(receipt: bool) -> Callable[[Store, bool], bytes]:
    def render(store: Store, bilingual: bool) -> bytes:
        o = aid_office(store, petition(persons=[_person(bilingual)]), now=NOW)
        case = aid.propose(o.store, AidProposal(o.petition_id, [o.person_id], "poor", FACTS,
                                                "15000", "符合国家司法救助条件。"),
                           o.procurator, today=TODAY)
        aid.decide(o.store, case, "approved", o.chief, now=DECIDED)
        if receipt:
            return papers.render_aid_receipt(o.store, _pay(o, case))
        return papers.render_aid_decision(o.store, case)
    return render


PAPERS: dict[str, Callable[[Store, bool], bytes]] = {
    "receipt": _notice("receipt"),
    "reply-notice": _notice("reply-notice"),
    "referral-notice": _notice("referral-notice"),
    "agreement": lambda store, bilingual: papers.render_agreement(
        store, _hearing_case(store, bilingual).agreement_id),
    "hearing-notice": lambda store, bilingual: papers.render_hearing_notice(
        store, _hearing_case(store, bilingual).hearing_id),
    "minutes": lambda store, bilingual: papers.render_minutes(
        store, _hearing_case(store, bilingual).hearing_id),
    "aid-decision": _aid(receipt=False),
    "aid-receipt": _aid(receipt=True),
}


def _check(pdf: bytes, texts: list[str], furniture: list[str], tibetan: bool) -> None:
    """pdftotext's raw text and pypdf's are the paragraphs in the order they were drawn; PDFium
    orders text by where it stands (the seal's label, drawn over the office's name and the date,
    comes into them), so there every character is found, as many times, and nothing else."""
    expected = _squash("".join(texts))
    for name, pages in (("pdftotext", _pdftotext(pdf)), ("pypdf", _pypdf(pdf)),
                        ("pdfium", _pdfium(pdf))):
        assert len(furniture) in (0, len(pages))
        got = _body(pages, furniture)
        assert "\ufffd" not in got and not re.search("[\ue000-\uf8ff\x00-\x08]", got)
        if name in ("pdftotext", "pypdf"):
            assert got == expected, next(
                (got[i - 20:i + 20], expected[i - 20:i + 20])
                for i in range(min(len(got), len(expected))) if got[i] != expected[i])
        else:
            assert sorted(got) == sorted(expected)
            # Lines end where the paper's lines end, not inside a syllable at a raised or
            # lowered vowel sign (PDFium took one for a line of its own): as many lines as
            # pdftotext finds, give or take the seal's label drawn beside the date.
            for number, (page, raw) in enumerate(zip(pages, _pdftotext(pdf), strict=True)):
                found = [line for line in re.split(r"[\r\n]+", page) if line.strip()]
                drawn = [line for line in raw.splitlines() if line.strip()]
                assert len(found) <= len(drawn) + 1, (number, found[:12])
    if tibetan:
        raw = "".join(_pdftotext(pdf))
        # No space where the text has none: after a vowel sign, inside a name.
        assert not re.search(f"[{VOWEL_SIGNS}] ", raw)
        assert any(NAME in line for line in raw.splitlines()) or NAME not in "".join(texts)
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True,
                           check=True).stdout.decode()
    assert "Helvetica" not in fonts
    assert all(line.split()[-4] == "yes" for line in fonts.splitlines()[2:]), fonts


@pytest.mark.slow
@pytest.mark.parametrize("bilingual", [False, True], ids=["zh", "bilingual"])
@pytest.mark.parametrize("kind", list(PAPERS))
def test_every_paper_copies_out_as_written(store: Store, meant: tuple[list[str], list[str]],
                                          kind: str, bilingual: bool) -> None:
    texts, furniture = meant
    pdf = PAPERS[kind](store, bilingual)
    tibetan = any(layout.is_tibetan(ch) for ch in "".join(texts))
    assert tibetan or not bilingual
    _check(pdf, texts, furniture, tibetan)


@pytest.mark.parametrize("mode", ["zh", "bo", "bilingual"])
def test_statistics_report_copies_out_as_written(meant: tuple[list[str], list[str]],
                                                 mode: str) -> None:
    texts, furniture = meant
    pdf = statistics_pdf.render_statistics_pdf(report(mode), FONTS)
    _check(pdf, texts, furniture, mode != "zh")


def test_the_anchors_copy_out(store: Store, meant: tuple[list[str], list[str]]) -> None:
    """The syllables that came out as private-use characters or spaced signs before."""
    pdf = PAPERS["aid-decision"](store, True)
    for pages in (_pdftotext(pdf), _pdfium(pdf)):
        text = "".join(pages).replace("\n", "").replace("\r", "")
        for anchor in ANCHORS:
            assert anchor in text, anchor
        assert text.count("བུ་ཀུ་ཛི་") == 1


def test_a_glyph_that_shows_several_characters_maps_to_all_of_them() -> None:
    """A stack HarfBuzz draws as one glyph stands for all its letters; the vowel sign drawn
    apart from it for nothing, since the stack's code already has it."""
    layout.register_fonts(FONTS)
    font = layout.pdfmetrics.getFont(layout.TIBETAN_FONT)
    glyphs = font.shape("སྒྲོལ")
    assert "".join(g.text for g in glyphs) == "སྒྲོལ"
    assert glyphs[0].text == "སྒྲོ" and len(glyphs) > 2 and glyphs[-1].text == "ལ"
