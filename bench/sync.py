"""Sync speed: export and import of 100,000 field versions, and of 200 MB of attachments.

Builds once (in --dir, default a temp folder; reused when it already holds them) an office's
master laptop whose store holds at least --versions field versions, every one written by the
real capture triggers (persons inserted in batches, one version per field), and a second laptop
enrolled from nothing. Then times ``service.export`` of a full package on a fresh copy of the
master (so that it signs all its versions first, as one batch) and ``service.import_package`` of
it into the empty second laptop (a fresh copy of it for each run: the batch's signature and hash
checked, its versions compared with those held, then applied),
each beside the floor: plain ``sqlite3`` ``executemany`` of the same rows (the 8 columns of
``sync_version``, read from the master) into an empty table in a new database file on the same
disk, committed, with WAL and ``synchronous = FULL`` as the store has them.

A second pass attaches --attachments-mb of files (10 MB each: random bytes inside a PDF, so
that ``app.hearings.attachments.add_attachment`` accepts them) to a hearing on a copy of the
master and times export and import again, beside the floor of copying the same files on the
same disk (``shutil.copyfile``, then fsync) plus the same ``executemany``. Prints the seconds
(median of the runs), versions per second, the ratio to the floor, the package size and the
process's peak memory (``ru_maxrss``). MB here is 2**20 bytes.

Each pass runs again on copies of the two laptops encrypted at rest (``encrypt_store``, each
under a key of its own: the store, and the attachments), and prints those seconds beside the
plain ones, with their ratio (the goal: at most 1.3×); ``--plain-only`` skips that.

    ./dev bench sync [--dir DIR] [--versions 100000] [--attachments-mb 200] [--runs 3]
                     [--plain-only]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from app.core.cipher import encrypt_store
from app.core.identity import set_up_device, this_device
from app.core.keyring import new_store_key
from app.core.paths import AppPaths
from app.core.store import Store, open_store
from app.hearings import attachments
from app.hearings import record as hearings
from app.hearings.record import HearingInput
from app.persons.records import PersonInput
from app.petitions.detail import petition_detail
from app.petitions.intake import PetitionInput, register
from app.sync import service
from demo.generate import NAME_PARTS
from models import Base, Person, Staff, new_id
from models.sync import field_ids

PASSPHRASE = "bench"
DARLAG = "632624"
MB = 1024 * 1024
FILE_MB = 10
BATCH = 1000
COLUMNS = "device_id, counter, hlc, tbl, row_id, field, value, parents"


def count_versions(store: Store) -> int:
    with store.read() as session:
        return int(session.connection().exec_driver_sql(
            "SELECT COUNT(*) FROM sync_version").scalar() or 0)


def version_rows(store: Store) -> list[tuple[Any, ...]]:
    with store.read() as session:
        return [tuple(r) for r in session.connection().exec_driver_sql(
            f"SELECT {COLUMNS} FROM sync_version ORDER BY device_id, counter")]


# -- building ----------------------------------------------------------------------------------
def build(folder: Path, versions: int, rng: random.Random) -> None:
    """The master laptop (``folder/master``) with at least ``versions`` field versions, and the
    second laptop enrolled from nothing (``folder/second``), kept as it is before any import."""
    for name in ("master", "second", "attached"):
        shutil.rmtree(folder / name, ignore_errors=True)
    master = open_store(AppPaths(folder / "master"))
    set_up_device(master, "县院主机", DARLAG)
    service.set_up_office(master, PASSPHRASE)
    second = open_store(AppPaths(folder / "second"))
    request = service.enrolment_request(second, PASSPHRASE, DARLAG, "下乡笔记本")
    service.accept_grant(second, service.enrol(master, request, PASSPHRASE), PASSPHRASE)
    second.close()
    per_person = len(field_ids(Base.metadata.tables["person"]))
    persons = max(0, -(-(versions - count_versions(master)) // per_person))
    for start in range(0, persons, BATCH):
        with master.write() as session:
            session.execute(insert(Person), person_rows(rng, range(start, min(start + BATCH,
                                                                               persons))))
    master.close()


def person_rows(rng: random.Random, numbers: range, county_code: str = DARLAG,
                phone_prefix: str = "139") -> list[dict[str, Any]]:
    """The persons numbered ``numbers``, as a bulk insert takes them (each field set, so that
    the capture writes a version of every field)."""
    rows = []
    for i in numbers:
        a, b = rng.sample(NAME_PARTS, 2)
        rows.append({
            "id": new_id(), "name_bo": f"{a[0]}་{b[0]}", "name_zh": f"{a[1]}{b[1]}",
            "sex": "M" if i % 2 else "F", "ethnicity": "04",
            "id_number": f"{county_code}{1950 + i % 50}0101{i % 10000:04d}",
            "phone": f"{phone_prefix}{i:08d}", "county": "达日县", "township": "吉迈镇",
            "village": "查干村" if i % 3 else "", "herding_group": "二社" if i % 2 else "",
            "preferred_language": "bo" if i % 5 else "zh", "needs_interpreter": i % 7 == 0})
    return rows


def pdf_of(payload: bytes) -> bytes:
    """A one-page PDF that carries ``payload`` as an unused stream (so it opens, and its size is
    what we want)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
               b"<< /Length %d >>\nstream\n" % len(payload) + payload + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def attach(folder: Path, megabytes: int) -> None:
    """A copy of the master (``folder/attached``) with a petition, a hearing planned for it and
    ``megabytes`` of attachments on the hearing, all through Doorstep's own use cases."""
    target = folder / "attached"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(folder / "master", target)
    store = open_store(AppPaths(target))
    device = this_device(store)
    assert device is not None and device.office_id is not None
    with store.write() as session:
        staff = Staff(office_id=device.office_id, name_zh="更桑", name_bo="ཀུན་བཟང",
                      role="procurator", phone="", active=True)
        session.add(staff)
        session.flush()
        staff_id = staff.id
    received = datetime.now().replace(second=0, microsecond=0) - timedelta(days=10)
    petition_id = register(store, PetitionInput(
        channel="visit", received_at=received.isoformat(timespec="minutes"),
        persons=[PersonInput(name_bo="བཀྲ་ཤིས་ཚེ་རིང", name_zh="扎西才让", sex="M",
                             ethnicity="04", county="达日县", township="吉迈镇",
                             preferred_language="bo")],
        category="appeal", business_type="support_lawsuit", summary="草场承包纠纷",
        requests="请求支持起诉", jurisdiction="accept"), staff_id).id
    party = petition_detail(store, petition_id).parties[0].person_id
    hearing_id = hearings.record_hearing(store, HearingInput(
        petition_id=petition_id, kind="doorstep",
        held_at=(received + timedelta(days=3)).isoformat(timespec="minutes"),
        township="窝赛乡", place="信访人家中帐篷", host_id=staff_id, party_ids=[party]),
        staff_id)
    files = -(-megabytes // FILE_MB)
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        for n in range(files):
            size = min(FILE_MB, megabytes - n * FILE_MB) * MB
            source = Path(scratch) / f"scan-{n + 1:02d}.pdf"
            overhead = len(pdf_of(bytes(size))) - size
            source.write_bytes(pdf_of(os.urandom(size - overhead)))
            attachments.add_attachment(store, store.paths, "hearing", hearing_id, source,
                                       staff_id=staff_id)
            source.unlink()
    store.close()


# -- timing ------------------------------------------------------------------------------------
def floor_insert(rows: list[tuple[Any, ...]], folder: Path) -> float:
    """Seconds to executemany ``rows`` into an empty table of a new database file, committed."""
    path = folder / "floor.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE version (device_id TEXT, counter INTEGER, hlc INTEGER, tbl TEXT,"
                 " row_id TEXT, field TEXT, value, parents TEXT)")
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO version ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - t0
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return seconds


