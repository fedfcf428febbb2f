"""Half-typed forms that survive a crash or a power cut.

A form saves its content as it is typed; the next start offers it back. Each save is written
whole or not at all (``app.core.files``), so a power cut leaves the previous draft or the new
one, never a torn file.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, fields, is_dataclass
from typing import Any

from app.core.files import write_atomically
from app.core.paths import AppPaths
from app.hearings.record import HearingInput
from app.persons.records import PersonInput
from app.petitions.intake import PetitionInput

log = logging.getLogger(__name__)

INTAKE = "intake"


def save_draft(paths: AppPaths, name: str, content: Any) -> None:
    folder = paths.data_dir / "drafts"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.json"
    data = asdict(content) if is_dataclass(content) and not isinstance(content, type) else content
    write_atomically(target, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def discard_draft(paths: AppPaths, name: str) -> None:
    for suffix in (".json", ".json.tmp"):  # .json.tmp: left by a version before app.core.files
        (paths.data_dir / "drafts" / f"{name}{suffix}").unlink(missing_ok=True)


def _load(paths: AppPaths, name: str) -> dict[str, Any] | None:
    target = paths.data_dir / "drafts" / f"{name}.json"
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("draft %s unreadable: %s", target, exc)
        return None
    return data if isinstance(data, dict) else None


def _fill(cls: type[Any], data: dict[str, Any]) -> Any:
    """Build ``cls`` from ``data``, keeping only known fields of the right type."""
    defaults = cls()
    values = {}
    for f in fields(cls):
        if f.name in data and isinstance(data[f.name], type(getattr(defaults, f.name))):
            values[f.name] = data[f.name]
    return cls(**values)


def is_blank(data: PetitionInput) -> bool:
    """Nothing a clerk typed: an untouched form is not a draft worth offering back."""
    typed = [data.higher_office, data.higher_ref, data.summary, data.requests,
             data.original_case_no, data.referral_body, data.referral_note]
    for person in data.persons:
        typed += [person.name_bo, person.name_zh, person.id_number, person.phone,
                  person.village, person.herding_group]
    return not any(text.strip() for text in typed) and not any(p.existing_id
                                                               for p in data.persons)


def load_intake_draft(paths: AppPaths) -> PetitionInput | None:
    data = _load(paths, INTAKE)
    if data is None:
        return None
    draft: PetitionInput = _fill(PetitionInput, {k: v for k, v in data.items() if k != "persons"})
    persons = data.get("persons")
    if isinstance(persons, list):
        draft.persons = [_fill(PersonInput, p) for p in persons if isinstance(p, dict)]
        for person, raw in zip(draft.persons, persons, strict=False):
            if isinstance(raw, dict) and isinstance(raw.get("existing_id"), str):
                person.existing_id = raw["existing_id"]
    return None if is_blank(draft) else draft


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
    data = _load(paths, hearing_draft_name(petition_id))
    if data is None:
        return None
    draft: HearingInput = _fill(HearingInput, data)
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
    folder = paths.data_dir / "drafts"
    if not folder.is_dir():
        return []
    return sorted(p.name[len(HEARING_PREFIX):-len(".json")]
                  for p in folder.glob(f"{HEARING_PREFIX}*.json"))
