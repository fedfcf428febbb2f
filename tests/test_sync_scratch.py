"""An import or export killed at any point leaves nothing decrypted on disk that the next start
does not remove: names and ID numbers never reach a file outside the store; decrypted attachments,
unfinished package files and the scratch folders of earlier versions go at the next start.

The kill tests stop a real ``python -m app`` child at a known point
(``app.core.scratch.PAUSE_ENV``): it writes a ready file and waits there, and the test kills it
with SIGKILL.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.core import scratch
from app.core.dump import dump_json
from app.core.identity import set_up_device
from app.core.paths import STORE_FILE, AppPaths
from app.core.store import open_store
from app.sync import service
from tests.helpers import DARLAG, petition, register, tashi

# Each starts Doorstep in a process of its own (and kills it).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
PASS = "demo-passphrase"
# What the package says in clear once decrypted: a name in both scripts and an ID number.
NEEDLES = tuple(text.encode() for text in (tashi().name_zh, tashi().name_bo,
                                           tashi().id_number))


@dataclass
class Laptops:
    master: AppPaths
    field: AppPaths
    stick: Path
    package: Path
    scan: bytes


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[Laptops]:
    """A master with a registered petition and a hearing photo, a field laptop enrolled but
    never imported into, and a full package on the stick."""
    from PIL import Image

    from app.hearings import attachments
    from app.hearings import record as hearings
    from app.hearings.record import HearingInput
    from app.petitions.detail import petition_detail
    from tests.helpers import add_leaders

    master, field = AppPaths(tmp_path / "master"), AppPaths(tmp_path / "field")
    stick = tmp_path / "stick"
    stick.mkdir()
    store = open_store(master)
    set_up_device(store, "县院主机", DARLAG)
    service.set_up_office(store, PASS)
    device = service.status(store)
    assert device is not None
    _deputy, procurator = add_leaders(store, device.office_id)
    done = register(store, petition())
    party = petition_detail(store, done.id).parties[0].person_id
    hearing = hearings.record_hearing(store, HearingInput(
        petition_id=done.id, kind="public", held_at="2026-11-22T10:00", place="听证室",
        host_id=procurator, party_ids=[party]))
    photo = tmp_path / "scan.png"
    Image.new("RGB", (300, 200), "white").save(photo)
    attachments.add_attachment(store, master, "hearing", hearing, photo)
    other = open_store(field)
    request = service.enrolment_request(other, PASS, DARLAG, "下乡笔记本")
    service.accept_grant(other, service.enrol(store, request, PASS), PASS)
    package = service.export(store, stick / "full.dsp", PASS, full=True)
    assert package.attachments == 1
    store.close()
    other.close()
    yield Laptops(master, field, stick, package.path, photo.read_bytes())


def _dump(paths: AppPaths) -> str:
    store = open_store(paths)
    try:
        return dump_json(store)
    finally:
        store.close()


def _in_clear(folder: Path) -> list[Path]:
    """Files under ``folder`` holding a name or ID number of the package, except the store
    (and its WAL), which holds data in clear until the store itself is encrypted."""
    return [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(STORE_FILE)
            and any(needle in p.read_bytes() for needle in NEEDLES)]


def _holding(folder: Path, data: bytes) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.read_bytes() == data]


def _left_in_scratch(paths: AppPaths) -> list[Path]:
    return sorted(paths.scratch.rglob("*")) if paths.scratch.exists() else []


def _kill_at(point: str, tmp_path: Path, *args: str) -> None:
    """Run ``python -m app ARGS`` until it reaches ``point``, then kill it (SIGKILL)."""
    ready = tmp_path / f"ready-{point}"
    log = tmp_path / f"child-{point}.log"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DOORSTEP_PASSPHRASE": PASS,
           scratch.PAUSE_ENV: point, scratch.READY_ENV: str(ready)}
    with log.open("wb") as output:
        child = subprocess.Popen([sys.executable, "-m", "app", *args], cwd=ROOT, env=env,
                                 stdout=output, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while not ready.exists():
                if child.poll() is not None:
                    pytest.fail(f"the child ended (code {child.returncode}) before {point}:\n"
                                + log.read_text(errors="replace"))
                if time.monotonic() > deadline:
                    pytest.fail(f"the child never reached {point}")
                time.sleep(0.02)
            os.kill(child.pid, signal.SIGKILL)
        finally:
            if child.poll() is None:
                child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL


@pytest.mark.parametrize("point", ["import-decrypted", "import-applying"])
def test_an_import_killed_leaves_no_names_on_disk_and_the_next_start_removes_its_files(
        laptops: Laptops, tmp_path: Path, point: str) -> None:
    before = _dump(laptops.field)
    _kill_at(point, tmp_path, "import", str(laptops.package), "--data-dir",
             str(laptops.field.data_dir))

    assert _in_clear(laptops.field.data_dir) == []
    if point == "import-decrypted":
        # Killed with the package's photo decrypted into its workspace.
        assert _holding(laptops.field.scratch, laptops.scan)
    else:
        # Killed inside the transaction: the photo is in place already (it harms nothing there).
        assert _holding(laptops.field.attachments, laptops.scan)
    assert _left_in_scratch(laptops.field) != []

    assert _dump(laptops.field) == before  # the next start; nothing of the package is in
    assert _left_in_scratch(laptops.field) == []
    assert _in_clear(laptops.field.data_dir) == []

    store = open_store(laptops.field)
    try:
        again = service.import_package(store, laptops.package, PASS)
        assert again.new > 0 and again.attachments == 1
        assert tashi().id_number in dump_json(store)
    finally:
        store.close()
    assert _left_in_scratch(laptops.field) == []
    assert _in_clear(laptops.field.data_dir) == []


def test_an_export_killed_leaves_a_part_file_the_next_start_removes(laptops: Laptops,
                                                                   tmp_path: Path) -> None:
    target = laptops.stick / "again.dsp"
    unrelated = laptops.stick / ".again.dsp.part"  # not a name seal_to gives: never removed
    unrelated.write_bytes(b"kept")
    _kill_at("export-writing", tmp_path, "export", "--data-dir", str(laptops.master.data_dir),
             "--to", str(target), "--full")
    (part,) = laptops.stick.glob(".again.dsp.*.part")
    assert not target.exists() and _left_in_scratch(laptops.master) != []

    store = open_store(laptops.master)  # the next start
    store.close()
    assert not part.exists() and not target.exists()
    assert _left_in_scratch(laptops.master) == []
    assert unrelated.read_bytes() == b"kept"
    assert sorted(p.name for p in laptops.stick.iterdir()) == [".again.dsp.part", "full.dsp"]


def test_finished_imports_and_exports_leave_no_scratch_files(laptops: Laptops,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    seen: dict[str, list[Path]] = {}

    def look(point: str) -> None:  # what is on disk while the import runs
        seen[point] = _in_clear(laptops.field.data_dir)
        seen[point + " photo"] = _holding(laptops.field.scratch, laptops.scan)

    monkeypatch.setattr(scratch, "pause_for_tests", look)
    store = open_store(laptops.field)
    try:
        assert service.import_package(store, laptops.package, PASS).attachments == 1
        assert seen["import-decrypted"] == [] and seen["import-applying"] == []
        assert len(seen["import-decrypted photo"]) == 1  # only the photo was ever written
        assert _left_in_scratch(laptops.field) == []
        sha = hashlib.sha256(laptops.scan).hexdigest()
        assert (laptops.field.attachments / sha[:2] / sha).read_bytes() == laptops.scan

        service.export(store, laptops.stick / "back.dsp", PASS, full=True)
        assert _left_in_scratch(laptops.field) == []
        assert sorted(p.name for p in laptops.stick.iterdir()) == ["back.dsp", "full.dsp"]
    finally:
        store.close()
    assert not list(laptops.field.data_dir.glob("import-*"))


def test_a_later_export_removes_a_killed_exports_part_file_but_not_a_running_ones(
        laptops: Laptops) -> None:
    stale = laptops.stick / ".p.dsp.k1ll3d_0.part"
    stale.write_bytes(b"cut short")
    kept = [laptops.stick / name for name in (".p.dsp.part", ".p.dsp.k1ll3d_0.part.txt",
                                              ".q.dsp.k1ll3d_0.part", ".p.dsp.running0.part")]
    for path in kept:
        path.write_bytes(b"kept")
    store = open_store(laptops.master)
    try:
        # Another Doorstep on this laptop is writing .p.dsp.running0.part right now.
        with scratch.Workspace.create(laptops.master, "export") as running:
            running.note_part(laptops.stick / ".p.dsp.running0.part")
            service.export(store, laptops.stick / "p.dsp", PASS)
            assert not stale.exists() and all(path.read_bytes() == b"kept" for path in kept)
            # Nor does a start remove what a running Doorstep uses.
            scratch.clean_up(laptops.master)
            assert running.folder.is_dir() and kept[-1].exists()
        assert _left_in_scratch(laptops.master) == []
    finally:
        store.close()


def test_the_next_start_removes_the_scratch_folders_of_earlier_versions(
        laptops: Laptops) -> None:
    data = laptops.field.data_dir
    old = data / "import-x7_k2m9q" / "package-abcdefgh"
    old.mkdir(parents=True)
    (old / "section-00001").write_bytes(b'[["person", "' + NEEDLES[0] + b'"]]')
    mine = data / "import-notes"  # not a name Doorstep gives
    mine.mkdir()
    (mine / "keep.txt").write_bytes(b"kept")
    # A workspace left without its lock, and a marker naming a file that is not a .part file.
    (laptops.field.scratch / "import-abcd1234").mkdir(parents=True)
    (laptops.field.scratch / "export-abcd1234").mkdir()
    (laptops.field.scratch / "export-abcd1234.lock").write_bytes(b"")
    precious = laptops.stick / "precious.dsp"
    precious.write_bytes(b"kept")
    (laptops.field.scratch / "export-abcd1234" / scratch.PART_MARKER).write_text(
        json.dumps({"part": str(precious)}), encoding="utf-8")

    open_store(laptops.field).close()
    assert not (data / "import-x7_k2m9q").exists() and _in_clear(data) == []
    assert (mine / "keep.txt").read_bytes() == b"kept" and precious.read_bytes() == b"kept"
    assert _left_in_scratch(laptops.field) == []
