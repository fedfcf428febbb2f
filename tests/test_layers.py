"""The layer rules: ui -> app -> {reports, models}; only ui imports Qt; app's features in
layers above app.core."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    code = "from importlinter.cli import lint_imports_command; lint_imports_command()"
    return subprocess.run([sys.executable, "-c", code],
                          cwd=cwd, capture_output=True, text=True, check=False)


def test_import_contracts_are_kept() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "8 kept, 0 broken" in result.stdout


def test_contracts_catch_a_violation(tmp_path: Path) -> None:
    """The same contracts fail on a copy of the tree where models imports Qt and app."""
    import shutil

    for name in ("app", "demo", "models", "reports", "ui"):
        shutil.copytree(ROOT / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("fonts", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / "models" / "base.py").open("a", encoding="utf-8") as f:
        f.write("\nimport PySide6.QtCore  # noqa\nimport app.core.i18n  # noqa\n")
    with (tmp_path / "ui" / "main.py").open("a", encoding="utf-8") as f:
        f.write("\nimport sqlalchemy  # noqa\n")
    with (tmp_path / "app" / "core" / "dump.py").open("a", encoding="utf-8") as f:
        f.write("\nimport demo.generate  # noqa\n")
    with (tmp_path / "ui" / "office" / "office_view.py").open("a", encoding="utf-8") as f:
        f.write("\nimport app.core.store  # noqa\n")
    with (tmp_path / "app" / "persons" / "directory.py").open("a", encoding="utf-8") as f:
        f.write("\nimport app.petitions.intake  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "Only ui imports Qt BROKEN" in result.stdout
    assert "models and reports import nothing of ours BROKEN" in result.stdout
    assert "ui reaches the database and papers only through app BROKEN" in result.stdout
    assert "The demo generator is not part of the application BROKEN" in result.stdout
    assert "ui reaches the store only through its worker (ui.core.tasks) BROKEN" in result.stdout
    assert "app's features in layers, app.core beneath them all BROKEN" in result.stdout
