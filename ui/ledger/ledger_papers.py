"""The whole ledger of key petitioners on paper or in a workbook: what the ledger's list puts
behind its Print and Export buttons (``print_ledger``, ``export_ledger``), and the choice of
the paper's language shared with the monthly screening."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QComboBox, QFileDialog, QMessageBox, QWidget

from app.core import i18n
from app.core.formatting import format_number
from app.core.i18n import N_, _, ngettext, title_text
from app.ledger import papers
from ui.core.errors import show_error
from ui.core.language import LANGUAGE_NAMES
from ui.core.tasks import Tasks

XLSX = papers.XLSX


class PaperLanguage(QComboBox):
    """The language a paper is printed in: Chinese, Tibetan or both; the display language
    first. Each named in its own script, so it needs no translation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for mode in papers.LANGUAGES:
            self.addItem(LANGUAGE_NAMES[mode], mode)
        self.setCurrentIndex(max(0, self.findData(i18n.mode())))

    def language(self) -> str:
        return str(self.currentData() or i18n.mode())


def documents_folder() -> Path:
    from ui.statistics.statistics_view import documents_folder as found

    return found()


def _stem(message: str, language: str) -> str:
    return i18n.bo_text(message) if language == i18n.BO else i18n.zh_text(message)


def print_ledger(parent: QWidget, tasks: Tasks, office_id: str,
                 language: str | None = None) -> None:
    """The office's ledger as a paper, previewed (Print, Save as PDF; each recorded)."""
    from ui.widgets.paper_preview import show_paper

    chosen = language or i18n.mode()

    def draw(store: Any) -> bytes:
        return papers.render_ledger_pdf(store, office_id, chosen)

    show_paper(tasks, parent, draw, title_text(papers.LEDGER_TITLE),
               f"{_stem(papers.LEDGER_TITLE, chosen)}-{date.today().isoformat()}.pdf",
               record=("key_petitioner", ""))


def ask_xlsx(parent: QWidget, message: str, stem: str) -> Path | None:
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, _(message), str(documents_folder() / f"{stem}{XLSX}"),
        _("Excel workbook (*.xlsx)"))
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == XLSX else path.with_name(path.name + XLSX)


EXPORT_LEDGER = N_("Export the ledger…")


def export_ledger(parent: QWidget, tasks: Tasks, office_id: str, path: Path | None = None,
                  language: str | None = None) -> None:
    """The office's ledger as an .xlsx workbook, written on the worker (recorded); asks where
    unless ``path`` is given."""
    chosen = language or i18n.mode()
    out = path or ask_xlsx(parent, EXPORT_LEDGER,
                           f"{_stem(papers.LEDGER_TITLE, chosen)}-{date.today().isoformat()}")
    if out is None:
        return

    def done(written: int) -> None:
        QMessageBox.information(parent, _("Doorstep"), ngettext(
            "{n} person was written to {path}.", "{n} persons were written to {path}.",
            written).format(n=format_number(written), path=out))

    tasks.run(lambda store, _progress: papers.save_ledger_xlsx(store, office_id, chosen, out),
              on_done=done, on_failed=lambda error: show_error(parent, error), parent=parent,
              message=_("Writing the workbook…"))
