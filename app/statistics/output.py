"""The statistics as files: the printed report (PDF), the workbook (.xlsx), the charts as SVG."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from app.audit import trail
from app.core import i18n
from app.core.errors import AppError
from app.core.files import write_atomically
from app.core.i18n import N_
from app.core.progress import SILENT, Progress, check
from app.core.store import Store
from app.statistics.measures import Figures
from app.statistics.report import report_data
from reports.notices import Both
from reports.statistics import ChartSpec

log = logging.getLogger(__name__)

PDF, XLSX = ".pdf", ".xlsx"


def render_pdf(store: Store, figures: Figures, mode: str,
               generated: datetime | None = None) -> bytes:
    from app.core.fonts import shipped_fonts
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
    from app.core.fonts import shipped_fonts
    from reports.charts import chart_svg as render

    return render(spec, mode, shipped_fonts())


class ReportFileError(AppError):
    pass


def save_report(store: Store, figures: Figures, mode: str, out: Path,
                progress: Progress = SILENT) -> None:
    """The report as a PDF or a workbook, chosen by the file's suffix. Cancelled through
    ``progress`` once it is drawn, nothing is written (``CancelledError``)."""
    suffix = out.suffix.lower()
    if suffix == PDF:
        content = render_pdf(store, figures, mode)
    elif suffix == XLSX:
        content = render_xlsx(store, figures, mode)
    else:
        raise ReportFileError(N_("The report is written as a .pdf or an .xlsx file, not "
                                 "{name}."), name=out.name)
    check(progress)
    write_atomically(out, content)
    trail.exported(store, "statistics_report", file=out.name)
