"""Start-up time and memory: Doorstep's main window beside a bare PySide6 window.

Each run starts a fresh Python process and measures from just before the process is started
to the moment the window is shown and the event loop has nothing left to do (idle), and the
process's peak resident memory. The bare window is measured in the same run, so the ratio
holds on any machine. Median of N runs.

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
from ui.main import application, create_main_window
app = application()
language = LanguageManager(app)
window = create_main_window(AppPaths.resolve({folder!r}), language)
window.show()
def idle():
    print(json.dumps({{"at": time.time(),
                       "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
    window.close()
    window.tasks.close()
    app.quit()
QTimer.singleShot(0, idle)
app.exec()
"""


def run_once(code: str) -> tuple[float, float]:
    """Seconds from starting the process to the window shown and idle; peak RSS in MB."""
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    start = time.time()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"the measured process failed:\n{done.stderr[-3000:]}")
    line = [x for x in done.stdout.splitlines() if x.startswith("{")][-1]
    found = json.loads(line)
    return found["at"] - start, found["rss_kb"] / 1024


def measure(code: str, runs: int) -> tuple[float, float]:
    results = [run_once(code) for _ in range(runs)]
    return (statistics.median(r[0] for r in results),
            statistics.median(r[1] for r in results))


def ensure_demo(folder: Path) -> None:
    if (folder / "doorstep.sqlite3").exists():
        return
    subprocess.run([sys.executable, "-m", "demo", "--data-dir", str(folder)], cwd=ROOT,
                   check=True, capture_output=True)


def ensure_big(folder: Path) -> None:
    if (folder / "doorstep.sqlite3").exists():
        return
    subprocess.run([sys.executable, "-m", "bench.registry", "--dir", str(folder), "--runs", "1"],
                   cwd=ROOT, check=True)


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
    ensure_demo(demo)
    if not args.skip_big:
        ensure_big(big)
    bare_s, bare_mb = measure(BARE, args.runs)
    print(f"{'window':34} {'seconds':>8} {'ratio':>6} {'peak MB':>8} {'ratio':>6}")
    print(f"{'bare PySide6 window':34} {bare_s:8.2f} {1:6.2f} {bare_mb:8.0f} {1:6.2f}")
    stores = [("Doorstep, demo store", demo)]
    if not args.skip_big:
        stores.append(("Doorstep, 100,000 petitions", big))
    for name, folder in stores:
        seconds, mb = measure(DOORSTEP.format(root=str(ROOT), folder=str(folder)), args.runs)
        print(f"{name:34} {seconds:8.2f} {seconds / bare_s:6.2f} {mb:8.0f} {mb / bare_mb:6.2f}")


if __name__ == "__main__":
    main()
