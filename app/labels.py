"""Fixed vocabularies stored as codes, with their labels marked for translation."""

from __future__ import annotations

from app.i18n import N_, _

OFFICE_LEVELS = {
    "prefecture": N_("Prefecture procuratorate"),
    "county": N_("County procuratorate"),
}

STAFF_ROLES = {
    "chief": N_("Chief procurator"),
    "deputy": N_("Deputy chief procurator"),
    "head": N_("Department head"),
    "procurator": N_("Procurator"),
    "clerk": N_("Clerk"),
}

SEXES = {"M": N_("Male"), "F": N_("Female")}

# GB/T 3304 codes of the nationalities met in Golog.
ETHNICITIES = {
    "04": N_("Tibetan"),
    "01": N_("Han"),
    "03": N_("Hui"),
    "30": N_("Tu"),
    "35": N_("Salar"),
    "02": N_("Mongol"),
}

LANGUAGES = {"bo": N_("Tibetan language"), "zh": N_("Chinese language")}


def label(vocabulary: dict[str, str], code: str) -> str:
    """The translated label of ``code``, or the code itself when it is not in the vocabulary."""
    message = vocabulary.get(code)
    return _(message) if message else code
