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
"""

from __future__ import annotations

import json

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.core.errors import AppError
from app.core.i18n import N_
from models import NumberBlock, Office, Petition

OWN_BLOCK = 100
FIELD_BLOCK = 50


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
    issued = session.scalar(select(func.count()).select_from(Petition).where(
        Petition.office_id == office.id, Petition.reg_seq.is_(None),
        Petition.reg_no.startswith(prefix, autoescape=True))) or 0
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
