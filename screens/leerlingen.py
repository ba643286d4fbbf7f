"""The area *Leerlingen & gezinnen*: browse, filter as you type, sort, open, add, edit, delete."""

from __future__ import annotations

from datetime import date

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, TabbedContent, TabPane

from ouder_tui.errors import OuderTuiError
from ouder_tui.leerlingen import Gezin, Leerling, Registry
from ouder_tui.text import format_date
from screens.base import AreaScreen
from screens.dialogs import ConfirmDialog
from screens.table import Column, RecordTable, Row
from screens.widgets import error_text

PUPIL_COLUMNS = [Column("Naam"), Column("Klas", 6), Column("Geboren", 10), Column("Gezin"), Column("Tolk", 12)]
FAMILY_COLUMNS = [Column("Gezin", 22), Column("Ouders"), Column("Kinderen", 8), Column("Talen"), Column("Contact", 8)]


def pupil_row(p: Leerling, registry: Registry) -> Row:
    family = registry.gezin(p.gezin_id) if p.gezin_id is not None else None
    name = p.naam if p.actief else f"{p.naam} (vertrokken)"
    tolk = ", ".join(family.tolk_talen()) if family else ""
    return Row(p.id, (name, p.klas, format_date(p.geboortedatum), family.naam if family else "", tolk),
               sort=((p.familienaam.casefold(), p.voornaam.casefold()), p.klas, p.geboortedatum or date.min,
                     (family.naam.casefold() if family else ""), tolk))


def family_row(g: Gezin, children: int) -> Row:
    parents = ", ".join(o.naam for o in g.ouders)
    return Row(g.id, (g.naam, parents, str(children), ", ".join(g.talen()), "ja" if g.heeft_contact() else "NEE"),
               sort=(g.naam.casefold(), parents.casefold(), children, ", ".join(g.talen()), g.heeft_contact()))


