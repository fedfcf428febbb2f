"""The sync commands of ``python -m app``: everything the Sync screens do, scriptable, so that a
whole office of laptops can be set up and kept in step from a shell.

Commands that need the passphrase read it from ``--passphrase-file`` or the
``DOORSTEP_PASSPHRASE`` environment variable; only at a terminal do they ask for it.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.core.errors import (
    FOLDER_MISSING,
    FOLDER_NOT_FILE,
    AppError,
    FolderMissingError,
    FolderNotFileError,
    file_problem,
)
from app.core.files import write_atomically
from app.core.formatting import format_number, format_short_datetime
from app.core.i18n import N_, _
from app.core.labels import label
from app.core.store import Store
from app.sync import engine, service
from models.sync import hlc_wall_ms

COMMANDS = ("office-setup", "enrol-request", "enrol", "accept-grant", "revoke", "export",
            "import", "conflicts", "resolve", "sync-history", "roster", "kept-apart")
WITH_PASSPHRASE = ("office-setup", "enrol-request", "enrol", "accept-grant", "revoke", "export",
                   "import")


PASSPHRASE_FILE_MISSING = N_("There is no passphrase file {path}.")
PASSPHRASE_FILE_UNREADABLE = N_("The passphrase file {path} could not be read: it must be a text "
                                "file (UTF-8) that Doorstep may read.")


class PassphraseFileError(AppError):
    """The passphrase file cannot be read; nothing was changed."""


@dataclass(frozen=True)
class Inputs:
    """What a command reads before the store is opened: bad input then changes nothing."""

    passphrase: str | None = None
    data: bytes | None = None  # the enrolment request or grant


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    secret = argparse.ArgumentParser(add_help=False)
    secret.add_argument("--passphrase-file", metavar="FILE",
                        help=f"read the passphrase from FILE (else ${service.PASSPHRASE_ENV})")
    parents = [common, secret]
    commands.add_parser("office-setup", parents=parents,
                        help="make this laptop its office's master (office and device keys)")
    request = commands.add_parser("enrol-request", parents=parents,
                                  help="write this laptop's request to join an office")
    request.add_argument("--office", metavar="CODE", default="",
                         help="the office's division code, e.g. 632624 (a new laptop)")
    request.add_argument("--name", default="", help="this laptop's name")
    request.add_argument("--out", required=True, metavar="FILE")
    enrol = commands.add_parser("enrol", parents=parents,
                                help="on the master laptop: enrol a laptop from its request")
    enrol.add_argument("request", metavar="REQUEST")
    enrol.add_argument("--out", required=True, metavar="GRANT")
    accept = commands.add_parser("accept-grant", parents=parents,
                                 help="on the new laptop: accept the master's grant")
    accept.add_argument("grant", metavar="GRANT")
    revoke = commands.add_parser("revoke", parents=parents,
                                 help="on the master laptop: revoke a lost laptop")
    revoke.add_argument("device", metavar="DEVICE_ID")
    export = commands.add_parser("export", parents=parents,
                                 help="write a package of what the office's laptops may lack")
    export.add_argument("--to", required=True, metavar="FILE")
    export.add_argument("--full", action="store_true", help="everything (a full baseline)")
    importing = commands.add_parser("import", parents=parents, help="import a package file")
    importing.add_argument("package", metavar="FILE")
    commands.add_parser("conflicts", parents=[common],
                        help="list the fields edited on two laptops at once")
    resolve = commands.add_parser("resolve", parents=[common],
                                  help="settle a conflict: keep one of its values")
    resolve.add_argument("number", type=int, metavar="N", help="the conflict's number")
    resolve.add_argument("choice", type=int, metavar="CHOICE",
                         help="which value to keep (1 = the first listed)")
    commands.add_parser("sync-history", parents=[common], help="packages sent and received")
    commands.add_parser("roster", parents=[common], help="the office's enrolled laptops")
    commands.add_parser("kept-apart", parents=[common],
                        help="changes kept apart (forged, revoked, a forked log) for review")


def _passphrase(args: argparse.Namespace) -> str:
    if getattr(args, "passphrase_file", None):
        path = Path(args.passphrase_file)
        try:
            return path.read_text(encoding="utf-8").strip()
        except FileNotFoundError as exc:
            raise PassphraseFileError(PASSPHRASE_FILE_MISSING, path=str(path)) from exc
        except (OSError, UnicodeError) as exc:
            raise PassphraseFileError(PASSPHRASE_FILE_UNREADABLE, path=str(path)) from exc
    if os.environ.get(service.PASSPHRASE_ENV):
        return os.environ[service.PASSPHRASE_ENV]
    if sys.stdin.isatty():
        return getpass.getpass(_("Passphrase: "))
    raise AppError(N_("Give the passphrase with --passphrase-file or the {name} environment "
                      "variable."), name=service.PASSPHRASE_ENV)


def _read_input(path: Path) -> bytes:
    """An enrolment request or grant given on the command line."""
    if path.is_dir():
        raise FolderNotFileError(FOLDER_NOT_FILE, path=str(path))
    try:
        return path.read_bytes()
    except OSError as exc:
        known = file_problem(exc, path)
        if known is None:
            raise
        raise known from exc


def _check_target(path: Path) -> None:
    """A file to write: not a folder, and in a folder that exists."""
    if path.is_dir():
        raise FolderNotFileError(N_("{path} is a folder. Please give the name of a file to "
                                    "write."), path=str(path))
    if not path.parent.is_dir():
        raise FolderMissingError(FOLDER_MISSING, folder=str(path.parent))


def prepare(args: argparse.Namespace, new_store: bool = False) -> Inputs:
    """Check the files a command names and read its passphrase, before its store is opened (or,
    for ``enrol-request`` on a new laptop, made: ``new_store``)."""
    command = args.command
    data = None
    if command == "import":
        service.check_package_file(Path(args.package))
    elif command == "enrol":
        data = _read_input(Path(args.request))
    elif command == "accept-grant":
        data = _read_input(Path(args.grant))
    if command in ("enrol-request", "enrol"):
        _check_target(Path(args.out))
    elif command == "export":
        _check_target(Path(args.to))
    if command == "enrol-request" and new_store:
        from app.core.reference import OFFICES

        if args.office not in {o.division_code for o in OFFICES}:
            raise AppError(N_("Give the office this laptop belongs to with --office CODE (its "
                              "division code, e.g. 632624)."))
    passphrase = _passphrase(args) if command in WITH_PASSPHRASE else None
    if command == "enrol-request" and new_store and passphrase is not None:
        service._check_passphrase(passphrase)
    return Inputs(passphrase, data)


def _when(hlc: int) -> str:
    """When a version was written, as this laptop's local date and time."""
    try:
        return format_short_datetime(datetime.fromtimestamp(hlc_wall_ms(hlc) / 1000))
    except (OverflowError, OSError, ValueError):
        return str(hlc)


