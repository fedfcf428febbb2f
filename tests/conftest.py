"""Shared fixtures. Every test gets its own data dir with a real SQLite store, real migrations."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("DOORSTEP_HOME", None)

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core import i18n
from app.core.identity import ensure_device
from app.core.paths import AppPaths
from app.core.store import Store, open_store


@pytest.fixture(autouse=True)
def _fresh_language() -> Iterator[None]:
    i18n.set_mode(i18n.ZH)
    yield
    i18n.set_mode(i18n.ZH)


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths(tmp_path / "data")


@pytest.fixture
def store(paths: AppPaths) -> Iterator[Store]:
    s = open_store(paths)
    ensure_device(s, "test laptop")
    yield s
    s.close()
