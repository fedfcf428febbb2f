"""How the papers are set: full, justified lines (only a paragraph's first line indented), no
line left alone at a page's foot or head, headings with what follows, signatures and seals never
on a page without the text they sign, registration numbers, amounts and dates never broken."""

from __future__ import annotations

import io
import itertools
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pypdfium2
import pytest
from reportlab.lib.units import mm

from app.core.fonts import shipped_fonts
from app.core.store import Store
from app.papers import documents as papers
from app.petitions.detail import petition_detail
from reports import layout, notices, paper
from tests.test_hearing_papers import Case, _case

MEASURE = 210 * mm - notices.LEFT - notices.RIGHT  # 156 mm
SIZE = 16.0


@pytest.fixture(scope="module")
def measurer() -> layout.Measurer:
    return layout.Measurer(shipped_fonts())


def test_continuation_lines_take_the_full_measure(measurer: layout.Measurer) -> None:
    text = "信访人反映村委会在发放草原生态补助时优亲厚友，要求依法处理。" * 6
    measurer.tracking = notices.grid_tracking(SIZE)
    try:
        lines = layout.wrap(text, MEASURE, SIZE, measurer, indent=2 * SIZE)
    finally:
        measurer.tracking = {}
    # GB/T 9704: 28 characters of 三号 to a 156 mm line; the first line two fewer.
    # (A line may end one character early rather than start with closing punctuation.)
    assert len(lines[0]) in (25, 26), lines[0]
    assert all(len(line) in (27, 28) for line in lines[1:-1]), lines
    assert sum(len(line) == 28 for line in lines[1:-1]) >= len(lines[1:-1]) - 1


def test_tibetan_lines_are_full_and_break_after_a_tsheg(measurer: layout.Measurer) -> None:
    text = "་".join(["བཀྲ", "ཤིས", "བློ", "བཟང", "ཞིབ", "ཚགས", "ཁང", "དང", "ཞུ", "གཏུག",
                     "པ"] * 12) + "།"
    lines = layout.wrap(text, MEASURE, SIZE, measurer, indent=2 * SIZE)
    for number, line in enumerate(lines[:-1]):
        assert line.endswith("་") and not lines[number + 1].startswith(("་", "།"))
        room = MEASURE - (2 * SIZE if number == 0 else 0.0) - measurer.width(line, SIZE)
        # Never more than the widest syllable and its tsheg short (Tibetan is set larger).
        assert 0 <= room < 2.5 * SIZE * layout.TIBETAN_SCALE, (line, room)


@pytest.mark.parametrize("kept", ["达检信〔2026〕15号", "达检信〔2026〕临3F2A-1号",
                                  "壹万伍仟元整", "陆仟元整", "2026年11月20日", "12309",
                                  "扎西益西"])
def test_numbers_amounts_dates_and_names_are_never_broken(kept: str,
                                                          measurer: layout.Measurer) -> None:
    measurer.keep = ("扎西益西",)
    try:
        for shift in range(40):  # wherever the line would end, it does not end inside
            text = "信" * shift + f"关于{kept}的事项，" * 8
            lines = layout.wrap(text, MEASURE, SIZE, measurer)
            assert sum(line.count(kept) for line in lines) == text.count(kept), lines
    finally:
        measurer.keep = ()


def test_break_points_leave_kept_spans_whole() -> None:
    text = "（信访编号达检信〔2026〕15号），救助金额壹万伍仟元整，于2026年11月20日发放。"
    for point in layout.break_points(text, ("扎西",)):
        for span in ("达检信〔2026〕15号", "壹万伍仟元整", "2026年11月20日"):
            start = text.index(span)
            assert not start < point < start + len(span), (point, span)


def _split(para: layout.ScriptParagraph, lines_room: int) -> list[Any]:
    return para.split(MEASURE, para.leading * lines_room + 1)


@pytest.mark.parametrize(("lines", "room", "expected"), [
    (5, 4, [3, 2]),  # the last two lines go on together
    (5, 3, [3, 2]),
    (5, 1, []),      # one line alone at the foot: the paragraph moves whole
    (3, 2, []),      # one line alone at the head: it moves whole
    (4, 3, [2, 2]),
    (6, 5, [4, 2]),
])
def test_no_line_alone_at_a_page_foot_or_head(lines: int, room: int, expected: list[int],
                                              measurer: layout.Measurer) -> None:
    para = layout.ScriptParagraph("", measurer, SIZE, 28.0, lines=[f"第{n}行" for n in
                                                                  range(lines)])
    parts = _split(para, room)
    assert [len(part.lines()) for part in parts] == expected


