"""Return visits (回访) and hand-overs to social assistance, from a petition's window.

VisitDialog plans a visit or records one made: how, when, by whom, what was found, how satisfied
the person was, and whether they are still in need. Saving a visit that found the person still in
need goes straight on to a HandoverDialog: the receiving body (e.g. 乡民政所), when, the outcome,
and closing it. Ctrl+S saves either; Esc closes without saving.
"""

from __future__ import annotations

import html
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from app.aid import visits
from app.aid.visits import HandoverInput, HandoverRow, VisitContext, VisitInput, VisitRow
from app.core.errors import AppError
from app.core.formatting import format_iso_date
from app.core.i18n import N_, _, pick, title_text
from app.core.labels import (
    AidStatus,
    Satisfaction,
    StaffRole,
    VisitMethod,
    label,
)
from ui.core.tasks import Tasks
from ui.widgets.combo import CodeCombo, compact
from ui.widgets.fields import confirm, date_field
from ui.widgets.form_support import translated_label
from ui.widgets.save_form import SaveForm


def _date_edit(value: QDate) -> QDateEdit:
    return date_field(value)


def _qdate(value: str) -> QDate:
    return QDate.fromString(value[:10], "yyyy-MM-dd")


def _iso(edit: QDateEdit) -> str:
    return edit.date().toString("yyyy-MM-dd")


