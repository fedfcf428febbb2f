"""Money as typed by a person, held as integer fen, written in Chinese capital numerals and in
Tibetan words.

Never float: text is read with ``Decimal`` and kept as an ``int`` of fen from then on.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from app.core.errors import ValidationError
from app.core.formatting import format_money
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
        raise ValidationError(N_("This amount is too large (at most {amount})."),
                              field=field, amount=format_money(max_fen))
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
    import cn2an  # on first use: it takes a tenth of a second to load, and only papers need it

    return str(cn2an.an2cn(yuan_text(fen), "rmb"))


# Tibetan numbers in words, as a receipt for money writes them out (སྒོར་མོ yuan, ཞོ jiao, སྐར་མ
# fen): units, the tens (with the joining forms of 21 to 99) and the powers of ten from a
# hundred up, each counted with ཕྲག (ཁྲི་ཕྲག་གཉིས 20,000), the parts joined with དང.
_UNITS = ("", "གཅིག", "གཉིས", "གསུམ", "བཞི", "ལྔ", "དྲུག", "བདུན", "བརྒྱད", "དགུ")
_TEENS = ("བཅུ", "བཅུ་གཅིག", "བཅུ་གཉིས", "བཅུ་གསུམ", "བཅུ་བཞི", "བཅོ་ལྔ", "བཅུ་དྲུག",
          "བཅུ་བདུན", "བཅོ་བརྒྱད", "བཅུ་དགུ")
_TENS = ("", "", "ཉི་ཤུ", "སུམ་ཅུ", "བཞི་བཅུ", "ལྔ་བཅུ", "དྲུག་ཅུ", "བདུན་ཅུ", "བརྒྱད་ཅུ",
         "དགུ་བཅུ")
_TENS_JOINED = ("", "", "ཉེར", "སོ", "ཞེ", "ང", "རེ", "དོན", "གྱ", "གོ")
_POWERS = ((10_000_000, "བྱེ་བ"), (1_000_000, "ས་ཡ"), (100_000, "འབུམ་ཕྲག"),
           (10_000, "ཁྲི་ཕྲག"), (1_000, "སྟོང་ཕྲག"), (100, "བརྒྱ་ཕྲག"))


def _below_hundred(number: int) -> str:
    tens, units = divmod(number, 10)
    if tens == 0:
        return _UNITS[units]
    if tens == 1:
        return _TEENS[units]
    if units == 0:
        return _TENS[tens]
    return f"{_TENS_JOINED[tens]}་{_UNITS[units]}"


def tibetan_number(number: int) -> str:
    """A whole number below a hundred million in Tibetan words: 15000 → ཁྲི་ཕྲག་གཅིག་དང་སྟོང་ཕྲག་ལྔ."""
    if not 0 < number < 100_000_000:
        raise ValueError("a whole number from 1 to 99,999,999")
    parts = []
    for power, word in _POWERS:
        count, number = divmod(number, power)
        if count:
            parts.append(f"{word}་{_UNITS[count]}")
    if number:
        parts.append(_below_hundred(number))
    return "་དང་".join(parts)


def tibetan_words(fen: int) -> str:
    """The amount in Tibetan words, as on a receipt: སྒོར་མོ་ཁྲི་ཕྲག་གཅིག་དང་སྟོང་ཕྲག་ལྔ for
    15,000 yuan; ཞོ and སྐར་མ for jiao and fen (སྒོར་མོ་བརྒྱ་ཕྲག་གཅིག་དང་ཞོ་ལྔ for 100.50)."""
    if not isinstance(fen, int) or fen <= 0:
        raise ValueError("a positive amount in fen")
    yuan, rest = divmod(fen, 100)
    jiao, fen_left = divmod(rest, 10)
    parts = []
    if yuan:
        parts.append(f"སྒོར་མོ་{tibetan_number(yuan)}")
    if jiao:
        parts.append(f"ཞོ་{_UNITS[jiao]}")
    if fen_left:
        parts.append(f"སྐར་མ་{_UNITS[fen_left]}")
    return "་དང་".join(parts)
