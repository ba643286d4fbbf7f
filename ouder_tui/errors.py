"""The errors of the core. Every message is Dutch: it is shown to users as is."""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Mapping

#: What the system's (English) reasons mean, in Dutch, with what to do about them.
_OS_REASONS: dict[int, str] = {
    errno.ENOSPC: "de schijf is vol; maak ruimte vrij (verwijder of verplaats oude bestanden) en probeer opnieuw",
    errno.EDQUOT: "je ruimte op deze schijf is op; maak ruimte vrij of vraag meer aan wie de pc's beheert",
    errno.EACCES: "je hebt geen toegang tot die map of dat bestand; kies een map waar je mag schrijven of vraag het "
                  "aan wie de pc's beheert",
    errno.EPERM: "dat mag niet op deze map of dit bestand; kies een andere map of vraag het aan wie de pc's beheert",
    errno.EROFS: "die schijf of map is alleen-lezen; kies een andere map",
    errno.ENOENT: "dat bestand of die map bestaat niet (meer); kijk het pad na",
    errno.EISDIR: "dat is een map, geen bestand; kies een bestand",
    errno.ENOTDIR: "een deel van het pad is geen map; kijk het pad na",
    errno.EBUSY: "het bestand is in gebruik; sluit het in het andere programma en probeer opnieuw",
    errno.EIO: "de schijf gaf een lees- of schrijffout; probeer opnieuw of gebruik een andere schijf",
    errno.ENAMETOOLONG: "de naam of het pad is te lang; kies een kortere naam of een map hoger",
    errno.EMFILE: "er staan te veel bestanden open; sluit een paar programma's en probeer opnieuw",
    errno.ETIMEDOUT: "de verbinding duurde te lang; kijk het netwerk na en probeer opnieuw",
    errno.ECONNREFUSED: "de verbinding werd geweigerd; kijk na of de server draait",
    errno.EHOSTUNREACH: "de server is niet bereikbaar; kijk het netwerk na",
    errno.ENETUNREACH: "het netwerk is niet bereikbaar; kijk de verbinding na",
}
#: Reasons that other systems and libraries give in English (Windows, the JSON reader).
_OTHER_REASONS: dict[str, str] = {
    "There is not enough space on the disk": _OS_REASONS[errno.ENOSPC],
    "Access is denied": _OS_REASONS[errno.EACCES],
    "The process cannot access the file because it is being used by another process":
        "het bestand is in gebruik door een ander programma (Excel, OneDrive ...); sluit het daar en probeer opnieuw",
    "The system cannot find the path specified": _OS_REASONS[errno.ENOENT],
    "The system cannot find the file specified": _OS_REASONS[errno.ENOENT],
    "The network path was not found": "de netwerkmap is niet bereikbaar; kijk de verbinding en het pad na",
    "Input data was truncated": "het bestand is onvolledig (afgebroken tijdens het schrijven)",
    "JSON is malformed": "de inhoud is geen geldige JSON",
}


def dutch_reasons(message: str) -> str:
    """``message`` with the system's English reasons (``No space left on device``) said in Dutch, with
    what to do. Messages of the core put ``exc.strerror`` into Dutch sentences; this keeps them Dutch."""
    message = re.sub(r"\[(?:Errno|WinError) -?\d+\] ", "", message)
    for code, dutch in _OS_REASONS.items():
        english = os.strerror(code)
        if english and english in message:
            message = message.replace(english, dutch)
    for english, dutch in _OTHER_REASONS.items():
        if english in message:
            message = message.replace(english, dutch)
    return message


class OuderTuiError(Exception):
    """Base of all errors the core raises on purpose; ``str(error)`` is a Dutch message (a system reason in
    it, such as a full disk, is said in Dutch too: :func:`dutch_reasons`)."""

    def __init__(self, *args: object) -> None:
        if args and isinstance(args[0], str):
            args = (dutch_reasons(args[0]), *args[1:])
        super().__init__(*args)


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
