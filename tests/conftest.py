"""Shared fixtures. Every test gets its own data dir with a real SQLite store, real migrations.

The app-layer tests also run on a hub's PostgreSQL store (issue 18): with
``DOORSTEP_TEST_STORE=postgresql`` (and ``DOORSTEP_TEST_PG`` naming the server) the ``store``
fixture, and every store a test opens through ``tests.stores.open_test_store``, is a database
of its own on that server, dropped after. Tests about SQLite itself (its file on disk, backups,
encryption, migrations of old files, query plans) are marked ``sqlite_file`` and skipped there.
``./dev test`` runs the files listed in ``tests/postgresql_files.txt`` a second time so.
"""

from __future__ import annotations

import os
import sys

# Widgets are tested on the screen of an old county laptop: 1366×768, of which Windows' taskbar
# leaves 1366×728 to windows.
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = (
        f"offscreen:configfile={os.path.join(os.path.dirname(__file__), 'laptop_screen.json')}")
os.environ.pop("DOORSTEP_HOME", None)

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core import i18n
from app.core.identity import ensure_device
from app.core.paths import AppPaths
from app.core.store import Store
from tests.stores import (
    ON_POSTGRESQL,
    STORE_VARIABLE,
    drop_every_test_store,
    drop_test_store,
    drop_test_stores_but,
    made_stores,
    open_test_store,
)


@pytest.fixture(autouse=True)
def _fresh_language() -> Iterator[None]:
    """Each test starts in Chinese, and leaves behind no Qt translator it installed (a
    ``LanguageManager`` installs one on the application and nothing takes it out), so no test
    sees another's language."""
    i18n.set_mode(i18n.ZH)
    if "PySide6.QtCore" not in sys.modules:  # no Qt in this run (yet): nothing to watch
        yield
        i18n.set_mode(i18n.ZH)
        return
    from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

    locale = QLocale()  # the default locale a language switch changes, put back after
    installed: list[QTranslator] = []
    install = QCoreApplication.__dict__["installTranslator"]

    def noting(translator: QTranslator) -> bool:
        installed.append(translator)
        return bool(install.__func__(translator))

    QCoreApplication.installTranslator = staticmethod(noting)  # type: ignore[method-assign]
    try:
        yield
    finally:
        QCoreApplication.installTranslator = install  # type: ignore[method-assign]
        if QCoreApplication.instance() is not None:
            for translator in installed:
                try:
                    QCoreApplication.removeTranslator(translator)
                except RuntimeError:  # deleted with its window: Qt took it out then
                    pass
        i18n.set_mode(i18n.ZH)
        QLocale.setDefault(locale)
    if QCoreApplication.instance() is not None:
        # Qt's own strings are untranslated again: no translator is left installed.
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"


@pytest.fixture(autouse=True)
def _drop_the_test_s_databases() -> Iterator[None]:
    """On PostgreSQL, the databases a test made (its stores and copies) are dropped after it;
    those of module-scoped fixtures, made before it, at the end of the run."""
    if not ON_POSTGRESQL:
        yield
        return
    before = made_stores()
    yield
    drop_test_stores_but(before)


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths(tmp_path / "data")


@pytest.fixture
def store(paths: AppPaths) -> Iterator[Store]:
    s = open_test_store(paths)
    ensure_device(s, "test laptop")
    yield s
    s.close()
    drop_test_store(paths.data_dir)


# The PostgreSQL server ``./dev test`` starts for the tests marked ``postgres``: its database's
# URL (postgresql+psycopg://postgres@/doorstep?host=/tmp/doorstep-pg.…). pytest run alone,
# without it, skips those tests and says why.
POSTGRES_URL_VARIABLE = "DOORSTEP_TEST_PG"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ON_POSTGRESQL:
        on_file = pytest.mark.skip(reason=f"about SQLite itself: its file, encryption, query "
                                          f"plans ({STORE_VARIABLE} is postgresql)")
        for item in items:
            if "sqlite_file" in item.keywords:
                item.add_marker(on_file)
    if os.environ.get(POSTGRES_URL_VARIABLE):
        return
    skip = pytest.mark.skip(reason=f"needs PostgreSQL: {POSTGRES_URL_VARIABLE} is not set "
                                   "(./dev test starts a server and sets it)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    drop_every_test_store()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty database of its own on the test server, dropped after the test."""
    import uuid

    from sqlalchemy import create_engine, make_url, text

    server = os.environ.get(POSTGRES_URL_VARIABLE)
    if not server:
        pytest.skip(f"needs PostgreSQL: {POSTGRES_URL_VARIABLE} is not set")
    name = f"doorstep_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
