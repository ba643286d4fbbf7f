"""What each person last worked on, on this PC (the class in Startgesprekken ...): small conveniences,
not data of the school, so they live beside the user's settings and never in the database.

A missing or unreadable file is an empty memory; a failed write is forgotten (nothing depends on it).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any


class Voorkeuren:
    """Per person (the name that stamps changes) a few remembered choices; ``path=None`` keeps them in memory."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._data: dict[str, dict[str, Any]] = self._read()

    def _read(self) -> dict[str, dict[str, Any]]:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            return {}
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, dict)} \
            if isinstance(data, dict) else {}

    def get(self, user: str, key: str, default: Any = None) -> Any:
        """What ``user`` last chose for ``key``."""
        return self._data.get(user, {}).get(key, default)

    def set(self, user: str, key: str, value: Any) -> None:
        """Remember ``value`` for ``user``; written to the file at once (best effort)."""
        with self._lock:
            if self._data.get(user, {}).get(key) == value:
                return
            self._data.setdefault(user, {})[key] = value
            if self.path is None:
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".voorkeuren-")
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(self._data, handle, ensure_ascii=False)
                os.replace(temp, self.path)
            except OSError:
                pass
