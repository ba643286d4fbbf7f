"""The schema version of the database file and the migrations that move it forward.

Each migration takes the document of version ``n`` and returns the document of
version ``n + 1``. They run in order after a backup; a file from a newer version
is refused and never rewritten.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

META_TABLE = "_meta"
META_ID = "1"

#: The schema version this build writes. 2: the file carries a checksum of itself (:mod:`ouder_tui.integrity`);
#: 3: that checksum is CRC-32 instead of SHA-256 (an older ouder-tui would call the file damaged).
CURRENT_SCHEMA = 3

Document = dict[str, dict[str, Any]]


def schema_version_of(document: Document) -> int:
    """The file's schema version; a plain TinyDB file without our metadata is version 0."""
    meta = document.get(META_TABLE, {}).get(META_ID)
    if not isinstance(meta, dict):
        return 0
    version = meta.get("schema_version", 0)
    return version if isinstance(version, int) else 0


def _v0_to_v1(document: Document) -> Document:
    """A plain TinyDB file: add metadata, id counters and revisions to every record."""
    next_ids = {}
    for name, table in document.items():
        if name == META_TABLE:
            continue
        ids = [int(key) for key in table if key.isdigit()]
        next_ids[name] = max(ids, default=0) + 1
        for record in table.values():
            if isinstance(record, dict):
                record.setdefault("_rev", 1)
                record.setdefault("_created_by", "onbekend")
                record.setdefault("_changed_by", "onbekend")
    document[META_TABLE] = {META_ID: {"schema_version": 1, "next_ids": next_ids}}
    return document


def _v1_to_v2(document: Document) -> Document:
    """From version 2 on every save writes the file's checksum, and no stored text holds control characters.

    The store strips them from everything it receives since this version; text stored before (a file name
    with an escape sequence as the last import, say) is cleaned here once, after the backup.
    """
    from ouder_tui.text import strip_controls_deep

    for name, table in document.items():
        if name != META_TABLE:
            document[name] = {key: strip_controls_deep(record) for key, record in table.items()}
    return document


def _v2_to_v3(document: Document) -> Document:
    """Nothing in the records changes: the next save writes the checksum the new way."""
    return document


#: ``MIGRATIONS[n]`` turns version ``n`` into ``n + 1``.
MIGRATIONS: dict[int, Callable[[Document], Document]] = {0: _v0_to_v1, 1: _v1_to_v2, 2: _v2_to_v3}


def migrate(document: Document, target: int | None = None) -> Document:
    """Run every migration from the document's version up to ``target`` (default: current)."""
    target = CURRENT_SCHEMA if target is None else target
    version = schema_version_of(document)
    while version < target:
        document = MIGRATIONS[version](document)
        version += 1
        document[META_TABLE][META_ID]["schema_version"] = version
    return document
