"""The errors of the core. Every message is Dutch: it is shown to users as is."""

from __future__ import annotations

from collections.abc import Mapping


class OuderTuiError(Exception):
    """Base of all errors the core raises on purpose; ``str(error)`` is a Dutch message."""


class ValidationError(OuderTuiError):
    """Invalid input, with one Dutch message per field (``errors``).

    Forms show each message next to its field; the command line prints them all.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in self.errors.items()))


class StoreError(OuderTuiError):
    """The database could not be read or written; nothing was changed."""


class LockTimeoutError(StoreError):
    """Another window or PC held the database too long."""


class ServerUnreachableError(StoreError):
    """The school server does not answer (network, restart). Screens keep the last data they had."""


class CorruptDatabaseError(StoreError):
    """The database file does not parse (or is empty). It is never overwritten.

    ``backup`` is the newest backup that does parse, or ``None``.
    """

    def __init__(self, message: str, *, path: str, backup: str | None) -> None:
        self.path = path
        self.backup = backup
        super().__init__(message)


class NewerSchemaError(StoreError):
    """The file was written by a newer version of ouder-tui; it is left untouched."""


class NotFoundError(OuderTuiError):
    """The record does not exist (any more)."""


class ConflictError(OuderTuiError):
    """Someone else saved the record after it was opened.

    ``changed_by`` and ``changed_at`` say who and when; ``current`` holds the
    record as it is now, so a form can offer to reload or to overwrite.
    """

    def __init__(self, message: str, *, changed_by: str, changed_at: str, current: dict) -> None:
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current = current
        super().__init__(message)
