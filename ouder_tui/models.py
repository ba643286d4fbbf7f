"""What every stored record shares: the store's metadata and the field checks.

Models are ``msgspec.Struct`` classes (frozen: a change makes a new value with
:func:`msgspec.structs.replace`). The store's own keys (``_rev``, ``_changed_by``
...) map onto plain attribute names. Validation collects one Dutch message per
field and raises a single :class:`~ouder_tui.errors.ValidationError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypeVar

import msgspec
from msgspec.structs import force_setattr

from ouder_tui.errors import ValidationError
from ouder_tui.text import clean_text

MAX_NAME = 100
MAX_SHORT = 200
MAX_NOTE = 20_000


class Record(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """Fields every stored record has; the store sets them, never the user."""

    id: int = 0
    rev: int = msgspec.field(default=0, name="_rev")
    created_by: str = msgspec.field(default="", name="_created_by")
    created_at: str = msgspec.field(default="", name="_created_at")
    changed_by: str = msgspec.field(default="", name="_changed_by")
    changed_at: str = msgspec.field(default="", name="_changed_at")


R = TypeVar("R", bound=msgspec.Struct)


def from_record(kind: type[R], record: dict[str, Any]) -> R:
    """Build a model from a stored record (unknown keys are ignored)."""
    return msgspec.convert(record, kind, strict=False)


def to_record(value: msgspec.Struct) -> dict[str, Any]:
    """The model as plain JSON-ready data (dates as ISO text)."""
    return msgspec.to_builtins(value)


#: The keys the store owns on every record (see :data:`ouder_tui.store.META_KEYS`).
STORE_KEYS = ("id", "_rev", "_created_by", "_created_at", "_changed_by", "_changed_at")


def record_data(value: msgspec.Struct) -> dict[str, Any]:
    """The model's own fields as JSON-ready data, without the store's keys: what a save hands to the store."""
    record = to_record(value)
    for key in STORE_KEYS:
        record.pop(key, None)
    return record


#: The store's stamps: the same few users and, for every record of an import, the same moments.
STAMP_FIELDS = ("created_by", "created_at", "changed_by", "changed_at")


def share_values(models: Iterable[msgspec.Struct], fields: tuple[str, ...], pool: dict[Any, Any]) -> None:
    """Make the equal values of ``fields`` across ``models`` one object each (the first met, kept in ``pool``).

    In place, on models already in use: every field keeps a value equal to the one it had (only which of
    the equal objects it holds changes), so nothing that reads the models can tell. What it is for:
    msgspec gives every decoded text its own string, so a class name or an import's stamp repeated over
    50,000 records is 50,000 strings.
    """
    keep = pool.setdefault
    for model in models:
        for name in fields:
            value = getattr(model, name)
            found = keep(value, value)
            if found is not value and type(found) is type(value):  # never 1 for True, nor 1.0 for 1
                force_setattr(model, name, found)


class Checker:
    """Collects Dutch messages per field while a model is cleaned and checked."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def text(self, field: str, value: str, *, required: bool = False, limit: int = MAX_SHORT,
             multiline: bool = False, label: str = "") -> str:
        """Clean ``value``; check presence and length."""
        cleaned = clean_text(value, multiline=multiline)
        if required and not cleaned:
            self.fail(field, f"{label or 'Dit veld'} is verplicht.")
        elif len(cleaned) > limit:
            self.fail(field, f"Hoogstens {limit} tekens (nu {len(cleaned)}).")
        return cleaned

    def phone(self, field: str, value: str) -> str:
        cleaned = self.text(field, value, limit=40)
        if cleaned and (not _PHONE.match(cleaned) or sum(c.isdigit() for c in cleaned) < 6):
            self.fail(field, f"'{cleaned}' is geen telefoonnummer.")
        return cleaned

    def email(self, field: str, value: str) -> str:
        cleaned = self.text(field, value, limit=254)
        if cleaned and not _EMAIL.match(cleaned):
            self.fail(field, f"'{cleaned}' is geen e-mailadres.")
        return cleaned

    def done(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


_PHONE = re.compile(r"^\+?[\d\s./()\-]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
