"""Command line: ``python -m app [--data-dir DIR] [COMMAND]``.

This module is the composition root: with no command it starts the GUI from ``ui``, which is the
one place ``app`` refers to ``ui`` (an import-linter contract allows exactly this import).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from app.core import i18n
from app.core.errors import BACKUP_BY_SERVER, AppError
from app.core.i18n import N_, _
from app.core.paths import ENV_HOME, AppPaths

if TYPE_CHECKING:
    from app.core.store import Store

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR",
                        help=f"data folder (default: ${ENV_HOME}, else the user data folder)")
    common.add_argument("--db", metavar="URL",
                        help="a prefecture hub's PostgreSQL database, "
                             "postgresql+psycopg://user@host/name (the main window opens it "
                             "instead of the data folder's data file, which keeps this "
                             "computer's settings and logs)")
    common.add_argument("--staff", metavar="NAME|ID",
                        help="who logs in, by name (Chinese or Tibetan) or staff id: an "
                             "encrypted data file opens only for a staff member's passphrase")
    common.add_argument("--staff-passphrase-file", metavar="FILE",
                        help=f"read the log-in passphrase from FILE (else ${LOGIN_ENV}; at a "
                             "terminal it is asked for)")
    parser = argparse.ArgumentParser(
        prog="python -m app", parents=[common],
        description="Doorstep: petitions, doorstep hearings and judicial aid for county "
                    "procuratorates. With no command, opens the main window.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("gui", parents=[common], help="open the main window (the default)")
    commands.add_parser("dump", parents=[common],
                        help="write every live record to stdout as canonical JSON")
    printing = commands.add_parser("print", parents=[common],
                                   help="print a petition's or an aid case's paper to a PDF file")
    printing.add_argument("paper", choices=["receipt", "reply-notice", "referral-notice",
                                            "agreement", "hearing-notice", "hearing-minutes",
                                            "aid-decision", "aid-receipt"],
                          help="agreement: the petition's agreement that still holds (marked "
                               "printed); hearing-notice, hearing-minutes: its latest hearing; "
                               "aid-decision: a judicial aid case's decision notice; "
                               "aid-receipt: the receipt for one payment of aid money")
    printing.add_argument("which", metavar="REGNO|ID",
                          help="the petition's registration number, e.g. 达检信〔2026〕37号; "
                               "for aid-decision the aid case's id, for aid-receipt the "
                               "payment's id")
    printing.add_argument("--out", required=True, metavar="FILE.pdf", help="where to write")
    export_table = commands.add_parser(
        "export-table", parents=[common],
        help="write a table of live records as CSV (UTF-8 with BOM) for the prefecture's analysis")
    export_table.add_argument("table", metavar="NAME|all",
                              help="petitions, persons, hearings, agreements, aid_cases, "
                                   "aid_payments, conciliations, lawsuit_support, escalations; "
                                   "all: every table into a folder")
    export_table.add_argument("--out", required=True, metavar="FILE.csv|FOLDER",
                              help="the file to write (or a folder for NAME.csv); for all a folder")
    export_table.add_argument("--unmask", action="store_true",
                              help="ID card, phone and bank account numbers in full")
    export_table.add_argument("--office", metavar="CODE",
                              help="only this office's petitions (division code, e.g. 632624)")
    export_table.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD",
                              help="only petitions received on or after this day")
    export_table.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD",
                              help="only petitions received on or before this day")

    report = commands.add_parser(
        "report", parents=[common],
        help="write the statistics report (the figures the office sends up) as PDF or Excel")
    report.add_argument("--period", required=True, metavar="PERIOD",
                        help="2026 (a year), 2026-Q3 (a quarter), 2026-05 (a month), "
                             "2021-01-01..2026-12-31 (any range of days) or 2021-01-01.. "
                             "(since that day)")
    report.add_argument("--office", metavar="CODE",
                        help="the office's division code, e.g. 632624 (default: every office "
                             "in the data folder)")
    report.add_argument("--out", required=True, metavar="FILE.pdf|FILE.xlsx",
                        help="where to write; the suffix chooses PDF or Excel")
    report.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD",
                        help="count replies and deadlines as they stood on that day "
                             "(default: today)")
    report.add_argument("--language", choices=list(i18n.MODES),
                        help="zh, bo or bilingual (default: the language chosen in the app)")
    backup = commands.add_parser(
        "backup", parents=[common],
        help="back up the data now into the backups folder (kept in rotation), or with --to "
             "into a new dated folder there (a USB stick), with the list of passphrases and "
             "the scans")
    backup.add_argument("--to", metavar="DIR", help="the USB stick's folder")
    restore = commands.add_parser(
        "restore", parents=[common],
        help="replace the data by a backup, checked first; the data as it was is backed up, "
             "and this laptop moves to a fresh sync log")
    restore.add_argument("backup", metavar="FILE", help="the backup file")
    restore.add_argument("--other-laptop", action="store_true",
                         help="restore it even if it is another laptop's backup")
    restore.add_argument("--passphrase-file", metavar="FILE",
                         help="the sync passphrase (needed when the laptop has sync keys; "
                              "else $DOORSTEP_PASSPHRASE)")
    from app.sync import cli as sync_cli

    sync_cli.add_commands(commands, common)
    from app.hub import cli as hub_cli

    hub_cli.add_command(commands, common)
    return parser


# The commands that may make a new store (and its folder); every other one refuses a folder
# without one, so that a mistyped --data-dir makes nothing. The GUI makes one at its first run.
CREATING = frozenset({None, "gui", "enrol-request", "hub"})
UNEXPECTED = N_("Doorstep stopped because of an unexpected problem; the details are in the log "
                "file {path}.")
UNEXPECTED_UNLOGGED = N_("Doorstep stopped because of an unexpected problem ({error}); it could "
                         "not be written to a log file.")
INTERRUPTED = N_("Stopped (Ctrl+C). What was not finished was not saved.")


# What a laptop does with its data file, and a prefecture hub's database does otherwise.
_HUB_SYNCS = N_("{server} is a prefecture hub: it syncs with the counties through \"python -m "
                "app hub …\" (hub import, hub export), not as a laptop does.")
NOT_ON_A_HUB = {
    "backup": BACKUP_BY_SERVER,
    "restore": N_("A hub's database is restored on its server, with PostgreSQL's own tools "
                  "(pg_restore). {server} was left as it was."),
    **{command: _HUB_SYNCS for command in (
        "office-setup", "enrol-request", "enrol", "accept-grant", "revoke", "export", "import",
        "roster")},
}
LOGIN_ENV = "DOORSTEP_STAFF_PASSPHRASE"
WHO = N_("Please say who logs in with --staff NAME (one of: {names}).")
NOBODY_CALLED = N_("Nobody called “{name}” can log in on this laptop (one of: {names}).")
TWO_CALLED = N_("Two staff members are called “{name}”: please give the staff id ({ids}).")
LOGIN_FILE_UNREADABLE = N_("The passphrase file {path} could not be read.")
GIVE_LOGIN = N_("Give the log-in passphrase with --staff-passphrase-file or the {name} "
                "environment variable.")


def _open(paths: AppPaths, args: argparse.Namespace, create: bool = False) -> Store:
    """The store, opened for the staff member who logs in when it is encrypted (their role
    then limits what the command may do, as in the window). An earlier, plain data file has
    no log-in: it is encrypted at the first log-in in the window."""
    from app.accounts import login
    from app.core.settings import load_settings
    from app.core.store import open_store

    if getattr(args, "db", None):
        return _open_hub(paths, args)
    if login.store_state(paths) is not login.StoreState.ENCRYPTED:
        store = open_store(paths, create=create)
        # Changes made from the command line are recorded as the laptop's current user's.
        store.ctx.staff_id = load_settings(paths).current_staff_id or None
        return store
    account = _account(paths, args.staff or "")
    key = login.unlock(paths, account.staff_id, _login_passphrase(args, account.name_zh))
    store = open_store(paths, key=key)
    try:
        login.begin(store, account.staff_id)
    except BaseException:
        store.close()
        raise
    return store


def _open_hub(paths: AppPaths, args: argparse.Namespace) -> Store:
    """A prefecture hub's database (``--db``), for the staff member who logs in to it with
    their passphrase there (``app.accounts.hub_login``)."""
    import functools

    from app.accounts import hub_login, login
    from app.core.server import open_server_store

    store = open_server_store(args.db, paths)
    try:
        account = _account(paths, args.staff or "", hub_login.accounts(store))
        login.unlock(paths, account.staff_id, _login_passphrase(args, account.name_zh),
                     hub=functools.partial(hub_login.check, store))
        login.begin(store, account.staff_id)
    except BaseException:
        store.close()
        raise
    return store


def _account(paths: AppPaths, who: str, found: list[Any] | None = None) -> Any:
    from app.accounts import login

    found = login.accounts(paths) if found is None else found
    names = "、".join(a.name_zh or a.name_bo for a in found)
    who = who.strip()
    if not who:
        raise AppError(WHO, names=names)
    matches = [a for a in found if who in (a.staff_id, a.name_zh, a.name_bo)]
    if not matches:
        raise AppError(NOBODY_CALLED, name=who, names=names)
    if len(matches) > 1:
        raise AppError(TWO_CALLED, name=who, ids=", ".join(a.staff_id for a in matches))
    return matches[0]


def _login_passphrase(args: argparse.Namespace, name: str) -> str:
    import getpass
    import os
    from pathlib import Path

    if args.staff_passphrase_file:
        path = Path(args.staff_passphrase_file)
        try:
            return path.read_text("utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as error:
            raise AppError(LOGIN_FILE_UNREADABLE, path=str(path)) from error
    if os.environ.get(LOGIN_ENV):
        return os.environ[LOGIN_ENV]
    if sys.stdin.isatty():
        return getpass.getpass(_("Passphrase of {name}: ").format(name=name))
    raise AppError(GIVE_LOGIN, name=LOGIN_ENV)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; exit 0 when done, 1 with one line on stderr for a known problem (bad
    input, a missing file, a full or read-only disk, a locked data file: nothing was changed),
    2 for an unexpected one (its traceback goes to the log file, never to the terminal), 130
    when interrupted."""
    args = _parser().parse_args(argv)
    paths = AppPaths.resolve(args.data_dir)
    if args.command in (None, "gui"):
        return guarded(paths, lambda: _run(args, paths))
    from app.core import logs
    with logs.command_log(paths):
        return guarded(paths, lambda: _run(args, paths))