def floor_copy(files: list[Path], folder: Path) -> float:
    """Seconds to copy ``files`` to ``folder`` (same disk) and fsync each copy."""
    target = folder / "floor-copies"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    t0 = time.perf_counter()
    for source in files:
        copy = target / source.name
        shutil.copyfile(source, copy)
        with open(copy, "rb") as handle:
            os.fsync(handle.fileno())
    seconds = time.perf_counter() - t0
    shutil.rmtree(target)
    return seconds


def _median(values: list[float]) -> float:
    """The median (not ``statistics.median``: bench/statistics.py shadows that module here)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def timed(action: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = action(*args, **kwargs)
    return time.perf_counter() - t0, result


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@dataclass
class Figures:
    versions: int
    files: int
    file_bytes: int
    export_s: float
    import_s: float
    floor_s: float
    copy_s: float
    size: float


def encrypted_copies(folder: Path, master_name: str) -> dict[str, bytes]:
    """Copies of ``folder/master_name`` and ``folder/second`` as ``encrypted-…``, each encrypted
    in place under a key of its own (``app.core.cipher.encrypt_store``, as a laptop converts);
    their keys, by the copies' names."""
    keys = {}
    for name in (master_name, "second"):
        target = folder / f"encrypted-{name}"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(folder / name, target)
        keys[target.name] = new_store_key()
        encrypt_store(AppPaths(target), keys[target.name])
    return keys


