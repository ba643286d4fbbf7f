"""Where the databases live: ``--db``, else ``OUDER_TUI_DB``, else the user's data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "ouder-tui"
ENV_DB = "OUDER_TUI_DB"


def data_folder() -> Path:
    """The user's data folder for ouder-tui (e.g. ``%LOCALAPPDATA%\\ouder-tui`` on Windows)."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def default_db_path() -> Path:
    """The real database when neither ``--db`` nor ``OUDER_TUI_DB`` says otherwise."""
    return data_folder() / "ouder-tui.json"


def demo_db_path() -> Path:
    """The generated demo database: separate from the real one, always."""
    return data_folder() / "demo.json"


def choose_db_path(cli_value: str | None, *, demo: bool) -> Path:
    """The database a command works on."""
    if demo:
        return demo_db_path()
    if cli_value:
        return Path(cli_value).expanduser()
    if env := os.environ.get(ENV_DB):
        return Path(env).expanduser()
    return default_db_path()
