"""Hypothesis drives four laptops: random creates, edits, deletes and conflict resolutions, with
versions passed between them in random order through random relays. Once everyone has everything,
every store is the same, byte for byte, and equals a store rebuilt from the versions alone."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from app.core.dump import dump, dump_json
from app.core.identity import ensure_device
from app.core.paths import STORE_FILE, AppPaths
from app.core.store import Store, open_store
from app.sync import engine
from models import Attachment, Person
from tests.helpers import shared_dump

_TEMPLATE: list[Path] = []
NAMES = ("扎西", "卓玛", "才让", "拉毛", "བཀྲ་ཤིས", "སྒྲོལ་མ", "")


def _migrated_file() -> Path:
    """One migrated, empty store file, copied for each laptop (migrating takes a while)."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="doorstep-template-"))
        open_store(AppPaths(folder)).close()
        _TEMPLATE.append(folder / STORE_FILE)
    return _TEMPLATE[0]


def _new_store(folder: Path, name: str) -> Store:
    folder.mkdir(parents=True)
    shutil.copyfile(_migrated_file(), folder / STORE_FILE)
    store = open_store(AppPaths(folder))
    ensure_device(store, name)
    return store


def _send(source: Store, target: Store) -> engine.ApplyResult:
    """What a package carries: the versions the target lacks and the files they name."""
    rows = [r for batch in engine.versions_after(source, engine.vector(target)) for r in batch]
    for row in rows:
        if row[3] == "attachment" and row[5] == "sha256":
            sha = str(row[6])
            there = target.paths.attachments / sha[:2] / sha
            if not there.exists():
                there.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source.paths.attachments / sha[:2] / sha, there)
    return engine.apply(target, rows)


def _send_what_it_lacks(source: Store, target: Store) -> None:
    """``_send``, and the target gets exactly the versions its vector says it lacks of the
    source's (each laptop's counters run without gaps), all of them new to it."""
    had, has = engine.vector(target), engine.vector(source)
    lacking = sum(max(0, counter - had.get(device, 0)) for device, counter in has.items())
    result = _send(source, target)
    assert (result.received, result.new, result.duplicates) == (lacking, lacking, 0)
    now = engine.vector(target)
    assert all(now.get(device, 0) >= counter for device, counter in has.items())


