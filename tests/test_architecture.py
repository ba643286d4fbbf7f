"""The dependency rule of DESIGN.md: the core never imports the interface."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


# ---------------------------------------------------------------------------------------------------------
# Issue 13, item 7: the rule made airtight. import-linter follows imports through other modules (and into
# Textual, an outside package); an AST scan catches the imports it cannot see (importlib and friends); a
# fresh interpreter shows what importing the core really loads; screens reach storage only through the
# store interface.

ROOT = Path(__file__).parent.parent
SCREENS = ROOT / "screens"
INTERFACE = ("textual", "screens")  # what the core may not reach
# What screens may not import: the concrete homes of the store, its internals and the database library.
STORAGE_INTERNALS = ("ouder_tui.docstore", "ouder_tui.filestore", "ouder_tui.memstore", "ouder_tui.storage", "tinydb",
                     "ouder_tui.tables", "ouder_tui.pgstore", "ouder_tui.pgadmin", "ouder_tui.pgschema", "psycopg")
# Store homes the contracts name before they exist. import-linter stops with "Module ... does not exist"
# on a missing one, so the run below leaves a missing one out (and says so); the AST test checks them all.
# Any other missing module in the contracts is an error, as it should be (a typo would disable a rule).
PENDING = {"ouder_tui.docstore", "ouder_tui.filestore", "ouder_tui.memstore"}
INTERFACE_MENTION = re.compile(r"\b(textual|screens)\b")
STORAGE_MENTION = re.compile(r"\b(" + "|".join(sorted({m.split(".")[-1] for m in STORAGE_INTERNALS})) + r")\b")
CONTRACTS = {"core-without-interface", "app-started-by-cli-only", "screens-use-the-store-interface"}


def _importlinter_config() -> dict:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def _module_exists(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _toml(value: object) -> str:
    """Just enough TOML for import-linter's options (tomllib only reads)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    raise TypeError(f"geen TOML voor {value!r}")


def _config_for_this_checkout(tmp_path: Path) -> tuple[Path, list[str]]:
    """pyproject.toml itself, or a copy of its contracts without the PENDING homes not written yet."""
    config = _importlinter_config()
    left_out = []
    for contract in config["contracts"]:
        for key in ("source_modules", "forbidden_modules", "protected_modules", "allowed_importers"):
            if key in contract:
                missing = [m for m in contract[key] if m in PENDING and not _module_exists(m)]
                left_out += missing
                contract[key] = [m for m in contract[key] if m not in missing]
    if not left_out:
        return ROOT / "pyproject.toml", []
    lines = ["[tool.importlinter]"]
    lines += [f"{key} = {_toml(value)}" for key, value in config.items() if key != "contracts"]
    for contract in config["contracts"]:
        lines += ["", "[[tool.importlinter.contracts]]"]
        lines += [f"{key} = {_toml(value)}" for key, value in contract.items()]
    path = tmp_path / "importlinter.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, sorted(set(left_out))


def test_the_contracts_are_there_and_ignore_nothing_but_the_apps_own_imports() -> None:
    """Deleting a contract, or silencing a violation with an ignore, must not pass unnoticed."""
    config = _importlinter_config()
    assert config["root_packages"] == ["ouder_tui", "screens"]
    assert config["include_external_packages"] is True  # else Textual and TinyDB are not in the graph
    contracts = {contract["id"]: contract for contract in config["contracts"]}
    assert CONTRACTS <= contracts.keys()
    core = contracts["core-without-interface"]
    assert core["type"] == "forbidden" and core["source_modules"] == ["ouder_tui"]
    assert set(core["forbidden_modules"]) == set(INTERFACE)
    assert core.get("allow_indirect_imports", False) is False
    silenced = [ignore for ignore in core.get("ignore_imports", []) if not ignore.startswith("ouder_tui.app -> ")]
    assert silenced == [], "alleen de app mag Textual en screens importeren"
    app = contracts["app-started-by-cli-only"]
    assert app["type"] == "protected" and app["protected_modules"] == ["ouder_tui.app"]
    assert set(app["allowed_importers"]) == {"ouder_tui.cli", "screens"}
    screens = contracts["screens-use-the-store-interface"]
    assert screens["type"] == "forbidden" and screens["source_modules"] == ["screens"]
    assert sorted(screens["forbidden_modules"]) == sorted(STORAGE_INTERNALS)
    for contract in (core, app, screens):
        assert not contract.get("ignore_imports") or contract is core
        assert contract.get("unmatched_ignore_imports_alerting", "error") == "error"


