"""The hearing's papers: agreement, notice and minutes; Tibetan shaped as HarfBuzz shapes it,
broken only after a tsheg or shad, and kept inside the margins."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.core.errors import AppError
from app.core.fonts import shipped_fonts
from app.core.store import Store
from app.hearings import agreements
from app.hearings import record as hearings
from app.hearings.record import HearingInput, OfficerInput
from app.papers import documents as papers
from app.petitions.detail import petition_detail
from reports import layout
from reports.notices import LEFT, RIGHT
from reports.paper import SignatureRow
from reports.shaped_font import PlacedGlyph, ShapedFont
from tests.helpers import office_with_staff, pdf_text, petition, register, tashi
from tests.pdf_glyphs import Outline, drawn_glyphs, harfbuzz_glyphs, nominal_glyphs, outline
from tests.test_papers import TIBETAN_SYLLABLES

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 24, 16, 0)
TIBETAN_FACE = "NotoSerifTibetan-Regular"
TIBETAN_BOLD_FACE = "NotoSerifTibetan-Bold"
FANGSONG_FACE, SONG_FACE = "ZhuqueFangsong-Regular", "UMingCN-0"
TITLE_FACE = "NotoSerifCJKsc-Bold"


@dataclass
class Case:
    store: Store
    petition_id: str
    reg_no: str
    hearing_id: str
    agreement_id: str


def _case(store: Store, prefers: str = "bo", officer_bo: str = "བསོད་ནམས") -> Case:
    office_id, chief_id = office_with_staff(store)
    person = tashi() if prefers == "bo" else tashi(preferred_language="zh", name_bo="")
    done = register(store, petition(persons=[person]), now=NOW)
    officer = hearings.save_officer(store, OfficerInput(office_id, "索南", officer_bo,
                                                        "deputy"))
    party = petition_detail(store, done.id).parties[0].person_id
    hearing_id = hearings.record_hearing(store, HearingInput(
        petition_id=done.id, kind="doorstep", held_at="2026-11-24T14:00", township="窝赛乡",
        village="查干村", herding_group="二社", place="信访人家中帐篷", host_id=chief_id,
        officer_ids=[officer], party_ids=[party], interpreter="尼玛",
        statements=[(("procurator", chief_id), "宣布听证开始，介绍听证员。"),
                    (("party", party), "ང་ལ་བཟོ་ལས་ཀྱི་གླ་ཆ་ད་དུང་མ་ཐོབ།"),
                    (("officer", officer), "建议依法支持起诉。")],
        opinions={officer: "同意支持起诉，并协调司法救助。"}, outcome="settled",
        outcome_note="签订息诉罢访协议书"), chief_id, now=NOW)
    agreement_id = agreements.draft_agreement(store, store.paths, hearing_id, chief_id)
    return Case(store, done.id, done.reg_no, hearing_id, agreement_id)


@pytest.fixture
def case(store: Store) -> Case:
    return _case(store)


def _text(pdf: bytes) -> str:
    """The PDF's Chinese text with line breaks and spaces taken out (a phrase may be broken
    across lines)."""
    return "".join(pdf_text(pdf).split())


@dataclass
class DrawnLine:
    text: str
    x: float
    size: float
    frame: float  # the width the paragraph was given
    face: str = layout.CHINESE_FONT  # the face of its Chinese text (Song or FangSong)
    canvas: Any = None  # what it was drawn on: one per document built


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[DrawnLine]]:
    """Every line the papers draw, with where it starts and how wide its frame is."""
    lines: list[DrawnLine] = []
    original_draw = layout.ScriptParagraph.draw
    original_line = layout.draw_line

    def draw(self: layout.ScriptParagraph) -> None:
        def record(canvas: Any, line: str, x: float, baseline: float, size: float,
                   measurer: layout.Measurer, extra: float = 0.0,
                   chinese: str = layout.CHINESE_FONT) -> None:
            # A Tibetan run is drawn whole, justified or not.
            lines.append(DrawnLine(line, x, size, self._width, chinese, canvas))
            original_line(canvas, line, x, baseline, size, measurer, extra=extra,
                          chinese=chinese)
        monkeypatch.setattr(layout, "draw_line", record)
        try:
            original_draw(self)
        finally:
            monkeypatch.setattr(layout, "draw_line", original_line)

    monkeypatch.setattr(layout.ScriptParagraph, "draw", draw)
    yield lines


def _shaping_matches(pdf: bytes, lines: list[DrawnLine]) -> bool:
    """Whether every Tibetan run drawn in the PDF shows exactly the glyphs HarfBuzz chooses
    for that run in the same font (same glyphs, same order): the regular face in the body, the
    bold one in titles."""
    fonts = shipped_fonts()
    files = {layout.TIBETAN_FONT: (fonts.tibetan, TIBETAN_FACE),
             layout.TIBETAN_BOLD_FONT: (fonts.tibetan_bold, TIBETAN_BOLD_FACE)}
    expected: dict[str, Counter[tuple[Outline, ...]]] = {name: Counter() for name in files}
    for line in lines:
        bold = line.face == layout.TITLE_FONT
        for face, part in layout.runs(line.text):
            if face == layout.TIBETAN_FONT:  # (a paragraph drops its trailing space)
                name = layout.TIBETAN_BOLD_FONT if bold else face
                path = files[name][0]
                assert path is not None
                expected[name][tuple(harfbuzz_glyphs(path, part.rstrip(" ")))] += 1
    return sum(expected[layout.TIBETAN_FONT].values()) > 20 and all(
        Counter(tuple(block) for block in drawn_glyphs(pdf, base)) == expected[name]
        for name, (_path, base) in files.items())


def test_bilingual_agreement_has_every_part_in_both_scripts(
        case: Case, drawn: list[DrawnLine]) -> None:
    pdf = papers.render_agreement(case.store, case.agreement_id)
    text = _text(pdf)
    for expected in ("息诉罢访协议书", "甲方：达日县人民检察院", "乙方：扎西才让",
                     "632624198503120012", "一、", "二、", "乙方承诺", "—1—",
                     "签订地点：窝赛乡查干村二社信访人家中帐篷", "2026年11月24日",
                     "（捺印）", "（盖章）"):
        assert expected in text, expected
    # Shaped stacks come back from the PDF's text as private-use characters, so the Tibetan is
    # checked as drawn.
    tibetan = "\n".join(line.text for line in drawn)
    for expected in ("ཕྱོགས་གཉིས་པ། བཀྲ་ཤིས་ཚེ་རིང", "ཕྱོགས་དང་པོས་ཁས་ལེན་བྱེད་པ།", "༡. ", "༢. ",
                     "(མཛུབ་རྗེས།)", "(ཐམ་ག)"):
        assert expected in tibetan, expected
    assert sum("\u0f00" <= ch <= "\u0fff" for ch in tibetan) > 500
    assert papers.render_agreement(case.store, case.agreement_id) == pdf  # reproducible


def test_chinese_reader_gets_a_chinese_agreement(store: Store) -> None:
    case = _case(store, prefers="zh")
    text = _text(papers.render_agreement(store, case.agreement_id))
    assert "息诉罢访协议书" in text and "乙方：扎西才让" in text
    assert not any("\u0f00" <= ch <= "\u0fff" for ch in text)


def test_tibetan_in_the_pdf_is_shaped_as_harfbuzz_shapes_it(
        case: Case, drawn: list[DrawnLine]) -> None:
    pdf = papers.render_agreement(case.store, case.agreement_id)
    assert _shaping_matches(pdf, drawn)


def test_the_shaping_check_fails_when_shaping_is_off(
        case: Case, drawn: list[DrawnLine], monkeypatch: pytest.MonkeyPatch) -> None:
    def unshaped(font: ShapedFont, text: str) -> tuple[PlacedGlyph, ...]:
        """Each character's nominal glyph, side by side, as unshaped text is drawn."""
        glyphs = [font.face.charToGlyph.get(ord(ch), 0) for ch in text]
        return tuple(PlacedGlyph(gid, ch, font.face.hmetrics[gid][0], 0, 0)
                     for gid, ch in zip(glyphs, text, strict=True))
    monkeypatch.setattr(ShapedFont, "shape", unshaped)
    pdf = papers.render_agreement(case.store, case.agreement_id)
    assert not _shaping_matches(pdf, drawn)


