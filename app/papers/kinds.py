"""The petition's own papers by kind, and which make sense for a petition: what a screen needs
to offer them, without loading the printing (ReportLab, HarfBuzz, the fonts) until one is
printed (``app.papers.documents``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.core.i18n import N_

if TYPE_CHECKING:
    from app.petitions.detail import PetitionDetail

RECEIPT, REPLY_NOTICE, REFERRAL_NOTICE = "receipt", "reply-notice", "referral-notice"

PAPERS = {
    RECEIPT: N_("Receipt for the petitioner"),
    REPLY_NOTICE: N_("Procedural-reply notice"),
    REFERRAL_NOTICE: N_("Referral notice"),
}


def papers_for(detail: PetitionDetail) -> list[str]:
    """The papers that make sense for this petition (none for a voided registration)."""
    if detail.voided:
        return []
    kinds = [RECEIPT]
    kinds.append(REFERRAL_NOTICE if detail.jurisdiction == "refer" else REPLY_NOTICE)
    return kinds
