"""The in-memory home of the store: the same contract as the file, without a disk.

Most unit and pilot tests run on it (fast, nothing to clean up); the contract suite
(``tests/test_store_contract.py``) proves it behaves like the file. Nothing survives the
process, so the interface never offers it to a school.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime

from ouder_tui.docstore import Document, DocumentStore
from ouder_tui.integrity import plain_document
from ouder_tui.migrations import CURRENT_SCHEMA, META_ID, META_TABLE
from ouder_tui.store import now


class MemoryStore(DocumentStore):
    """A database that lives in this process only. It is loaded as soon as it is made.

    ``document`` (TinyDB's layout, as in a database file) becomes the store's own: pass a copy.
    """

    def __init__(self, *, user: str = "onbekend", clock: Callable[[], datetime] = now,
                 document: Document | None = None) -> None:
        super().__init__(user=user, clock=clock)
        if document is None:
            document = {META_TABLE: {META_ID: {"schema_version": CURRENT_SCHEMA, "next_ids": {},
                                               "created_at": clock().isoformat()}}}
        self._document: Document = document
        self._generation = 1
        self.loaded = True

    @classmethod
    def copy_of(cls, store: DocumentStore, *, user: str | None = None,
                clock: Callable[[], datetime] | None = None) -> MemoryStore:
        """An in-memory copy of another document store's committed data (e.g. the demo school for a test)."""
        return cls(user=user or store.user, clock=clock or store.clock,
                   document=copy.deepcopy(plain_document(store._committed())))

    @property
    def location(self) -> str:
        return "in het geheugen"

    def load(self, *, make_backup: bool = True, create: bool = True, migrate_schema: bool = True,
             backup_later: bool = False) -> None:
        """Nothing to read: the data is already here."""
        self.loaded = True

    def _committed(self) -> Document:
        return self._document

    def _committed_generation(self) -> int:
        return self._generation

    def _begin(self) -> Document:
        return self._document  # the thread lock, held by the transaction, is the only lock needed

    def _commit(self, document: Document) -> None:
        self._document = document
        self._generation += 1

    def _end(self) -> None:
        """Nothing is held."""