def measure(folder: Path, master_name: str, runs: int,
            keys: dict[str, bytes] | None = None) -> Figures:
    """Time export and import of the full package of ``folder/master_name``, and their floors;
    with ``keys``, of the encrypted copies (``encrypted_copies``)."""
    prefix = "" if keys is None else "encrypted-"
    master_name, second_name = prefix + master_name, prefix + "second"
    master_key = None if keys is None else keys[master_name]
    second_key = None if keys is None else keys[second_name]
    master = open_store(AppPaths(folder / master_name), key=master_key)
    rows = version_rows(master)
    files = sorted(p for p in master.paths.attachments.rglob("*") if p.is_file()) \
        if master.paths.attachments.exists() else []
    work = folder / "runs"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    exports, imports, floors, copies, sizes = [], [], [], [], []
    master.close()
    for run in range(runs):
        # A fresh copy of the master each run: its export signs its 100,000 versions first
        # (one batch: canonical rows, SHA-256, one Ed25519 signature), as the first export
        # after a day's work does.
        copy = work / f"master-{run + 1}"
        shutil.copytree(folder / master_name, copy)
        master = open_store(AppPaths(copy), key=master_key)
        package = work / f"full-{run + 1}.dsp"
        seconds, exported = timed(service.export, master, package, PASSPHRASE, full=True)
        master.close()
        shutil.rmtree(copy)
        assert exported.versions == len(rows) and exported.attachments == len(files)
        exports.append(seconds)
        sizes.append(exported.size)
        laptop = work / f"second-{run + 1}"
        shutil.copytree(folder / second_name, laptop)
        second = open_store(AppPaths(laptop), key=second_key)
        seconds, imported = timed(service.import_package, second, package, PASSPHRASE)
        assert imported.new == len(rows) and imported.conflicts == 0, imported
        assert imported.attachments == len(files)
        assert count_versions(second) >= len(rows)
        imports.append(seconds)
        second.close()
        shutil.rmtree(laptop)
        package.unlink()
        copy_s = floor_copy(files, work) if files else 0.0
        copies.append(copy_s)
        floors.append(copy_s + floor_insert(rows, work))
    shutil.rmtree(work)
    file_bytes = sum(p.stat().st_size for p in files)
    return Figures(len(rows), len(files), file_bytes, _median(exports), _median(imports),
                   _median(floors), _median(copies), _median(sizes))


