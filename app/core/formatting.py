"""Dates, numbers and money formatted by Babel for the active display mode."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from babel import dates, numbers

from app.core import i18n


def _each(render: Callable[[str], str], separator: str = i18n.BILINGUAL_SEPARATOR) -> str:
    mode = i18n.mode()
    if mode == i18n.BILINGUAL:
        bo, zh = render(i18n.BABEL_LOCALES[i18n.BO]), render(i18n.BABEL_LOCALES[i18n.ZH])
        return bo if bo == zh else f"{bo}{separator}{zh}"
    return render(i18n.BABEL_LOCALES[mode])


def format_date(value: date, fmt: str = "long",
                separator: str = i18n.BILINGUAL_SEPARATOR) -> str:
    return _each(lambda loc: dates.format_date(value, format=fmt, locale=loc), separator)


def format_datetime(value: datetime, fmt: str = "medium") -> str:
    return _each(lambda loc: dates.format_datetime(value, format=fmt, locale=loc))


def format_number(value: int | Decimal) -> str:
    return _each(lambda loc: numbers.format_decimal(value, locale=loc))


def format_money(fen: int) -> str:
    """An amount held as integer fen, shown in yuan with the locale's currency format."""
    if not isinstance(fen, int):
        raise TypeError("money is held as integer fen")
    yuan = Decimal(fen).scaleb(-2)
    # Bilingual mode shows it once: the digits and ¥ read alike in both scripts (Tibetan
    # puts a space after ¥, which made "¥ 20,000.00 / ¥20,000.00").
    locale = i18n.BABEL_LOCALES[i18n.BO if i18n.mode() == i18n.BO else i18n.ZH]
    return numbers.format_currency(yuan, "CNY", locale=locale)


def format_short_date(value: date) -> str:
    """A numeric date for tables. Bilingual mode shows it once: digits read alike in both."""
    locale = i18n.BABEL_LOCALES[i18n.ZH if i18n.mode() == i18n.ZH else i18n.BO]
    return dates.format_date(value, format="short", locale=locale)


def format_short_datetime(value: datetime) -> str:
    locale = i18n.BABEL_LOCALES[i18n.ZH if i18n.mode() == i18n.ZH else i18n.BO]
    return dates.format_datetime(value, format="short", locale=locale)


def format_iso_date(value: str, fmt: str = "short") -> str:
    """An ISO date string from the store, formatted; the paused marker shows as a dash."""
    if not value or value.startswith("9999"):
        return "—"
    day = date.fromisoformat(value[:10])
    return format_short_date(day) if fmt == "short" else format_date(day, fmt)
