"""Printed papers: content in the right scripts, Tibetan line breaks, margins, print and save."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pypdfium2
import pytest

from app.core.errors import AppError
from app.core.store import Store
from app.papers import documents as papers
from reports.layout import Measurer, wrap
from reports.notices import LEFT, RIGHT
from tests.helpers import Ticking, pdf_text, petition, register, set_up, tashi, tasks_for

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 24, 10, 0)
TIBETAN_SYLLABLES = ("བཀྲ", "ཤིས", "བདེ", "ལེགས", "སྒྲོལ", "མ", "རྒྱལ", "མཚན", "བསྟན", "འཛིན",
                     "སྐྱིད", "ཕྱུག", "རྡོ", "རྗེ", "དབྱངས", "ཀྱི", "ལྷ", "མོ", "ཁྲིམས", "ཞིབ")


@pytest.fixture
def office_store(store: Store) -> Store:
    set_up(store)
    return store


def test_receipt_in_chinese_only_for_a_chinese_reader(office_store: Store) -> None:
    done = register(office_store, petition(persons=[tashi(preferred_language="zh",
                                                          name_bo="")]), now=NOW)
    text = pdf_text(papers.render(office_store, done.id, "receipt"))
    assert "信访接收回执" in text and done.reg_no in text
    assert "达日县人民检察院" in text
    assert "7日内" in text and "2026年11月27日" in text
    assert not any("\u0f00" <= ch <= "\u0fff" for ch in text)


def test_receipt_in_both_scripts_for_a_tibetan_reader(office_store: Store) -> None:
    done = register(office_store, petition(), now=NOW)
    pdf = papers.render(office_store, done.id, "receipt")
    text = pdf_text(pdf)
    assert "信访接收回执" in text
    assert sum("\u0f00" <= ch <= "\u0fff" for ch in text) > 100
    # Same data, same bytes: the paper saved from the screen equals the command line's.
    assert papers.render(office_store, done.id, "receipt") == pdf


def test_notices_follow_jurisdiction(office_store: Store) -> None:
    accepted = register(office_store, petition(), now=NOW)
    referred = register(office_store, petition(jurisdiction="refer",
                                               referral_body="达日县人民法院",
                                               referral_note="已告知其向法院申请执行。"),
                        now=NOW)
    def text_of(pdf: bytes) -> str:  # a line may end anywhere in a phrase
        return "".join(pdf_text(pdf).split())

    assert "导入程序办理" in text_of(papers.render(office_store, accepted.id, "reply-notice"))
    text = text_of(papers.render(office_store, referred.id, "referral-notice"))
    # The clerk's note on the referral is the office's record, not printed for the petitioner.
    assert "达日县人民法院" in text and "已告知其向法院申请执行" not in text
    with pytest.raises(AppError, match="accepted, not referred"):
        papers.render(office_store, accepted.id, "referral-notice")
    with pytest.raises(AppError, match="referred to another body"):
        papers.render(office_store, referred.id, "reply-notice")


def test_long_tibetan_paragraph_breaks_only_after_tsheg_and_stays_inside(
        office_store: Store) -> None:
    measurer = Measurer(papers.shipped_fonts())
    syllables = [TIBETAN_SYLLABLES[i * 7 % len(TIBETAN_SYLLABLES)] for i in range(400)]
    text = "་".join(syllables) + "།"
    width = 440.0
    lines = wrap(text, width, 16, measurer)
    assert len(lines) > 10
    assert "".join(lines) == text  # nothing lost, nothing added
    for line in lines:
        assert not line.startswith(("་", "།"))
        assert measurer.width(line, 16) <= width
    assert all(line.endswith(("་", "།")) for line in lines)


def test_printed_page_keeps_its_margins(office_store: Store) -> None:
    done = register(office_store, petition(summary="草场" * 120), now=NOW)
    pdf = papers.render(office_store, done.id, "receipt")
    doc = pypdfium2.PdfDocument(pdf)
    try:
        for index in range(len(doc)):
            image = doc[index].render(scale=100 / 72).to_pil().convert("L")
            width, height = image.size
            left = int(LEFT / 72 * 100) - 3
            right = width - int(RIGHT / 72 * 100) + 3
            for x in list(range(0, left)) + list(range(right, width)):
                column = [image.getpixel((x, y)) for y in range(0, height, 2)]
                assert min(column) > 200, f"ink in the margin on page {index + 1} at x={x}"
    finally:
        doc.close()


@pytest.mark.slow
@pytest.mark.sqlite_file  # the command given the laptop's data folder
def test_command_line_prints_the_same_file(office_store: Store, tmp_path: Path) -> None:
    done = register(office_store, petition(), now=NOW)
    expected = papers.render(office_store, done.id, "receipt")
    out = tmp_path / "receipt.pdf"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "app", "print", "receipt", done.reg_no, "--data-dir",
         str(office_store.paths.data_dir), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, env=env, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == expected
    missing = subprocess.run(
        [sys.executable, "-m", "app", "print", "receipt", "达检信〔2026〕999号", "--data-dir",
         str(office_store.paths.data_dir), "--out", str(tmp_path / "x.pdf")],
        cwd=ROOT, capture_output=True, text=True, env=env, check=False, timeout=120)
    assert missing.returncode == 1
    assert "没有登记编号为 达检信〔2026〕999号 的信访件" in missing.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_preview_prints_and_saves(  # type: ignore[no-untyped-def]
        qtbot, office_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtCore import QStandardPaths
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QFileDialog

    from ui.main import application
    from ui.petitions.petition_dialog import PetitionDialog
    from ui.widgets.paper_preview import PaperPreview

    application()
    done = register(office_store, petition(), now=NOW)
    dialog = PetitionDialog(tasks_for(office_store), office_store.paths, done.id, "")
    qtbot.addWidget(dialog)
    assert dialog.paper_buttons["receipt"].isVisibleTo(dialog)
    assert not dialog.paper_buttons["referral-notice"].isVisibleTo(dialog)
    pdf = papers.render(office_store, done.id, "receipt")
    preview = PaperPreview(pdf, "receipt", "receipt.pdf")
    qtbot.addWidget(preview)
    assert len(preview.page_labels) == len(papers.page_images(pdf))
    assert preview.page_labels[0].pixmap().width() > 800
    # Save as PDF proposes the person's documents folder, never the program's, and says where
    # the paper went; a name typed without .pdf gets it.
    proposed: list[str] = []

    def choose(_parent: object, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        proposed.append(suggested)
        return str(tmp_path / "saved"), "PDF (*.pdf)"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    from ui.widgets import paper_preview
    monkeypatch.setattr(paper_preview, "_last_folder", [None])  # no paper saved yet
    preview.save_pdf()
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert Path(proposed[0]) == Path(documents or Path.home()) / "receipt.pdf"
    saved = tmp_path / "saved.pdf"
    assert saved.read_bytes() == pdf
    assert str(saved) in preview.saved.text()
    preview.save_pdf()  # the next is proposed where the last went
    assert Path(proposed[1]).parent == tmp_path
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    preview.print_to(printer)
    printed = pypdfium2.PdfDocument(str(tmp_path / "printed.pdf"))
    assert len(printed) == len(papers.page_images(pdf))
    printed.close()


def _boxes(pdf: bytes, needle: str) -> list[tuple[int, tuple[float, float, float, float]]]:
    """Where ``needle`` is drawn: (page, (left, bottom, right, top)) for each time it is."""
    found = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for number in range(len(document)):
            textpage = document[number].get_textpage()
            # Character by character: a glyph that shows a Tibetan stack gives several
            # characters for one box, so the page's text and its boxes do not line up.
            owner: list[int] = []
            text = ""
            for index in range(textpage.count_chars()):
                got = textpage.get_text_range(index, 1)
                text += got
                owner += [index] * len(got)
            start = text.find(needle)
            while start >= 0:
                boxes = [textpage.get_charbox(i)
                         for i in sorted(set(owner[start:start + len(needle)]))]
                found.append((number, (min(b[0] for b in boxes), min(b[1] for b in boxes),
                                       max(b[2] for b in boxes), max(b[3] for b in boxes))))
                start = text.find(needle, start + 1)
    finally:
        document.close()
    return found


@pytest.mark.parametrize("kind", ["receipt", "reply-notice"])
def test_the_seal_label_is_clear_of_the_date(office_store: Store, kind: str) -> None:
    done = register(office_store, petition(), now=NOW)
    pdf = papers.render(office_store, done.id, kind)
    seal = _boxes(pdf, "（盖章）")
    dates = _boxes(pdf, "2026年")
    assert seal and dates
    for page, (left, bottom, right, top) in seal:
        for other_page, (l2, b2, r2, t2) in dates:
            assert page != other_page or right <= l2 or r2 <= left or top <= b2 or t2 <= bottom


@pytest.mark.parametrize("kind", ["receipt", "reply-notice"])
def test_a_bilingual_notice_fits_one_sheet(office_store: Store, kind: str) -> None:
    done = register(office_store, petition(), now=NOW)
    document = pypdfium2.PdfDocument(papers.render(office_store, done.id, kind))
    try:
        assert len(document) == 1
    finally:
        document.close()


def test_the_screens_names_of_the_papers_are_the_printers() -> None:
    """The kinds the screens offer (without loading the printing) are the ones it prints."""
    from app.papers import kinds
    from reports import notices

    assert (kinds.RECEIPT, kinds.REPLY_NOTICE, kinds.REFERRAL_NOTICE) == (
        notices.RECEIPT, notices.REPLY_NOTICE, notices.REFERRAL_NOTICE)


def test_a_paper_is_drawn_while_the_window_goes_on_and_still_saved(  # type: ignore[no-untyped-def]
        qtbot, office_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The receipt button draws the paper (and its pages) on the worker: the event loop goes on
    meanwhile (a timer keeps firing); then the preview shows it and saves it as before. A
    paper that cannot be printed is said plainly."""

    from PySide6.QtWidgets import QMessageBox

    from app.core.i18n import _
    from ui.main import application
    from ui.petitions.petition_dialog import PetitionDialog
    from ui.widgets.paper_preview import PaperPreview

    application()
    done = register(office_store, petition(), now=NOW)
    dialog = PetitionDialog(tasks_for(office_store), office_store.paths, done.id, "")
    qtbot.addWidget(dialog)
    ticking = Ticking()
    drawing = papers.render
    monkeypatch.setattr(papers, "render", ticking.waiting(drawing))
    saved = tmp_path / "receipt.pdf"
    shown: list[PaperPreview] = []

    def save_it(preview: PaperPreview) -> int:
        shown.append(preview)
        preview.save_to(saved)
        return 0

    monkeypatch.setattr(PaperPreview, "exec", save_it)
    dialog.paper_buttons["receipt"].click()
    assert not shown  # drawn on the worker, previewed when it arrives
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=30_000)
    ticking.stop()
    assert ticking.seen and ticking.seen[0] >= 10
    assert saved.read_bytes() == drawing(office_store, done.id, "receipt")
    assert len(shown[0].page_labels) == len(papers.page_images(saved.read_bytes()))
    assert shown[0].windowTitle().endswith(done.reg_no)

    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: told.append(args[2]) or 0)
    dialog.preview_paper("referral-notice")  # accepted, not referred: nothing to print
    qtbot.waitUntil(lambda: bool(told), timeout=30_000)
    assert told == [_("This petition was accepted, not referred: there is no referral notice "
                      "to print.")]
    assert len(shown) == 1