class _Form(SaveForm):
    """A return visit's or a hand-over's form, made by the staff member logged in."""

    def __init__(self, tasks: Tasks, staff_id: str, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self._staff_id = staff_id


class VisitDialog(_Form):
    """Plan a return visit, or record one made (planned before, or not)."""

    def __init__(self, tasks: Tasks, petition_id: str, staff_id: str,
                 visit_id: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(tasks, staff_id, parent)
        self.petition_id, self.visit_id = petition_id, visit_id
        self.row: VisitRow | None = tasks.call(visits.visit_row, visit_id) if visit_id else None
        self.context: VisitContext = tasks.call(visits.visit_context, petition_id,
                                                self.row.visitor_id if self.row else "")
        received = _qdate(self.context.received_on)

        self.plan = QRadioButton()
        self.made = QRadioButton()
        self.kind = QButtonGroup(self)
        self.kind.addButton(self.plan)
        self.kind.addButton(self.made)
        kind_row = QHBoxLayout()
        kind_row.setContentsMargins(0, 0, 0, 0)
        kind_row.addWidget(self.plan)
        kind_row.addWidget(self.made)
        kind_row.addStretch(1)
        self.kind_box = QWidget()
        self.kind_box.setLayout(kind_row)
        self.aid_case = QComboBox()
        compact(self.aid_case, 16)
        self.method = CodeCombo(VisitMethod, blank=N_("Choose…"))
        self.scheduled_on = _date_edit(QDate.currentDate().addDays(7))
        self.scheduled_on.setMinimumDate(received)
        self.planned_note = QLabel()
        self.done_on = _date_edit(QDate.currentDate())
        self.done_on.setMinimumDate(received)
        self.done_on.setMaximumDate(QDate.currentDate())
        self.visitor = QComboBox()
        compact(self.visitor, 16)
        self.findings = QPlainTextEdit()
        self.findings.setTabChangesFocus(True)
        self.satisfaction = CodeCombo(Satisfaction, blank=N_("Choose…"))
        self.still_in_need = QCheckBox()
        self.cancel_visit_button = QPushButton()
        self.cancel_visit_button.setAutoDefault(False)
        self.cancel_visit_button.clicked.connect(self.cancel_visit)
        self.button_row.insertWidget(1, self.cancel_visit_button)

        self.form = form = QFormLayout()
        form.addRow(translated_label(N_("Return visit")), self.kind_box)
        self.errors.add_row(form, "aid_case_id", translated_label(N_("Judicial aid case")),
                            self.aid_case)
        self.errors.add_row(form, "method", translated_label(N_("How")), self.method)
        self.errors.add_row(form, "scheduled_on", translated_label(N_("Planned for")),
                            self.scheduled_on)
        form.addRow(translated_label(N_("Planned for")), self.planned_note)
        self.errors.add_row(form, "done_on", translated_label(N_("Made on")), self.done_on)
        self.errors.add_row(form, "visitor_id", translated_label(N_("Visitor")), self.visitor)
        self.errors.add_row(form, "findings", translated_label(N_("What the visit found")),
                            self.findings)
        self.errors.add_row(form, "satisfaction", translated_label(N_("Satisfaction")),
                            self.satisfaction)
        self.errors.add_row(form, "still_in_need", translated_label(N_("Still in need")),
                            self.still_in_need)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.finish(form, self.heading)

        self._fill_choices()
        self._set_value()
        self.plan.toggled.connect(lambda _on: self._mode_changed())
        self._mode_changed()
        self.retranslate_ui()
        self.resize(640, 560)
        (self.plan if self.plan.isChecked() else self.made).setFocus()

    # -- value ----------------------------------------------------------------------------------
    def _fill_choices(self) -> None:
        current_visitor = self.visitor.currentData()
        current_case = self.aid_case.currentData()
        self.visitor.clear()
        self.visitor.addItem(_("Choose…"), "")
        for s in self.context.staff:
            self.visitor.addItem(f"{pick(s.name_zh, s.name_bo, ' / ')} "
                                 f"({label(StaffRole, s.role)})", s.id)
        if current_visitor is not None:
            self.visitor.setCurrentIndex(max(self.visitor.findData(current_visitor), 0))
        self.aid_case.clear()
        self.aid_case.addItem(_("Not about a judicial aid case"), "")
        for case in self.context.aid_cases:
            self.aid_case.addItem(_("Proposed on {date}: {status}").format(
                date=format_iso_date(case.proposed_on), status=label(AidStatus, case.status)),
                case.id)
        if current_case is not None:
            self.aid_case.setCurrentIndex(max(self.aid_case.findData(current_case), 0))

    def _set_value(self) -> None:
        row = self.row
        if row is None:
            self.plan.setChecked(True)
            self.method.set_code("phone")
            self.visitor.setCurrentIndex(max(self.visitor.findData(self._staff_id), 0))
            if len(self.context.aid_cases) == 1:
                self.aid_case.setCurrentIndex(1)
            return
        # A planned visit is opened to record it; one made, to correct it.
        self.made.setChecked(True)
        self.plan.setEnabled(not row.done)
        self.method.set_code(row.method)
        self.scheduled_on.setDate(_qdate(row.scheduled_on))
        if row.done:
            self.done_on.setDate(_qdate(row.done_on))
        self.visitor.setCurrentIndex(max(self.visitor.findData(row.visitor_id
                                                               or self._staff_id), 0))
        self.aid_case.setCurrentIndex(max(self.aid_case.findData(row.aid_case_id), 0))
        self.findings.setPlainText(row.findings)
        self.satisfaction.set_code(row.satisfaction)
        self.still_in_need.setChecked(row.still_in_need)

    def value(self) -> VisitInput:
        planning = self.plan.isChecked()
        return VisitInput(
            petition_id=self.petition_id, aid_case_id=str(self.aid_case.currentData() or ""),
            method=self.method.code(), scheduled_on=_iso(self.scheduled_on),
            done_on="" if planning else _iso(self.done_on),
            visitor_id=str(self.visitor.currentData() or ""),
            findings="" if planning else self.findings.toPlainText(),
            satisfaction="" if planning else self.satisfaction.code(),
            still_in_need=False if planning else self.still_in_need.isChecked())

    def _mode_changed(self) -> None:
        planning = self.plan.isChecked()
        recording_planned = not planning and self.row is not None
        self.form.setRowVisible(self.scheduled_on, planning)
        self.form.setRowVisible(self.planned_note, recording_planned)
        for widget in (self.done_on, self.findings, self.satisfaction, self.still_in_need):
            self.form.setRowVisible(widget, not planning)
        self.form.setRowVisible(self.aid_case, bool(self.context.aid_cases))
        self.cancel_visit_button.setVisible(self.row is not None and not self.row.done)
        self.errors.clear()

    # -- actions --------------------------------------------------------------------------------
    def save(self) -> None:
        self.errors.clear()
        self.message.clear()
        data = self.value()
        try:
            if self.plan.isChecked():
                self.visit_id = self._tasks.call(visits.schedule_visit, data, self._staff_id,
                                                 visit_id=self.visit_id)
            else:
                self.visit_id = self._tasks.call(visits.record_visit, data, self._staff_id,
                                                 visit_id=self.visit_id)
        except AppError as error:
            self._problem(error)
            return
        self.saved.emit(self.visit_id)
        if data.still_in_need and not self._tasks.call(visits.handovers_from, self.visit_id):
            # Still in need: straight on to handing the person over to social assistance.
            handover = HandoverDialog(self._tasks, self._staff_id, visit_id=self.visit_id,
                                      parent=self.parentWidget())
            handover.saved.connect(self.saved.emit)
            self.accept()
            handover.exec()
            return
        self.accept()

    def cancel_visit(self) -> None:
        if self.visit_id is None:
            return
        if not confirm(self, _("Cancel this planned return visit? It leaves the lists; the "
                                   "petition's history keeps a note of it.")):
            return
        try:
            self._tasks.call(visits.cancel_visit, self.visit_id, self._staff_id)
        except AppError as error:
            self._problem(error)
            return
        self.saved.emit(self.visit_id)
        self.accept()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        names = pick(self.context.names_zh, self.context.names_bo, " / ")
        self.setWindowTitle(title_text("Return visit — {number}").format(
            number=self.context.reg_no))
        self.heading.setText(_("Return visit to {names}").format(names=names or "—"))
        self.plan.setText(_("Plan a visit"))
        self.made.setText(_("Record a visit made"))
        self.still_in_need.setText(_("Yes: hand the person over to social assistance next"))
        self.findings.setPlaceholderText(_(
            "What the person said, how they live now, whether the aid helped"))
        self.cancel_visit_button.setText(_("Cancel this planned visit…"))
        if self.row is not None:
            self.planned_note.setText(format_iso_date(self.row.scheduled_on, "long"))
        self.method.retranslate()
        self.satisfaction.retranslate()
        self._fill_choices()


class HandoverDialog(_Form):
    """Hand a person still in need over to social assistance, follow it, close it."""

    def __init__(self, tasks: Tasks, staff_id: str, visit_id: str | None = None,
                 handover_id: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(tasks, staff_id, parent)
        self.handover_id = handover_id
        self.row: HandoverRow | None = (tasks.call(visits.handover_row, handover_id)
                                        if handover_id else None)
        visit_key = self.row.return_visit_id if self.row else visit_id
        if not visit_key:
            raise AppError(N_("This return visit no longer exists."))
        self.visit = tasks.call(visits.visit_row, visit_key)
        self.reg_no = tasks.call(visits.visit_context, self.visit.petition_id).reg_no
        made = _qdate(self.visit.done_on or self.visit.scheduled_on)

        self.about = QLabel()
        self.about.setWordWrap(True)
        self.body = QLineEdit()
        self.body.setMaxLength(visits.MAX_BODY)
        self.handed_on = _date_edit(QDate.currentDate())
        self.handed_on.setMinimumDate(made)
        self.handed_on.setMaximumDate(QDate.currentDate())
        self.outcome = QPlainTextEdit()
        self.outcome.setTabChangesFocus(True)
        self.closed = QCheckBox()
        self.closed_on = _date_edit(QDate.currentDate())
        self.closed_on.setMinimumDate(made)
        self.closed_on.setMaximumDate(QDate.currentDate())
        self.closed.toggled.connect(self.closed_on.setEnabled)
        form = QFormLayout()
        self.errors.add_row(form, "body", translated_label(N_("Handed over to")), self.body)
        self.errors.add_row(form, "handed_on", translated_label(N_("Handed over on")),
                            self.handed_on)
        self.errors.add_row(form, "outcome", translated_label(N_("Outcome")), self.outcome)
        close_row = QHBoxLayout()
        close_row.setContentsMargins(0, 0, 0, 0)
        close_row.addWidget(self.closed)
        close_row.addWidget(self.closed_on)
        close_row.addStretch(1)
        close_box = QWidget()
        close_box.setLayout(close_row)
        self.errors.add_row(form, "closed_on", translated_label(N_("Closed")), close_box)
        self.finish(form, self.about)
        self._set_value()
        self.retranslate_ui()
        self.resize(600, 440)
        self.body.setFocus()

    def _set_value(self) -> None:
        row = self.row
        if row is not None:
            self.body.setText(row.body)
            self.handed_on.setDate(_qdate(row.handed_on))
            self.outcome.setPlainText(row.outcome)
            self.closed.setChecked(bool(row.closed_on))
            if row.closed_on:
                self.closed_on.setDate(_qdate(row.closed_on))
        self.closed_on.setEnabled(self.closed.isChecked())
        closed = row is not None and not row.is_open
        for widget in (self.body, self.handed_on, self.closed, self.closed_on, self.save_button):
            widget.setEnabled(not closed)
        self.outcome.setReadOnly(closed)

    def value(self) -> HandoverInput:
        return HandoverInput(self.visit.id, self.body.text(), _iso(self.handed_on),
                             self.outcome.toPlainText(),
                             _iso(self.closed_on) if self.closed.isChecked() else "")

    def save(self) -> None:
        if self.row is not None and not self.row.is_open:
            return
        self.errors.clear()
        self.message.clear()
        try:
            if self.handover_id is None:
                self.handover_id = self._tasks.call(visits.open_handover, self.value(),
                                                    self._staff_id)
            else:
                self._tasks.call(visits.update_handover, self.handover_id, self.value(),
                                 self._staff_id)
        except AppError as error:
            self._problem(error)
            return
        self.saved.emit(self.handover_id)
        self.accept()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(title_text("Hand-over to social assistance — {number}").format(
            number=self.reg_no))
        visit = self.visit
        about = _("Return visit of {date}: {findings}").format(
            date=format_iso_date(visit.done_on or visit.scheduled_on), findings=visit.findings)
        if self.row is not None and not self.row.is_open:
            about += "\n" + _("Closed on {date}").format(
                date=format_iso_date(self.row.closed_on, "long"))
        self.about.setText(about)
        self.body.setPlaceholderText(_("e.g. the township civil affairs office"))
        self.outcome.setPlaceholderText(_("What the body did for the person, so far or in the "
                                          "end"))
        self.closed.setText(_("The hand-over is closed, on"))


# -- the petition's window ---------------------------------------------------------------------
def _e(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def visits_html(found: list[VisitRow], handed: list[HandoverRow],
                today: date | None = None) -> str:
    """The petition's return visits, each followed by the hand-overs it opened; the links open
    them (``visit:<id>``, ``handover:<id>``)."""
    if not found:
        return ""
    today_iso = (today or date.today()).isoformat()
    by_visit: dict[str, list[HandoverRow]] = {}
    for h in handed:
        by_visit.setdefault(h.return_visit_id, []).append(h)
    heading = _("Return visits and hand-overs")
    handover_text = _("Hand-over to social assistance")
    parts = [f"<h3>{_e(heading)}</h3><table cellspacing='6'>"]
    for v in found:
        if v.done:
            when = format_iso_date(v.done_on)
            result = _e(label(Satisfaction, v.satisfaction))
            if v.still_in_need:
                result += " · " + _e(_("Still in need"))
            note = v.findings if len(v.findings) <= 80 else v.findings[:80] + "…"
        else:
            when = _("Planned for {date}").format(date=format_iso_date(v.scheduled_on))
            if v.scheduled_on < today_iso:
                result = "<span style='color:#b00020'>" + _e(_("Overdue")) + "</span>"
            else:
                result = _e(_("Planned"))
            note = ""
        parts.append(
            f"<tr><td>{_e(when)}</td>"
            f"<td><a href='visit:{v.id}'>{_e(label(VisitMethod, v.method))}</a></td>"
            f"<td>{_e(pick(v.visitor_zh, v.visitor_bo) or '—')}</td>"
            f"<td>{result}</td><td>{_e(note)}</td></tr>")
        for h in by_visit.get(v.id, []):
            state = (_("Closed on {date}").format(date=format_iso_date(h.closed_on))
                     if h.closed_on else _("Not closed yet"))
            parts.append(
                f"<tr><td>→ {_e(format_iso_date(h.handed_on))}</td>"
                f"<td><a href='handover:{h.id}'>{_e(h.body)}</a></td>"
                f"<td>{_e(handover_text)}</td>"
                f"<td>{_e(state)}</td><td>{_e(h.outcome[:80])}</td></tr>")
    parts.append("</table>")
    return "".join(parts)
