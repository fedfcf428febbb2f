"""Every library the code imports is declared, and pinned with hashes."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = {"app", "ui", "models", "reports", "demo", "tests", "bench"}


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _declared(path: Path) -> set[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(_name(re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0]))
    return names


def _pinned(path: Path) -> dict[str, bool]:
    """Each pinned name in a pip-compile lock, and whether its pin has hashes."""
    text = path.read_text(encoding="utf-8")
    return {_name(m.group(1)): "--hash=sha256:" in m.group(2)
            for m in re.finditer(r"^([A-Za-z0-9_.-]+)==\S+((?: \\\n\s+--hash=\S+)*)", text,
                                 re.MULTILINE)}


def _imported(folders: tuple[str, ...]) -> set[str]:
    found = set()
    for folder in folders:
        for source in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
    return {m for m in found if m not in OURS and m not in sys.stdlib_module_names}


def test_every_imported_library_is_declared_and_pinned_with_hashes() -> None:
    declared = _declared(ROOT / "requirements.in")
    pinned = _pinned(ROOT / "requirements.lock")
    providers = packages_distributions()
    missing = []
    for module in sorted(_imported(("app", "ui", "models", "reports", "demo", "tests",
                                    "bench"))):
        names = {_name(d) for d in providers.get(module, [])}
        assert names, f"{module} is imported but not installed"
        if not names & declared:
            missing.append(f"{module} ({', '.join(sorted(names))})")
    assert missing == [], "imported but not in requirements.in: " + "; ".join(missing)
    assert {n for n in declared if not pinned.get(n)} == set()


def test_the_build_requirements_are_pinned_with_hashes() -> None:
    pinned = _pinned(ROOT / "build-requirements.lock")
    assert {n for n in _declared(ROOT / "build-requirements.in") if not pinned.get(n)} == set()