@pytest.fixture
def pages(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[int, list[str]]]:
    """What each page of the papers built holds: 'text' for a paragraph of the body (indented
    or justified), 'heading' for one kept with what follows, 'sign' for a signature row, 'seal'
    for the seal; pages counted across every paper built, each paper's from 1."""
    drawn: dict[int, list[str]] = defaultdict(list)
    built = itertools.count()
    current = [0]
    original_build = paper.Paper.build

    def build(self: paper.Paper, *args: Any, **kwargs: Any) -> bytes:
        current[0] = next(built) * 100
        return original_build(self, *args, **kwargs)

    def spy(kind: Any, what: Any) -> None:
        original = kind.draw

        def draw(self: Any) -> None:
            label = what(self) if callable(what) else what
            if label:
                drawn[current[0] + self.canv.getPageNumber()].append(label)
            original(self)
        monkeypatch.setattr(kind, "draw", draw)

    def paragraph_kind(para: layout.ScriptParagraph) -> str:
        if para.keepWithNext:
            return "heading"
        return "text" if para.align == "justify" or para.indent else ""

    monkeypatch.setattr(paper.Paper, "build", build)
    spy(layout.ScriptParagraph, paragraph_kind)
    spy(paper.SignatureRow, "sign")
    spy(notices.SealBox, "seal")
    yield drawn


def _long_case(store: Store) -> Case:
    """A bilingual agreement and minutes long enough to run over several pages."""
    from app.hearings import agreements

    case = _case(store)
    detail = agreements.agreement_detail(store, case.agreement_id)
    text = detail.text
    complaint = "信访人反映村委会在发放草原生态补助时优亲厚友，要求依法处理。"
    text.matter_zh = "\n".join([complaint * 3] * 4)
    text.matter_bo = "\n".join(["་".join(["ཞུ", "གཏུག", "པ", "ཡིས", "རྩྭ", "ཐང", "སྐྱོང",
                                          "སྐྱོབ", "ཀྱི", "རོགས", "དངུལ"] * 6) + "།"] * 4)
    agreements.save_text(store, case.agreement_id, text, bilingual=True)
    return case


def test_signatures_and_seals_stand_with_the_text_they_sign(store: Store,
                                                            pages: dict[int, list[str]]) -> None:
    case = _long_case(store)
    papers.render_agreement(store, case.agreement_id)
    papers.render_minutes(store, case.hearing_id)
    papers.render_hearing_notice(store, case.hearing_id)
    papers.render(store, case.petition_id, "receipt")
    assert any("sign" in held for held in pages.values())
    assert sum(1 for page in pages if page % 100 > 1) >= 2  # papers of several pages
    for page, held in pages.items():
        if "sign" in held or "seal" in held:
            assert "text" in held, (page, held)
        # A heading is never the last thing on its page.
        if "heading" in held:
            last_heading = max(i for i, kind in enumerate(held) if kind == "heading")
            assert last_heading < len(held) - 1, (page, held)


def test_the_agreement_prints_every_party_name_whole(store: Store) -> None:
    case = _case(store)
    names = [p.name_zh for p in petition_detail(store, case.petition_id).parties]
    pdf = papers.render_agreement(store, case.agreement_id)
    from tests.helpers import pdf_text

    lines = pdf_text(pdf).splitlines()
    for name in names:
        assert any(name in line for line in lines), name


def test_a_signature_label_keeps_its_brackets_whole(measurer: layout.Measurer) -> None:
    label = "ཞིབ་ཉན་པ། (མིང་རྟགས།) བསོད་ནམས"
    row = paper.SignatureRow([label, "听证员（签名）：索南"], measurer, 14.0, 25.0,
                             thumbprint="(མཛུབ་རྗེས།)（捺印）")
    for width in range(170, 330, 3):  # the thumbprint box takes 30 mm of it
        row.wrap(float(width), 1000.0)
        lines = [line for para in row._paras for line in para.lines()]
        assert any("(མིང་རྟགས།)" in line for line in lines), (width, lines)
        assert any("（签名）" in line for line in lines), (width, lines)


def test_a_seal_at_a_page_head_keeps_its_circle_inside_the_text_block(
        measurer: layout.Measurer) -> None:
    layout.register_fonts(shipped_fonts())
    out = io.BytesIO()
    lines = [layout.ScriptParagraph(text, measurer, 14.0, 20.0, align="right")
             for text in ("达日县人民检察院", "2026年11月24日")]
    doc = notices.paper_document(out, "seal", "", "")
    doc.build([*lines, notices.SealBox("（盖章）", measurer, over=40.0)])
    document = pypdfium2.PdfDocument(out.getvalue())
    try:
        image = document[0].render(scale=100 / 72).to_pil().convert("L")
    finally:
        document.close()
    top = int(notices.TOP / 72 * 100) - 2
    for y in range(top):
        row = [image.getpixel((x, y)) for x in range(0, image.size[0], 2)]
        assert min(row) > 200, f"ink in the top margin at y={y}"


