"""``python -m demo --data-dir DIR [--persons N] [--plain]``: fill an empty data folder with demo
data. The data file is then encrypted, as Doorstep keeps it: every staff member of the demo
laptop's office logs in with the passphrase ``doorstep`` (``--plain`` leaves it unencrypted, as
an earlier Doorstep made it). The office master laptop's sync passphrase is ``demo``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app.cli.main import guarded
from app.core.errors import AppError
from app.core.formatting import format_number
from app.core.i18n import N_, _
from app.core.paths import ENV_HOME, AppPaths
from demo.generate import NOT_EMPTY, encrypt_for, fill, home_staff

DONE = N_("Demo data written to {path}: {offices} offices, {staff} staff, {persons} persons, "
          "{petitions} petitions, {hearings} hearings, {agreements} agreements, {aid} judicial "
          "aid cases.")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo", description="Fill an empty Doorstep data folder with demo data.")
    parser.add_argument("--data-dir", metavar="DIR",
                        help=f"data folder (default: ${ENV_HOME}, else the user data folder)")
    parser.add_argument("--persons", type=int, default=240, help="number of demo persons")
    parser.add_argument("--plain", action="store_true",
                        help="leave the data file unencrypted (as an earlier Doorstep made it)")
    args = parser.parse_args(argv)
    paths = AppPaths.resolve(args.data_dir)

    def work() -> int:
        from app.accounts import login
        from app.core import i18n, logs
        from app.core.settings import load_settings
        from app.core.store import check_data_dir, open_store

        i18n.set_mode(load_settings(paths).language_mode)
        check_data_dir(paths, create=True)
        if login.store_state(paths) is login.StoreState.ENCRYPTED:
            raise AppError(NOT_EMPTY)  # it holds a data file: not opened, not touched
        with logs.command_log(paths):
            store = open_store(paths, create=True)
            try:
                summary = fill(store, persons=args.persons)
                staff = home_staff(store)
            finally:
                store.close()
            if not args.plain:
                encrypt_for(paths, staff)
        print(_(DONE).format(
            path=paths.data_dir, offices=format_number(summary.offices),
            staff=format_number(summary.staff), persons=format_number(summary.persons),
            petitions=format_number(summary.petitions),
            hearings=format_number(summary.hearings),
            agreements=format_number(summary.agreements), aid=format_number(summary.aid_cases)))
        return 0

    return guarded(paths, work)


if __name__ == "__main__":
    sys.exit(main())
