"""The per-user folders of ouder-tui: the demo database, and the database of earlier versions.

Which database a command works on (``--db``, ``OUDER_TUI_DB``, the choice made at the first start on
this PC) is decided in :mod:`ouder_tui.locatie`.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "ouder-tui"
ENV_DB = "OUDER_TUI_DB"
#: Moves every per-user file (the user's own choice, the demo, the old per-user database) elsewhere.
ENV_USER_DIR = "OUDER_TUI_USER_DIR"


def data_folder() -> Path:
    """The user's data folder for ouder-tui (e.g. ``%LOCALAPPDATA%\\ouder-tui`` on Windows)."""
    if override := os.environ.get(ENV_USER_DIR):
        return Path(override)
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def default_db_path() -> Path:
    """Where earlier versions kept the real database, per user (shared and guest profiles wipe it at
    sign-out; the first start offers to move it)."""
    return data_folder() / "ouder-tui.json"


def demo_db_path() -> Path:
    """The generated demo database: separate from the real one, always."""
    return data_folder() / "demo.json"