def test_minutes_with_many_officials_keep_every_signature_with_the_confirmation(
        store: Store, pages: dict[int, list[str]]) -> None:
    """Five hearing officers, an interpreter and the party: the confirmation and every
    signature on one page, none left alone on the next."""
    from dataclasses import replace

    from app.hearings import record as hearings
    from app.hearings.record import OfficerInput
    from tests.test_hearing_papers import NOW

    case = _case(store)
    data = hearings.hearing_input(store, case.hearing_id)
    from app.core.identity import this_device

    device = this_device(store)
    assert device is not None and device.office_id is not None
    office_id = device.office_id
    officers = [hearings.save_officer(store, OfficerInput(office_id, zh, bo, "deputy"))
                for zh, bo in (("才旺老人", "ཚེ་དབང་རྒན་པོ"), ("索南旺堆", "བསོད་ནམས་དབང་འདུས"),
                               ("王建华", ""), ("更登", "དགེ་འདུན"))]
    hearings.record_hearing(store, replace(data, officer_ids=[*data.officer_ids, *officers]),
                            now=NOW, hearing_id=case.hearing_id)
    papers.render_minutes(store, case.hearing_id)
    signed = [page for page, held in pages.items() if "sign" in held]
    assert signed and all("text" in pages[page] for page in signed), dict(pages)


def _page_texts(pdf: bytes) -> list[str]:
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf,
                         capture_output=True, check=True).stdout.decode()
    return ["".join(page.split()) for page in out.split("\f")[:-1]]


def test_each_page_of_the_minutes_but_the_last_has_a_line_for_the_parties(store: Store) -> None:
    """A record (笔录) is signed on every page: the parties sign at the foot of each page, and
    on the last, which carries every signature in full, in their own rows."""
    from dataclasses import replace

    from app.hearings import record as hearings
    from tests.test_hearing_papers import NOW

    for prefers in ("zh", "bo"):
        case = _case(store, prefers)
        data = hearings.hearing_input(store, case.hearing_id)
        said = [(data.statements[n % len(data.statements)][0],
                 "信访人反映村委会在发放草原生态补助时优亲厚友，要求依法处理。" * 3)
                for n in range(12)]
        hearings.record_hearing(store, replace(data, statements=said), now=NOW,
                                hearing_id=case.hearing_id)
        pages = _page_texts(papers.render_minutes(store, case.hearing_id))
        assert len(pages) >= 3, len(pages)
        label = "本页当事人（签名）："
        assert all(label in page for page in pages[:-1]), pages
        assert label not in pages[-1]
        if prefers == "bo":
            assert all("ཤོག་ངོས་འདིའི་འབྲེལ་ཡོད་མི།" in page for page in pages[:-1])


def test_the_bilingual_hearing_notice_takes_two_pages(store: Store) -> None:
    """Three hearing officers besides the one the case has, an interpreter: two pages, the
    office's seal with the last paragraph on the second."""
    from dataclasses import replace

    from app.core.identity import this_device
    from app.hearings import record as hearings
    from app.hearings.record import OfficerInput
    from tests.test_hearing_papers import NOW

    case = _case(store, "bo")
    device = this_device(store)
    assert device is not None and device.office_id is not None
    officers = [hearings.save_officer(store, OfficerInput(device.office_id, zh, bo, "deputy"))
                for zh, bo in (("才旺老人", "ཚེ་དབང་རྒན་པོ"), ("索南旺堆", "བསོད་ནམས་དབང་འདུས"),
                               ("王建华", ""))]
    data = hearings.hearing_input(store, case.hearing_id)
    hearings.record_hearing(store, replace(data, officer_ids=[*data.officer_ids, *officers],
                                           interpreter="尼玛（藏汉翻译）"),
                            now=NOW, hearing_id=case.hearing_id)
    pages = _page_texts(papers.render_hearing_notice(store, case.hearing_id))
    assert len(pages) == 2, len(pages)


def test_a_heading_at_a_page_foot_takes_the_first_lines_of_its_paragraph_along(
        measurer: layout.Measurer) -> None:
    """Room at the foot for the heading and three lines: the heading and the first lines of the
    paragraph after it stay there, the rest runs on (not the whole paragraph moved over)."""
    layout.register_fonts(shipped_fonts())
    leading = 28.0
    text_height = 297 * mm - notices.TOP - notices.BOTTOM
    filler = int((text_height - 4 * leading) // leading)
    story = [layout.ScriptParagraph("", measurer, SIZE, leading,
                                    lines=[f"前文第{n}行" for n in range(filler)]),
             layout.ScriptParagraph("乙方承诺：", measurer, SIZE, leading, keep_with_next=True),
             layout.ScriptParagraph("", measurer, SIZE, leading,
                                    lines=[f"承诺第{n}行" for n in range(8)])]
    out = io.BytesIO()
    notices.paper_document(out, "heading", "", "").build(story)
    pages = _page_texts(out.getvalue())
    assert len(pages) == 2
    assert "乙方承诺：" in pages[0] and "承诺第0行承诺第1行" in pages[0]
    assert pages[1].startswith("承诺第")
