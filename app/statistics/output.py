"""The statistics as files: the printed report (PDF), the workbook (.xlsx), the charts as SVG."""

from __future__ import annotations

import errno
import logging
import os
from datetime import datetime
from pathlib import Path

from app.core import i18n
from app.core.errors import AppError
from app.core.i18n import N_
from app.core.store import Store
from app.statistics.measures import Figures
from app.statistics.report import report_data
from reports.notices import Both
from reports.statistics import ChartSpec

log = logging.getLogger(__name__)

PDF, XLSX = ".pdf", ".xlsx"


def render_pdf(store: Store, figures: Figures, mode: str,
               generated: datetime | None = None) -> bytes:
    from app.papers.documents import shipped_fonts
    from reports.statistics_pdf import render_statistics_pdf

    return render_statistics_pdf(report_data(store, figures, mode, generated), shipped_fonts())


def render_xlsx(store: Store, figures: Figures, mode: str,
                generated: datetime | None = None) -> bytes:
    from reports.statistics_xlsx import WorkbookLabels, render_statistics_xlsx

    def both(message: str) -> Both:
        return Both(i18n.zh_text(message), i18n.bo_text(message))

    labels = WorkbookLabels(both(N_("Report")), both(N_("Numerator")), both(N_("Denominator")))
    return render_statistics_xlsx(report_data(store, figures, mode, generated), labels)


def chart_svg(spec: ChartSpec, mode: str) -> bytes:
    """A chart as SVG for the screen, its labels measured with the shipped fonts."""
    from app.papers.documents import shipped_fonts
    from reports.charts import chart_svg as render

    return render(spec, mode, shipped_fonts())


class ReportFileError(AppError):
    pass


def write_file(out: Path, content: bytes) -> None:
    """Write ``content`` to ``out`` whole or not at all (a copy beside it, synced, renamed)."""
    part = out.with_name(out.name + ".part")
    try:
        with part.open("wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(part, out)
        try:
            folder = os.open(out.parent, os.O_RDONLY)
        except OSError:  # pragma: no cover - Windows cannot open a folder
            return
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError as exc:
        part.unlink(missing_ok=True)
        log.warning("could not write %s: %s", out, exc)
        if exc.errno == errno.ENOENT:
            raise ReportFileError(N_("The folder {folder} does not exist."),
                                  folder=str(out.parent)) from exc
        if exc.errno == errno.ENOSPC:
            raise ReportFileError(N_("The disk is full: {path} could not be written."),
                                  path=str(out)) from exc
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise ReportFileError(N_("Doorstep may not write to {path} (the disk is read-only "
                                     "or the folder is protected)."), path=str(out)) from exc
        if exc.errno == errno.EISDIR:
            raise ReportFileError(N_("{path} is a folder, not a file."), path=str(out)) from exc
        raise ReportFileError(N_("The file {path} could not be written: {error}"),
                              path=str(out), error=exc.strerror or str(exc)) from exc


def save_report(store: Store, figures: Figures, mode: str, out: Path) -> None:
    """The report as a PDF or a workbook, chosen by the file's suffix."""
    suffix = out.suffix.lower()
    if suffix == PDF:
        content = render_pdf(store, figures, mode)
    elif suffix == XLSX:
        content = render_xlsx(store, figures, mode)
    else:
        raise ReportFileError(N_("The report is written as a .pdf or an .xlsx file, not "
                                 "{name}."), name=out.name)
    write_file(out, content)
