"""Where the database lives: asked once, at the first start on a PC where nothing is chosen yet.

Three answers: *alleen op deze pc, voor iedereen die zich aanmeldt* (a machine-wide folder, the default),
*in een gedeelde map* (a path), *op de schoolserver* (a ``postgresql://`` URL); and, when a database of
an earlier version is found in the user's own profile, keeping that one where it is. That old database
can be taken along (copied; the old file stays). A place in a cloud-synced folder or in a temporary or
per-user profile gets a warning with its reason before it is chosen: the user may still choose it.

:class:`LocatieApp` is a small app of its own, run before the real one (``ouder_tui.app.choose_location``);
it ends with the choice (:class:`ouder_tui.locatie.Outcome`) or ``None``. All work is in
:mod:`ouder_tui.locatie`; checking a network folder runs in a thread, so the screen keeps answering.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Header, Input, Label, RadioButton, RadioSet, Static

from ouder_tui import locatie
from ouder_tui.locatie import MAP, PC, SERVER, VROEGER, LocationError, Outcome
from ouder_tui.pgurl import is_server_url, redact
from screens.dialogs import HelpScreen
from screens.footer import Footer


class Keuze(RadioButton):
    """A radio button whose state shows in its shape (● chosen, empty not), not only in its colour."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # read by ToggleButton when drawing
        return "●" if self.value else " "


class Vinkje(Checkbox):
    """A checkbox whose state shows in its shape (X ticked, empty not), not only in its colour."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return "X" if self.value else " "


class KeuzeSet(RadioSet):
    """The options: the arrows choose at once (as in Windows); Enter goes on."""

    BINDINGS = [
        Binding("down,right", "kies(1)", "Volgende", show=False),
        Binding("up,left", "kies(-1)", "Vorige", show=False),
        Binding("enter", "verder", "Verder", show=False),
    ]

    class Verder(Message):
        """Enter on the options: go on to what the chosen option needs."""

    def action_kies(self, step: int) -> None:
        if step > 0:
            self.action_next_button()
        else:
            self.action_previous_button()
        self.action_toggle_button()

    def action_verder(self) -> None:
        self.action_toggle_button()  # the highlighted one, also after a click elsewhere
        self.post_message(self.Verder())


class LocatieScreen(Screen[Outcome | None]):
    """Asks where the database lives; dismisses with the choice made (kept already for a file)."""

    HELP = """
# Waar staat de databank?

ouder-tui bewaart alles in één databank. Deze vraag komt één keer per pc.

- **Alleen op deze pc, voor iedereen die zich aanmeldt**: één databank op deze pc, in een map
  waarin elk account van deze pc mag lezen en schrijven (op Windows in ProgramData). Zo ziet
  iedereen die zich op deze pc aanmeldt dezelfde gegevens, ook bij gedeelde of gastprofielen.
- **In een gedeelde map**: een map op het netwerk van de school, bv. `\\\\schoolserver\\zorg`.
  Staat er al een databank (`ouder-tui.json`), dan wordt die geopend; anders komt er een nieuwe.
  Werken meer pc's tegelijk met één databank, dan is de schoolserver de betere keuze.
- **Op de schoolserver**: een PostgreSQL-server, met een eigen login per persoon. Typ
  `postgresql://SERVER/DATABANK`, zonder wachtwoord: dat wordt gevraagd bij het starten.

Geen map van OneDrive, Google Drive, Dropbox, iCloud of Nextcloud: synchronisatie maakt
conflictkopieën en kent geen gedeeld slot, dus twee pc's verliezen elkaars wijzigingen.
Ook geen persoonlijke profielmap (AppData) of tijdelijke map: die worden bij gedeelde of
gastprofielen gewist bij het afmelden.

De keuze geldt voor iedereen op deze pc; met **Alleen voor mij** geldt ze alleen voor jou.
Later wijzigen: `ouder-tui locatie PAD|URL` (zonder argument toont het de huidige keuze).