class LeerlingenScreen(AreaScreen):
    """Every pupil and every family, searchable as you type."""

    AREA = "leerlingen"
    BINDINGS = [
        Binding("slash,ctrl+f", "focus_filter", "Zoeken"),
        Binding("n", "new", "Nieuw"),
        Binding("e", "edit", "Bewerken"),
        Binding("delete", "delete", "Verwijderen"),
        Binding("v", "toggle_left", "Vertrokken", show=False),
        Binding("l", "tab('leerlingen-tab')", "Leerlingen", show=False),
        Binding("g", "tab('gezinnen-tab')", "Gezinnen", show=False),
        Binding("i", "app.import_leerlingen", "Importeren", show=False),
        Binding("p", "app.prullenbak", "Prullenbak", show=False),
    ]
    HELP = """
# Leerlingen & gezinnen

Alle leerlingen en gezinnen van de school. Typ in het zoekveld om te filteren op naam,
klas, stamboeknummer, ouder of telefoonnummer; pijltje omlaag springt naar de lijst.
Klik op een kolomkop (of druk s) om te sorteren.

Enter opent een leerling of gezin. Verwijderen gaat naar de prullenbak (p), van
waaruit je alles kan terugzetten. Met i importeer je de leerlingenlijst uit
Smartschool, Wisa of Informat. Met v toon je ook de leerlingen die vertrokken zijn.
"""
    DEFAULT_CSS = """
    LeerlingenScreen Input { margin: 0 1 1 1; }
    """

    def __init__(self, registry: Registry) -> None:
        super().__init__()
        self.registry = registry
        self.show_left = False
        self._row_cache: tuple[int, dict[int, Row], dict[int, Row]] | None = None

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="tabs"):
            with TabPane("Leerlingen", id="leerlingen-tab"):
                yield Input(placeholder="Zoek op naam, klas, ouder, telefoon ... (/)", id="pupil-filter", compact=True)
                yield RecordTable(PUPIL_COLUMNS, id="pupils", empty_text="Geen leerlingen gevonden.")
            with TabPane("Gezinnen", id="gezinnen-tab"):
                yield Input(placeholder="Zoek op gezin, ouder, telefoon, adres ... (/)", id="family-filter", compact=True)
                yield RecordTable(FAMILY_COLUMNS, id="families", empty_text="Geen gezinnen gevonden.")

    def on_mount(self) -> None:
        self.refill()
        self.query_one("#pupil-filter", Input).focus()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self.is_mounted:
            self.refill()

    # -- filling -----------------------------------------------------------------------
    def _rows(self) -> tuple[dict[int, Row], dict[int, Row]]:
        """Rows per record, rebuilt only when the data changed."""
        generation = self.registry.store.generation
        if self._row_cache is None or self._row_cache[0] != generation:
            pupils = {p.id: pupil_row(p, self.registry) for p in self.registry.leerlingen(ook_vertrokken=True)}
            counts: dict[int, int] = {}
            for p in self.registry.leerlingen():
                if p.gezin_id is not None:
                    counts[p.gezin_id] = counts.get(p.gezin_id, 0) + 1
            families = {g.id: family_row(g, counts.get(g.id, 0)) for g in self.registry.gezinnen()}
            self._row_cache = (self.registry.store.generation, pupils, families)
        return self._row_cache[1], self._row_cache[2]

    def refill(self) -> None:
        self.fill_pupils(self.query_one("#pupil-filter", Input).value)
        self.fill_families(self.query_one("#family-filter", Input).value)

    def fill_pupils(self, text: str) -> None:
        pupil_rows, _ = self._rows()
        found = self.registry.zoek_leerlingen(text, ook_vertrokken=self.show_left)
        self.query_one("#pupils", RecordTable).set_rows([pupil_rows[p.id] for p in found])
        self.query_one(TabbedContent).get_tab("leerlingen-tab").label = f"Leerlingen ({len(found)})"

    def fill_families(self, text: str) -> None:
        _, family_rows = self._rows()
        found = self.registry.zoek_gezinnen(text)
        self.query_one("#families", RecordTable).set_rows([family_rows[g.id] for g in found])
        self.query_one(TabbedContent).get_tab("gezinnen-tab").label = f"Gezinnen ({len(found)})"

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "pupil-filter":
            self.fill_pupils(event.value)
        elif event.input.id == "family-filter":
            self.fill_families(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._table().focus()

    def on_key(self, event: events.Key) -> None:
        if event.key == "down" and isinstance(self.focused, Input):
            self._table().focus()
            event.stop()

    # -- where we are --------------------------------------------------------------------
    def _on_pupils(self) -> bool:
        return self.query_one(TabbedContent).active == "leerlingen-tab"

    def _table(self) -> RecordTable:
        return self.query_one("#pupils" if self._on_pupils() else "#families", RecordTable)

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self.query_one("#pupil-filter" if tab == "leerlingen-tab" else "#family-filter", Input).focus()

    def action_focus_filter(self) -> None:
        self.query_one("#pupil-filter" if self._on_pupils() else "#family-filter", Input).focus()

    def action_toggle_left(self) -> None:
        self.show_left = not self.show_left
        self.fill_pupils(self.query_one("#pupil-filter", Input).value)
        self.notify("Vertrokken leerlingen worden getoond." if self.show_left else "Alleen actieve leerlingen.",
                    timeout=2)

    # -- opening and changing --------------------------------------------------------------
    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        if event.table.id == "pupils":
            from screens.leerling import LeerlingScreen

            self.app.push_screen(LeerlingScreen(self.registry, event.key))
        else:
            from screens.gezin import GezinScreen

            self.app.push_screen(GezinScreen(self.registry, event.key))

    def action_new(self) -> None:
        if self._on_pupils():
            from screens.leerling import LeerlingForm

            self.app.push_screen(LeerlingForm(self.registry), self._after_save)
        else:
            from screens.gezin import GezinForm

            self.app.push_screen(GezinForm(self.registry), self._after_save)

    def action_edit(self) -> None:
        key = self._table().current_key
        if key is None:
            return
        if self._on_pupils():
            from screens.leerling import LeerlingForm

            self.app.push_screen(LeerlingForm(self.registry, self.registry.leerling(key)), self._after_save)
        else:
            from screens.gezin import GezinForm

            self.app.push_screen(GezinForm(self.registry, self.registry.gezin(key)), self._after_save)

    def _after_save(self, saved: object) -> None:
        self.refill()
        if saved is not None:
            self._table().set_rows(self._table().rows, keep_key=getattr(saved, "id", None))
            self.notify("Bewaard.", timeout=2)

    def action_delete(self) -> None:
        key = self._table().current_key
        if key is None:
            return
        if self._on_pupils():
            record: Leerling | Gezin = self.registry.leerling(key)
            question = f"{record.naam} ({record.klas or 'geen klas'}) gaat naar de prullenbak."
        else:
            record = self.registry.gezin(key)
            question = f"Gezin {record.naam} gaat naar de prullenbak."

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                if isinstance(record, Leerling):
                    self.registry.delete_leerling(record)
                else:
                    self.registry.delete_gezin(record)
            except OuderTuiError as exc:
                self.notify(error_text(exc), severity="error", markup=False)
                return
            self.refill()
            self.notify("Naar de prullenbak. Terugzetten: p.", timeout=3)

        self.app.push_screen(ConfirmDialog("Verwijderen?", question + " Je kan dit terugzetten.",
                                           yes="Verwijderen"), confirmed)
