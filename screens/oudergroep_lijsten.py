"""Tick lists of the parent group: whom to invite, and who came."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Header, Input, Label, Select, Static

from ouder_tui.errors import NotFoundError, OuderTuiError
from ouder_tui.oudergroep import UITNODIGING_KANALEN, Oudergroep, Persoon, Sessie, lange_datum
from ouder_tui.text import format_date, parse_date, plural
from screens.footer import Footer
from screens.table import Column, RecordTable, Row
from screens.widgets import error_text

EERDER = [("ooit gekomen", "ooit"), ("nog nooit gekomen", "nooit"), ("vaste kern (3 keer of meer)", "vast")]


class _PeopleList(Screen[None]):
    """What both lists share: the session's title, a filter and a table of people with a tick column."""

    DEFAULT_CSS = """
    _PeopleList > Vertical { padding: 0 1; }
    _PeopleList .name { text-style: bold; height: 1; }
    _PeopleList .bar { height: 1; margin: 1 0; }
    _PeopleList .bar Input { width: 1fr; margin-right: 1; }
    _PeopleList .bar Select { width: 30; margin-right: 1; }
    _PeopleList .bar Label { width: auto; padding-right: 1; }
    _PeopleList .bar #op { width: 12; }
    _PeopleList .bar #kanaal { width: 18; }
    _PeopleList #count { height: 1; color: $text-muted; }
    _PeopleList RecordTable { height: 1fr; }
    """

    def __init__(self, service: Oudergroep, sessie_id: int) -> None:
        super().__init__()
        self.service = service
        self.sessie_id = sessie_id

    @property
    def sessie(self) -> Sessie:
        return self.service.sessie(self.sessie_id)

    def heading(self, what: str) -> str:
        s = self.sessie
        return f"{what}  ·  {lange_datum(s.datum)} {s.uren}  ·  {s.titel}"

    def on_screen_resume(self) -> None:
        self.refill()

    def refill(self) -> None:
        raise NotImplementedError

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.refill()


class UitnodigenScreen(_PeopleList):
    """Choose parents from the registry and record how and when they were invited."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Terug"),
        Binding("space", "toggle", "Aanduiden"),
        Binding("ctrl+a", "all", "Alles"),
        Binding("ctrl+s", "invite", "Uitnodiging noteren"),
        Binding("ctrl+f", "focus_filter", "Filter", show=False),
    ]
    HELP = """
# Ouders uitnodigen

Ouders van gezinnen met extra aandacht staan eerst, met (!) voor hun naam.
Zoek ouders op naam, klas van een kind of taal, en op of ze al eens kwamen. Duid aan wie je
uitnodigt (spatie, of ctrl+a voor alle getoonde ouders), kies hoe (brief, Smartschool,
telefoon, aan de schoolpoort) en op welke dag, en noteer het met ctrl+s.

Wie al uitgenodigd is, zie je in de kolom 'Uitgenodigd'. Nodig je iemand opnieuw uit, dan telt
de nieuwe manier. De brief zelf druk je af vanop het scherm van de sessie (b).