class Laptops(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="doorstep-sync-"))
        self.stores = [_new_store(self.folder / str(i), f"laptop {i}") for i in range(4)]
        self.people: list[str] = []
        self.resolved = 0

    def _person_ids(self, store: Store) -> list[str]:
        with store.read() as session:
            return list(session.scalars(Person.__table__.select().with_only_columns(
                Person.id).order_by(Person.id)))

    @rule(who=st.integers(0, 3), name=st.sampled_from(NAMES))
    def create(self, who: int, name: str) -> None:
        with self.stores[who].write() as session:
            person = Person(name_zh=name or "某", name_bo=name, preferred_language="bo")
            session.add(person)
            session.flush()
            self.people.append(person.id)

    @rule(who=st.integers(0, 3), content=st.binary(min_size=1, max_size=64))
    def attach(self, who: int, content: bytes) -> None:
        """A scan attached on one laptop: stored by its hash, its record versioned."""
        store = self.stores[who]
        sha = hashlib.sha256(content).hexdigest()
        path = store.paths.attachments / sha[:2] / sha
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        with store.write() as session:
            session.add(Attachment(owner_kind="hearing", owner_id="h-" + sha[:8], sha256=sha,
                                   file_name="scan.png", media_type="image/png",
                                   size=len(content), added_at="2026-11-26T10:00"))

    @precondition(lambda self: bool(self.people))
    @rule(who=st.integers(0, 3), pick=st.integers(0, 1000), name=st.sampled_from(NAMES),
          field=st.sampled_from(["name_zh", "name_bo", "phone"]))
    def edit(self, who: int, pick: int, name: str, field: str) -> None:
        store = self.stores[who]
        known = self._person_ids(store)
        if not known:
            return
        with store.write() as session:
            person = session.get(Person, known[pick % len(known)])
            assert person is not None
            setattr(person, field, name if field != "phone" else f"1390975{pick:04d}")

    @precondition(lambda self: bool(self.people))
    @rule(first=st.integers(0, 3), second=st.integers(0, 3), pick=st.integers(0, 1000),
          field=st.sampled_from(["name_zh", "deleted"]))
    def edit_on_two_laptops(self, first: int, second: int, pick: int, field: str) -> None:
        """Two laptops change the same field of a person both know, neither seeing the other."""
        both = sorted(set(self._person_ids(self.stores[first]))
                      & set(self._person_ids(self.stores[second])))
        if first == second or not both:
            return
        person_id = both[pick % len(both)]
        for n, who in enumerate((first, second)):
            with self.stores[who].write() as session:
                person = session.get(Person, person_id)
                assert person is not None
                if field == "deleted":
                    person.deleted = n == 0
                else:
                    person.name_zh = f"{NAMES[(pick + n) % 4]}{who}"

    @precondition(lambda self: bool(self.people))
    @rule(who=st.integers(0, 3), pick=st.integers(0, 1000), deleted=st.booleans())
    def delete_or_restore(self, who: int, pick: int, deleted: bool) -> None:
        store = self.stores[who]
        known = self._person_ids(store)
        if not known:
            return
        with store.write() as session:
            person = session.get(Person, known[pick % len(known)])
            assert person is not None
            person.deleted = deleted

    @rule(who=st.integers(0, 3), pick=st.integers(0, 1000))
    def resolve(self, who: int, pick: int) -> None:
        # The first laptop, from ``who`` on, that has a conflict to show.
        store = self.stores[who]
        found = engine.conflicts(store)
        for offset in range(1, 4):
            if found:
                break
            store = self.stores[(who + offset) % 4]
            found = engine.conflicts(store)
        self.resolved += bool(found)
        if found:
            conflict = found[pick % len(found)]
            chosen = conflict.candidates[pick % len(conflict.candidates)]
            engine.resolve(store, conflict.tbl, conflict.row_id, conflict.field, chosen.value)
            assert all(c.field != conflict.field or c.row_id != conflict.row_id
                       for c in engine.conflicts(store))

    @rule(source=st.integers(0, 3), relay=st.integers(0, 3), destination=st.integers(0, 3))
    def carry(self, source: int, relay: int, destination: int) -> None:
        """A package from ``source`` reaches ``destination`` through ``relay``'s laptop."""
        _send_what_it_lacks(self.stores[source], self.stores[relay])
        _send_what_it_lacks(self.stores[relay], self.stores[destination])
        again = _send(self.stores[relay], self.stores[destination])
        assert (again.received, again.new) == (0, 0)

    @invariant()
    def heads_are_leaves(self) -> None:
        """No head is named as a parent, but by a version in a cycle with it (an id used twice:
        a restored laptop's, or one written under another laptop's log)."""
        for store in self.stores:
            with store.read() as session:
                conn = session.connection()
                named = conn.exec_driver_sql(
                    "SELECT h.tbl, h.row_id, h.field, h.device_id || ':' || h.counter,"
                    " w.device_id || ':' || w.counter FROM sync_head h JOIN sync_version w"
                    " ON w.tbl = h.tbl AND w.row_id = h.row_id AND w.field = h.field,"
                    " json_each(w.parents) p WHERE p.value = h.device_id || ':' || h.counter"
                ).fetchall()
                for tbl, row_id, field, head, namer in named:
                    edges = {f"{d}:{c}": json.loads(p) for d, c, p in conn.exec_driver_sql(
                        "SELECT device_id, counter, parents FROM sync_version WHERE tbl = ?"
                        " AND row_id = ? AND field = ?", (tbl, row_id, field))}
                    component = engine.strong_components(
                        {v: [p for p in ps if p in edges] for v, ps in edges.items()})
                    assert component[head] == component[namer]

    def teardown(self) -> None:
        try:
            for _ in range(2):
                for source in self.stores:
                    for target in self.stores:
                        if source is not target:
                            _send(source, target)
            dumps = {dump_json(s) for s in self.stores}
            assert len(dumps) == 1
            for store in self.stores:  # every laptop holds every attached file
                with store.read() as session:
                    shas = list(session.scalars(Attachment.__table__.select()
                                                .with_only_columns(Attachment.sha256)))
                assert all((store.paths.attachments / s[:2] / s).is_file() for s in shas)
            conflict_lists = {repr(engine.conflicts(s)) for s in self.stores}
            assert len(conflict_lists) == 1
            # Importing everything again changes nothing.
            everything = [r for b in engine.versions_after(self.stores[0], {}) for r in b]
            assert engine.apply(self.stores[1], everything).new == 0
            assert dump_json(self.stores[1]) in dumps
            # The tables are a function of the versions: a store rebuilt from them alone agrees
            # (all but its own device row, which the others have not seen).
            rebuilt = _new_store(self.folder / "rebuilt", "rebuilt")
            engine.apply(rebuilt, everything)
            mine = rebuilt.device_id
            got, want = dump(rebuilt), dump(self.stores[0])
            got["device"] = [row for row in got["device"] if row["id"] != mine]
            got["audit_entry"] = [row for row in got["audit_entry"] if row["log_id"] != mine]
            assert got == want
            assert repr(engine.conflicts(rebuilt)) == next(iter(conflict_lists))
            rebuilt.close()
        finally:
            for store in self.stores:
                store.close()
            shutil.rmtree(self.folder, ignore_errors=True)