def guarded(paths: AppPaths, work: Callable[[], int]) -> int:
    """Run ``work`` as a command does: its exit code; 1 with one translated line on stderr for
    a known problem, 130 when interrupted, 2 with the traceback in the log file for anything
    else. (The demo generator, outside the shipped package, runs through it too.)"""
    from app.core.errors import file_problem

    try:
        return work()
    except AppError as exc:
        log.info("refused: %s", exc)
        print(exc.translated(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(_(INTERRUPTED), file=sys.stderr)
        return 130
    except OSError as exc:
        known = file_problem(exc)
        if known is None:
            return _unexpected(paths, exc)
        log.warning("refused: %s", exc)
        print(known.translated(), file=sys.stderr)
        return 1
    except Exception as exc:
        return _unexpected(paths, exc)


def _unexpected(paths: AppPaths, exc: Exception) -> int:
    """The last resort: the traceback into the log file, one line for the person."""
    from app.core import logs
    found = logs.current_file()
    if found is None:  # the GUI stopped before it set its log up
        with logs.command_log(paths) as found:
            log.error("unexpected problem", exc_info=exc)
    else:
        log.error("unexpected problem", exc_info=exc)
    if found is None:
        print(_(UNEXPECTED_UNLOGGED).format(error=type(exc).__name__), file=sys.stderr)
    else:
        print(_(UNEXPECTED).format(path=found), file=sys.stderr)
    return 2


def _run(args: argparse.Namespace, paths: AppPaths) -> int:
    from app.core.settings import load_settings
    from app.core.store import check_data_dir, has_store

    i18n.set_mode(load_settings(paths).language_mode)
    # Before anything is read, asked for or made: a data folder that is a file, or (for a
    # command that may not make one) a folder without a store, is refused here.
    # (With --db the store is a hub's database: the folder keeps this computer's files only.)
    check_data_dir(paths, create=args.command in CREATING or bool(getattr(args, "db", None)))
    if getattr(args, "db", None) and args.command in NOT_ON_A_HUB:
        from app.core.server import ServerError, shown_url

        raise ServerError(NOT_ON_A_HUB[args.command], server=shown_url(args.db))
    if args.command in (None, "gui"):
        from app.core import logs
        paths.ensure()
        logs.configure(paths)
        from ui.main import run  # composition root: the only import of ui from app

        return run(paths, server=args.db or None)
    if args.command == "dump":
        from app.core.dump import dump_json

        store = _open(paths, args)
        try:
            text = dump_json(store)
        finally:
            store.close()
        sys.stdout.buffer.write(text.encode("utf-8"))
        return 0
    if args.command == "print":
        from pathlib import Path

        from app.core.files import write_atomically
        from app.papers import documents as papers
        out = Path(args.out)
        store = _open(paths, args)
        try:
            if args.paper == "agreement":
                from app.hearings import agreements
                agreement_id = papers.current_agreement(store, args.which)
                pdf = papers.render_agreement(store, agreement_id)
            elif args.paper == "hearing-notice":
                pdf = papers.render_hearing_notice(
                    store, papers.latest_hearing(store, args.which))
            elif args.paper == "hearing-minutes":
                pdf = papers.render_minutes(store, papers.latest_hearing(store, args.which))
            elif args.paper == "aid-decision":
                pdf = papers.render_aid_decision(store, args.which)
            elif args.paper == "aid-receipt":
                pdf = papers.render_aid_receipt(store, args.which)
            else:
                pdf = papers.render(store, papers.find_by_number(store, args.which),
                                    args.paper)
            write_atomically(out, pdf)
            if args.paper == "agreement":
                agreements.mark_printed(store, agreement_id)
        finally:
            store.close()
        return 0
    if args.command == "export-table":
        from pathlib import Path

        from app.core.formatting import format_number
        from app.statistics import tables

        store = _open(paths, args)
        try:
            written = tables.export_tables(
                store, args.table, Path(args.out), unmask=args.unmask,
                office_code=args.office, date_from=args.date_from, date_to=args.date_to,
                staff_id=store.ctx.staff_id or "")
        finally:
            store.close()
        for item in written:
            print(_("{table}: {count} rows → {path}").format(
                table=item.table, count=format_number(item.rows), path=item.path))
        return 0
    if args.command == "report":
        from pathlib import Path

        from app.statistics import measures, output
        from app.statistics.periods import parse_period

        period = parse_period(args.period)
        from app.statistics.tables import parse_day

        as_of = parse_day(args.as_of, "as_of") if args.as_of else None
        out = Path(args.out)
        store = _open(paths, args)
        try:
            figures = measures.statistics(store, period,
                                          measures.office_scope(store, args.office), as_of)
            output.save_report(store, figures, args.language or i18n.mode(), out)
        finally:
            store.close()
        print(_("Statistics for {period} written to {path}: {count} petitions received.")
              .format(period=period.code(), path=out,
                      count=figures.current["received"]))
        return 0
    if args.command == "backup":
        from pathlib import Path

        from app.backups import service as backups

        store = _open(paths, args)
        try:
            if args.to:
                made = backups.back_up_to_folder(store, Path(args.to))
                where = made.folder
            else:
                where = backups.back_up_now(store)
        finally:
            store.close()
        print(_("Backed up to {path}.").format(path=where))
        return 0
    if args.command == "restore":
        from pathlib import Path

        from app.backups import service as backups
        from app.sync import cli as sync_cli

        # Logged in (an encrypted store), a leader or the administrator may restore; the
        # store is then closed, and the backup restored with its key.
        source = Path(args.backup)
        store = _open(paths, args)
        try:
            backups.may_restore(store)
            key = store.key
        finally:
            store.close()
        info = backups.describe_backup(paths, source, key)
        passphrase = sync_cli._passphrase(args) if info.has_sync_keys else None
        done = backups.restore_backup(paths, source, key, passphrase,
                                      other_laptop=args.other_laptop)
        from app.core import backups as backup_files
        from app.core.formatting import format_short_datetime

        when = format_short_datetime(done.info.taken_at.astimezone().replace(tzinfo=None)) \
            if done.info.taken_at else str(source)
        print(_(backups.RESTORED).format(when=when,
                                         kind=_(backup_files.kind_label(done.info.kind))))
        return 0
    if args.command == "hub":
        from app.hub import cli as hub_cli

        typed = _login_passphrase(args, args.admin) if args.hub_command == "init" else ""
        paths.ensure()
        return hub_cli.run(args, paths, typed)
    from app.sync import cli as sync_cli

    if args.command in sync_cli.COMMANDS:
        # Files and the passphrase are read before the store is opened (or made).
        inputs = sync_cli.prepare(args, new_store=not has_store(paths))
        store = _open(paths, args, create=args.command in CREATING)
        try:
            return sync_cli.run(store, args, inputs)
        finally:
            store.close()
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
