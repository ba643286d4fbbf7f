"""The recycle bin (*prullenbak*): what was deleted, by whom and when; restore or purge."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static

from ouder_tui.areas import table_labels
from ouder_tui.errors import OuderTuiError
from ouder_tui.store import Store
from ouder_tui.text import format_datetime
from screens.dialogs import ConfirmDialog
from screens.footer import Footer
from screens.table import Column, RecordTable, Row
from screens.widgets import error_text

#: Per table the Dutch word for what a bin entry is, as the areas declare it.
KINDS = table_labels()


class PrullenbakScreen(Screen[None]):
    """Deleted records, newest first."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Terug"),
        Binding("r", "restore", "Terugzetten"),
        Binding("delete", "purge", "Definitief wissen"),
    ]
    HELP = """
# Prullenbak

Wat verwijderd werd, met wie het verwijderde en wanneer. **r** zet het geselecteerde
terug, zoals het was. **Delete** wist het definitief: dat kan niet ongedaan gemaakt worden.
"""
    DEFAULT_CSS = """
    PrullenbakScreen #intro { padding: 0 1; color: $text-muted; }
    """

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("r: terugzetten   Delete: definitief wissen   Esc: terug", id="intro", markup=False)
        yield RecordTable([Column("Wat"), Column("Soort", 12), Column("Door", 16), Column("Wanneer", 16)],
                          id="bin", empty_text="De prullenbak is leeg.")
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        self.reload()
        self.query_one(RecordTable).focus()

    def reload(self) -> None:
        rows = [Row(e["id"], (e.get("label") or f"record {e.get('record_id')}", KINDS.get(e.get("table", ""), e.get("table", "")),
                              e.get("_deleted_by", ""), format_datetime(e.get("_deleted_at"))),
                    sort=(e.get("label", ""), e.get("table", ""), e.get("_deleted_by", ""), e.get("_deleted_at", "")))
                for e in self._entries()]
        self.query_one(RecordTable).set_rows(rows)

    def _entries(self) -> list[dict]:
        try:
            return self.store.recycle_bin()
        except OuderTuiError as exc:  # the school server is away and the bin was not loaded before
            self.notify(error_text(exc), severity="error", markup=False)
            return []

    def _current(self) -> Row | None:
        table = self.query_one(RecordTable)
        return table.rows[table.cursor] if table.rows else None

    def action_restore(self) -> None:
        row = self._current()
        if row is None:
            return
        try:
            self.store.restore(row.key)
        except OuderTuiError as exc:
            self.notify(error_text(exc), severity="error", markup=False)
            return
        self.notify(f"Teruggezet: {row.cells[0]}", markup=False)
        self.reload()

    def action_purge(self) -> None:
        row = self._current()
        if row is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                try:
                    self.store.purge(row.key)
                except OuderTuiError as exc:
                    self.notify(error_text(exc), severity="error", markup=False)
                self.reload()

        self.app.push_screen(ConfirmDialog("Definitief wissen?", f"{row.cells[0]} wordt definitief gewist. "
                                           "Dit kan niet ongedaan gemaakt worden.", yes="Definitief wissen"),
                             confirmed)
