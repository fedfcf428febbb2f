"""A whole office scripted from the command line: the demo master enrols a field laptop, they
exchange packages until their dumps are byte-identical; an import killed midway changes nothing."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core import scratch
from tests.helpers import shared

# Each starts Doorstep in a process of its own (and kills it).
pytestmark = pytest.mark.slow

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
    # A plain demo store (as an earlier Doorstep made it): these commands need no log-in.
    app("--data-dir", str(master), "--persons", "60", "--plain", module="demo")
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
    assert shared(json.loads(app("dump", "--data-dir", str(master)))) \
        == shared(json.loads(app("dump", "--data-dir", str(field))))
    assert app("conflicts", "--data-dir", str(field)).strip() == ""
    assert "下乡笔记本" in app("roster", "--data-dir", str(master))
    refused = app("import", str(root / "again.dsp"), "--data-dir", str(field),
                  passphrase="wrong", check=False)
    assert "口令" in refused or "passphrase" in refused


def test_an_import_killed_midway_leaves_the_store_as_before(tmp_path: Path,
                                                           office: dict[str, Path]) -> None:
    folder, source = tmp_path / "laptop", tmp_path / "full.dsp"
    app("enrol-request", "--data-dir", str(folder), "--office", "632624", "--out",
        str(tmp_path / "request"), passphrase="pass-k")
    app("enrol", str(tmp_path / "request"), "--data-dir", str(office["master"]),
        "--out", str(tmp_path / "grant"))
    app("accept-grant", str(tmp_path / "grant"), "--data-dir", str(folder), passphrase="pass-k")
    # A package written after the enrolment: one this laptop can read.
    app("export", "--data-dir", str(office["master"]), "--to", str(source), "--full")
    before = app("dump", "--data-dir", str(folder))
    # The import waits inside its write transaction (app.core.scratch.pause_for_tests) and is
    # killed there.
    ready = tmp_path / "ready"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DOORSTEP_PASSPHRASE": "pass-k",
           scratch.PAUSE_ENV: "import-applying", scratch.READY_ENV: str(ready)}
    child = subprocess.Popen([sys.executable, "-m", "app", "import", str(source),
                              "--data-dir", str(folder)], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not ready.exists():
            if child.poll() is not None:
                said = child.communicate()[1].decode(errors="replace")
                pytest.fail(f"the import ended (code {child.returncode}) before it applied: {said}")
            assert time.monotonic() < deadline, "the import never reached its transaction"
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert (folder / "scratch").exists()  # the killed import's workspace

    assert app("dump", "--data-dir", str(folder)) == before  # nothing of the package is in
    # That start removed whatever scratch files the killed import left.
    assert not (folder / "scratch").exists() and not list(folder.glob("import-*"))
    assert app("sync-history", "--data-dir", str(folder), passphrase="pass-k").strip() == ""

    app("import", str(source), "--data-dir", str(folder), passphrase="pass-k")
    after = app("dump", "--data-dir", str(folder))
    assert "达检信〔2026〕" in after and after.count('"reg_no"') > 20
    # Imported again, every version of the package was new: the killed import left none.
    (received,) = app("sync-history", "--data-dir", str(folder),
                      passphrase="pass-k").splitlines()
    found = re.search(r"received\s+\S+\s+\S+\s+#\d+\s+(\d+)\s+(\{.*\})$", received)
    assert found is not None, received
    assert json.loads(found[2])["new"] == int(found[1]) > 0
