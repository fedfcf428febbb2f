"""Registration numbers like 达检信〔2026〕37号 that never repeat, even across offline laptops.

The scheme: an office's numbers for a year are handed out in blocks. Only the office's numbering
device (``office.numbering_device_id``, the county office's master laptop: the laptop that first
set the office up) grants blocks, so blocks never overlap; it grants itself a new block of
:data:`OWN_BLOCK` numbers whenever it runs out, and field laptops receive blocks from it with the
office's data (the file sync carries ``number_block`` records like any other). A laptop issues
numbers only from blocks granted to it, lowest first. Two laptops registering offline at the same
time therefore draw from disjoint blocks, and their numbers stay distinct after any merge; a
database index (office, year, number) makes a duplicate impossible to store in any case.

A laptop with no block left still registers the petition, under a provisional number that names
the laptop (达检信〔2026〕临3F2A-1号); it can never equal another laptop's provisional number or a
real number. Numbers of deleted petitions are never reused.

Further blocks travel through the sync: when the numbering laptop reads a package from a laptop
of its office that has fewer than :data:`LOW_NUMBERS` numbers left for this year (or, in
December, for the next), or that registered under provisional numbers, it grants that laptop a
new block in the same transaction (:func:`grant_on_import`); the block goes back with its next
package. A laptop that receives a block renumbers its own provisional numbers from its blocks
(:func:`renumber_provisional`), once it is not catching up; the petition's history keeps the
provisional number.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.core import sqltext
from app.core.errors import AppError
from app.core.i18n import N_
from app.core.records import log_activity
from app.core.store import Store
from models import Activity, Device, NumberBlock, Office, Petition

OWN_BLOCK = 100
FIELD_BLOCK = 50
# Fewer numbers left than this: the clerk is warned, and the numbering laptop grants a block.
LOW_NUMBERS = 10
# The highest provisional number used under a prefix: held now, or held before and renumbered
# (the history keeps it), so that one is never given twice.
def provisional_used_sql(dialect: str, param: str = ":prefix") -> str:
    """The highest provisional number issued under a prefix (given as ``param``): on the
    petitions and in the history (a number renumbered since is not given again). SQLite reads
    the digits before 号 by its lenient cast; PostgreSQL is told to take the digits only."""
    digits = f"substr(x, length({param}) + 1)"
    if dialect == "postgresql":
        digits = f"NULLIF(substring({digits} from '^[0-9]+'), '')"
    return (
        f"SELECT COALESCE(MAX(CAST({digits} AS INTEGER)), 0) FROM ("
        f" SELECT reg_no AS x FROM petition WHERE substr(reg_no, 1, length({param})) = {param}"
        " UNION ALL SELECT detail FROM activity WHERE action IN ('registered', 'renumbered')"
        f" AND substr(detail, 1, length({param})) = {param}) AS issued")


def format_number(short_zh: str, year: int, seq: int) -> str:
    return f"{short_zh}信〔{year}〕{seq}号"


def device_code(device_id: str) -> str:
    """Four hex digits of the device id, upper case: the laptop's mark on provisional numbers."""
    return device_id.replace("-", "")[-4:].upper()


def provisional_prefix(short_zh: str, year: int, device_id: str) -> str:
    return f"{short_zh}信〔{year}〕临{device_code(device_id)}-"


def grant_block(session: Session, office: Office, year: int, device_id: str, size: int,
                granting_device: str) -> NumberBlock:
    """Reserve the next ``size`` numbers of ``office``'s ``year`` for ``device_id``."""
    if office.numbering_device_id != granting_device:
        raise AppError(N_("Only the office's numbering laptop can hand out registration "
                          "numbers."))
    if catching_up(session):
        raise AppError(N_("This laptop's data was restored from an older copy, and it does not "
                          "yet hold every block of numbers it handed out. Read a package from "
                          "each of the office's laptops first."))
    if size < 1:
        raise ValueError("a block holds at least one number")
    highest = session.scalar(select(func.max(NumberBlock.last)).where(
        NumberBlock.office_id == office.id, NumberBlock.year == year)) or 0
    block = NumberBlock(office_id=office.id, year=year, device_id=device_id,
                        first=highest + 1, last=highest + size)
    session.add(block)
    session.flush()
    return block


def _next_in_blocks(session: Session, office_id: str, year: int, device_id: str) -> int | None:
    blocks = session.execute(select(NumberBlock.first, NumberBlock.last).where(
        NumberBlock.office_id == office_id, NumberBlock.year == year,
        NumberBlock.device_id == device_id, NumberBlock.deleted.is_(False))
        .order_by(NumberBlock.first)).all()
    for first, last in blocks:
        used = session.scalar(select(func.max(Petition.reg_seq)).where(
            Petition.office_id == office_id, Petition.reg_year == year,
            Petition.reg_seq.between(first, last)))
        candidate = first if used is None else used + 1
        if candidate <= last:
            return int(candidate)
    return None


def catching_up(session: Session) -> bool:
    """Whether this laptop's data folder was found restored from an older copy and it does not
    yet hold all that others hold of its earlier logs (see app.sync.signed): until it does, it
    cannot know which numbers of its blocks it already used."""
    found = session.execute(text("SELECT behind FROM local_identity")).scalar()
    if not found:
        return False
    for log_id, counter in json.loads(found).items():
        held = session.execute(text(
            "SELECT COALESCE(MAX(counter), 0) FROM sync_version WHERE device_id = :log"),
            {"log": log_id}).scalar()
        if int(held or 0) < int(counter):
            return True
    return False