def report(plain: Figures, encrypted: Figures | None, runs: int) -> None:
    """The plain store's figures beside the floor, and the encrypted store's beside them."""
    files = plain.files
    print(f"{plain.versions:,} field versions, {files} attachment files "
          f"({plain.file_bytes:,} bytes, {plain.file_bytes / MB:.1f} MB); median of {runs} runs")
    head = f"{'':30}{'seconds':>9}{'versions/s':>12}{'floor s':>9}{'ratio':>8}"
    if encrypted is not None:
        head += f"{'encrypted s':>13}{'enc/plain':>10}"
    print(head)
    for name, seconds, other in (
            ("export (signs, full package)", plain.export_s,
             encrypted.export_s if encrypted else 0.0),
            ("import (checks, applies)", plain.import_s,
             encrypted.import_s if encrypted else 0.0)):
        line = (f"{name:30}{seconds:9.2f}{plain.versions / seconds:12,.0f}{plain.floor_s:9.2f}"
                f"{seconds / plain.floor_s:7.1f}x")
        if encrypted is not None:
            line += f"{other:13.2f}{other / seconds:9.2f}x"
        print(line)
    what = "executemany" if not files else "copy + executemany"
    print(f"{'floor: ' + what:30}{plain.floor_s:9.2f}{plain.versions / plain.floor_s:12,.0f}"
          + (f"   (copy {plain.copy_s:.2f} s, executemany {plain.floor_s - plain.copy_s:.2f} s)"
             if files else ""))
    print(f"package size: {plain.size:,.0f} bytes ({plain.size / MB:.1f} MB, "
          f"{(plain.size - plain.file_bytes) / plain.versions:.0f} bytes per version besides "
          f"the files)")
    print(f"peak memory of the process so far: {peak_mb():,.0f} MB")


def _medians(runs: list[Figures]) -> Figures:
    first = runs[0]
    return Figures(first.versions, first.files, first.file_bytes,
                   *(_median([getattr(r, name) for r in runs])
                     for name in ("export_s", "import_s", "floor_s", "copy_s", "size")))


def compare(folder: Path, master_name: str, runs: int, encrypted: bool) -> None:
    """The runs on the plain stores and on their encrypted copies taken in turns, so that a
    load on the machine that comes and goes weighs on both alike."""
    keys = None
    if encrypted:
        t0 = time.perf_counter()
        keys = encrypted_copies(folder, master_name)
        print(f"(encrypted copies of {master_name} and second made in "
              f"{time.perf_counter() - t0:.1f} s)")
    plain_runs, encrypted_runs = [], []
    for _run in range(runs):
        plain_runs.append(measure(folder, master_name, 1))
        if keys is not None:
            encrypted_runs.append(measure(folder, master_name, 1, keys))
    for name in keys or {}:
        shutil.rmtree(folder / name, ignore_errors=True)
    report(_medians(plain_runs), _medians(encrypted_runs) if encrypted_runs else None, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", help="folder for the laptops' stores (kept and reused)")
    parser.add_argument("--versions", type=int, default=100_000)
    parser.add_argument("--attachments-mb", type=int, default=200, help="0 to skip")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--plain-only", action="store_true",
                        help="skip the same runs on encrypted copies of the stores")
    args = parser.parse_args()
    started = time.perf_counter()
    folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="doorstep-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    state_file = folder / "bench-sync.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    if state.get("versions") != args.versions:
        t0 = time.perf_counter()
        build(folder, args.versions, random.Random(7))
        state = {"versions": args.versions}
        state_file.write_text(json.dumps(state))
        print(f"built the master laptop and an enrolled second one in "
              f"{time.perf_counter() - t0:.1f} s at {folder}")
    master = open_store(AppPaths(folder / "master"))
    print(f"master store: {count_versions(master):,} field versions "
          f"({master.paths.store.stat().st_size:,} bytes on disk)")
    master.close()
    compare(folder, "master", args.runs, not args.plain_only)

    if args.attachments_mb > 0:
        print()
        if state.get("attachments_mb") != args.attachments_mb:
            t0 = time.perf_counter()
            attach(folder, args.attachments_mb)
            state["attachments_mb"] = args.attachments_mb
            state_file.write_text(json.dumps(state))
            print(f"attached {args.attachments_mb} MB to a hearing on a copy of the master in "
                  f"{time.perf_counter() - t0:.1f} s")
        compare(folder, "attached", args.runs, not args.plain_only)
    print(f"\nwhole run: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
