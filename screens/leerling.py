"""One pupil: the detail view and the form to add or edit a pupil."""

from __future__ import annotations

import msgspec
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Header, Label, Static

from ouder_tui.errors import NotFoundError
from ouder_tui.leerlingen import STATUS_ACTIEF, STATUS_VERTROKKEN, Leerling, Registry
from ouder_tui.models import from_record
from ouder_tui.text import format_date
from screens.base import DetailScreen
from screens.footer import Footer
from screens.forms import FormScreen, choice_field, date_value, note_field, raise_with_model_errors, text_field
from screens.picker import GezinPicker
from screens.widgets import Card, ModuleCards, reach_lines


class LeerlingForm(FormScreen[Leerling]):
    """Add a pupil, or edit one."""

    HELP = """
# Leerling bewaren

Vul minstens de voornaam en de familienaam in. Datums typ je als dd/mm/jjjj.
Met **Kies gezin** koppel je de leerling aan een gezin (ouders, adres, contact).

ctrl+s bewaart, Esc annuleert. Bij een fout blijft alles staan wat je typte.
"""

    def __init__(self, registry: Registry, leerling: Leerling | None = None) -> None:
        self.registry = registry
        self.record = leerling or Leerling()
        super().__init__("Leerling bewerken" if leerling and leerling.id else "Nieuwe leerling")
        self.gezin_id = self.record.gezin_id

    def compose_fields(self) -> ComposeResult:
        p = self.record
        with Horizontal(classes="row"):
            yield text_field("voornaam", "Voornaam *", p.voornaam, max_length=100)
            yield text_field("familienaam", "Familienaam *", p.familienaam, max_length=100)
        with Horizontal(classes="row"):
            yield text_field("geboortedatum", "Geboortedatum (dd/mm/jjjj)", format_date(p.geboortedatum))
            yield text_field("stamboeknummer", "Stamboeknummer", p.stamboeknummer)
        with Horizontal(classes="row"):
            yield text_field("klas", "Klas", p.klas, placeholder="bv. 5A")
            yield text_field("klasnummer", "Klasnummer", p.klasnummer)
            yield text_field("schooljaar", "Schooljaar (bv. 2026-2027)", p.schooljaar)
        with Horizontal(classes="row"):
            yield choice_field("status", "Status", [("actief", STATUS_ACTIEF), ("vertrokken", STATUS_VERTROKKEN)],
                               p.status, allow_blank=False)
            yield text_field("vertrokken_op", "Vertrokken op (dd/mm/jjjj)", format_date(p.vertrokken_op))
        yield Label("Gezin", classes="field-label")
        with Horizontal(classes="row", id="gezin-row"):
            yield Static(self._gezin_text(), id="gezin-naam", markup=False)
            yield Button("Kies gezin", id="kies-gezin")
        yield note_field("notities", "Notities", p.notities)

    def state_values(self) -> dict[str, object]:
        return {"Gezin": self._gezin_text()}

    def _gezin_text(self) -> str:
        if self.gezin_id is None:
            return "(nog geen gezin)"
        try:
            return self.registry.gezin(self.gezin_id).naam
        except NotFoundError:
            return "(gezin bestaat niet meer)"

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "kies-gezin":
            event.stop()
            self.app.push_screen(GezinPicker(self.registry), self._gezin_chosen)
            return
        super().on_button_pressed(event)

    def _gezin_chosen(self, gezin_id: int | None) -> None:
        if gezin_id is not None:
            self.gezin_id = gezin_id
            self.query_one("#gezin-naam", Static).update(self._gezin_text())

    def build(self) -> Leerling:
        v = self.values()
        errors: dict[str, str] = {}
        born = date_value(errors, "geboortedatum", v["geboortedatum"])
        left = date_value(errors, "vertrokken_op", v["vertrokken_op"])
        value = msgspec.structs.replace(
            self.record, voornaam=v["voornaam"], familienaam=v["familienaam"], geboortedatum=born,
            stamboeknummer=v["stamboeknummer"], klas=v["klas"], klasnummer=v["klasnummer"],
            schooljaar=v["schooljaar"], status=v["status"] or STATUS_ACTIEF, vertrokken_op=left,
            leerjaar=None if v["klas"] != self.record.klas else self.record.leerjaar,
            gezin_id=self.gezin_id, notities=v["notities"],
        )
        raise_with_model_errors(value, errors)
        return value

    def store_value(self, value: Leerling, *, overwrite: bool) -> Leerling:
        if value.id:
            return self.registry.save_leerling(value, overwrite=overwrite)
        return self.registry.add_leerling(value)

    def fill(self, record: dict) -> None:
        self.record = from_record(Leerling, record)
        p = self.record
        self.set_values({"voornaam": p.voornaam, "familienaam": p.familienaam,
                         "geboortedatum": format_date(p.geboortedatum), "stamboeknummer": p.stamboeknummer,
                         "klas": p.klas, "klasnummer": p.klasnummer, "schooljaar": p.schooljaar, "status": p.status,
                         "vertrokken_op": format_date(p.vertrokken_op), "notities": p.notities})
        self.gezin_id = p.gezin_id
        self.query_one("#gezin-naam", Static).update(self._gezin_text())


