"""Tibetan particles after a filled-in word: the case particle a name takes, and the tsheg.

A Tibetan case particle changes its spelling with the last letter of the word before it (the
suffix of its last syllable), by the classical rules (Situ's grammar):

=====================  ============  ==============  =====================
the word ends in       genitive      instrumental    terminative (la don)
=====================  ============  ==============  =====================
ག ང                    གི             གིས              ག: ཏུ, ང: དུ
ད བ ས                  ཀྱི            ཀྱིས             ད: དུ, བ: ཏུ, ས: སུ
ན མ ར ལ                གྱི            གྱིས             དུ
no suffix (a vowel)    འི (joined)    ས (joined)       ར (joined)
the suffix འ           འི (on the འ)  ས (for the འ)    ར (for the འ)
=====================  ============  ==============  =====================

The particle is its own syllable, after a tsheg: དབང་ཕྱུག་གི, ཡེ་ཤེས་ཀྱིས, ཞིབ་ཚགས་ཁང་གིས. After
a syllable without a suffix, འི, ས and ར join that syllable: བུ → བུའི, སྒྲོལ་མ → སྒྲོལ་མས,
ལྷ་ས → ལྷ་སར; a final འ takes the vowel or gives its place: མཁའ → མཁའི, མཁས, མཁར.

Words that do not end in Tibetan letters (a name in Chinese or Latin letters, a closing bracket)
cannot show how they are read: they take ཡི, ཡིས and ལ (the forms that go after any word), after
a space. Figures are read out (2 གཉིས, 10 བཅུ, 1000 སྟོང) and take the particle of the word read,
joined to the last figure as the dates written by the locale do (ཚེས་2ཀྱི, 10ཡི).

``attach(word, case)`` writes one word and its particle; ``TibetanFormatter`` fills
``{name:ins}`` fields (the case named after the colon) and ``TibetanText`` is a str whose
``format`` does that, which the Tibetan catalog returns (``app.core.i18n``).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class Case(StrEnum):
    """What a translator writes after the colon of a field: ``{name:ins}``."""

    GENITIVE = "gen"  # of: གི ཀྱི གྱི འི
    INSTRUMENTAL = "ins"  # by (the doer): གིས ཀྱིས གྱིས ས
    TERMINATIVE = "term"  # to, into, at: ཏུ དུ སུ ར
    SEPARATE = "sep"  # no particle: the next word is its own syllable (ལགས ཡིན ལ ནས …)

    @classmethod
    def lookup(cls, spec: str) -> Case | None:
        return cls(spec) if spec in cls._value2member_map_ else None


TSHEG = "\u0f0b"
_SHADS = "\u0f0d\u0f0e\u0f0f\u0f10\u0f11\u0f12\u0f14"
_TRAILING = " \t\n\u00a0\u3000" + TSHEG + "\u0f0c" + _SHADS
SUFFIXES = "གངདནབམའརལས"
_OPEN, _FOREIGN = "", None

# The particle after each ending; "" stands for a syllable without a suffix (a vowel).
_PARTICLES: dict[Case, dict[str, str]] = {
    Case.GENITIVE: {"ག": "གི", "ང": "གི", "ད": "ཀྱི", "བ": "ཀྱི", "ས": "ཀྱི",
                    "ན": "གྱི", "མ": "གྱི", "ར": "གྱི", "ལ": "གྱི", "": "ཡི"},
    Case.INSTRUMENTAL: {"ག": "གིས", "ང": "གིས", "ད": "ཀྱིས", "བ": "ཀྱིས", "ས": "ཀྱིས",
                        "ན": "གྱིས", "མ": "གྱིས", "ར": "གྱིས", "ལ": "གྱིས", "": "ཡིས"},
    Case.TERMINATIVE: {"ག": "ཏུ", "བ": "ཏུ", "ང": "དུ", "ད": "དུ", "ན": "དུ", "མ": "དུ",
                       "ར": "དུ", "ལ": "དུ", "ས": "སུ", "": "རུ"},
}
# Joined to a syllable without a suffix (after a vowel), or put in place of its final འ.
_JOINED = {Case.GENITIVE: "འི", Case.INSTRUMENTAL: "ས", Case.TERMINATIVE: "ར"}
# After a word that does not show how it is read.
_FOREIGN_PARTICLES = {Case.GENITIVE: "ཡི", Case.INSTRUMENTAL: "ཡིས", Case.TERMINATIVE: "ལ",
                      Case.SEPARATE: ""}

# How a figure is read: the last word of the number and its ending.
_DIGITS = {1: "ག", 2: "ས", 3: "མ", 4: "", 5: "", 6: "ག", 7: "ན", 8: "ད", 9: ""}  # གཅིག གཉིས …
# A round number by its trailing zeros: བཅུ བརྒྱ སྟོང ཁྲི འབུམ ས་ཡ བྱེ་བ.
_ROUND = {1: "", 2: "", 3: "ང", 4: "", 5: "མ", 6: "", 7: ""}


def _is_letter(char: str) -> bool:
    """A base letter, a letter below another, or a vowel sign: part of a Tibetan syllable."""
    return "\u0f40" <= char <= "\u0f6c" or "\u0f71" <= char <= "\u0fbc"


def _is_figure(char: str) -> bool:
    return char in "0123456789" or "\u0f20" <= char <= "\u0f29"


def _syllable_ending(syllable: str) -> str:
    """The suffix of one Tibetan syllable, "" when it has none (it ends in a vowel)."""
    last = syllable[-1]
    if last == "\u0f7e":  # the anusvara ཾ is read as m
        return "མ"
    # A base letter at the end is a suffix unless it is the only letter (མ, ས in ལྷ་ས):
    # two letters without a vowel are a root and its suffix (དག), which is why a root before
    # a prefix-like letter is written with འ (དགའ).
    if "\u0f40" <= last <= "\u0f6c" and len(syllable) > 1 and last in SUFFIXES:
        return last
    return _OPEN


def _figure_ending(figures: str) -> str:
    digits = "".join(str(int(c)) if c.isascii() else str(ord(c) - 0x0F20) for c in figures)
    number = int(digits)
    if number == 0:
        return "ར"  # ཀླད་ཀོར
    zeros = len(digits) - len(digits.rstrip("0"))
    if zeros:
        return _ROUND.get(zeros, _OPEN)
    return _DIGITS[number % 10]


def _ending(word: str) -> str | None:
    """What the word ends in: a suffix letter, "" for a vowel, None for a word that does not
    show how it is read."""
    last = word[-1]
    if _is_figure(last):
        start = len(word)
        while start and _is_figure(word[start - 1]):
            start -= 1
        return _figure_ending(word[start:])
    if not _is_letter(last):
        return _FOREIGN
    start = len(word)
    while start and _is_letter(word[start - 1]):
        start -= 1
    return _syllable_ending(word[start:])


def particle(word: str, case: Case) -> str:
    """The particle ``word`` takes in ``case``, as its own syllable (without the tsheg): གི,
    ཀྱིས, དུ, or ཡི, ཡིས, རུ after a vowel; "" for ``Case.SEPARATE``."""
    if case is Case.SEPARATE:
        return ""
    word = word.rstrip(_TRAILING)
    ending = _ending(word) if word else _FOREIGN
    if ending is None:
        return _FOREIGN_PARTICLES[case]
    return _PARTICLES[case][ending if ending != "འ" else _OPEN]


def attach(word: str, case: Case) -> str:
    """``word`` followed by its particle in ``case``, written as Tibetan is written.

    Between the word and a particle of its own syllable comes one tsheg (དབང་ཕྱུག་གིས), also
    after ང; a tsheg, shad or space already at the end of the word is not doubled (the shad
    that ends a name goes: ཞིབ་ཚགས་ཁང། → ཞིབ་ཚགས་ཁང་གི). After a syllable without a suffix
    འི, ས and ར join it (སྒྲོལ་མས), after a final འ they take its place or its vowel (མཁས,
    མཁའི). ``Case.SEPARATE`` only writes the tsheg, so that the text that follows (ལགས, ཡིན)
    begins a syllable of its own. After figures the particle follows directly (ཚེས་2ཀྱི);
    after any other word that is not Tibetan, a space (王明 ཡིས). An empty word stays empty:
    a particle is not printed alone.
    """
    stem = word.rstrip(_TRAILING)
    if not stem:
        return ""
    ending = _ending(stem)
    if ending is None:
        return f"{stem} {_FOREIGN_PARTICLES[case]}" if case is not Case.SEPARATE else f"{stem} "
    if _is_figure(stem[-1]):
        return stem + particle(stem, case)
    if case is Case.SEPARATE:
        return stem + TSHEG
    if ending == _OPEN:
        return stem + _JOINED[case]
    if ending == "འ":
        return stem + "ི" if case is Case.GENITIVE else stem[:-1] + _JOINED[case]
    return stem + TSHEG + _PARTICLES[case][ending]


class TibetanFormatter(string.Formatter):
    """``str.format`` for Tibetan texts: a field whose format spec names a ``Case``
    (``{office:ins}``) is filled with the value and its particle; other fields as usual."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        case = Case.lookup(format_spec)
        if case is None:
            return super().format_field(value, format_spec)
        return attach(str(value), case)


_FORMATTER = TibetanFormatter()


def fill(text: str, values: Mapping[str, Any]) -> str:
    """``text`` with its ``{fields}`` filled, particles written by their cases."""
    return _FORMATTER.vformat(text, (), values)


class TibetanText(str):
    """A Tibetan text from the catalog whose ``format`` writes particles by their cases, so
    that code formatting a message needs no change for Tibetan."""

    __slots__ = ()

    def format(self, /, *args: object, **kwargs: object) -> str:
        return _FORMATTER.vformat(self, args, kwargs)

    def format_map(self, mapping: Mapping[str, Any], /) -> str:  # type: ignore[override]
        return _FORMATTER.vformat(self, (), mapping)


def unknown_cases(text: str) -> list[str]:
    """The format specs of ``text`` that name no case (a translator's slip: {name:ins})."""
    return [spec for _literal, name, spec, _conversion in string.Formatter().parse(text)
            if name is not None and spec and Case.lookup(spec) is None]


__all__ = ["Case", "TibetanFormatter", "TibetanText", "attach", "fill", "particle",
           "unknown_cases"]
