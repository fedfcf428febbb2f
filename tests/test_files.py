"""Files written whole or not at all (app/core/files.py)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from app.core import errors, files
from app.core.errors import AppError
from app.core.i18n import _


def test_a_file_appears_whole_and_replaces_the_previous_one(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")
    files.write_atomically(target, b"%PDF new")
    assert target.read_bytes() == b"%PDF new"
    with files.atomic_file(target) as out:
        for piece in (b"one ", b"two ", b"three"):
            out.write(piece)
    assert target.read_bytes() == b"one two three"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


def test_a_failure_while_writing_keeps_the_previous_file_and_leaves_nothing(
        tmp_path: Path) -> None:
    target = tmp_path / "grant.dsgrant"
    target.write_bytes(b"previous")
    parts: list[Path] = []

    class StopError(Exception):
        pass

    with pytest.raises(StopError), files.atomic_file(target, on_part=parts.append) as out:
        out.write(b"half of the new")
        assert parts[0].parent == tmp_path and parts[0].is_file()
        raise StopError
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grant.dsgrant"]


def test_a_full_disk_says_so_and_keeps_the_previous_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "settings.json"
    target.write_bytes(b"{}")

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(errors.DiskFullError) as caught:
        files.write_atomically(target, b'{"language_mode": "bo"}')
    assert str(target) in caught.value.translated()
    assert target.read_bytes() == b"{}"
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]


@pytest.mark.parametrize(("code", "error"), [
    (errno.EROFS, errors.ReadOnlyDiskError), (errno.EACCES, errors.NotAllowedError),
    (errno.EIO, errors.NotWrittenError)])
def test_a_disk_that_refuses_the_file_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               code: int, error: type[AppError]) -> None:
    def refuse(source: str, _target: str) -> None:
        raise OSError(code, os.strerror(code), source)

    monkeypatch.setattr(files.os, "replace", refuse)
    target = tmp_path / "out.dsp"
    with pytest.raises(error) as caught:
        files.write_atomically(target, b"package")
    assert str(target) in caught.value.translated()
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_or_a_folder_in_the_way_says_so(tmp_path: Path) -> None:
    missing = tmp_path / "no such folder" / "table.csv"
    with pytest.raises(errors.FolderMissingError) as caught:
        files.write_atomically(missing, b"a,b")
    assert caught.value.translated() == _(errors.FOLDER_MISSING).format(folder=missing.parent)
    (tmp_path / "taken").mkdir()
    with pytest.raises(errors.FolderNotFileError):
        files.write_atomically(tmp_path / "taken", b"a,b")
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


def test_an_error_reading_another_file_is_not_blamed_on_the_target(tmp_path: Path) -> None:
    target = tmp_path / "out.dsp"
    with pytest.raises(FileNotFoundError), files.atomic_file(target) as out:
        out.write((tmp_path / "scan.jpg").read_bytes())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name == "nt", reason="Windows cannot sync a folder")
def test_the_file_and_then_its_folder_are_synced(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def record(fd: int) -> None:
        status = os.fstat(fd)
        synced.append("folder" if os.path.samestat(status, os.stat(tmp_path)) else "file")
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", record)
    files.write_atomically(tmp_path / "draft.json", b"{}")
    assert synced == ["file", "folder"]


def test_a_folder_that_cannot_be_synced_does_not_fail_the_write(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_fsync = os.fsync

    def no_folders(fd: int) -> None:
        if os.path.samestat(os.fstat(fd), os.stat(tmp_path)):
            raise OSError(errno.EINVAL, "Invalid argument")
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", no_folders)
    files.write_atomically(tmp_path / "draft.json", b"{}")
    assert (tmp_path / "draft.json").read_bytes() == b"{}"
