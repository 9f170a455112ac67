"""The layering and size budgets of ARCHITECTURE.md and STYLE.md §7, checked on every run."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("engine", "web")
SIZE_CHECKED = (*PACKAGES, "bench", "tests")  # the size budget alone also holds for the benchmarks and tests
MAX_LINES = 400


def _modules(folders: tuple[str, ...] = PACKAGES) -> list[Path]:
    return sorted(p for pkg in folders for p in (ROOT / pkg).rglob("*.py"))


def test_import_contracts_hold() -> None:
    """engine never imports Flask or web; web never imports SpiffWorkflow (import-linter)."""
    linter = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_is_over_the_size_budget() -> None:
    too_long = {
        p.relative_to(ROOT).as_posix(): n
        for p in _modules(SIZE_CHECKED)
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert too_long == {}


def test_only_spiff_module_imports_spiffworkflow() -> None:
    importers = set()
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if any(n.startswith("SpiffWorkflow") for n in names):
                importers.add(path.relative_to(ROOT).as_posix())
    assert importers and all(p.startswith("engine/spiff/") for p in importers)


def test_only_the_unit_of_work_commits() -> None:
    committers = {p.relative_to(ROOT).as_posix() for p in _modules() if ".commit()" in p.read_text()}
    assert committers == {"engine/db/uow.py"}


def _imported_top_names(paths: list[Path]) -> set[str]:
    names: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def _undeclared(paths: list[Path], declared: set[str]) -> set[str]:
    """Third-party import names whose distribution is not among `declared` (normalised names)."""
    import re
    from importlib.metadata import packages_distributions

    owners = packages_distributions()
    local = set(PACKAGES) | {"tests", "bench", "tools"}
    missing = set()
    for name in _imported_top_names(paths) - local - set(sys.stdlib_module_names):
        dists = {re.sub(r"[-_.]+", "-", d).lower() for d in owners.get(name, [name])}
        if not dists & declared:
            missing.add(name)
    return missing


def _declared(*groups: str) -> set[str]:
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for group in groups:
        specs += project["optional-dependencies"][group]
    return {re.sub(r"[-_.]+", "-", re.split(r"[\s<>=!~\[;]", s, maxsplit=1)[0]).lower() for s in specs}


def test_every_package_the_code_imports_is_declared() -> None:
    """engine/ and web/ import only runtime dependencies; tests/ and bench/ may add the dev ones, and the
    load test (`make load`) its own extra."""
    assert _undeclared(_modules(), _declared()) == set()
    extra = sorted(p for d in ("tests", "bench", "tools") for p in (ROOT / d).rglob("*.py"))
    assert _undeclared(extra, _declared("dev", "load")) == set()
