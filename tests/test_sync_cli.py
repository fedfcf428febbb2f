"""A whole office scripted from the command line: the demo master enrols a field laptop, they
exchange packages until their dumps are byte-identical; an import killed midway changes nothing."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def app(*args: str, passphrase: str = "demo", check: bool = True, module: str = "app") -> str:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DOORSTEP_PASSPHRASE": passphrase}
    result = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    if check:
        assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("office")
    master, field = root / "master", root / "field"
    app("--data-dir", str(master), "--persons", "60", module="demo")
    app("enrol-request", "--data-dir", str(field), "--office", "632624", "--name", "下乡笔记本",
        "--out", str(root / "request"), passphrase="field-pass")
    app("enrol", str(root / "request"), "--data-dir", str(master), "--out", str(root / "grant"))
    app("accept-grant", str(root / "grant"), "--data-dir", str(field), passphrase="field-pass")
    app("export", "--data-dir", str(master), "--to", str(root / "full.dsp"), "--full")
    return {"master": master, "field": field, "root": root}


def test_two_laptops_scripted_until_their_dumps_are_identical(office: dict[str, Path]) -> None:
    master, field, root = office["master"], office["field"], office["root"]
    shown = app("import", str(root / "full.dsp"), "--data-dir", str(field),
                passphrase="field-pass")
    assert "conflicts" in shown or "冲突" in shown
    app("export", "--data-dir", str(field), "--to", str(root / "back.dsp"),
        passphrase="field-pass")
    app("import", str(root / "back.dsp"), "--data-dir", str(master))
    app("export", "--data-dir", str(master), "--to", str(root / "again.dsp"))
    app("import", str(root / "again.dsp"), "--data-dir", str(field), passphrase="field-pass")
    assert app("dump", "--data-dir", str(master)) == app("dump", "--data-dir", str(field))
    assert app("conflicts", "--data-dir", str(field)).strip() == ""
    assert "下乡笔记本" in app("roster", "--data-dir", str(master))
    refused = app("import", str(root / "again.dsp"), "--data-dir", str(field),
                  passphrase="wrong", check=False)
    assert "口令" in refused or "passphrase" in refused


def test_an_import_killed_midway_leaves_the_store_as_before(tmp_path: Path,
                                                           office: dict[str, Path]) -> None:
    rng = random.Random(7)
    source = office["root"] / "full.dsp"
    for attempt in range(4):
        folder = tmp_path / f"laptop{attempt}"
        app("enrol-request", "--data-dir", str(folder), "--office", "632624", "--out",
            str(tmp_path / f"request{attempt}"), passphrase="pass-" + str(attempt))
        app("enrol", str(tmp_path / f"request{attempt}"), "--data-dir", str(office["master"]),
            "--out", str(tmp_path / f"grant{attempt}"))
        app("accept-grant", str(tmp_path / f"grant{attempt}"), "--data-dir", str(folder),
            passphrase="pass-" + str(attempt))
        before = app("dump", "--data-dir", str(folder))
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
               "DOORSTEP_PASSPHRASE": "pass-" + str(attempt)}
        child = subprocess.Popen([sys.executable, "-m", "app", "import", str(source),
                                  "--data-dir", str(folder)], cwd=ROOT, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.4, 1.3))
        child.send_signal(signal.SIGKILL)
        child.wait()
        after = app("dump", "--data-dir", str(folder))
        # That start removed whatever scratch files the killed import left.
        assert not (folder / "scratch").exists() and not list(folder.glob("import-*"))
        # Either nothing of the package is in, or all of it: never a part.
        assert after == before or ("达检信〔2026〕" in after and after.count('"reg_no"') > 20)
        if after != before:
            again = app("import", str(source), "--data-dir", str(folder),
                        passphrase="pass-" + str(attempt))
            assert "0" in again
