"""One home visit: the detail view (the only place confidential notes show) and its forms."""

from __future__ import annotations

import msgspec
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Header, Label, Static

from ouder_tui.errors import NotFoundError, OuderTuiError
from ouder_tui.huisbezoek import REDENEN, ROLLEN, STATUSSEN, Actie, Huisbezoek, Huisbezoeken
from ouder_tui.models import from_record
from ouder_tui.text import format_date
from screens.base import DetailScreen
from screens.dialogs import ConfirmDialog
from screens.footer import Footer
from screens.forms import (
    FormScreen,
    check_field,
    choice_field,
    date_value,
    note_field,
    raise_with_model_errors,
    text_field,
)
from screens.picker import GezinPicker
from screens.table import Column, RecordTable, Row
from screens.widgets import Card, error_text


class _VisitForm(FormScreen[Huisbezoek]):
    """What the visit forms share: they edit ``self.record`` and save it through the service; ctrl+g shows
    the guidance card."""

    BINDINGS = [*FormScreen.BINDINGS, Binding("ctrl+g", "gids", "Gids")]
    service: Huisbezoeken
    record: Huisbezoek

    def __init__(self, title: str | None = None) -> None:
        super().__init__(f"{title}  ·  ctrl+g: gids" if title else title)

    def action_gids(self) -> None:
        from screens.huisbezoek_gids import GidsScreen

        self.app.push_screen(GidsScreen())

    def store_value(self, value: Huisbezoek, *, overwrite: bool) -> Huisbezoek:
        return self.service.bewaar(value, overwrite=overwrite)

    def fill(self, record: dict) -> None:
        self.record = from_record(Huisbezoek, record)


