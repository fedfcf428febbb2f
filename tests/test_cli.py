"""The command line: demo, dump and help, run as a person would run them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def run(*args: str, env: dict[str, str] | None = None,
        module: str = "app") -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    full_env.pop("DOORSTEP_HOME", None) if env is None or "DOORSTEP_HOME" not in env else None
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", env=full_env, check=False, timeout=120)


def demo(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m demo``: the demo generator, outside the shipped package."""
    return run(*args, env=env, module="demo")


def as_chief(data: Path) -> tuple[list[str], dict[str, str]]:
    """The arguments and environment that log the demo office's chief in (every demo staff
    member's passphrase is the demo's)."""
    from app.cli.main import LOGIN_ENV
    from app.core import keyring
    from app.core.paths import AppPaths
    from demo.generate import DEMO_LOGIN_PASSPHRASE

    chief = next(a for a in keyring.accounts(AppPaths(data)) if a.role == "chief")
    return ["--staff", chief.staff_id], {LOGIN_ENV: DEMO_LOGIN_PASSPHRASE}


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("gui", "dump", "print", "report", "export", "import", "--data-dir"):
        assert command in result.stdout
    assert "demo" not in result.stdout  # the demo generator is not part of the application


@pytest.mark.slow
def test_demo_then_dump_shows_the_demo_records_with_uuid_ids(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    made = demo("--data-dir", str(data))
    assert made.returncode == 0, made.stderr
    assert "演示数据已写入" in made.stdout  # the default display language is Chinese
    login, env = as_chief(data)
    dumped = run("dump", "--data-dir", str(data), *login, env=env)
    assert dumped.returncode == 0, dumped.stderr
    records = json.loads(dumped.stdout)
    assert {"device", "office", "person", "staff", "petition"} <= set(records)
    offices = {o["name_zh"] for o in records["office"]}
    assert offices == {"果洛藏族自治州人民检察院", "玛沁县人民检察院", "达日县人民检察院",
                       "甘德县人民检察院", "久治县人民检察院", "班玛县人民检察院",
                       "玛多县人民检察院"}
    assert len(records["person"]) == 240
    tibetan = [p for p in records["person"] if p["name_bo"]]
    assert len(tibetan) > 150
    assert all(re.search("[\u0f40-\u0fbc]", p["name_bo"]) and p["name_zh"] for p in tibetan)
    for table in records.values():
        ids = [r["id"] for r in table]
        assert ids == sorted(ids)
        assert all(UUID.match(i) for i in ids)
    # Canonical: the same store dumps to the same bytes, keys in a stable order (but for the
    # record of what was done, where each log-in adds an entry).
    again = json.loads(run("dump", "--data-dir", str(data), *login, env=env).stdout)
    entries, earlier = again.pop("audit_entry"), records.pop("audit_entry")
    assert len(entries) == len(earlier) + 1
    assert next(e for e in entries if e not in earlier)["action"] == "logged_in"
    assert again == records
    first = records["person"][0]
    assert list(first) == sorted(first)


def test_doorstep_home_is_the_default_data_dir(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert demo("--persons", "5", env={"DOORSTEP_HOME": str(home)}).returncode == 0
    assert (home / "doorstep.sqlite3").exists()
    login, env = as_chief(home)
    dumped = run("dump", *login, env={"DOORSTEP_HOME": str(home), **env})
    assert len(json.loads(dumped.stdout)["person"]) == 5


@pytest.mark.slow
def test_demo_refuses_a_store_that_holds_records(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    assert demo("--persons", "3", "--data-dir", str(data), "--plain").returncode == 0
    before = run("dump", "--data-dir", str(data)).stdout
    again = demo("--data-dir", str(data))
    assert again.returncode == 1
    assert "演示数据只能写入空的数据文件夹" in again.stderr
    assert run("dump", "--data-dir", str(data)).stdout == before
    encrypted = tmp_path / "encrypted"
    assert demo("--persons", "3", "--data-dir", str(encrypted)).returncode == 0
    stored = (encrypted / "doorstep.sqlite3").read_bytes()
    again = demo("--data-dir", str(encrypted))
    assert again.returncode == 1 and "演示数据只能写入空的数据文件夹" in again.stderr
    assert (encrypted / "doorstep.sqlite3").read_bytes() == stored


def test_a_refused_file_gets_a_clear_message(tmp_path: Path) -> None:
    data = tmp_path / "bad"
    data.mkdir()
    (data / "doorstep.sqlite3").write_bytes(b"not a database at all" * 50)
    result = run("dump", "--data-dir", str(data))
    assert result.returncode == 1
    assert "不是 Doorstep 数据文件" in result.stderr
    assert "Traceback" not in result.stderr