Hoort de sessie bij een reeks, dan staat 'reeks' aangevinkt: de uitnodiging geldt dan voor deze
sessie en alle volgende van de reeks. Vink het uit voor alleen deze sessie.
"""

    def __init__(self, service: Oudergroep, sessie_id: int) -> None:
        super().__init__(service, sessie_id)
        self.chosen: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static(self.heading("Uitnodigen"), classes="name", markup=False)
            with Horizontal(classes="bar"):
                yield Input(placeholder="naam", id="filter", compact=True)
                yield Input(placeholder="klas", id="klas", compact=True)
                yield Input(placeholder="taal", id="taal", compact=True)
                yield Select([(Text(label), key) for label, key in EERDER], prompt="eerder: iedereen", id="eerder",
                             compact=True)
            yield RecordTable([Column("", 1), Column("Naam", 20), Column("Wie"), Column("Talen", 12),
                               Column("Keer", 4), Column("Uitgenodigd", 17)], id="people",
                              empty_text="Niemand gevonden met deze filters.", enter_label=None)
            yield Static("", id="count", markup=False)
            with Horizontal(classes="bar"):
                yield Label("Hoe")
                yield Select([(Text(v), k) for k, v in UITNODIGING_KANALEN.items()], value="brief",
                             allow_blank=False, id="kanaal", compact=True)
                yield Label("Op")
                yield Input(format_date(self.service.vandaag()), id="op", compact=True)
                if self.service.volgende_in_reeks(self.sessie):
                    yield Checkbox("reeks", True, id="reeks", compact=True)  # this and the following sessions
                yield Button("Uitnodiging noteren (ctrl+s)", id="invite", variant="primary", compact=True)
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        self.refill()
        self.query_one("#people", RecordTable).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("filter", "klas", "taal"):
            self.refill()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "eerder":
            self.refill()

    def people(self) -> list[Persoon]:
        eerder = self.query_one("#eerder", Select).value
        return self.service.personen(tekst=self.query_one("#filter", Input).value,
                                     klas=self.query_one("#klas", Input).value,
                                     taal=self.query_one("#taal", Input).value,
                                     eerder=eerder if isinstance(eerder, str) else "")

    def refill(self) -> None:
        try:
            session = self.sessie
        except NotFoundError:
            if self.app.screen is self:
                self.app.pop_screen()
            return
        from ouder_tui.bereik import marks

        marked = marks(self.service.store)  # their families come first, with (!)
        rows = []
        shown = self.people()
        for person in shown:
            invite = session.uitnodiging(person.id)
            how = f"{invite.kanaal_tekst} {invite.op.strftime('%d/%m')}" if invite and invite.op else ""
            times = len(self.service.aanwezigheden(person.id))
            name = f"(!) {person.naam}" if person.gezin_id in marked else person.naam
            rows.append(Row(person.id, ("✓" if person.id in self.chosen else "", name, person.omschrijving,
                                        ", ".join(person.talen), str(times or ""), how),
                            sort=(person.id in self.chosen, person.naam.casefold(), person.omschrijving,
                                  ", ".join(person.talen), times, how)))
        table = self.query_one("#people", RecordTable)
        table.set_rows(rows, keep_key=table.current_key)  # people() is in name order: a tick never moves a row
        self.query_one("#count", Static).update(
            f"{plural(len(shown), 'ouder', 'ouders')} getoond, {len(self.chosen)} aangeduid, "
            f"{len(session.uitnodigingen)} al uitgenodigd")

    def action_toggle(self) -> None:
        table = self.query_one("#people", RecordTable)
        key = table.current_key
        if key is None:
            return
        self.chosen.symmetric_difference_update({key})
        self.refill()
        table.action_cursor(1)

    def action_all(self) -> None:
        shown = {p.id for p in self.people()}
        if shown <= self.chosen:
            self.chosen -= shown
        else:
            self.chosen |= shown
        self.refill()

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "invite":
            event.stop()
            self.action_invite()

    def action_invite(self) -> None:
        kanaal = self.query_one("#kanaal", Select).value
        try:
            day = parse_date(self.query_one("#op", Input).value)
        except ValueError as exc:
            self.notify(f"Op: {exc}", severity="error", markup=False)
            return
        try:
            whole = bool(self.query("#reeks")) and self.query_one("#reeks", Checkbox).value
            invite = self.service.nodig_uit_reeks if whole else self.service.nodig_uit
            invite(self.sessie_id, sorted(self.chosen), str(kanaal), day)
        except OuderTuiError as exc:
            self.notify(error_text(exc), severity="error", markup=False)
            return
        self.notify(f"{plural(len(self.chosen), 'uitnodiging', 'uitnodigingen')} genoteerd "
                    f"({UITNODIGING_KANALEN[str(kanaal)]}, {format_date(day)}).", markup=False, timeout=4)
        self.chosen.clear()
        self.refill()


class AanwezigheidScreen(_PeopleList):
    """Tick who came, during or after the session; add someone who walked in."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Klaar"),
        Binding("space", "toggle", "Aanwezig"),
        Binding("n", "walk_in", "Binnengelopen"),
        Binding("k", "link", "Gast koppelen"),
        Binding("ctrl+f", "focus_filter", "Zoeken", show=False),
    ]
    HELP = """
# Aanwezigheden

Spatie zet iemand aanwezig of weer afwezig; dat wordt meteen bewaard. Eerst staan wie er is,
wie uitgenodigd was en wie eerder al kwam. Typ een naam in het zoekveld om iemand anders uit het
register te vinden (ctrl+f).

Liep er iemand binnen die niet in de lijst staat? **n** voegt de persoon toe: bij een gezin van
de school, of als gast van de oudergroep. Blijkt een gast later bij een gezin te horen, dan koppelt
**k** hem of haar aan dat gezin; wat de gast al bijwoonde, blijft bij die persoon.
"""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static(self.heading("Aanwezigheden"), classes="name", markup=False)
            with Horizontal(classes="bar"):
                yield Input(placeholder="zoek iemand anders in het register (naam, klas, telefoon)", id="filter",
                            compact=True)
            yield RecordTable([Column("", 1), Column("Naam", 20), Column("Wie"), Column("Uitnodiging", 17),
                               Column("Keer", 4)], id="people",
                              empty_text="Niemand gevonden. n: iemand toevoegen die binnenliep.",
                              enter_label="Aanwezig", enter_shown=False)  # the footer shows spatie
            yield Static("", id="count", markup=False)
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        self.refill()
        self.query_one("#people", RecordTable).focus()

    def _candidates(self, session: Sessie) -> list[Persoon]:
        text = self.query_one("#filter", Input).value.strip()
        if text:
            return self.service.personen(tekst=text)
        ids = list(dict.fromkeys([*session.aanwezig, *(u.persoon_id for u in session.uitnodigingen)]))
        ids += [p.id for p in self.service.personen(eerder="ooit") if p.id not in ids]
        return [self.service.persoon(pid) for pid in ids]

    def refill(self) -> None:
        try:
            session = self.sessie
        except NotFoundError:
            if self.app.screen is self:
                self.app.pop_screen()
            return
        rows = []
        for person in self._candidates(session):
            present = person.id in session.aanwezig
            invite = session.uitnodiging(person.id)
            how = f"{invite.kanaal_tekst} {invite.op.strftime('%d/%m')}" if invite and invite.op else ""
            earlier = [s for s in self.service.aanwezigheden(person.id) if s.id != session.id]
            rows.append(Row(person.id, ("✓" if present else "", person.naam, person.omschrijving, how,
                                        str(len(earlier) or "")),
                            sort=(present, person.naam.casefold(), person.omschrijving, how, len(earlier))))
        rows.sort(key=lambda row: row.sort[1])  # a stable order: a tick never moves the row
        table = self.query_one("#people", RecordTable)
        table.set_rows(rows, keep_key=table.current_key)
        self.query_one("#count", Static).update(
            f"{len(session.aanwezig)} aanwezig, {len(session.uitnodigingen)} uitgenodigd  ·  status: "
            f"{session.status_tekst}")

    def action_toggle(self) -> None:
        table = self.query_one("#people", RecordTable)
        key = table.current_key
        if key is None:
            return
        try:
            present = key in self.sessie.aanwezig
            self.service.zet_aanwezig(self.sessie_id, key, not present)
        except OuderTuiError as exc:
            self.notify(error_text(exc), severity="error", markup=False)
            return
        self.refill()
        table.action_cursor(1)

    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        event.stop()
        self.action_toggle()

    def action_link(self) -> None:
        from screens.picker import GezinPicker

        key = self.query_one("#people", RecordTable).current_key
        guest = self.service.gast(key) if key is not None else None
        if guest is None:
            self.notify("Kies eerst een gast (niet in het register).", severity="warning")
            return

        def chosen(gezin_id: int | None) -> None:
            if gezin_id is None:
                return
            try:
                person = self.service.koppel_gast(guest, gezin_id)
            except OuderTuiError as exc:
                self.notify(error_text(exc), severity="error", markup=False)
                return
            self.notify(f"{person.naam} hoort nu bij gezin {person.gezin_naam}.", markup=False, timeout=4)
            self.refill()

        self.app.push_screen(GezinPicker(self.service.registry), chosen)

    def action_walk_in(self) -> None:
        from screens.oudergroep_forms import GastForm

        def added(person: Persoon | None) -> None:
            if person is not None:
                self.notify(f"{person.naam} is toegevoegd en aanwezig.", markup=False, timeout=3)
            self.refill()

        self.app.push_screen(GastForm(self.service, self.sessie_id), added)

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

