"""Privacy screens: the log (who changed what and when) and the retention list."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Select, Static

from ouder_tui.errors import OuderTuiError
from ouder_tui.leerlingen import Registry
from ouder_tui.privacy import vervallen, wis_vervallen
from ouder_tui.settings import load_settings
from ouder_tui.store import DATABASE, LOG_ACTIONS, Store
from ouder_tui.text import format_date, format_datetime, parse_date, plural
from screens.dialogs import ConfirmDialog
from screens.footer import Footer
from screens.prullenbak import KINDS
from screens.table import Column, RecordTable, Row
from screens.widgets import error_text

#: The log also names the database itself (its passphrase), and nothing for an erasure.
KINDS_LOG = {**KINDS, DATABASE: "databank", "": ""}


class LogboekScreen(Screen[None]):
    """The log, newest first, filtered by person and period (or one record's history). Read-only."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Terug"), Binding("ctrl+f", "focus_filter", "Filter")]
    HELP = """
# Logboek

Wie wat wijzigde en wanneer: per wijziging de soort gegevens, het nummer, wat er gebeurde en welke
velden veranderden. De inhoud zelf staat niet in het logboek, en het logboek kan je niet aanpassen.
Kies een persoon of een periode (dd/mm/jjjj) om te filteren. Een wissing op vraag van ouders of na de
bewaartermijn staat er als één regel, zonder wat er gewist werd.
"""
    DEFAULT_CSS = """
    LogboekScreen > Vertical { padding: 0 1; }
    LogboekScreen .name { text-style: bold; height: 1; }
    LogboekScreen #filters { height: 1; margin: 1 0; }
    LogboekScreen #filters Select { width: 30; margin-right: 1; }
    LogboekScreen #filters Input { width: 16; margin-right: 1; }
    LogboekScreen #count { height: 1; color: $text-muted; }
    LogboekScreen RecordTable { height: 1fr; }
    """

    def __init__(self, store: Store, *, tabel: str = "", record_id: int | None = None, titel: str = "") -> None:
        super().__init__()
        self.store = store
        self.tabel = tabel
        self.record_id = record_id
        self.titel = titel or "Logboek"

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static(self.titel, classes="name", markup=False)
            with Horizontal(id="filters"):
                yield Select([(Text(u), u) for u in self.store.known_users()], prompt="iedereen", id="door",
                             compact=True)
                yield Input(placeholder="van dd/mm/jjjj", id="van", compact=True)
                yield Input(placeholder="tot dd/mm/jjjj", id="tot", compact=True)
            yield RecordTable([Column("Wanneer", 16), Column("Wie", 16), Column("Wat", 16), Column("Nr", 6),
                               Column("Actie", 18), Column("Velden")], id="log", empty_text="Niets in deze periode.")
            yield Static("", id="count", markup=False)
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        self.refill()
        self.query_one(RecordTable).focus()

    def _date(self, field: str) -> str:
        text = self.query_one(f"#{field}", Input).value.strip()
        if not text:
            return ""
        try:
            return parse_date(text).isoformat()
        except ValueError:
            return "x"  # not a date (yet): shows nothing rather than everything

    def refill(self) -> None:
        who = self.query_one("#door", Select).value
        van, tot = self._date("van"), self._date("tot")
        try:
            entries = [] if "x" in (van, tot) else self.store.logboek(
                door=who if isinstance(who, str) else "", van=van, tot=tot, tabel=self.tabel, record_id=self.record_id)
        except OuderTuiError as exc:  # the school server is away: say so instead of an empty log
            self.notify(error_text(exc), severity="error", markup=False)
            entries = []
        shown = entries[:2000]
        self.query_one(RecordTable).set_rows([
            Row(i, (format_datetime(e.get("op")), e.get("door", ""), KINDS_LOG.get(e.get("tabel", ""), e.get("tabel", "")),
                    str(e.get("record") or ""), LOG_ACTIONS.get(e.get("actie", ""), e.get("actie", "")) + (
                        f" ({e['aantal']})" if e.get("aantal") else ""), ", ".join(e.get("velden", ()))))
            for i, e in enumerate(shown)])
        more = f" (de eerste {len(shown)} getoond)" if len(entries) > len(shown) else ""
        self.query_one("#count", Static).update(f"{plural(len(entries), 'regel', 'regels')}{more}")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refill()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.refill()

    def action_focus_filter(self) -> None:
        self.query_one("#van", Input).focus()


class BewaartermijnScreen(Screen[None]):
    """Pupils who left longer ago than the retention period, with what their erasure takes."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Terug"), Binding("w", "erase", "Alles wissen")]
    HELP = """
# Bewaartermijn

Leerlingen die langer dan de bewaartermijn geleden vertrokken zijn (instelbaar bij de instellingen,
standaard 1 schooljaar). Per leerling zie je wat er mee verdwijnt; is er van het gezin geen kind meer
op school of binnen de termijn, dan gaat het hele gezin mee. **w** wist alles in de lijst, na
bevestiging. Er wordt nooit iets gewist zonder dat je het bevestigt.
"""
    DEFAULT_CSS = """
    BewaartermijnScreen > Vertical { padding: 0 1; }
    BewaartermijnScreen .name { text-style: bold; height: auto; }
    BewaartermijnScreen RecordTable { height: 1fr; }
    """

    def __init__(self, registry: Registry) -> None:
        super().__init__()
        self.registry = registry
        self.items = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static("", classes="name", id="intro", markup=False)
            yield RecordTable([Column("Leerling", 22), Column("Vertrokken", 10), Column("Wat mee verdwijnt")],
                              id="list", empty_text="Niemand om te wissen: alle gegevens vallen binnen de termijn.")
            yield Label("")
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        self.refill()
        self.query_one(RecordTable).focus()

    def refill(self) -> None:
        self.items = vervallen(self.registry)
        years = load_settings(self.registry.store).bewaartermijn_schooljaren
        self.query_one("#intro", Static).update(
            f"Bewaartermijn: {plural(years, 'schooljaar', 'schooljaren')} na het vertrek. "
            f"{plural(len(self.items), 'leerling', 'leerlingen')} om te wissen.")
        self.query_one(RecordTable).set_rows([
            Row(item.leerling.id, (item.leerling.naam, format_date(item.leerling.vertrokken_op),
                                   "; ".join(r for r in item.plan.regels if not r.startswith("hun regels"))))
            for item in self.items])

    def action_erase(self) -> None:
        if not self.items:
            return
        lines = [f"- {item.leerling.naam}: " + "; ".join(r for r in item.plan.regels if not r.startswith("hun regels"))
                 for item in self.items[:12]]
        if len(self.items) > 12:
            lines.append(f"... en nog {len(self.items) - 12}")

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                count = wis_vervallen(self.registry, self.items)
            except OuderTuiError as exc:
                self.notify(error_text(exc), severity="error", markup=False)
                return
            self.notify(f"{plural(count, 'record', 'records')} gewist.", timeout=4, markup=False)
            self.refill()

        self.app.push_screen(ConfirmDialog(
            "Definitief wissen?", "Dit verdwijnt voorgoed, ook uit de prullenbak en het logboek:\n" + "\n".join(lines),
            yes="Wissen"), confirmed)