Laptops.TestCase.settings = settings(max_examples=25, stateful_step_count=30, deadline=None)
TestLaptops = Laptops.TestCase
TestLaptops.pytestmark = [pytest.mark.slow]  # type: ignore[attr-defined]


def test_the_machine_meets_conflicts() -> None:
    """The random runs above do reach conflicts and resolve them (a vacuous run proves little)."""
    machine = Laptops()
    try:
        machine.create(0, "扎西")
        machine.carry(0, 0, 1)
        person = machine.people[0]
        machine.edit_on_two_laptops(0, 1, 0, "name_zh")
        machine.carry(0, 0, 1)
        assert len(engine.conflicts(machine.stores[1])) == 1
        machine.resolve(1, 0)
        assert machine.resolved == 1 and engine.conflicts(machine.stores[1]) == []
        assert person
    finally:
        machine.teardown()


class HubLaptops(Laptops):
    """The same run with the prefecture hub as the fourth party: a store on PostgreSQL (a
    database of its own for each run, on the server ``./dev test`` starts), which creates,
    edits, resolves and relays as a laptop does. Once everyone has everything, its dump and its
    conflicts equal the laptops'."""

    def __init__(self) -> None:
        import os
        import uuid

        from sqlalchemy import create_engine, make_url, text

        from app.core.server import open_server_store

        server = os.environ["DOORSTEP_TEST_PG"]
        RuleBasedStateMachine.__init__(self)
        self.folder = Path(tempfile.mkdtemp(prefix="doorstep-hub-sync-"))
        self.database = f"doorstep_stateful_{uuid.uuid4().hex[:12]}"
        self.admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.database}"'))
        url = make_url(server).set(database=self.database).render_as_string(
            hide_password=False)
        hub = open_server_store(url, AppPaths(self.folder / "hub"), create=True)
        ensure_device(hub, "州院")
        self.stores = [*(_new_store(self.folder / str(i), f"laptop {i}") for i in range(3)),
                       hub]
        self.people = []
        self.resolved = 0

    @invariant()
    def heads_are_leaves(self) -> None:
        """As for the laptops (the hub's heads are checked by its agreeing with them)."""
        hub = self.stores.pop()
        try:
            super().heads_are_leaves()
        finally:
            self.stores.append(hub)

    def teardown(self) -> None:
        from sqlalchemy import text

        try:
            super().teardown()
        finally:
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
            self.admin.dispose()


