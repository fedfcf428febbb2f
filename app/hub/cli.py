"""``python -m app hub …``: the prefecture hub's commands (``app.hub.service``).

Every command names the hub's database with ``--db postgresql+psycopg://…`` (the option every
command has, which opens the main window on a hub too), or the
``DOORSTEP_HUB_DB`` environment variable); files of this computer (logs, packages being
written) stay in the data folder as for a laptop. The passphrase of the hub's keys is read as
the sync commands read it (``--passphrase-file`` or ``DOORSTEP_PASSPHRASE``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.errors import AppError
from app.core.files import write_atomically
from app.core.formatting import format_number
from app.core.i18n import N_, _, pick
from app.core.paths import AppPaths
from app.core.store import Store

if TYPE_CHECKING:
    from app.accounts.login import NewAccount

DB_ENV = "DOORSTEP_HUB_DB"
GIVE_DB = N_("Give the hub's database with --db postgresql+psycopg://… or the {name} "
             "environment variable.")


def add_command(commands: Any, common: argparse.ArgumentParser) -> None:
    hub = commands.add_parser("hub", parents=[common],
                              help="the prefecture hub on a PostgreSQL server: make it, enrol "
                                   "it in each county, import and export packages")
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument("--passphrase-file", metavar="FILE",
                        help="read the hub's passphrase from FILE (else $DOORSTEP_PASSPHRASE)")
    parents = [common, shared]
    steps = hub.add_subparsers(dest="hub_command", metavar="STEP", required=True)
    init = steps.add_parser("init", parents=parents,
                            help="make the hub in an empty database: its office and its keys")
    init.add_argument("--office", required=True, metavar="CODE",
                      help="the prefecture's division code, e.g. 632600")
    init.add_argument("--name", required=True, help="the hub's name, e.g. 果洛州院")
    init.add_argument("--admin", required=True, metavar="NAME",
                      help="the administrator who logs in first (Chinese name), whose log-in "
                           "passphrase is read from --staff-passphrase-file (else "
                           "$DOORSTEP_STAFF_PASSPHRASE)")
    init.add_argument("--admin-bo", default="", metavar="NAME", help="the name in Tibetan")
    request = steps.add_parser("request", parents=parents,
                               help="write the hub's request to join a county (its master "
                                    "enrols the hub from it)")
    request.add_argument("--county", required=True, metavar="CODE",
                         help="the county's division code, e.g. 632624")
    request.add_argument("--out", required=True, metavar="FILE")
    accept = steps.add_parser("accept", parents=parents,
                              help="keep the grant a county's master wrote for the hub")
    accept.add_argument("grant", metavar="GRANT")
    steps.add_parser("counties", parents=parents, help="the counties the hub is enrolled in")
    bring = steps.add_parser("import", parents=parents,
                             help="import package files from any of the counties")
    bring.add_argument("files", nargs="+", metavar="FILE")
    send = steps.add_parser("export", parents=parents,
                            help="write a package for a county's laptops (the hub's own work "
                                 "and what they lack of their county's)")
    send.add_argument("--county", required=True, metavar="CODE")
    send.add_argument("--out", required=True, metavar="FILE")


def database(args: argparse.Namespace) -> str:
    url = str(getattr(args, "db", None) or os.environ.get(DB_ENV, ""))
    if not url:
        raise AppError(GIVE_DB, name=DB_ENV)
    return url


def run(args: argparse.Namespace, paths: AppPaths, admin_passphrase: str = "") -> int:
    """Run a hub command: 0 when done; 1 when a package file was refused (the others were
    imported). Known problems raise :class:`AppError` (printed by the caller).
    ``admin_passphrase``: the log-in passphrase of ``init``'s administrator."""
    from app.core.server import open_server_store
    from app.sync import cli as sync_cli

    url = database(args)
    step = args.hub_command
    # What the command reads is read before the database is opened: bad input changes nothing.
    grant = sync_cli._read_input(Path(args.grant)) if step == "accept" else None
    passphrase = sync_cli._passphrase(args) if step != "counties" else ""
    admin = None
    if step == "init":
        from app.accounts.login import NewAccount
        from app.core.labels import StaffRole

        admin = NewAccount(args.admin, args.admin_bo, StaffRole.ADMIN, admin_passphrase,
                           admin_passphrase)
    store = open_server_store(url, paths, create=step == "init")
    try:
        return _run(store, args, passphrase, grant, admin)
    finally:
        store.close()


def _run(store: Store, args: argparse.Namespace, passphrase: str, grant: bytes | None,
         admin: NewAccount | None) -> int:
    from app.hub import service as hub

    step = args.hub_command
    if step == "init":
        hub.init_hub(store, args.name, args.office, passphrase, admin)
        print(_("The hub is ready. Write its request to each county with \"hub request\"."))
        return 0
    if step == "request":
        data = hub.request(store, args.county, passphrase)
        write_atomically(Path(args.out), data)
        print(_("Request written to {path}: the county's master enrols the hub from it.")
              .format(path=args.out))
        return 0
    if step == "accept":
        assert grant is not None
        roster = hub.accept(store, grant, passphrase)
        print(_("The hub is enrolled in {office} (list of laptops version {version}).")
              .format(office=hub.office_name(roster.office_id), version=roster.version))
        return 0
    if step == "counties":
        for county in hub.counties(store):
            print(f"{county.division_code}  {pick(county.name_zh, county.name_bo)}  "
                  + _("list of laptops version {version}, {n} laptops").format(
                      version=county.roster_version, n=format_number(county.laptops)))
        return 0
    if step == "import":
        refused = 0
        for done in hub.import_packages(store, [Path(f) for f in args.files], passphrase):
            if done.problem is not None:
                refused += 1
                print(f"{done.path}: {done.problem.translated()}", file=sys.stderr)
            elif done.result is not None:
                print(_("{path}: {new} new changes, {conflicts} conflicts.").format(
                    path=done.path, new=format_number(done.result.new),
                    conflicts=format_number(done.result.conflicts)))
        return 1 if refused else 0
    if step == "export":
        result = hub.export_to(store, args.county, Path(args.out), passphrase)
        print(_("Package written to {path}: {n} changes.").format(
            path=result.path, n=format_number(result.versions)))
        return 0
    raise AssertionError(step)
