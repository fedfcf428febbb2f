"""A hearing's draft: one hearing being recorded per petition when Doorstep stopped (a lid
closed, a battery died), offered back (``app.core.drafts`` keeps it safe on disk)."""

from __future__ import annotations

from dataclasses import asdict

from app.core.drafts import discard_draft, draft_names, fill, load_draft, save_draft
from app.core.paths import AppPaths
from app.hearings.record import HearingInput

HEARING_PREFIX = "hearing-"


def hearing_draft_name(petition_id: str) -> str:
    """One hearing being typed per petition."""
    return f"{HEARING_PREFIX}{petition_id}"


def hearing_is_blank(data: HearingInput) -> bool:
    typed = [data.township, data.village, data.herding_group, data.place, data.interpreter,
             data.outcome_note, *(text for _who, text in data.statements),
             *data.opinions.values()]
    return not any(text.strip() for text in typed) and not data.outcome


def save_hearing_draft(paths: AppPaths, data: HearingInput, hearing_id: str | None) -> None:
    content = asdict(data)
    content["statements"] = [[list(who), text] for who, text in data.statements]
    content["hearing_id"] = hearing_id or ""
    save_draft(paths, hearing_draft_name(data.petition_id), content)


def load_hearing_draft(paths: AppPaths, petition_id: str) -> tuple[HearingInput, str] | None:
    """The hearing being typed for this petition when Doorstep stopped, and the id of the saved
    hearing it continues ("" for a new one)."""
    data = load_draft(paths, hearing_draft_name(petition_id))
    if data is None:
        return None
    draft: HearingInput = fill(HearingInput, data)
    draft.petition_id = petition_id
    statements = []
    for item in data.get("statements") or []:
        if (isinstance(item, list) and len(item) == 2 and isinstance(item[0], list)
                and len(item[0]) == 2 and all(isinstance(v, str) for v in item[0])
                and isinstance(item[1], str)):
            statements.append(((item[0][0], item[0][1]), item[1]))
    draft.statements = statements
    draft.opinions = {k: v for k, v in (data.get("opinions") or {}).items()
                      if isinstance(k, str) and isinstance(v, str)}
    for name in ("procurator_ids", "officer_ids", "party_ids"):
        setattr(draft, name, [v for v in getattr(draft, name) if isinstance(v, str)])
    hearing_id = data.get("hearing_id")
    return draft, hearing_id if isinstance(hearing_id, str) else ""


def hearing_drafts(paths: AppPaths) -> list[str]:
    """Petition ids with a hearing draft waiting."""
    return [name[len(HEARING_PREFIX):] for name in draft_names(paths, HEARING_PREFIX)]


def discard_hearing_draft(paths: AppPaths, petition_id: str) -> None:
    discard_draft(paths, hearing_draft_name(petition_id))
