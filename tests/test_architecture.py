"""The dependency rule of DESIGN.md: the core never imports the interface."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).parent.parent / "ouder_tui"
ALLOWED = {"app.py"}  # the App itself; the CLI imports it lazily inside a function


def _imports(path: Path) -> list[tuple[str, bool]]:
    """Every imported module name, with whether the import sits at module level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    top_level = set(map(id, tree.body))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top_level) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, id(node) in top_level))
    return found


def test_core_modules_import_neither_textual_nor_screens() -> None:
    offenders = []
    for path in sorted(CORE.rglob("*.py")):  # subpackages too (importers/)
        if path.name in ALLOWED:
            continue
        for module, top in _imports(path):
            root = module.split(".")[0]
            if root in {"textual", "screens"} and not (path.name == "cli.py" and module == "ouder_tui.app"):
                offenders.append(f"{path.name}: {module}")
            if path.name == "cli.py" and module == "ouder_tui.app" and top:
                offenders.append("cli.py imports the app at module level")
    assert offenders == []


def test_the_cli_imports_the_app_only_lazily() -> None:
    lazy = [m for m, top in _imports(CORE / "cli.py") if m == "ouder_tui.app" and not top]
    assert lazy == ["ouder_tui.app"]


def test_every_package_is_in_the_distribution() -> None:
    """A package missing from pyproject works in the editable checkout but not once installed."""
    import tomllib

    root = Path(__file__).parent.parent
    listed = set(tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    for top in ("ouder_tui", "screens"):
        for init in (root / top).rglob("__init__.py"):
            package = ".".join(init.parent.relative_to(root).parts)
            assert package in listed, f"{package} ontbreekt in [tool.setuptools] packages"