def issue_number(session: Session, office: Office, year: int,
                 device_id: str) -> tuple[int | None, str]:
    """The next registration number for a petition this device registers: (seq, text).

    ``seq`` is None for a provisional number: when the device holds no number, and while it
    is catching up after its data folder was restored.
    """
    seq = None if catching_up(session) else _next_in_blocks(session, office.id, year, device_id)
    if seq is None and office.numbering_device_id == device_id and not catching_up(session):
        grant_block(session, office, year, device_id, OWN_BLOCK, device_id)
        seq = _next_in_blocks(session, office.id, year, device_id)
    if seq is not None:
        return seq, format_number(office.short_zh, year, seq)
    prefix = provisional_prefix(office.short_zh, year, device_id)
    sql = provisional_used_sql(session.get_bind().dialect.name)
    issued = int(session.execute(text(sql), {"prefix": prefix}).scalar() or 0)
    return None, f"{prefix}{issued + 1}号"


def remaining(session: Session, office_id: str, year: int, device_id: str) -> int:
    """How many numbers this device still holds for the year (to warn before it runs out)."""
    total = 0
    for first, last in session.execute(select(NumberBlock.first, NumberBlock.last).where(
            NumberBlock.office_id == office_id, NumberBlock.year == year,
            NumberBlock.device_id == device_id, NumberBlock.deleted.is_(False))).all():
        used = session.scalar(select(func.count()).select_from(Petition).where(
            Petition.office_id == office_id, Petition.reg_year == year,
            Petition.reg_seq.between(first, last))) or 0
        total += last - first + 1 - used
    return total


def numbers_left(store: Store, year: int | None = None) -> int | None:
    """How many registration numbers this laptop still holds for ``year`` (this year by
    default); None on the office's numbering laptop, which grants itself more as it needs."""
    year = year or date.today().year
    with store.read() as session:
        device = session.get(Device, store.device_id) if store.device_id else None
        office = session.get(Office, device.office_id) if device and device.office_id else None
        if office is None or store.device_id is None:
            return 0
        if office.numbering_device_id == store.device_id:
            return None
        return remaining(session, office.id, year, store.device_id)


def _provisional_of(session: Session, office: Office, device_id: str) -> list[Petition]:
    """The live petitions registered under ``device_id``'s provisional numbers, in the order
    they were given."""
    found = []
    for petition in session.scalars(select(Petition).where(
            Petition.office_id == office.id, Petition.reg_seq.is_(None),
            Petition.deleted.is_(False))):
        prefix = provisional_prefix(office.short_zh, petition.reg_year, device_id)
        suffix = petition.reg_no[len(prefix):-1]
        if petition.reg_no.startswith(prefix) and suffix.isdigit():
            found.append((petition.reg_year, int(suffix), petition))
    return [p for _year, _n, p in sorted(found, key=lambda f: (f[0], f[1]))]


def grant_on_import(session: Session, office: Office, sender_id: str, granting_device: str,
                    today: date) -> list[NumberBlock]:
    """On the office's numbering laptop, reading a package from ``sender_id``: grant it a
    block for each year it is short of numbers in (fewer than :data:`LOW_NUMBERS` left this
    year, or next year in December, or provisional numbers given in a year)."""
    if office.numbering_device_id != granting_device or sender_id == granting_device \
            or catching_up(session):
        return []
    waiting: dict[int, int] = {}
    for petition in _provisional_of(session, office, sender_id):
        waiting[petition.reg_year] = waiting.get(petition.reg_year, 0) + 1
    years = {today.year, *(y for y in waiting if y >= today.year - 1)}
    if today.month == 12:
        years.add(today.year + 1)
    granted = []
    for year in sorted(years):
        if remaining(session, office.id, year, sender_id) - waiting.get(year, 0) < LOW_NUMBERS:
            granted.append(grant_block(session, office, year, sender_id,
                                       FIELD_BLOCK + waiting.get(year, 0), granting_device))
    return granted


def block_arrived(session: Session, device_id: str, since_seq: int) -> bool:
    """Whether a block for ``device_id`` came with the versions above ``since_seq``."""
    return session.execute(text(
        "SELECT 1 FROM sync_version v JOIN number_block b ON b.id = v.row_id"
        " WHERE v.seq > :since AND v.tbl = 'number_block' AND b.device_id = :device"
        f" AND {sqltext.live(sqltext.dialect_of(session), 'b.deleted')} LIMIT 1"),
        {"since": since_seq, "device": device_id}).first() is not None


def renumber_provisional(session: Session, store: Store) -> list[tuple[str, str]]:
    """Give this laptop's own provisional numbers real ones from its blocks, in the order they
    were given; each petition's history keeps the provisional number. Returns (old, new)."""
    device_id = store.device_id
    device = session.get(Device, device_id) if device_id else None
    office = session.get(Office, device.office_id) if device and device.office_id else None
    if office is None or device_id is None or catching_up(session):
        return []
    done = []
    for petition in _provisional_of(session, office, device_id):
        registered_here = session.scalar(select(Activity.id).where(
            Activity.petition_id == petition.id, Activity.action == "registered",
            Activity.device_id == device_id).limit(1))
        if registered_here is None:  # another laptop whose mark is the same four digits
            continue
        seq = _next_in_blocks(session, office.id, petition.reg_year, device_id)
        if seq is None and office.numbering_device_id == device_id:
            grant_block(session, office, petition.reg_year, device_id, OWN_BLOCK, device_id)
            seq = _next_in_blocks(session, office.id, petition.reg_year, device_id)
        if seq is None:
            continue
        old = petition.reg_no
        petition.reg_seq, petition.reg_no = seq, format_number(office.short_zh,
                                                               petition.reg_year, seq)
        session.flush()
        log_activity(session, store, petition.id, None, "renumbered",
                     f"{old} → {petition.reg_no}")
        done.append((old, petition.reg_no))
    return done