def test_import_linter_contracts_are_kept(tmp_path: Path) -> None:
    """Runs `lint-imports` from this interpreter's environment; a broken contract fails with its report."""
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter ontbreekt: pip install -e '.[test]'"
    config, left_out = _config_for_this_checkout(tmp_path)
    if left_out:
        print(f"nog niet geschreven, dus buiten de import-linter-run: {', '.join(left_out)}")
    result = subprocess.run([lint_imports, "--no-cache", "--no-logo", str(config)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0:  # a broken contract, or a contract import-linter cannot read
        pytest.fail(f"lint-imports {config}:\n{result.stdout}{result.stderr}", pytrace=False)


def test_no_core_module_but_the_app_reaches_the_interface() -> None:
    """The rule read literally, straight on the import graph (grimp, under import-linter): remove the
    CLI's lazy start, and no module of the core but the app may reach Textual or screens by any chain."""
    import grimp

    graph = grimp.build_graph("ouder_tui", "screens", include_external_packages=True, cache_dir=None)
    graph.remove_import(importer="ouder_tui.cli", imported="ouder_tui.app")
    offenders = []
    for module in sorted({"ouder_tui"} | graph.find_descendants("ouder_tui")):
        if module == "ouder_tui.app":
            continue
        for target in sorted(graph.find_upstream_modules(module)):
            if target.split(".")[0] in INTERFACE:
                offenders.append(" -> ".join(graph.find_shortest_chain(importer=module, imported=target)))
                break
    assert offenders == [], "\n".join(offenders)


# --- imports import-linter cannot see ---------------------------------------------------------------------

# Everything that turns a string (or a file) into a module: these bypass the import statement, so no
# import graph sees them. `importlib.resources` and `importlib.metadata` only read files: not listed.
TAKES_A_NAME = {  # judged by their argument: a constant that names nothing forbidden is fine
    "__import__", "builtins.__import__", "importlib.__import__", "importlib.import_module",
    "importlib.util.find_spec", "pkgutil.resolve_name", "pkgutil.get_loader", "pkgutil.find_loader",
    "runpy.run_module", "exec", "eval", "compile", "builtins.exec", "builtins.eval", "builtins.compile",
}
LOADERS = {  # what they import is decided elsewhere (a path, a module object): always reported
    "importlib.reload", "pkgutil.walk_packages", "pkgutil.iter_importers", "runpy.run_path",
    "zipimport.zipimporter",
    "__builtins__", "builtins", "importlib",  # handed around as objects: getattr(importlib, ...)
}
LOADER_PREFIXES = ("importlib.util.", "importlib.machinery.", "importlib.abc.", "importlib._bootstrap")
# (path relative to the project, qualified name) -> why this dynamic import is harmless. Keep it short.
DYNAMIC_IMPORT_WHITELIST: dict[tuple[str, str], str] = {}


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> what it stands for, from the module's import statements."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _qualified(node: ast.AST, aliases: dict[str, str]) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([aliases.get(node.id, node.id), *reversed(parts)])


def _is_dynamic_importer(name: str) -> bool:
    return name in TAKES_A_NAME or name in LOADERS or name.startswith(LOADER_PREFIXES)


def _dynamic_imports(path: Path) -> list[tuple[int, str, str | None]]:
    """Every use of an import function: (line, qualified name, its constant argument or None).

    None means nobody can tell what it imports without running it: the module name is computed (an
    f-string, a variable, a concatenation), the function is passed around instead of called, or it
    loads from a path or a module object.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = _aliases(tree)
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Name, ast.Attribute)) or not isinstance(node.ctx, ast.Load):
            continue
        parent = parents.get(id(node))
        if isinstance(parent, ast.Attribute) and parent.value is node:
            continue  # judged as part of the longer name: importlib.import_module, importlib.resources
        name = _qualified(node, aliases)
        if name is None or not _is_dynamic_importer(name):
            continue
        argument = None
        if name in TAKES_A_NAME and isinstance(parent, ast.Call) and parent.func is node:
            first = parent.args[0] if parent.args else next(
                (k.value for k in parent.keywords if k.arg in {"name", "source"}), None)
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                argument = first.value
        found.append((node.lineno, name, argument))
    return found


def _dynamic_offenders(paths: list[Path], mentions: re.Pattern[str]) -> tuple[list[str], set[tuple[str, str]]]:
    offenders, whitelisted = [], set()
    for path in paths:
        relative = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
        for line, name, argument in _dynamic_imports(path):
            if argument is not None and not mentions.search(argument):
                continue  # a constant string that names nothing forbidden
            if argument is None and (relative, name) in DYNAMIC_IMPORT_WHITELIST:
                whitelisted.add((relative, name))
                continue
            why = f"noemt {mentions.search(argument).group()}" if argument is not None else "niet-constant argument"
            offenders.append(f"{relative}:{line}: {name} ({why})")
    return offenders, whitelisted


def test_nothing_is_imported_dynamically_around_the_rules() -> None:
    """The core names no Textual or screens in an importlib call, exec or eval, and screens name no
    storage internals; an import whose target cannot be read from the source is refused too, unless
    DYNAMIC_IMPORT_WHITELIST gives the reason."""
    core = [path for path in sorted(CORE.rglob("*.py")) if path.name not in ALLOWED]
    core_offenders, core_whitelisted = _dynamic_offenders(core, INTERFACE_MENTION)
    screen_offenders, screens_whitelisted = _dynamic_offenders(sorted(SCREENS.rglob("*.py")), STORAGE_MENTION)
    assert core_offenders + screen_offenders == [], "\n".join(core_offenders + screen_offenders)
    assert all(DYNAMIC_IMPORT_WHITELIST.values()), "elke uitzondering heeft een reden"
    stale = set(DYNAMIC_IMPORT_WHITELIST) - core_whitelisted - screens_whitelisted
    assert stale == set(), "uitzonderingen die niets meer uitzonderen"


def test_the_dynamic_import_scan_sees_the_tricks(tmp_path: Path) -> None:
    """The scanner itself: each trick below must be reported, the harmless lines not."""
    sample = tmp_path / "trick.py"
    sample.write_text(
        "import importlib, importlib.util as iu, builtins\n"
        "from importlib import import_module as im, resources\n"
        "importlib.import_module('textual.app')\n"          # 3
        "im('screens.who')\n"                               # 4
        "__import__('textual')\n"                           # 5
        "builtins.__import__(name)\n"                       # 6
        "exec('from textual.app import App')\n"             # 7
        "eval(code)\n"                                      # 8
        "importlib.import_module(f'{pkg}.app')\n"           # 9
        "iu.spec_from_file_location('x', path)\n"           # 10
        "loader = importlib.import_module\n"                # 11
        "getattr(importlib, 'import_module')('textual')\n"  # 12
        "import importlib.resources\n"
        "importlib.resources.files('ouder_tui_data')\n"     # harmless
        "resources.files('ouder_tui_data')\n"               # harmless
        "importlib.import_module('ouder_tui.text')\n"       # harmless: constant, nothing forbidden
        "re.compile('textual')\n",                          # harmless: not the builtin compile
        encoding="utf-8")
    offenders, _ = _dynamic_offenders([sample], INTERFACE_MENTION)
    assert sorted(int(offender.split(":")[1]) for offender in offenders) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]


# --- what importing the core really loads -----------------------------------------------------------------

# Runs first in each probe: notes who first asks for Textual, screens or the app, and by which chain of
# imports (module:line, outermost first), so a failure names the culprit, also when it is an outside package.
_WITNESS = r"""
import json, sys

WATCHED = ("textual", "screens", "ouder_tui.app")
witnessed = {}


class Witness:
    def find_spec(self, name, path=None, target=None):
        key = next((w for w in WATCHED if name == w or name.startswith(w + ".")), None)
        if key and key not in witnessed:
            chain, frame = [], sys._getframe(1)
            while frame:
                module = frame.f_globals.get("__name__", "?")
                if not module.startswith("importlib._bootstrap") and (frame.f_code.co_name == "<module>" or not chain):
                    chain.append(f"{module}:{frame.f_lineno}")
                frame = frame.f_back
            witnessed[key] = " > ".join([*reversed(chain), name])
        return None  # only watching: the real finders import


def loaded():
    return sorted(m for m in sys.modules if any(m == w or m.startswith(w + ".") for w in WATCHED))


sys.meta_path.insert(0, Witness())
"""

_IMPORT_EVERY_CORE_MODULE = _WITNESS + r"""
import importlib, pkgutil

import ouder_tui


def refuse(name):  # walk_packages would skip a package that fails to import
    raise ImportError(f"{name} laadt niet")


modules = [info.name for info in pkgutil.walk_packages(ouder_tui.__path__, "ouder_tui.", onerror=refuse)
           if info.name not in ("ouder_tui.app", "ouder_tui.__main__")]
for name in modules:
    importlib.import_module(name)
print(json.dumps({"modules": modules, "witnessed": witnessed, "loaded": loaded()}))
"""

_RUN_THE_CLI = _WITNESS + r"""
from ouder_tui.cli import main

codes = []
for argv in json.loads(sys.argv[1]):
    try:
        codes.append(main(argv))
    except SystemExit as exc:  # --version, --help
        codes.append(exc.code)
print(json.dumps({"codes": codes, "witnessed": witnessed, "loaded": loaded()}))
"""


def _fresh_python(code: str, *args: str, cwd: Path, env: dict[str, str] | None = None) -> dict:
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True,
                            timeout=300, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # the probe's answer is its last line


def _culprits(report: dict) -> str:
    return "\n".join([*report["witnessed"].values(), f"geladen: {' '.join(report['loaded'][:8])} ..."])


def test_importing_every_core_module_loads_no_interface() -> None:
    """In a fresh interpreter: import all of ouder_tui but the app; Textual, screens and the app stay out."""
    report = _fresh_python(_IMPORT_EVERY_CORE_MODULE, cwd=ROOT)
    assert {"ouder_tui.cli", "ouder_tui.store", "ouder_tui.importers"} <= set(report["modules"])
    assert report["witnessed"] == {} and report["loaded"] == [], _culprits(report)


def test_headless_cli_commands_load_no_interface(tmp_path: Path) -> None:
    """The CLI at work (version, help, demo, check, exports) in a fresh interpreter: no Textual, no app."""
    db, out = str(tmp_path / "demo.json"), str(tmp_path / "uit")
    commands = [["--version"], ["--help"], ["export", "--help"], ["--db", db, "demo"], ["--db", db, "check"],
                ["--db", db, "export", "gezinnen", "--output", out + ".csv"],
                ["--db", db, "export", "leerlingen", "--format", "json", "--output", out + ".json"]]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUDER_TUI_")}
    env |= {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    report = _fresh_python(_RUN_THE_CLI, json.dumps(commands), cwd=tmp_path, env=env)
    assert report["codes"] == [0] * len(commands)
    assert report["witnessed"] == {} and report["loaded"] == [], _culprits(report)


# --- screens and the storage ------------------------------------------------------------------------------


def test_screens_import_no_concrete_store_nor_storage_internals() -> None:
    """The plain AST twin of the screens contract: also holds for a home that is not written yet."""
    offenders = []
    for path in sorted(SCREENS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                if any(name == banned or name.startswith(banned + ".") for banned in STORAGE_INTERNALS):
                    offenders.append(f"screens/{path.relative_to(SCREENS).as_posix()}:{node.lineno}: {name}")
                    break  # one line per import statement
    assert offenders == [], "\n".join(offenders)