class PlanForm(_VisitForm):
    """Plan a visit (or edit its plan): family, date, time, who goes, why, language and interpreter."""

    DETAILS = {
        "tolk_taal": ("tolk", (True,), "Je typte voor welke taal een tolk komt, maar 'tolk komt mee' is niet "
                      "aangevinkt: vink het aan of maak dit veld leeg."),
        "reden_andere": ("reden", ("andere",), "Een andere reden hoort bij de reden 'andere': kies die of maak "
                         "dit veld leeg."),
    }

    HELP = """
# Huisbezoek plannen

Alleen het gezin en de datum zijn verplicht; de rest vul je later aan. Ga je met twee:
de tweede persoon is een collega of een tolk. De talen en de tolknood van het gezin
worden voorgesteld uit het register.

Een datum in het verleden mag: zo log je een bezoek achteraf. ctrl+s bewaart.
ctrl+g toont de gids: de houding bij een huisbezoek en de zes ezelsbruggetjes.
"""

    DEFAULT_CSS = """
    PlanForm .field-error-inline { color: $error; height: auto; }
    PlanForm #gezin-naam { width: 1fr; padding: 1 0 0 0; }
    """

    def __init__(self, service: Huisbezoeken, visit: Huisbezoek | None = None) -> None:
        self.service = service
        self.record = visit or Huisbezoek()
        super().__init__("Huisbezoek bewerken" if self.record.id else "Huisbezoek plannen")

    def compose_fields(self) -> ComposeResult:
        v = self.record
        yield Label("Gezin *", classes="field-label")
        with Horizontal(classes="row"):
            yield Static(self._family_text(), id="gezin-naam", markup=False)
            yield Button("Kies gezin", id="kies-gezin")
        yield Static("", id="error-gezin_id", classes="field-error-inline", markup=False)
        with Horizontal(classes="row"):
            yield text_field("datum", "Datum * (dd/mm/jjjj)", format_date(v.datum))
            yield text_field("tijd", "Uur (uu:mm, bv. 14:30)", v.tijd)
            yield text_field("duur_minuten", "Duur (minuten)", str(v.duur_minuten))
        with Horizontal(classes="row"):
            yield text_field("bezoeker", "Wie gaat", v.bezoeker)
            yield text_field("tweede_bezoeker", "Tweede persoon", v.tweede_bezoeker)
            yield choice_field("tweede_rol", "als", [(t, k) for k, t in ROLLEN.items()], v.tweede_rol,
                               allow_blank=False)
        with Horizontal(classes="row"):
            yield choice_field("reden", "Reden", [(t, k) for k, t in REDENEN.items()], v.reden, allow_blank=False)
            yield text_field("reden_andere", "Andere reden", v.reden_andere)
        with Horizontal(classes="row"):
            yield text_field("taal", "Taal van het gesprek", v.taal)
            yield check_field("tolk", "tolk komt mee", v.tolk)
            yield text_field("tolk_taal", "Tolk voor", v.tolk_taal)
        yield check_field("vertrouwelijk", "vertrouwelijk: notities nooit in lijsten, overzichten of zoekresultaten",
                          v.vertrouwelijk)

    def _family_text(self) -> str:
        if not self.record.gezin_id:
            return "(kies een gezin)"
        return f"Gezin {self.service.gezin_naam(self.record)}"

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "kies-gezin":
            event.stop()
            self.app.push_screen(GezinPicker(self.service.registry), self._family_chosen)
            return
        super().on_button_pressed(event)

    def _family_chosen(self, gezin_id: int | None) -> None:
        if gezin_id is None:
            return
        typed = self.values()
        suggestion = self.service.voorstel(gezin_id, msgspec.structs.replace(
            self.record, taal=typed["taal"], tolk=typed["tolk"], tolk_taal=typed["tolk_taal"]))
        self.record = msgspec.structs.replace(self.record, gezin_id=gezin_id)
        self.field("taal").value = suggestion.taal
        self.field("tolk").value = suggestion.tolk
        self.field("tolk_taal").value = suggestion.tolk_taal
        self.query_one("#gezin-naam", Static).update(self._family_text())

    def build(self) -> Huisbezoek:
        v = self.values()
        errors: dict[str, str] = {}
        day = date_value(errors, "datum", v["datum"], required=True)
        try:
            minutes = int(v["duur_minuten"].strip() or 60)
        except ValueError:
            errors["duur_minuten"] = "Typ een aantal minuten, bv. 60."
            minutes = 60
        value = msgspec.structs.replace(
            self.record, datum=day, tijd=v["tijd"], duur_minuten=minutes, bezoeker=v["bezoeker"],
            tweede_bezoeker=v["tweede_bezoeker"], tweede_rol=v["tweede_rol"] or "collega", reden=v["reden"],
            reden_andere=v["reden_andere"], taal=v["taal"], tolk=v["tolk"], tolk_taal=v["tolk_taal"],
            vertrouwelijk=v["vertrouwelijk"],
        )
        raise_with_model_errors(value, errors)
        return value

    def show_errors(self, errors: dict[str, str]) -> None:
        super().show_errors(errors)
        self.query_one("#error-gezin_id", Static).update(errors.get("gezin_id", ""))

    def store_value(self, value: Huisbezoek, *, overwrite: bool) -> Huisbezoek:
        return self.service.bewaar(value, overwrite=overwrite) if value.id else self.service.plan(value)

    def after_save(self, saved: Huisbezoek) -> None:
        for warning in saved.warnings(self.service.vandaag()):
            self.app.notify(warning, severity="warning", markup=False, timeout=8)

    def fill(self, record: dict) -> None:
        super().fill(record)
        v = self.record
        self.set_values({"datum": format_date(v.datum), "tijd": v.tijd, "duur_minuten": str(v.duur_minuten),
                         "bezoeker": v.bezoeker, "tweede_bezoeker": v.tweede_bezoeker, "tweede_rol": v.tweede_rol,
                         "reden": v.reden, "reden_andere": v.reden_andere, "taal": v.taal, "tolk": v.tolk,
                         "tolk_taal": v.tolk_taal, "vertrouwelijk": v.vertrouwelijk})
        self.query_one("#gezin-naam", Static).update(self._family_text())


