"""The area *Leerlingen & gezinnen*: browse, filter as you type, sort, open, add, edit, delete."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import partial
from operator import attrgetter
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, TabbedContent, TabPane

from ouder_tui.errors import OuderTuiError
from ouder_tui.leerlingen import GEZINNEN, LEERLINGEN, Gezin, Leerling, Registry
from ouder_tui.text import format_date
from screens.base import AreaScreen
from screens.dialogs import ConfirmDialog
from screens.table import Column, RecordTable, Row
from screens.widgets import error_text

#: How long after a save's list is drawn "Bewaard." shows (see LeerlingenScreen._after_save).
NOTICE_AFTER_SECONDS = 0.05

PUPIL_COLUMNS = [Column("Naam"), Column("Klas", 6), Column("Geboren", 10), Column("Gezin"), Column("Tolk", 12)]
FAMILY_COLUMNS = [Column("Gezin", 22), Column("Ouders"), Column("Kinderen", 8), Column("Talen"), Column("Contact", 8)]


def _family_of(p: Leerling, families: Mapping[int, Gezin]) -> Gezin | None:
    # a family can be gone while a pupil still points to it (a file edited elsewhere): no name then
    return families.get(p.gezin_id) if p.gezin_id is not None else None


def pupil_row(p: Leerling, families: Mapping[int, Gezin]) -> Row:
    """A pupil's line, made when it is drawn (the list keeps only the pupils)."""
    family = _family_of(p, families)
    name = p.naam if p.actief else f"{p.naam} (vertrokken)"
    tolk = ", ".join(family.tolk_talen()) if family else ""
    return Row(p.id, (name, p.klas, format_date(p.geboortedatum), family.naam if family else "", tolk))


def pupil_sort_value(p: Leerling, column: int, families: Mapping[int, Gezin]) -> object:
    """What the pupil list's ``column`` sorts a pupil by: names as folded text, the birth date as a date."""
    if column == 0:
        return (p.familienaam.casefold(), p.voornaam.casefold())
    if column == 1:
        return p.klas
    if column == 2:
        return p.geboortedatum or date.min
    family = _family_of(p, families)
    if column == 3:
        return family.naam.casefold() if family else ""
    return ", ".join(family.tolk_talen()) if family else ""


def family_row(g: Gezin, children: int) -> Row:
    """A family's line, made when it is drawn; ``children``: how many are at school."""
    return Row(g.id, (g.naam, ", ".join(o.naam for o in g.ouders), str(children), ", ".join(g.talen()),
                      "ja" if g.heeft_contact() else "NEE"))


def family_sort_value(g: Gezin, column: int, children: int) -> object:
    if column == 0:
        return g.naam.casefold()
    if column == 1:
        return ", ".join(o.naam for o in g.ouders).casefold()
    if column == 2:
        return children
    if column == 3:
        return ", ".join(g.talen())
    return g.heeft_contact()


_record_id = attrgetter("id")


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
        # Down in a filter goes to the list as soon as it arrives (a priority binding is handled before the
        # keys behind it are passed on), so an 'n' right behind it in one burst opens a new pupil.
        Binding("down", "to_list", show=False, priority=True),
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
        self._filled: dict[str, tuple[tuple[object, ...], tuple]] = {}

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
        # A filter refills its list while the key is handled (a watcher runs at once, Input.Changed only
        # after the filter has been drawn): the list and the typed letter then appear in one frame, not
        # the list one frame (1/60 s) later.
        self.watch(self.query_one("#pupil-filter", Input), "value", self.fill_pupils, init=False)
        self.watch(self.query_one("#family-filter", Input), "value", self.fill_families, init=False)
        self.query_one("#pupil-filter", Input).focus()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self.is_mounted:
            self.refill()

    # -- filling -----------------------------------------------------------------------
    # The lists hold the registry's pupils and families themselves; a line's cells are made when it is
    # drawn (50,000 rows of strings kept for lines nobody sees cost ~35 MB). The registry keeps its lists
    # up to date per record after a save, so nothing here is built again.
    def pupil_view(self) -> dict[str, Any]:
        """How the pupil list makes a pupil's line, key and sort values (``RecordTable.set_items``)."""
        families = self.registry.gezinnen_op_id()
        return {"row": lambda p: pupil_row(p, families), "key": _record_id,
                "sort_value": lambda p, column: pupil_sort_value(p, column, families)}

    def family_view(self) -> dict[str, Any]:
        """How the family list makes a family's line (with its number of children at school), key and sort values."""
        registry = self.registry

        def children(g: Gezin) -> int:
            return len(registry.kinderen(g.id, ook_vertrokken=False))

        return {"row": lambda g: family_row(g, children(g)), "key": _record_id,
                "sort_value": lambda g, column: family_sort_value(g, column, children(g) if column == 2 else 0)}

    def refill(self) -> None:
        self.fill_pupils(self.query_one("#pupil-filter", Input).value)
        self.fill_families(self.query_one("#family-filter", Input).value)

    def _unchanged(self, which: str, *inputs: object) -> bool:
        """Whether the list ``which`` already shows the registry as it is for these inputs (a save fills the
        list on return to the screen and again once the form reports back: the second time costs nothing)."""
        store = self.registry.store
        state = (store.table_state(LEERLINGEN), store.table_state(GEZINNEN))
        last = self._filled.get(which)
        self._filled[which] = (state, inputs)
        return (last is not None and last[1] == inputs
                and all(store.same_state(a, b) for a, b in zip(last[0], state, strict=True)))

    def fill_pupils(self, text: str) -> None:
        if self._unchanged("pupils", text, self.show_left):
            return
        found = self.registry.zoek_leerlingen(text, ook_vertrokken=self.show_left)
        self.query_one("#pupils", RecordTable).set_items(found, **self.pupil_view())
        self._label("leerlingen-tab", f"Leerlingen ({len(found)})")

    def fill_families(self, text: str) -> None:
        if self._unchanged("families", text):
            return
        found = self.registry.zoek_gezinnen(text)
        self.query_one("#families", RecordTable).set_items(found, **self.family_view())
        self._label("gezinnen-tab", f"Gezinnen ({len(found)})")

    def _label(self, tab_id: str, label: str) -> None:
        """A tab's label with its count, set only when it changed (setting it lays the screen out anew)."""
        tab = self.query_one(TabbedContent).get_tab(tab_id)
        if tab.label_text != label:
            tab.label = label

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.set_focus(self._table())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "to_list":  # only from a filter: elsewhere Down moves in the list as usual
            return isinstance(self.focused, Input)
        return super().check_action(action, parameters)

    def action_to_list(self) -> None:
        self.set_focus(self._table())

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
            self._table().move_to(getattr(saved, "id", None))
            # The list with the saved record first; "Bewaard." a moment later: mounting the toast lays the screen
            # out anew, work that would otherwise run while Textual's writer thread sends the frame with the record.
            self.set_timer(NOTICE_AFTER_SECONDS, partial(self.notify, "Bewaard.", timeout=2))

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