def _long_tibetan_agreement(case: Case) -> bytes:
    syllables = [TIBETAN_SYLLABLES[i * 7 % len(TIBETAN_SYLLABLES)] for i in range(400)]
    paragraph = "་".join(syllables) + "།"
    detail = agreements.agreement_detail(case.store, case.agreement_id)
    text = detail.text
    text.matter_bo = paragraph
    agreements.save_text(case.store, case.agreement_id, text, bilingual=True)
    return papers.render_agreement(case.store, case.agreement_id)


def test_400_syllables_without_spaces_break_after_tsheg_inside_the_margins(
        case: Case, drawn: list[DrawnLine]) -> None:
    pdf = _long_tibetan_agreement(case)
    measurer = layout.Measurer(shipped_fonts())
    long_lines = [line for line in drawn if "བཀྲ་" in line.text and "ཞིབ་" in line.text]
    assert len(long_lines) > 10
    for line in drawn:
        assert not line.text.startswith(("་", "།")), line.text
        assert line.x >= 0
        assert line.x + measurer.width(line.text, line.size, line.face) <= line.frame + 0.01, \
            line.text
    assert all(line.text.endswith(("་", "།")) for line in long_lines)
    assert _shaping_matches(pdf, drawn)


def _notdef(font_file: Path) -> Outline:
    return outline(layout.hb.Font(layout.hb.Face(layout.hb.Blob.from_file_path(str(font_file)))),
                   0)