def _when_text(stamp: str) -> str:
    """An ISO time (UTC, as the store keeps it) as this laptop's local date and time."""
    try:
        return format_short_datetime(datetime.fromisoformat(stamp).astimezone())
    except (OverflowError, OSError, ValueError):
        return stamp


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return json.dumps(value, ensure_ascii=False)


def run(store: Store, args: argparse.Namespace, inputs: Inputs | None = None) -> int:
    command = args.command
    inputs = inputs if inputs is not None else prepare(args)
    passphrase = inputs.passphrase or ""
    if command == "office-setup":
        roster = service.set_up_office(store, passphrase)
        print(_("This laptop is now the master of its office; roster version {version}.")
              .format(version=roster.version))
    elif command == "enrol-request":
        data = service.enrolment_request(store, passphrase, args.office, args.name)
        write_atomically(Path(args.out), data)
        print(_("Enrolment request written to {path}. Take it to the office's master laptop.")
              .format(path=args.out))
    elif command == "enrol":
        assert inputs.data is not None
        grant = service.enrol(store, inputs.data, passphrase)
        write_atomically(Path(args.out), grant)
        print(_("Grant written to {path}. Take it back to the new laptop.").format(
            path=args.out))
    elif command == "accept-grant":
        assert inputs.data is not None
        roster = service.accept_grant(store, inputs.data, passphrase)
        print(_("This laptop is enrolled; roster version {version}. Import a package from the "
                "office to get its data.").format(version=roster.version))
    elif command == "revoke":
        service.revoke(store, args.device, passphrase)
        print(_("Laptop {id} revoked.").format(id=args.device))
    elif command == "export":
        result = service.export(store, Path(args.to), passphrase, full=args.full)
        print(_("Package {id} written to {path}: {versions} versions, {attachments} "
                "attachments, {size} bytes.").format(
            id=result.package_id, path=result.path, versions=format_number(result.versions),
            attachments=format_number(result.attachments), size=format_number(result.size)))
    elif command == "import":
        got = service.import_package(store, Path(args.package), passphrase)
        print(_("Package {id} from {sender}: {new} new versions, {duplicates} already here, "
                "{created} new records, {updated} fields updated, {conflicts} conflicts.")
              .format(id=got.package_id, sender=got.sender_name, new=format_number(got.new),
                      duplicates=format_number(got.duplicates),
                      created=format_number(got.rows_created),
                      updated=format_number(got.rows_updated),
                      conflicts=format_number(got.conflicts)))
        for gap in got.gaps:
            print(_("An earlier package from this laptop never arrived here: {id}.").format(
                id=gap))
        for laptop, days in got.clocks_ahead:
            print(_("The clock of the laptop {laptop} is about {days} days ahead. Its changes "
                    "were taken as usual, but set its date and time right.").format(
                laptop=laptop, days=format_number(days)))
        for note in service.import_notes(got):
            print(note)
    elif command == "kept-apart":
        for kept in service.kept_apart(store):
            brought = _("brought by {laptop}").format(laptop=kept.brought_by) \
                if kept.brought_by else _("found on this laptop")
            again = "  " + _("(written again)") if kept.reissued else ""
            why = label(service.ApartReason, kept.reason)
            print(f"{_when_text(kept.noted_at)}  {kept.laptop}  "
                  + _("{count} changes").format(count=format_number(kept.changes))
                  + f"  {', '.join(kept.tables)}  {brought}: {why}"
                  + again)
    elif command == "conflicts":
        from app.aid import cases as aid
        from app.core.formatting import format_money
        from app.core.identity import staff_member

        for case in aid.overpaid_cases(store):
            print(_("Aid case of {number} is paid {paid}, above the {approved} approved "
                    "(payments made on two laptops): reverse one of them.").format(
                number=case.reg_no, paid=format_money(case.paid_fen),
                approved=format_money(case.approved_fen)))
        laptop_name = service.laptop_names(store)

        for number, conflict in enumerate(engine.conflicts(store), start=1):
            print(f"{number}. {conflict.tbl} {conflict.row_id} {conflict.field}"
                  + ("  " + _("(was {value})").format(value=_show(conflict.base))
                     if conflict.has_base else ""))
            for choice, candidate in enumerate(conflict.candidates, start=1):
                mark = " *" if candidate.winner else ""
                who = staff_member(store, candidate.staff_id) if candidate.staff_id else None
                by = f" {who.name_zh}" if who is not None else ""
                print(f"   {choice}) {_show(candidate.value)}"
                      f"  [{laptop_name(candidate.laptop_id)}{by} {_when(candidate.hlc)}]{mark}")
    elif command == "resolve":
        found = engine.conflicts(store)
        if not 1 <= args.number <= len(found):
            raise AppError(N_("There is no conflict number {n}."), n=args.number)
        conflict = found[args.number - 1]
        if not 1 <= args.choice <= len(conflict.candidates):
            raise AppError(N_("That conflict has no value number {n}."), n=args.choice)
        chosen = conflict.candidates[args.choice - 1]
        engine.resolve(store, conflict.tbl, conflict.row_id, conflict.field, chosen.value)
        print(_("Kept {value}.").format(value=_show(chosen.value)))
    elif command == "sync-history":
        for row in service.history(store):
            print(f"{_when_text(row.handled_at)}  {row.direction:8}  {row.package_id}"
                  f"  {row.sender_id}  #{row.sequence}  {row.versions}"
                  f"  {json.dumps(row.summary, ensure_ascii=False)}")
    elif command == "roster":
        state = service.status(store)
        if state is not None:
            for device in state.devices:
                revoked = f"  revoked {device.revoked_at:%Y-%m-%d}" if device.revoked_at else ""
                print(f"{device.device_id}  {device.name}{revoked}")
    else:  # pragma: no cover - argparse only lets the commands above through
        raise AssertionError(command)
    return 0
