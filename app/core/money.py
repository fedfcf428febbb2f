"""Money as typed by a person, held as integer fen, written in Chinese capital numerals.

Never float: text is read with ``Decimal`` and kept as an ``int`` of fen from then on.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

import cn2an

from app.core.errors import ValidationError
from app.core.i18n import N_

# Above this an amount is a typing mistake, not judicial aid (one million yuan).
MAX_FEN = 100_000_000
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$")


def parse_amount(text: str, field: str = "amount", max_fen: int = MAX_FEN) -> int:
    """Yuan as typed ("12000", "12,000.50", "¥3000", "3000元", full-width digits) in fen.

    ``max_fen`` is the largest amount that is not a typing mistake (one million yuan of aid;
    wages recovered for many workers run higher).
    Raises ValidationError naming ``field`` for anything that is not a positive amount in yuan
    and fen: empty, not a number, negative, zero, more than two decimals, absurdly large.
    """
    value = unicodedata.normalize("NFKC", text).strip()
    value = value.removeprefix("¥").removeprefix("￥").removesuffix("元").strip()
    if not value:
        raise ValidationError(N_("Please enter an amount."), field=field)
    if "," in value:
        if not _GROUPED.match(value):
            raise ValidationError(N_("This is not an amount of money."), field=field)
        value = value.replace(",", "")
    if value.startswith("-"):
        raise ValidationError(N_("An amount cannot be negative."), field=field)
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", value):
        raise ValidationError(N_("This is not an amount of money."), field=field)
    try:
        yuan = Decimal(value)
    except InvalidOperation:
        raise ValidationError(N_("This is not an amount of money."), field=field) from None
    if yuan != yuan.quantize(Decimal("0.01")):
        raise ValidationError(N_("An amount has at most two decimals (fen)."), field=field)
    fen = int(yuan * 100)
    if fen == 0:
        raise ValidationError(N_("The amount must be more than zero."), field=field)
    if fen > max_fen:
        raise ValidationError(N_("This amount is too large (at most {amount} yuan)."),
                              field=field, amount=f"{max_fen // 100:,}")
    return fen


def yuan_text(fen: int) -> str:
    """12000.00, for forms: what parse_amount reads back."""
    if not isinstance(fen, int):
        raise TypeError("money is held as integer fen")
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def capital(fen: int) -> str:
    """The amount in Chinese capital numerals, as on receipts: 壹万贰仟元整."""
    if not isinstance(fen, int) or fen < 0:
        raise ValueError("a positive amount in fen")
    return str(cn2an.an2cn(yuan_text(fen), "rmb"))