def test_body_text_is_in_fangsong_and_titles_in_heavy_song_with_no_glyph_missing(
        case: Case, drawn: list[DrawnLine]) -> None:
    """GB/T 9704: the title in a heavy Song face (小标宋), the body in FangSong; a character
    either lacks is set in the Song face, so no missing-glyph box is ever drawn."""
    fonts = shipped_fonts()
    assert fonts.fangsong is not None and fonts.title is not None
    pdf = papers.render_agreement(case.store, case.agreement_id)
    faces = {line.text: line.face for line in drawn}
    assert faces["息诉罢访协议书"] == layout.TITLE_FONT
    body = next(text for text in faces if "乙方承诺" in text)
    assert faces[body] == layout.FANGSONG_FONT
    fangsong = [glyph for block in drawn_glyphs(pdf, FANGSONG_FACE) for glyph in block]
    title = [glyph for block in drawn_glyphs(pdf, TITLE_FACE) for glyph in block]
    # Embedded, and each face draws the glyphs of its own text.
    for glyph in nominal_glyphs(fonts.fangsong, "乙方承诺"):
        assert glyph in fangsong
    for glyph in nominal_glyphs(fonts.title, "息诉罢访协议书"):
        assert glyph in title
    assert _notdef(fonts.fangsong) and _notdef(fonts.fangsong) not in fangsong
    assert _notdef(fonts.title) not in title
    assert measurer_runs_title(fonts)


def measurer_runs_title(fonts: layout.FontFiles) -> bool:
    """Beside the heavy Song face, Tibetan is set bold; a character the face lacks (an
    uncommon hanzi of a county's name) in the Song face."""
    measurer = layout.Measurer(fonts)
    rare = "乫"  # 乫, not in GB 2312
    return measurer.runs(f"达日{rare}ཞིབ", layout.TITLE_FONT) == [
        (layout.TITLE_FONT, "达日"), (layout.CHINESE_FONT, rare),
        (layout.TIBETAN_BOLD_FONT, "ཞིབ")]
    # What FangSong lacks falls back to the Song face, character by character.
    measurer = layout.Measurer(fonts)
    assert measurer.runs("金额＋①元", layout.FANGSONG_FONT) == [
        (layout.FANGSONG_FONT, "金额"), (layout.CHINESE_FONT, "＋①"),
        (layout.FANGSONG_FONT, "元")]


