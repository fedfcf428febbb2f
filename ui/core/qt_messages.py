"""Qt's own user-visible strings, listed so ``pybabel extract`` puts them in our catalogs.

Qt asks ``GettextTranslator.translate`` for these (there is no Qt catalog for Tibetan). This
module is never imported.
"""

from app.core.i18n import N_

QT_MESSAGES = (
    N_("OK"),
    N_("&OK"),
    N_("Cancel"),
    N_("&Cancel"),
    N_("Close"),
    N_("&Close"),
    N_("Yes"),
    N_("&Yes"),
    N_("No"),
    N_("&No"),
    N_("Save"),
    N_("&Save"),
    N_("Apply"),
    N_("Help"),
    N_("Show Details..."),
    N_("Hide Details..."),
    N_("&Undo"),
    N_("&Redo"),
    N_("Cu&t"),
    N_("&Copy"),
    N_("&Paste"),
    N_("Delete"),
    N_("Select All"),
)