class LogForm(_VisitForm):
    """Log what happened: held, cancelled or nobody home; notes; the next visit. Actions have their own form."""

    DETAILS = {
        "annulatie_reden": ("status", ("geannuleerd_gezin", "geannuleerd_school"), "Een reden van annulering hoort "
                            "bij een geannuleerd bezoek: kies door wie het geannuleerd werd, of maak dit veld leeg."),
        "vervolgbezoek_tegen": ("vervolgbezoek", (True,), "Je gaf een datum voor een volgend bezoek, maar 'een "
                                "volgend bezoek is gewenst' is niet aangevinkt: vink het aan of maak dit veld leeg."),
    }

    HELP = """
# Huisbezoek loggen

Kies hoe het bezoek verliep. Bij een annulering zeg je door wie en waarom. Noteer wat
besproken werd, wat het gezin hoopt voor het kind en wat er afgesproken is. Acties
(wie doet wat tegen wanneer) voeg je toe op het scherm van het bezoek (toets a).
ctrl+g toont de gids: de houding bij een huisbezoek en de zes ezelsbruggetjes.
"""

    def __init__(self, service: Huisbezoeken, visit: Huisbezoek) -> None:
        self.service = service
        self.record = visit
        super().__init__(f"Huisbezoek {format_date(visit.datum)} bij gezin {service.gezin_naam(visit)} loggen")

    def compose_fields(self) -> ComposeResult:
        v = self.record
        with Horizontal(classes="row"):
            yield choice_field("status", "Hoe verliep het?", [(t, k) for k, t in STATUSSEN.items()], v.status,
                               allow_blank=False)
            yield text_field("annulatie_reden", "Reden van de annulering", v.annulatie_reden)
        yield note_field("besproken", "Wat werd besproken", v.besproken)
        yield note_field("verwachtingen", "Wat het gezin hoopt voor het kind", v.verwachtingen)
        yield note_field("afspraken", "Wat werd afgesproken", v.afspraken)
        with Horizontal(classes="row"):
            yield check_field("vervolgbezoek", "een volgend bezoek is gewenst", v.vervolgbezoek)
            yield text_field("vervolgbezoek_tegen", "tegen (dd/mm/jjjj)", format_date(v.vervolgbezoek_tegen))
        yield check_field("vertrouwelijk", "vertrouwelijk", v.vertrouwelijk)

    def build(self) -> Huisbezoek:
        v = self.values()
        errors: dict[str, str] = {}
        follow_up = date_value(errors, "vervolgbezoek_tegen", v["vervolgbezoek_tegen"])
        value = msgspec.structs.replace(
            self.record, status=v["status"], annulatie_reden=v["annulatie_reden"], besproken=v["besproken"],
            verwachtingen=v["verwachtingen"], afspraken=v["afspraken"], vervolgbezoek=v["vervolgbezoek"],
            vervolgbezoek_tegen=follow_up, vertrouwelijk=v["vertrouwelijk"],
        )
        raise_with_model_errors(value, errors)
        return value

    def fill(self, record: dict) -> None:
        super().fill(record)
        v = self.record
        self.set_values({"status": v.status, "annulatie_reden": v.annulatie_reden, "besproken": v.besproken,
                         "verwachtingen": v.verwachtingen, "afspraken": v.afspraken, "vervolgbezoek": v.vervolgbezoek,
                         "vervolgbezoek_tegen": format_date(v.vervolgbezoek_tegen), "vertrouwelijk": v.vertrouwelijk})


class ActieForm(_VisitForm):
    """Add a follow-up action to a visit: what, who, by when."""

    HELP = """
# Actie

Wat moet er gebeuren, wie doet het en tegen wanneer. Open acties verschijnen in de lijst
'Acties' en op het overzicht zodra ze bijna of te laat zijn.
"""

    def __init__(self, service: Huisbezoeken, visit: Huisbezoek) -> None:
        self.service = service
        self.record = visit
        super().__init__("Actie toevoegen")

    def compose_fields(self) -> ComposeResult:
        yield text_field("wat", "Wat moet er gebeuren *")
        with Horizontal(classes="row"):
            yield text_field("eigenaar", "Wie doet het", self.service.store.user)
            yield text_field("tegen", "Tegen (dd/mm/jjjj)")

    def field_for_error(self, key: str) -> str:
        return key.rsplit(".", 1)[-1]

    def build(self) -> Huisbezoek:
        v = self.values()
        errors: dict[str, str] = {}
        due = date_value(errors, "tegen", v["tegen"])
        actie = Actie(wat=v["wat"], eigenaar=v["eigenaar"], tegen=due)
        value = msgspec.structs.replace(self.record, acties=(*self.record.acties, actie))
        raise_with_model_errors(value, errors)
        return value