def test_printed_agreement_keeps_its_margins(case: Case) -> None:
    pdf = _long_tibetan_agreement(case)
    doc = pypdfium2.PdfDocument(pdf)
    try:
        assert len(doc) >= 3
        for index in range(len(doc)):
            image = doc[index].render(scale=100 / 72).to_pil().convert("L")
            width, height = image.size
            left = int(LEFT / 72 * 100) - 3
            right = width - int(RIGHT / 72 * 100) + 3
            inked = 0
            for x in range(width):
                column = [image.getpixel((x, y)) for y in range(0, height, 2)]
                if min(column) < 200:
                    inked += 1
                    assert left <= x < right, f"ink in the margin on page {index + 1} at x={x}"
            assert inked > 100  # the page has something on it
    finally:
        doc.close()


def test_hearing_notice_and_minutes(case: Case, drawn: list[DrawnLine]) -> None:
    notice = _text(papers.render_hearing_notice(case.store, case.hearing_id,
                                                issued=date(2026, 11, 20)))
    for expected in ("听证通知书", "扎西才让：", "上门听证", "2026年11月24日14:00",
                     "窝赛乡查干村二社信访人家中帐篷", "更桑", "索南（人大代表）", "尼玛",
                     "身份证", "2026年11月20日"):
        assert expected in notice, expected
    assert "ཞིབ་ཉན" in notice
    minutes_pdf = papers.render_minutes(case.store, case.hearing_id)
    minutes = _text(minutes_pdf)
    assert "ང་ལ་བཟོ་ལས་ཀྱི་གླ་ཆ་ད་དུང་མ་ཐོབ།" in "".join(line.text for line in drawn)
    for expected in ("听证笔录", "宣布听证开始，介绍听证员。",
                     "同意支持起诉，并协调司法救助。", "息诉罢访", "签订息诉罢访协议书",
                     "主持人（签名）：更桑", "听证员（签名）：索南", "翻译（签名）：尼玛",
                     "当事人（签名）：扎西才让", "（捺印）"):
        assert expected in minutes, expected
    # Said once, as recorded: the minutes are a record, not a translation.
    assert minutes.count("宣布听证开始") == 1
    assert papers.render_minutes(case.store, case.hearing_id) == minutes_pdf


def test_planned_hearing_has_a_notice_but_no_minutes(case: Case) -> None:
    data = hearings.hearing_input(case.store, case.hearing_id)
    data.held_at, data.outcome, data.outcome_note = "2026-12-01T10:00", "", ""
    data.statements, data.opinions = [], {}
    hearings.record_hearing(case.store, data, now=NOW)
    planned = hearings.hearings_of(case.store, case.petition_id)[-1]
    assert "2026年12月1日10:00" in _text(papers.render_hearing_notice(case.store, planned))
    with pytest.raises(AppError, match="not been held yet"):
        papers.render_minutes(case.store, planned)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "app", "print", *args], cwd=ROOT,
                          capture_output=True, text=True, env=env, check=False, timeout=120)