class LeerlingScreen(DetailScreen):
    """A pupil with their family and how to reach them."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Terug"),
        Binding("e", "edit", "Bewerken"),
        Binding("g", "open_gezin", "Gezin"),
        Binding("h", "historiek", "Historiek", show=False),
        Binding("delete", "delete", "Verwijderen"),
    ]
    HELP = """
# Leerling

Alles over één leerling: klas, geboortedatum, status en het gezin met de ouders,
hun talen en hoe je hen het best bereikt.
"""
    DEFAULT_CSS = """
    LeerlingScreen VerticalScroll { padding: 0 1; }
    LeerlingScreen .name { text-style: bold; height: 1; }
    """

    def __init__(self, registry: Registry, leerling_id: int) -> None:
        super().__init__()
        self.registry = registry
        self.leerling_id = leerling_id

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("", classes="name", id="name", markup=False)
            yield Card("Leerling", id="pupil-card")
            yield Card("Gezin", id="family-card")
            yield Card("Zo bereik je dit gezin", id="reach-card")
            yield ModuleCards(self._module_cards())
        yield Footer(show_command_palette=False, compact=True)

    @staticmethod
    def _module_cards() -> list:
        from screens.areas import AREAS

        return [card for area in AREAS for card in area.pupil_cards()]

    def reload(self) -> None:
        try:
            p = self.registry.leerling(self.leerling_id)
        except NotFoundError:
            self.notify("Deze leerling bestaat niet meer.", severity="warning")
            self.close()
            return
        self.query_one("#name", Static).update(f"{p.naam}  ({p.klas or 'geen klas'})")
        status = "actief" if p.actief else f"vertrokken op {format_date(p.vertrokken_op)}"
        self.query_one("#pupil-card", Card).set_lines([
            f"Geboortedatum: {format_date(p.geboortedatum) or '-'}",
            f"Klas: {p.klas or '-'}   nummer: {p.klasnummer or '-'}   leerjaar: {p.leerjaar or '-'}",
            f"Schooljaar: {p.schooljaar or '-'}   stamboeknummer: {p.stamboeknummer or '-'}",
            f"Status: {status}",
            *(["Notities:", p.notities] if p.notities else []),
            f"Laatst gewijzigd door {p.changed_by or '-'}",
        ])
        family_lines = ["Nog geen gezin gekoppeld (e: bewerken, Kies gezin)."]
        reach: list[str] = []
        if p.gezin_id is not None:
            try:
                g = self.registry.gezin(p.gezin_id)
                kids = [k for k in self.registry.kinderen(g.id) if k.id != p.id]
                family_lines = [f"Gezin {g.naam}", g.adres.regel() or "(geen adres)"]
                family_lines += [f"{o.relatie}: {o.naam}" for o in g.ouders]
                if kids:
                    family_lines.append("Broers/zussen: " + ", ".join(f"{k.naam} ({k.klas})" for k in kids))
                reach = reach_lines(g)
            except NotFoundError:
                family_lines = ["Het gekoppelde gezin bestaat niet meer."]
        self.query_one("#family-card", Card).set_lines(family_lines)
        self.query_one("#reach-card", Card).set_lines(reach or ["Geen contactgegevens."])
        self.query_one(ModuleCards).show(self.app, p)

    def action_historiek(self) -> None:
        from screens.privacy import LogboekScreen

        self.app.push_screen(LogboekScreen(self.registry.store, tabel="leerlingen", record_id=self.leerling_id,
                                           titel="Historiek van deze leerling"))

    def action_edit(self) -> None:
        self.app.push_screen(LeerlingForm(self.registry, self.registry.leerling(self.leerling_id)),
                             lambda saved: self.reload())

    def action_open_gezin(self) -> None:
        p = self.registry.leerling(self.leerling_id)
        if p.gezin_id is not None:
            from screens.gezin import GezinScreen

            self.app.push_screen(GezinScreen(self.registry, p.gezin_id))

    def action_delete(self) -> None:
        p = self.registry.leerling(self.leerling_id)
        self.confirm_and_close("Leerling verwijderen?",
                               f"{p.naam} ({p.klas}) gaat naar de prullenbak. Je kan dit terugzetten.",
                               lambda: self.registry.delete_leerling(p),
                               done=lambda _: f"{p.naam} staat in de prullenbak.")
