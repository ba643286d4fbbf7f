"""The school's question bank for the omgekeerd oudergesprek: hide questions, edit or remove the school's own."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Static

from ouder_tui.startgesprek import Startgesprekken, Vraag
from screens.dialogs import ConfirmDialog
from screens.footer import Footer
from screens.forms import FormScreen, text_field
from screens.table import Column, RecordTable, Row
from screens.widgets import change_and_refill


def question_row(vraag: Vraag) -> Row:
    return Row(vraag.id, (Text(vraag.thema), Text(vraag.vraag), "eigen" if vraag.eigen else "",
                          "verborgen" if vraag.verborgen else ""))


class VraagForm(FormScreen[Vraag]):
    """Change the text or theme of one of the school's own questions."""

    HELP = """
# Eigen vraag wijzigen

Pas de vraag of het thema aan. Gesprekken die de vraag al gebruikten, houden hun eigen kopie.
ctrl+s bewaart.
"""

    def __init__(self, service: Startgesprekken, vraag: Vraag) -> None:
        self.service = service
        self.vraag = vraag
        super().__init__("Eigen vraag wijzigen")

    def compose_fields(self) -> ComposeResult:
        yield text_field("vraag", "Vraag *", self.vraag.vraag, max_length=300)
        yield text_field("thema", "Thema", self.vraag.thema, max_length=60)

    def build(self) -> Vraag:
        v = self.values()
        return Vraag(self.vraag.id, v["thema"], v["vraag"], eigen=True, verborgen=self.vraag.verborgen)

    def store_value(self, value: Vraag, *, overwrite: bool) -> Vraag:
        return self.service.wijzig_vraag(value.id, value.vraag, value.thema)

    def fill(self, record: dict) -> None:
        self.set_values({"vraag": record.get("vraag", ""), "thema": record.get("thema", "")})


class VragenbankScreen(Screen[None]):
    """Every question of the bank, hidden ones too: what a teacher picks from during the talk."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Terug"),
        Binding("h", "hide", "Verbergen / tonen"),
        Binding("e", "edit", "Wijzigen"),
        Binding("delete", "remove", "Verwijderen"),
    ]
    HELP = """
# Vragenbank

De vragen waaruit je kiest in een omgekeerd oudergesprek: de meegeleverde en de eigen vragen
van de school. **h** verbergt een vraag uit de keuzelijst (of toont ze weer). Eigen vragen kun
je ook wijzigen (**e**) of verwijderen (**Del**, naar de prullenbak). Gesprekken die een vraag
al gebruikten, houden hun kopie.
"""
    DEFAULT_CSS = """
    VragenbankScreen > Vertical { padding: 0 1; }
    VragenbankScreen #title { text-style: bold; height: 1; }
    VragenbankScreen RecordTable { height: 1fr; }
    """

    def __init__(self, service: Startgesprekken) -> None:
        super().__init__()
        self.service = service

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static("Vragenbank voor het omgekeerd oudergesprek", id="title", markup=False)
            yield RecordTable([Column("Thema", 18), Column("Vraag"), Column("", 5), Column("", 9)], id="vragen",
                              empty_text="Geen vragen.", enter_label="Wijzigen", enter_shown=False)
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        self.refill()
        self.query_one(RecordTable).focus()

    def refill(self) -> None:
        self.query_one(RecordTable).set_rows([question_row(v) for v in self.service.vragen(ook_verborgen=True)])
        self.refresh_bindings()

    def _current(self) -> Vraag | None:
        key = self.query_one(RecordTable).current_key
        return next((v for v in self.service.vragen(ook_verborgen=True) if v.id == key), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "remove") and self.is_mounted:
            current = self._current()
            return current is not None and current.eigen
        return True

    def on_record_table_highlighted(self) -> None:
        self.refresh_bindings()

    def on_record_table_selected(self) -> None:
        self.action_edit()

    def _run(self, change) -> None:
        change_and_refill(self, change)

    def action_hide(self) -> None:
        current = self._current()
        if current is not None:
            self._run(lambda: self.service.verberg_vraag(current.id, not current.verborgen))

    def action_edit(self) -> None:
        current = self._current()
        if current is not None and current.eigen:
            self.app.push_screen(VraagForm(self.service, current), lambda _: self.refill())

    def action_remove(self) -> None:
        current = self._current()
        if current is None or not current.eigen:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._run(lambda: self.service.verwijder_vraag(current.id))

        self.app.push_screen(ConfirmDialog("Eigen vraag verwijderen?", f"“{current.vraag}” gaat naar de prullenbak. "
                                           "Gesprekken die ze gebruikten, houden ze.", yes="Verwijderen"), answered)