HubLaptops.TestCase.settings = settings(max_examples=10, stateful_step_count=30, deadline=None)
TestHubLaptops = HubLaptops.TestCase
TestHubLaptops.pytestmark = [pytest.mark.slow, pytest.mark.postgres]  # type: ignore[attr-defined]


@pytest.mark.postgres
def test_the_hub_machine_meets_conflicts() -> None:
    """The hub's run reaches conflicts between a laptop and the hub and resolves them there."""
    machine = HubLaptops()
    try:
        machine.create(0, "扎西")
        machine.carry(0, 0, 3)
        machine.edit_on_two_laptops(0, 3, 0, "name_zh")
        machine.carry(0, 1, 3)
        assert len(engine.conflicts(machine.stores[3])) == 1
        machine.resolve(3, 0)
        assert machine.resolved == 1 and engine.conflicts(machine.stores[3]) == []
        machine.carry(3, 3, 0)
        assert engine.conflicts(machine.stores[0]) == []
    finally:
        machine.teardown()


PASS = "stateful"


def _contents(store: Store) -> set[tuple[object, ...]]:
    """What each version in effect says, whatever log it is in: a change re-issued in a fresh
    log after a fork says the same (its clock, record, field and value)."""
    with store.read() as session:
        return {tuple(r) for r in session.connection().exec_driver_sql(
            "SELECT hlc, tbl, row_id, field, quote(value) FROM sync_version")}


def _ids(store: Store) -> set[tuple[object, ...]]:
    """Every version the store holds, by its id and clock (a fork's two versions with one id
    differ in their clock)."""
    with store.read() as session:
        return {tuple(r) for r in session.connection().exec_driver_sql(
            "SELECT device_id, counter, hlc FROM sync_version")}