Tab gaat naar het volgende veld; de pijltjes kiezen een antwoord; Enter gaat verder.
"""
    DEFAULT_CSS = """
    LocatieScreen { background: $background; }
    LocatieScreen > VerticalScroll { padding: 0 1; }
    LocatieScreen #vraag, LocatieScreen #klaar { max-width: 100; height: auto; }
    LocatieScreen .title { text-style: bold; }
    LocatieScreen KeuzeSet { width: 100%; margin: 1 0 0 0; }
    LocatieScreen #uitleg { margin: 0 0 0 2; height: auto; color: $text-muted; }
    LocatieScreen Input { margin: 0 0 0 2; width: 1fr; }
    LocatieScreen Vinkje { width: 100%; }
    LocatieScreen #gevonden { margin: 1 0 0 0; height: auto; }
    LocatieScreen #waarschuwing { height: auto; border-left: thick $warning; padding: 0 1; margin: 1 0 0 0;
                                  display: none; }
    LocatieScreen #waarschuwing.-shown { display: block; }
    LocatieScreen #fout { color: $error; height: auto; margin: 1 0 0 0; }
    LocatieScreen #bezig { color: $text-muted; height: auto; margin: 1 0 0 0; }
    LocatieScreen .-leeg { display: none; }
    LocatieScreen Horizontal { height: auto; margin: 1 0 0 0; }
    LocatieScreen Button { margin: 0 2 0 0; }
    LocatieScreen #klaar { display: none; }
    LocatieScreen #klaar Static { height: auto; margin: 1 0 0 0; }
    LocatieScreen.-klaar #klaar { display: block; }
    LocatieScreen.-klaar #vraag { display: none; }
    """

    def __init__(self, *, machine_database: Path, existing: list[Path]) -> None:
        super().__init__()
        self.machine_database = machine_database
        #: The database of an earlier version in the user's own profile (the first found), if any.
        self.existing = existing[0] if existing else None
        #: The choice and the warnings the user saw once: choosing it again goes on despite them.
        self._warned: tuple | None = None
        self.busy = False
        self.outcome: Outcome | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            with Vertical(id="vraag"):
                yield Label("Waar staat de databank?", classes="title")
                yield Static("ouder-tui bewaart alles in één databank. Kies één keer waar ze staat.", markup=False)
                with KeuzeSet(id="soort"):
                    yield Keuze("Alleen op deze pc, voor iedereen die zich aanmeldt (aangeraden)", True, id=PC)
                    yield Keuze("In een gedeelde map (een netwerkmap van de school)", id=MAP)
                    yield Keuze("Op de schoolserver (PostgreSQL)", id=SERVER)
                    if self.existing is not None:
                        yield Keuze("Blijven werken in mijn databank van vroeger, waar ze staat", id=VROEGER)
                yield Static("", id="uitleg", markup=False)
                yield Input(placeholder="map of bestand, bv. \\\\schoolserver\\zorg of S:\\Zorg", id="map-pad",
                            compact=True)
                yield Input(placeholder="postgresql://SERVER/DATABANK", id="server-url", compact=True)
                if self.existing is not None:
                    yield Static(f"Gevonden: een databank van een vorige versie, alleen voor jouw account: "
                                 f"{self.existing}", id="gevonden", markup=False)
                    yield Vinkje("Meenemen naar de nieuwe plaats (een kopie; het oude bestand blijft staan)",
                                 True, id="meenemen", compact=True)
                yield Vinkje("Alleen voor mij (anders geldt de keuze voor iedereen op deze pc)", id="alleen-mij",
                             compact=True)
                yield Static("", id="waarschuwing", markup=False)
                yield Static("", id="fout", markup=False, classes="-leeg")
                yield Static("", id="bezig", markup=False, classes="-leeg")
                with Horizontal(id="knoppen"):
                    yield Button("Kiezen", id="kies", variant="primary", compact=True)
                    yield Button("Stoppen", id="stop", compact=True)
            with Vertical(id="klaar"):
                yield Label("De databank is gekozen", classes="title")
                yield Static("", id="gedaan", markup=False)
                yield Button("Verder", id="verder", variant="primary", compact=True)
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        self.query_one("#soort", KeuzeSet).focus()
        self._show()

    def _say(self, which: str, text: str) -> None:
        """Show ``text`` in the line ``which`` (``fout`` or ``bezig``); an empty line takes no room."""
        line = self.query_one(f"#{which}", Static)
        line.update(text)
        line.set_class(not text, "-leeg")
        if text:  # the message and the buttons below it in view, also when warnings fill the screen
            self.call_after_refresh(self.query_one("#knoppen").scroll_visible, animate=False)

    # -- what is chosen ---------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        pressed = self.query_one("#soort", KeuzeSet).pressed_button
        return pressed.id if pressed is not None and pressed.id else PC

    @property
    def typed(self) -> str:
        if self.kind == MAP:
            return self.query_one("#map-pad", Input).value
        if self.kind == SERVER:
            return self.query_one("#server-url", Input).value
        return ""

    @property
    def machine(self) -> bool:
        return not self.query_one("#alleen-mij", Vinkje).value

    @property
    def take_existing(self) -> bool:
        return bool(self.query("#meenemen")) and self.query_one("#meenemen", Vinkje).value

    def target(self) -> str:
        if self.kind == PC:
            return str(self.machine_database)
        return locatie.target_of(self.kind, self.typed, existing=self.existing)

    def warnings(self) -> list[str]:
        """The warnings for what is chosen now (no disk is read: this runs on every key)."""
        target = self.target()
        if self.kind == SERVER:
            return locatie.server_warnings(target, machine=self.machine) if is_server_url(target) else []
        return locatie.location_warnings(target)

    def _show(self) -> None:
        """Show what the chosen option needs, and its warnings."""
        kind = self.query_one("#uitleg", Static)
        explain = {
            PC: f"De databank komt in {self.machine_database}; elk account op deze pc kan ze openen.",
            MAP: "Typ de map op het netwerk: daar komt ouder-tui.json, of een databank die er al staat "
                 "wordt geopend.",
            SERVER: "Typ de server zonder wachtwoord; dat wordt gevraagd bij het starten. Vraag de gegevens "
                    "aan wie de server beheert.",
            VROEGER: f"ouder-tui blijft werken in {self.existing}. Die keuze geldt alleen voor jou: andere "
                     "accounts op deze pc kunnen dat bestand niet openen.",
        }
        if self.kind == SERVER and self.existing is not None:
            explain[SERVER] += (f" Je databank van vroeger zet je erop met: ouder-tui overzetten --van "
                                f"\"{self.existing}\" --naar URL.")
        kind.update(explain[self.kind])
        self.query_one("#map-pad", Input).display = self.kind == MAP
        self.query_one("#server-url", Input).display = self.kind == SERVER
        if self.query("#meenemen"):
            self.query_one("#meenemen", Vinkje).display = self.kind in (PC, MAP)
        self.query_one("#alleen-mij", Vinkje).display = self.kind != VROEGER
        warnings = self.warnings()
        box = self.query_one("#waarschuwing", Static)
        box.update("\n".join(f"Let op: {warning}" for warning in warnings))
        box.set_class(bool(warnings), "-shown")
        if self._warned is not None and self._warned != self._key(warnings):
            self._warned = None
            self._say("fout", "")
        self.query_one("#kies", Button).label = "Toch kiezen" if self._warned else "Kiezen"

    def _key(self, warnings: list[str]) -> tuple:
        return (self.kind, self.target(), self.machine, tuple(warnings))

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self._say("fout", "")
        self._show()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._show()

    def on_keuze_set_verder(self, event: KeuzeSet.Verder) -> None:
        """Enter on the options: to the field the option needs, else choose."""
        if self.kind == MAP:
            self.query_one("#map-pad", Input).focus()
        elif self.kind == SERVER:
            self.query_one("#server-url", Input).focus()
        else:
            self.choose()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.choose()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "kies":
            self.choose()
        elif event.button.id == "stop":
            self.app.exit()
        elif event.button.id == "verder" and self.outcome is not None:
            self.dismiss(self.outcome)

    # -- choosing ---------------------------------------------------------------------------------
    def choose(self) -> None:
        """Check what is chosen; warnings are shown once before it goes on; then carry it out in a thread."""
        if self.busy:
            return
        if problem := locatie.problem_of(self.kind, self.typed):
            self._say("fout", problem)
            field = "#map-pad" if self.kind == MAP else "#server-url"
            if self.query(field):
                self.query_one(field, Input).focus()
            return
        warnings = self.warnings()
        if warnings and self._warned != self._key(warnings):
            self._warned = self._key(warnings)
            self._say("fout", "Lees eerst de waarschuwing hierboven. Kies je deze plaats toch, druk dan nog eens "
                              "op Enter (Toch kiezen); of kies een andere plaats.")
            self._show()
            return
        self._say("fout", "")
        self.busy = True
        where = self.target()
        self._say("bezig", f"Even geduld: {redact(where)} wordt klaargezet ...")
        self.query_one("#kies", Button).disabled = True
        kind, typed, machine, take = self.kind, self.typed, self.machine, self.take_existing
        app = self.app
        self.run_worker(lambda: self._carry_out(app, kind, typed, machine, take), thread=True,
                        name="databank klaarzetten", exit_on_error=False)

    def _carry_out(self, app: App, kind: str, typed: str, machine: bool, take: bool) -> None:
        """The worker: make the folder, copy, keep the choice (a network folder may take a while)."""
        try:
            outcome: Outcome | LocationError = locatie.carry_out(
                kind, typed, machine=machine, existing=self.existing, take_existing=take,
                machine_target=self.machine_database)
        except LocationError as exc:
            outcome = exc
        except OSError as exc:
            outcome = LocationError(f"Dat lukte niet: {exc.strerror or exc}. Er is niets bewaard.")
        if app.is_running:
            app.call_from_thread(self._done, outcome)

    def _done(self, outcome: Outcome | LocationError) -> None:
        self.busy = False
        self._say("bezig", "")
        self.query_one("#kies", Button).disabled = False
        if isinstance(outcome, LocationError):
            self._say("fout", str(outcome))
            return
        if not outcome.saved:  # a server: kept once it answers
            self.dismiss(outcome)
            return
        self.outcome = outcome
        lines = [f"ouder-tui werkt voortaan met {outcome.databank}.", *outcome.notes]
        self.query_one("#gedaan", Static).update("\n\n".join(lines))
        self.add_class("-klaar")
        self.query_one("#verder", Button).focus()


class LocatieHelp(HelpScreen):
    """F1 on the choice: its help, and only the keys that work here."""

    def general(self) -> str:
        return "## Overal\n\n| toets | wat |\n|---|---|\n| F1 | deze hulp |\n| ctrl+q | stoppen zonder te kiezen |\n"


class LocatieApp(App[Outcome | None]):
    """The choice of where the database lives, as a small app run before ouder-tui itself."""

    TITLE = "ouder-tui"
    SUB_TITLE = "eerste start op deze pc"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Stoppen", priority=True),
                Binding("f1", "help", "Help", priority=True)]

    def __init__(self, *, machine_database: Path, existing: list[Path]) -> None:
        super().__init__()
        self.machine_database = machine_database
        self.existing = existing

    def on_mount(self) -> None:
        self.push_screen(LocatieScreen(machine_database=self.machine_database, existing=self.existing), self.exit)

    def get_key_display(self, binding: Binding) -> str:
        """Keys named as a Dutch user reads them (Esc, spatie), as in ouder-tui itself."""
        from screens.dutch import binding_keys

        return binding_keys(binding)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(LocatieHelp(self.screen))
