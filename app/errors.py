"""Errors that ``app`` raises for a person to read. ``ui`` shows them; the CLI prints them."""

from __future__ import annotations

from typing import Any

from app.i18n import N_, _


class AppError(Exception):
    """A known problem, with a message translated when shown (not when raised).

    ``message`` is an untranslated msgid marked with ``N_``; ``params`` fill its ``{names}``.
    """

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params

    def translated(self) -> str:
        text = _(self.message)
        return text.format(**self.params) if self.params else text


class StoreError(AppError):
    """The data file cannot be used; it has been left exactly as it was."""


class NotAStoreError(StoreError):
    pass


class NewerStoreError(StoreError):
    pass


class ValidationError(AppError):
    """Bad input from a person; ``field`` names the input it concerns, when there is one."""

    def __init__(self, message: str, field: str | None = None, **params: Any) -> None:
        super().__init__(message, **params)
        self.field = field


class InvalidInputError(AppError):
    """Several fields are wrong at once; each problem names its field."""

    def __init__(self, problems: list[ValidationError]) -> None:
        super().__init__(N_("Please correct the marked fields."))
        self.problems = problems