def action_row(actie: Actie) -> Row:
    done = f"gedaan {format_date(actie.gedaan_op)} ({actie.gedaan_door})" if actie.gedaan_op else "open"
    return Row(actie.id, (actie.wat, actie.eigenaar, format_date(actie.tegen), done))


class HuisbezoekScreen(DetailScreen):
    """A visit opened on purpose: everything, confidential notes included."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Terug"),
        Binding("e", "edit", "Plan"),
        Binding("l", "log", "Loggen"),
        Binding("a", "add_action", "Actie +"),
        Binding("space", "toggle_action", "Afvinken", show=False),  # the list says it
        Binding("v", "follow_up", "Vervolgbezoek"),
        Binding("delete", "delete", "Verwijderen", show=False),
        Binding("h", "historiek", "Historiek", show=False),
    ]
    HELP = """
# Huisbezoek

Het volledige bezoek: de planning, hoe het verliep, de notities en de acties.
Notities van een vertrouwelijk bezoek staan alleen hier, nooit in lijsten of overzichten.

**e** past de planning aan, **l** logt het bezoek, **a** voegt een actie toe,
**spatie** vinkt de geselecteerde actie af (of zet ze terug open). Is het bezoek gelogd, dan
plant **v** een vervolgbezoek bij hetzelfde gezin, met dezelfde taal en tolk. **Del**
verwijdert het bezoek (naar de prullenbak).
"""
    DEFAULT_CSS = """
    HuisbezoekScreen VerticalScroll { padding: 0 1; }
    HuisbezoekScreen .name { text-style: bold; height: 1; }
    HuisbezoekScreen #confidential { background: $warning-darken-2; color: $text; padding: 0 1; height: auto; }
    HuisbezoekScreen RecordTable { height: auto; max-height: 8; margin-bottom: 1; }
    """

    def __init__(self, service: Huisbezoeken, visit_id: int) -> None:
        super().__init__()
        self.service = service
        self.visit_id = visit_id

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("", classes="name", id="name", markup=False)
            yield Static("VERTROUWELIJK: deze notities blijven uit lijsten, overzichten en zoekresultaten.",
                         id="confidential", markup=False)
            yield Card("Planning", id="plan-card")
            yield Card("Verloop", id="log-card")
            yield Label("Acties (spatie: afvinken, a: toevoegen)")
            yield RecordTable([Column("Wat"), Column("Wie", 16), Column("Tegen", 10), Column("Status", 24)],
                              id="actions", empty_text="Geen acties.")
        yield Footer(show_command_palette=False, compact=True)

    @property
    def visit(self) -> Huisbezoek:
        return self.service.bezoek(self.visit_id)

    def reload(self) -> None:
        try:
            v = self.visit
        except NotFoundError:
            self.close()
            return
        self.query_one("#name", Static).update(
            f"Huisbezoek gezin {self.service.gezin_naam(v)}  ·  {format_date(v.datum)} {v.tijd}")
        self.query_one("#confidential").display = v.vertrouwelijk
        interpreter = f", met tolk ({v.tolk_taal})" if v.tolk else ""
        self.query_one("#plan-card", Card).set_lines([
            f"Wanneer: {format_date(v.datum)} {v.tijd}  ({v.duur_minuten} minuten)",
            f"Wie: {v.wie or '-'}",
            f"Reden: {v.reden_tekst}",
            f"Taal: {v.taal or '-'}{interpreter}",
        ])
        lines = [f"Status: {v.status_tekst}" + (f" ({v.annulatie_reden})" if v.annulatie_reden else "")]
        for title, text in (("Besproken", v.besproken), ("Het gezin hoopt", v.verwachtingen),
                            ("Afgesproken", v.afspraken)):
            if text:
                lines += [f"{title}:", *("  " + line for line in text.split("\n"))]
        if v.vervolgbezoek:
            lines.append(f"Volgend bezoek gewenst, tegen {format_date(v.vervolgbezoek_tegen) or '?'}")
        lines.append(f"Laatst gewijzigd door {v.changed_by or '-'}")
        self.query_one("#log-card", Card).set_lines(lines)
        self.query_one("#actions", RecordTable).set_rows([action_row(a) for a in v.acties])
        self.refresh_bindings()  # v (follow-up) and spatie come and go (check_action)

    def action_historiek(self) -> None:
        from screens.privacy import LogboekScreen

        self.app.push_screen(LogboekScreen(self.service.store, tabel="huisbezoeken", record_id=self.visit_id,
                                           titel="Historiek van dit huisbezoek"))

    def action_edit(self) -> None:
        self.app.push_screen(PlanForm(self.service, self.visit), lambda _: self.reload())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only keys that do something: the follow-up once the visit is logged, ticking when there are actions."""
        if action in ("follow_up", "toggle_action") and self.is_mounted:
            try:
                visit = self.visit
            except NotFoundError:
                return False
            if action == "follow_up":
                return visit.status != "gepland"
            return bool(visit.acties)
        return True

    def action_log(self) -> None:
        def logged(saved: Huisbezoek | None) -> None:
            self.reload()
            self.refresh_bindings()
            if saved is not None and saved.vervolgbezoek and saved.status != "gepland":
                self.app.push_screen(ConfirmDialog(
                    "Vervolgbezoek plannen?", f"Er is een volgend bezoek gewenst bij gezin "
                    f"{self.service.gezin_naam(saved)}. Nu plannen (met dezelfde taal en tolk)?",
                    yes="Plannen", no="Later (v)"), lambda yes: self.action_follow_up() if yes else None)

        self.app.push_screen(LogForm(self.service, self.visit), logged)

    def action_follow_up(self) -> None:
        """Plan the next visit: the same family, language and interpreter; the date asked for, if any."""
        visit = self.visit
        if visit.status == "gepland":
            return
        basis = Huisbezoek(gezin_id=visit.gezin_id, taal=visit.taal, tolk=visit.tolk, tolk_taal=visit.tolk_taal,
                           bezoeker=visit.bezoeker, tweede_bezoeker=visit.tweede_bezoeker,
                           tweede_rol=visit.tweede_rol, reden=visit.reden, reden_andere=visit.reden_andere,
                           vertrouwelijk=visit.vertrouwelijk,
                           datum=visit.vervolgbezoek_tegen)
        self.app.push_screen(PlanForm(self.service, basis), self._follow_up_planned)

    def _follow_up_planned(self, saved: Huisbezoek | None) -> None:
        self.reload()
        if saved is not None:
            self.notify(f"Vervolgbezoek gepland op {format_date(saved.datum)}.", markup=False, timeout=4)

    def action_add_action(self) -> None:
        self.app.push_screen(ActieForm(self.service, self.visit), lambda _: self.reload())

    def action_toggle_action(self) -> None:
        key = self.query_one("#actions", RecordTable).current_key
        visit = self.visit
        actie = next((a for a in visit.acties if a.id == key), None)
        if actie is None:
            return
        try:
            self.service.vink_af(visit, actie.id, gedaan=actie.open)
        except OuderTuiError as exc:
            self.notify(error_text(exc), severity="error", markup=False)
        self.reload()

    def action_delete(self) -> None:
        visit = self.visit
        self.confirm_and_close("Huisbezoek verwijderen?",
                               f"Het bezoek van {format_date(visit.datum)} bij gezin {self.service.gezin_naam(visit)} "
                               "gaat naar de prullenbak.", lambda: self.service.verwijder(visit))