@pytest.mark.sqlite_file
@pytest.mark.slow
def test_command_line_prints_the_hearing_papers(case: Case, tmp_path: Path) -> None:
    data_dir = str(case.store.paths.data_dir)
    expected = papers.render_agreement(case.store, case.agreement_id)
    result = _cli("agreement", case.reg_no, "--data-dir", data_dir, "--out",
                  str(tmp_path / "a.pdf"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "a.pdf").read_bytes() == expected
    assert agreements.agreement_detail(case.store, case.agreement_id).status == "printed"
    for paper, title in (("hearing-notice", "听证通知书"), ("hearing-minutes", "听证笔录")):
        result = _cli(paper, case.reg_no, "--data-dir", data_dir, "--out",
                      str(tmp_path / f"{paper}.pdf"))
        assert result.returncode == 0, result.stderr
        assert title in _text((tmp_path / f"{paper}.pdf").read_bytes())
    agreements.withdraw(case.store, case.agreement_id)
    refused = _cli("agreement", case.reg_no, "--data-dir", data_dir, "--out",
                   str(tmp_path / "b.pdf"))
    assert refused.returncode == 1 and "没有可打印的协议书" in refused.stderr
    assert not (tmp_path / "b.pdf").exists()


_MEASURER: list[layout.Measurer] = []


@settings(max_examples=150, deadline=None)
@given(words=st.lists(st.one_of(
           st.sampled_from(TIBETAN_SYLLABLES).map(lambda s: s + "་"),
           st.sampled_from(["།", "། ", "ཞིབ་ཚགས་ཁང་།"]),
           st.sampled_from(list("信访人反映草场承包纠纷，。（）")),
           st.sampled_from(["2026", " ", "12309", "达检信〔2026〕37号"])),
           min_size=1, max_size=120),
       width=st.floats(min_value=100, max_value=480), size=st.sampled_from([12.0, 14.0, 16.0]))
# A registration number wider than the line is cut, but not where a shad would start the next.
@example(words=["达检信〔2026〕37号", " ", "།"], width=144.0, size=16.0)
def test_any_mixed_paragraph_wraps_inside_and_never_starts_a_line_with_a_tsheg(
        words: list[str], width: float, size: float) -> None:
    if not _MEASURER:
        _MEASURER.append(layout.Measurer(shipped_fonts()))
    measurer = _MEASURER[0]
    text = " ".join("".join(words).split())
    lines = layout.wrap(text, width, size, measurer)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for number, line in enumerate(lines):
        assert measurer.width(line, size) <= width
        assert number == 0 or not line.startswith(("་", "།", "，", "。", "）"))


def test_minutes_name_a_speaker_once_when_both_scripts_spell_it_alike(
        store: Store, drawn: list[DrawnLine]) -> None:
    case = _case(store, officer_bo="")  # the hearing officer has no Tibetan name
    papers.render_minutes(case.store, case.hearing_id)
    said = " ".join(" ".join(line.text for line in drawn).split())
    assert "索南：建议依法支持起诉" in said
    assert "索南 索南" not in said


def test_chinese_sentences_run_on_without_a_latin_space(case: Case) -> None:
    notice = pdf_text(papers.render_hearing_notice(case.store, case.hearing_id,
                                                   issued=date(2026, 11, 20)))
    assert "听证员：" in notice
    assert "。 " not in notice and "། " in notice


def test_the_office_seals_and_the_procurator_signs_on_lines_of_their_own(
        case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    rows: list[str] = []
    original = SignatureRow.draw

    def draw(self: SignatureRow) -> None:
        rows.append(" ".join(self.labels))
        original(self)
    monkeypatch.setattr(SignatureRow, "draw", draw)
    papers.render_agreement(case.store, case.agreement_id)
    sealed = [row for row in rows if "甲方（盖章）" in row]
    signed = [row for row in rows if "检察官（签名）" in row]
    assert len(sealed) == 1 and len(signed) == 1 and sealed != signed


def test_the_minutes_section_headings_stand_out_from_the_text(
        case: Case, drawn: list[DrawnLine]) -> None:
    papers.render_minutes(case.store, case.hearing_id)
    body = next(line.size for line in drawn if "宣布听证开始" in line.text)
    for heading in ("发言记录", "听证员评议意见", "གླེང་བརྗོད།"):
        assert next(line.size for line in drawn if line.text == heading) > body, heading
