"""Start-up time and memory: Doorstep's main window beside a bare PySide6 window.

Each run starts a fresh Python process and measures, from just before the process is started:
the log-in screen shown and idle; then (the passphrase typed at once, as if by a person with
no delay) the window shown and the event loop with nothing left to do (idle), which for
Doorstep is its frame (the areas' list, the menus; the store is opened on a thread
meanwhile); and the window ready (the store open, Today read and shown, idle again). For
each, the process's peak resident memory so far, and the time from the click on "Log in" to
the window ready. The bare window is measured in the same run, so the ratios hold on any
machine. Median of N runs. Both stores are encrypted, as Doorstep keeps them (the demo's
staff log in with its passphrase; the 100,000-petition store, built plain, is encrypted once
for a bench account).

    ./dev bench startup [--runs N] [--demo DIR] [--big DIR]

--demo: a demo store folder (made with ``python -m demo`` when missing);
--big: the 100,000-petition store of ``bench/registry.py`` (built by it when missing).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE = """
import json, resource, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow()
window.setCentralWidget(QLabel("Doorstep"))
window.resize(1200, 700)
window.show()
def idle():
    print(json.dumps({"at": time.time(),
                      "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
    app.quit()
QTimer.singleShot(0, idle)
app.exec()
"""

DOORSTEP = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from PySide6.QtCore import QTimer
from app.core.paths import AppPaths
from ui.core.language import LanguageManager
from app.accounts import login
from app.core.settings import load_settings
from ui.main import Startup, application
from ui.office.login_dialog import LoginDialog
app = application()
paths = AppPaths.resolve({folder!r})
language = LanguageManager(app)
settings = load_settings(paths)
language.install(settings.language_mode)
found = {{}}
def mark(name):
    found[name] = {{"at": time.time(),
                    "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}
screen = LoginDialog(paths, language, settings, login.accounts(paths))
screen.show()
holder = []
def log_in():
    mark("login")
    screen.account.setCurrentIndex(screen.account.findData({staff!r}))
    screen.passphrase.setText({passphrase!r})
    mark("clicked")
    screen.go.click()
    screen.close()
    startup = Startup(paths, language, settings, screen.credentials)
    holder.append(startup)
    startup.ready.connect(ready)
    QTimer.singleShot(0, lambda: mark("shown"))
    startup.start()
def ready():
    holder[0].window.today.counts_changed.connect(lambda _n: QTimer.singleShot(0, finish))
def finish():
    if "ready" not in found:
        mark("ready")
        print(json.dumps(found))
        holder[0].window.close()
QTimer.singleShot(0, log_in)
app.exec()
holder[0].close()
"""


def run_once(code: str) -> dict[str, tuple[float, float]]:
    """For each moment the process marks: seconds from starting the process, and the peak
    resident memory so far in MB."""
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    start = time.time()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"the measured process failed:\n{done.stderr[-3000:]}")
    line = [x for x in done.stdout.splitlines() if x.startswith("{")][-1]
    marks = json.loads(line)
    if "at" in marks:  # the bare window: one moment
        marks = {"shown": marks}
    return {name: (mark["at"] - start, mark["rss_kb"] / 1024) for name, mark in marks.items()}


def measure(code: str, runs: int) -> dict[str, tuple[float, float]]:
    """The median of ``runs`` runs, for each moment."""
    results = [run_once(code) for _ in range(runs)]
    return {name: (statistics.median(r[name][0] for r in results),
                   statistics.median(r[name][1] for r in results))
            for name in results[0]}


BENCH_PASSPHRASE = "bench passphrase"


def ensure_demo(folder: Path) -> tuple[str, str]:
    """The demo store, encrypted; a staff member who logs in on it, and their passphrase."""
    from app.accounts import login
    from app.core import keyring
    from app.core.paths import AppPaths
    from demo.generate import DEMO_LOGIN_PASSPHRASE

    if not (folder / "doorstep.sqlite3").exists():
        subprocess.run([sys.executable, "-m", "demo", "--data-dir", str(folder)], cwd=ROOT,
                       check=True, capture_output=True)
    paths = AppPaths(folder)
    if login.store_state(paths) is not login.StoreState.ENCRYPTED:
        raise SystemExit(f"{folder} holds an unencrypted store: give another --demo folder")
    clerk = next(a for a in keyring.accounts(paths) if a.role == "clerk")
    return clerk.staff_id, DEMO_LOGIN_PASSPHRASE


def ensure_big(folder: Path) -> tuple[str, str]:
    """The 100,000-petition store, encrypted once for a bench account (its chief)."""
    from app.accounts import login
    from app.core import keyring
    from app.core.paths import AppPaths
    from app.core.store import open_store
    from demo.generate import encrypt_for, home_staff

    if not (folder / "doorstep.sqlite3").exists():
        subprocess.run([sys.executable, "-m", "bench.registry", "--dir", str(folder),
                        "--runs", "1"], cwd=ROOT, check=True)
    paths = AppPaths(folder)
    if login.store_state(paths) is login.StoreState.PLAIN:
        store = open_store(paths)
        try:
            staff = home_staff(store)[:1]
        finally:
            store.close()
        encrypt_for(paths, staff, BENCH_PASSPHRASE)
    first = keyring.accounts(paths)[0]
    return first.staff_id, BENCH_PASSPHRASE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--demo", help="demo store folder (made when missing)")
    parser.add_argument("--big", help="100,000-petition store folder (built when missing)")
    parser.add_argument("--skip-big", action="store_true", help="the demo store only")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="doorstep-startup-"))
    demo = Path(args.demo) if args.demo else scratch / "demo"
    big = Path(args.big) if args.big else scratch / "big"
    logins = {"demo store": ensure_demo(demo)}
    if not args.skip_big:
        logins["100,000 petitions"] = ensure_big(big)
    bare_s, bare_mb = measure(BARE, args.runs)["shown"]
    print(f"{'window':52} {'seconds':>8} {'ratio':>6} {'peak MB':>8} {'ratio':>6}")
    print(f"{'bare PySide6 window, shown and idle':52} {bare_s:8.2f} {1:6.2f} {bare_mb:8.0f} "
          f"{1:6.2f}")
    stores = [("demo store", demo)]
    if not args.skip_big:
        stores.append(("100,000 petitions", big))
    for name, folder in stores:
        staff, passphrase = logins[name]
        found = measure(DOORSTEP.format(root=str(ROOT), folder=str(folder), staff=staff,
                                        passphrase=passphrase), args.runs)
        for moment, what in (("login", "log-in screen shown and idle"),
                             ("shown", "logged in, window shown and idle"),
                             ("ready", "store open, Today read and shown")):
            seconds, mb = found[moment]
            print(f"{name + ', ' + what:52} {seconds:8.2f} {seconds / bare_s:6.2f} {mb:8.0f} "
                  f"{mb / bare_mb:6.2f}")
        usable = found["ready"][0] - found["clicked"][0]
        print(f"{name + ', from Log in to the window ready':52} {usable:8.2f} "
              f"{usable / bare_s:6.2f}")


if __name__ == "__main__":
    main()
