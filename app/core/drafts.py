"""Half-typed forms that survive a crash or a power cut.

A form saves its content as it is typed; the next start offers it back (the intake form's in
``app.petitions.drafts``, a hearing's in ``app.hearings.drafts``). Each save is written
whole or not at all (``app.core.files``), so a power cut leaves the previous draft or the new
one, never a torn file.

A draft holds what a person typed (names, ID numbers, phones): beside an encrypted store it is
sealed like the attachments (``app.core.file_cipher``), with the key the open store registers
here (``use_cipher``); drafts written in the clear before are sealed then.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.paths import AppPaths

if TYPE_CHECKING:
    from app.core.file_cipher import FileCipher

log = logging.getLogger(__name__)

# The data folders whose store is open and encrypted: what seals their drafts.
_CIPHERS: dict[Path, FileCipher] = {}


def use_cipher(paths: AppPaths, cipher: FileCipher | None) -> None:
    """Drafts in ``paths`` are sealed with ``cipher`` from now on (the encrypted store was
    opened), or no longer (None: it was closed); plain drafts left from before are sealed."""
    if cipher is None:
        _CIPHERS.pop(paths.data_dir, None)
        return
    _CIPHERS[paths.data_dir] = cipher
    seal_plain_drafts(paths, cipher)


def seal_plain_drafts(paths: AppPaths, cipher: FileCipher) -> int:
    """Seal the drafts written in the clear (before the store was encrypted); how many."""
    from app.core.file_cipher import seal_in_place

    folder = paths.data_dir / "drafts"
    sealed = 0
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            sealed += seal_in_place(path, _sealed_name(path.name[:-len(".json")]), cipher)
        except OSError as exc:
            log.warning("draft %s not sealed: %s", path, exc)
    return sealed


def _sealed_name(name: str) -> str:
    return f"draft/{name}"


def save_draft(paths: AppPaths, name: str, content: Any) -> None:
    from app.core.file_cipher import write_file

    folder = paths.data_dir / "drafts"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.json"
    data = asdict(content) if is_dataclass(content) and not isinstance(content, type) else content
    write_file(target, _sealed_name(name), json.dumps(data, ensure_ascii=False).encode("utf-8"),
               _CIPHERS.get(paths.data_dir))


def discard_draft(paths: AppPaths, name: str) -> None:
    for suffix in (".json", ".json.tmp"):  # .json.tmp: left by a version before app.core.files
        (paths.data_dir / "drafts" / f"{name}{suffix}").unlink(missing_ok=True)


def load_draft(paths: AppPaths, name: str) -> dict[str, Any] | None:
    from app.core.file_cipher import SealedFileError, read_file

    target = paths.data_dir / "drafts" / f"{name}.json"
    try:
        data = json.loads(read_file(target, _sealed_name(name), _CIPHERS.get(paths.data_dir))
                          .decode("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, SealedFileError) as exc:
        log.warning("draft %s unreadable: %s", target, exc)
        return None
    return data if isinstance(data, dict) else None


def fill(cls: type[Any], data: dict[str, Any]) -> Any:
    """Build ``cls`` from ``data``, keeping only known fields of the right type."""
    defaults = cls()
    values = {}
    for f in fields(cls):
        if f.name in data and isinstance(data[f.name], type(getattr(defaults, f.name))):
            values[f.name] = data[f.name]
    return cls(**values)


def draft_names(paths: AppPaths, prefix: str) -> list[str]:
    """The names of the drafts waiting whose names start with ``prefix``, in order."""
    folder = paths.data_dir / "drafts"
    if not folder.is_dir():
        return []
    return sorted(p.name[:-len(".json")] for p in folder.glob(f"{prefix}*.json"))