def _copy_store(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as a, sqlite3.connect(target) as b:
        a.backup(b)


class PackageLaptops(Laptops):
    """The same laptops, enrolled in one office, passing real package files (encrypted,
    signed, attachments inside) through relays; a laptop's data folder is now and then restored
    from an older copy, and a laptop writes under another laptop's log. Every store ends the
    same, and nothing is lost but what a restore destroyed before it left the laptop, and what
    was written under another laptop's name (kept apart, not applied)."""

    def __init__(self) -> None:
        from app.core.identity import set_up_device
        from app.sync import crypto, service

        RuleBasedStateMachine.__init__(self)
        self.folder = Path(tempfile.mkdtemp(prefix="doorstep-packages-"))
        self.people, self.resolved, self.files = [], 0, 0
        self.backups: dict[int, Path] = {}
        self.seen: set[tuple[object, ...]] = set()
        self.lost: set[tuple[object, ...]] = set()  # destroyed by a restore
        self.forged: set[tuple[object, ...]] = set()
        self.restores = self.forgeries = 0
        scrypt_n = crypto.SCRYPT_N
        crypto.SCRYPT_N = 2**14  # the least a key file may use: keys unwrap faster
        try:
            master = _new_store(self.folder / "0", "master")
            set_up_device(master, "master", "632624")
            service.set_up_office(master, PASS)
            self.stores = [master]
            for i in range(1, 4):
                folder = self.folder / str(i)
                folder.mkdir(parents=True)
                shutil.copyfile(_migrated_file(), folder / STORE_FILE)
                store = open_store(AppPaths(folder))
                request = service.enrolment_request(store, PASS, "632624", f"laptop {i}")
                service.accept_grant(store, service.enrol(master, request, PASS), PASS)
                self.stores.append(store)
        finally:
            crypto.SCRYPT_N = scrypt_n
        for store in self.stores[1:]:
            self._carry_file(master, store)

    def _carry_file(self, source: Store, target: Store) -> None:
        from app.sync import service

        self.files += 1
        package = service.export(source, self.folder / f"p{self.files}.dsp", PASS)
        before, sent = _ids(target), _ids(source)
        first = service.import_package(target, package.path, PASS)
        # New: the sender's versions the target lacked and took (not what it kept apart, nor
        # what it wrote itself meanwhile, such as its changes re-issued in a fresh log).
        took = len((_ids(target) - before) & sent)
        # What it took and then withdrew in the same import (past a revocation cut-off that
        # the package's roster brought) was new too, and is counted as withdrawn.
        assert took <= first.new <= took + first.withdrawn, (first.new, took, first.withdrawn)
        again = service.import_package(target, package.path, PASS)
        assert again.new == 0 and again.already_imported
        assert again.duplicates == first.new + first.duplicates
        assert again.forks == () and again.withdrawn == 0

    @rule(source=st.integers(0, 3), relay=st.integers(0, 3), destination=st.integers(0, 3))
    def carry(self, source: int, relay: int, destination: int) -> None:
        if source != relay:
            self._carry_file(self.stores[source], self.stores[relay])
        if relay != destination:
            self._carry_file(self.stores[relay], self.stores[destination])

    @rule(who=st.integers(0, 3))
    def back_up(self, who: int) -> None:
        """A copy of the laptop's data folder, as a backup keeps it."""
        target = self.folder / f"backup-{who}-{self.files}" / STORE_FILE
        _copy_store(self.stores[who].paths.store, target)
        self.backups[who] = target

    @precondition(lambda self: bool(self.backups))
    @rule(pick=st.integers(0, 3))
    def restore(self, pick: int) -> None:
        """The laptop's data folder replaced by its older copy (a reinstall, a new machine):
        what it wrote since and never sent anywhere is gone."""
        who = sorted(self.backups)[pick % len(self.backups)]
        store = self.stores[who]
        elsewhere = set().union(*(_contents(s) for s in self.stores if s is not store))
        mine = _contents(store)
        folder = store.paths.data_dir
        store.close()
        for stale in folder.glob(STORE_FILE + "*"):
            stale.unlink(missing_ok=True)
        shutil.copyfile(self.backups[who], folder / STORE_FILE)
        self.stores[who] = open_store(AppPaths(folder), create=False)
        self.lost |= mine - elsewhere - _contents(self.stores[who])
        self.restores += 1

    @precondition(lambda self: bool(self.backups))
    @rule(pick=st.integers(0, 3), name=st.sampled_from(NAMES))
    def restore_and_write(self, pick: int, name: str) -> None:
        """Restored, and used at once: its next changes take counters it had used."""
        self.restore(pick)
        who = sorted(self.backups)[pick % len(self.backups)]
        self.create(who, name)

    @rule(who=st.integers(0, 3), to=st.integers(0, 3), first=st.sampled_from(NAMES),
          then=st.sampled_from(NAMES))
    def lose_sent_work(self, who: int, to: int, first: str, then: str) -> None:
        """Backed up, then work that reaches another laptop, then restored from the backup and
        used: the same counters twice, one set of them already elsewhere (a fork)."""
        if who == to:
            return
        self.back_up(who)
        self.create(who, first)
        self.remember()
        self._carry_file(self.stores[who], self.stores[to])
        self.restore(sorted(self.backups).index(who))
        self.create(who, then)

    @rule(who=st.integers(0, 3), victim=st.integers(0, 3), pick=st.integers(0, 1000))
    def write_under_another_laptops_log(self, who: int, victim: int, pick: int) -> None:
        """A laptop writes a change under another laptop's log, taking that laptop's next
        counters (never Doorstep itself: a tampered store)."""
        store, other = self.stores[who], self.stores[victim]
        known = self._person_ids(store)
        if who == victim or not known:
            return
        with other.read() as session:
            log_id = session.connection().exec_driver_sql(
                "SELECT COALESCE(log_id, device_id) FROM local_identity").scalar()
        before = _contents(store)
        with store.write() as session:
            own = session.connection().exec_driver_sql(
                "SELECT log_id FROM local_identity").scalar()
            session.connection().exec_driver_sql("UPDATE local_identity SET log_id = ?",
                                                 (log_id,))
        try:
            with store.write() as session:
                person = session.get(Person, known[pick % len(known)])
                assert person is not None
                person.name_bo = f"冒名{pick}"
        finally:
            with store.write() as session:
                session.connection().exec_driver_sql("UPDATE local_identity SET log_id = ?",
                                                     (own,))
        self.forged |= _contents(store) - before
        self.forgeries += 1

    @invariant()
    def remember(self) -> None:
        for store in self.stores:
            self.seen |= _contents(store)

    def teardown(self) -> None:
        try:
            from app.sync import service

            for round_ in range(6):  # each laptop's package read by all the others
                for n, source in enumerate(self.stores):
                    package = service.export(source, self.folder / f"end{round_}-{n}.dsp", PASS)
                    for target in self.stores:
                        if target is not source:
                            service.import_package(target, package.path, PASS)
                # (Each laptop records the packages it writes and reads: those entries differ.)
                if round_ >= 1 and len({shared_dump(s) for s in self.stores}) == 1:
                    break
            assert len({shared_dump(s) for s in self.stores}) == 1
            assert len({repr(engine.conflicts(s)) for s in self.stores}) == 1
            for store in self.stores:
                with store.read() as session:
                    shas = list(session.scalars(Attachment.__table__.select()
                                                .with_only_columns(Attachment.sha256)))
                assert all((store.paths.attachments / s[:2] / s).is_file() for s in shas)
            # Nothing lost: every change any laptop held is in effect everywhere (in a fresh
            # log, if its own forked), but what a restore destroyed before it left the laptop
            # and what was written under another laptop's name.
            final = _contents(self.stores[0])
            missing = self.seen - self.lost - self.forged - final
            assert not missing, sorted(missing, key=repr)[:5]
            assert not (self.forged & final)
        finally:
            for store in self.stores:
                store.close()
            shutil.rmtree(self.folder, ignore_errors=True)


PackageLaptops.TestCase.settings = settings(max_examples=6, stateful_step_count=12,
                                            deadline=None)
TestPackageLaptops = PackageLaptops.TestCase
TestPackageLaptops.pytestmark = [pytest.mark.slow]  # type: ignore[attr-defined]


def test_the_package_machine_meets_restores_forks_and_forgeries() -> None:
    """The random runs' rarest paths, on purpose: a laptop restored after its changes reached
    the office, writing again under the same counters; a third laptop that took the restored
    branch first; the office master deciding; a laptop writing under another's log."""
    machine = PackageLaptops()
    try:
        machine.create(1, "扎西")
        machine.carry(1, 1, 0)
        machine.back_up(1)
        machine.edit(1, 0, "卓玛", "name_zh")
        machine.remember()
        machine.carry(1, 1, 0)  # the office holds the real branch
        machine.restore(0)
        machine.edit(1, 0, "才让", "phone")  # the same counters, other changes: a fork
        machine.remember()
        machine.carry(1, 1, 2)  # laptop 2 takes the restored branch first
        machine.carry(2, 2, 0)  # and carries it to the master, which decides
        with machine.stores[0].read() as session:
            decided = session.connection().exec_driver_sql(
                "SELECT COUNT(*) FROM sync_fork WHERE decision IS NOT NULL").scalar()
        assert decided == 1
        machine.write_under_another_laptops_log(2, 1, 0)
        machine.remember()
        assert machine.restores == 1 and machine.forged
    finally:
        machine.teardown()
