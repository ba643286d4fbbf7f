"""Pick a family from the registry: filter as you type, Enter to choose."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from ouder_tui.leerlingen import Gezin, Registry
from screens.table import Column, RecordTable, Row


def gezin_row(gezin: Gezin) -> Row:
    parents = ", ".join(o.naam for o in gezin.ouders)
    return Row(gezin.id, (gezin.naam, parents, gezin.adres.regel()))


class GezinPicker(ModalScreen[int | None]):
    """Returns the chosen family's id, or ``None``."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Annuleren")]
    DEFAULT_CSS = """
    GezinPicker { align: center middle; }
    GezinPicker > Vertical { width: 90%; height: 80%; border: thick $primary; background: $surface; }
    """

    def __init__(self, registry: Registry) -> None:
        super().__init__()
        self.registry = registry

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Kies een gezin (typ om te zoeken, Enter kiest, Esc annuleert)")
            yield Input(placeholder="naam, ouder, telefoon of adres", id="filter")
            yield RecordTable([Column("Gezin", 24), Column("Ouders"), Column("Adres")], id="families")

    def on_mount(self) -> None:
        self._fill("")

    def _fill(self, text: str) -> None:
        self.query_one(RecordTable).set_rows([gezin_row(g) for g in self.registry.zoek_gezinnen(text)])

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self) -> None:
        table = self.query_one(RecordTable)
        if table.current_key is not None:
            self.dismiss(table.current_key)

    def on_key(self, event) -> None:
        if event.key == "down" and isinstance(self.focused, Input):
            self.set_focus(self.query_one(RecordTable))  # at once: a key right behind it acts on the list
            event.stop()

    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        self.dismiss(event.key)
