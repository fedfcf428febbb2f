"""Combo boxes over fixed vocabularies whose item texts follow the display language."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

from app.core.i18n import _
from app.core.labels import Codes, messages


def compact(combo: QComboBox, characters: int = 10) -> None:
    """Do not let the longest item (often a bilingual label) decide the window's width."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)


class CodeCombo(QComboBox):
    """Items are codes; texts are translated labels, re-translated on a language change.

    ``blank`` (a msgid) adds a first item with the empty code, e.g. "All" or "Choose…".
    """

    def __init__(self, vocabulary: Codes, blank: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vocabulary = vocabulary
        self._blank = blank
        compact(self)
        self.retranslate()

    def retranslate(self) -> None:
        current = self.code()
        self.blockSignals(True)
        self.clear()
        if self._blank is not None:
            self.addItem(_(self._blank), "")
        for code, message in messages(self._vocabulary).items():
            self.addItem(_(message), code)
        self.set_code(current)
        self.blockSignals(False)

    def code(self) -> str:
        data = self.currentData()
        return str(data) if data is not None else ""

    def set_code(self, code: str) -> None:
        index = self.findData(code)
        self.setCurrentIndex(index if index >= 0 else 0)
