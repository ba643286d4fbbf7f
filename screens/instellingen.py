"""The settings that hold for everyone on this database, with who changed them last.

The school's name, the idle lock time, the parent group's follow-up, the retention
period, and the passphrase that protects the database (turned on, changed or off
through :class:`~screens.wachtwoord.WachtwoordDialog`).
"""

from __future__ import annotations

import msgspec
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from ouder_tui.errors import ValidationError
from ouder_tui.settings import Settings, load_settings, save_settings
from ouder_tui.store import Store
from ouder_tui.text import format_datetime
from screens.forms import FormScreen, text_field


class InstellingenForm(FormScreen[Settings]):
    """Settings that hold for everyone who uses this database."""

    TITLE = "Instellingen"
    HELP = """
# Instellingen

Deze instellingen gelden voor iedereen die deze databank gebruikt.

- **Naam van de school**: staat bovenaan elk scherm en op exports.
- **Vergrendelen na**: na zoveel minuten zonder toets of klik verbergt ouder-tui alle
  gegevens tot de gebruiker opnieuw zegt wie hij is (standaard 5 minuten).
- **Oudergroep: opvolgen na**: een ouder die al eens kwam en daarna zoveel sessies na elkaar
  miste, verschijnt in de lijst 'Weggebleven' van de oudergroep (standaard 2).
- **Bewaartermijn**: zoveel schooljaren na het vertrek van een leerling blijven zijn gegevens
  bewaard; daarna staat hij in de lijst om te wissen (palet: 'Bewaartermijn'). Standaard 1.
- **Wachtwoord van de databank**: met een wachtwoord is het bestand op de schijf, met zijn
  reservekopieën en exports, onleesbaar zonder dat wachtwoord. ouder-tui vraagt het bij de start
  en om te ontgrendelen. Beveiligen, wijzigen en uitzetten gaan met de knoppen; dat gebeurt meteen,
  ook als je het formulier daarna annuleert. Wie het wachtwoord vergeet, verliest alle gegevens.
"""
    DEFAULT_CSS = """
    InstellingenForm #protection { height: auto; margin-top: 1; }
    InstellingenForm #protection Horizontal { height: auto; }
    InstellingenForm #protection Button { margin-right: 1; }
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.current = load_settings(store)
        super().__init__()

    def compose_fields(self) -> ComposeResult:
        yield text_field("school_naam", "Naam van de school", self.current.school_naam, max_length=100)
        yield text_field("vergrendel_na_minuten", "Vergrendelen na (minuten)", str(self.current.vergrendel_na_minuten))
        yield text_field("oudergroep_weggebleven_na", "Oudergroep: opvolgen na zoveel gemiste sessies na elkaar",
                         str(self.current.oudergroep_weggebleven_na))
        yield text_field("bewaartermijn_schooljaren", "Bewaartermijn: schooljaren na het vertrek van een leerling",
                         str(self.current.bewaartermijn_schooljaren))
        yield text_field("infomoment_ruim_voor_dagen", "Infomoment: minstens zoveel dagen voor inschrijvingen en "
                         "opendeurdagen", str(self.current.infomoment_ruim_voor_dagen))
        who = self.current.changed_by
        yield Static(f"Laatst gewijzigd door {who} op {format_datetime(self.current.changed_at)}" if who
                     else "Nog nooit gewijzigd.", markup=False, id="last-change")
        with Vertical(id="protection"):
            yield from self._protection_widgets()

    def _protection_widgets(self) -> ComposeResult:
        if self.store.file is None:  # only a database file can be protected with a passphrase
            return
        protected = self.store.protected
        status = "Beveiligd met een wachtwoord." if protected else "Niet beveiligd: wie aan het bestand kan, kan het lezen."
        last = self.store.file.protection_changed()
        if last:
            status += f" Laatst gewijzigd door {last.get('door', 'onbekend')} op {format_datetime(last.get('op'))}."
        yield Label("Wachtwoord van de databank", classes="field-label")
        yield Static(status, id="protection-status", markup=False)
        # Built directly, not with 'with': these widgets are also mounted again after a change.
        if protected:
            yield Horizontal(Button("Wachtwoord wijzigen ...", id="protect-wijzig"),
                             Button("Beveiliging uitzetten ...", id="protect-uit"))
        else:
            yield Horizontal(Button("Beveiligen met een wachtwoord ...", id="protect-aan"))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if (event.button.id or "").startswith("protect-"):
            from screens.wachtwoord import WachtwoordDialog

            event.stop()
            mode = event.button.id.removeprefix("protect-")  # type: ignore[union-attr]
            self.app.push_screen(WachtwoordDialog(self.store, mode),
                                 lambda notes: self._protection_changed(mode, notes))
            return
        super().on_button_pressed(event)

    async def _protection_changed(self, mode: str, notes: list[str] | None) -> None:
        if notes is None:
            return
        section = self.query_one("#protection", Vertical)
        await section.remove_children()
        await section.mount_all(list(self._protection_widgets()))
        done = {"aan": "De databank is nu beveiligd met een wachtwoord.", "wijzig": "Het wachtwoord is gewijzigd.",
                "uit": "De beveiliging staat uit."}[mode]
        self.notify(" ".join([done, *notes]), markup=False, severity="warning" if notes else "information",
                    timeout=10)

    def build(self) -> Settings:
        v = self.values()
        errors: dict[str, str] = {}
        numbers = {}
        for name, example in (("vergrendel_na_minuten", "Typ een aantal minuten, bv. 5."),
                              ("oudergroep_weggebleven_na", "Typ een aantal sessies, bv. 2."),
                              ("bewaartermijn_schooljaren", "Typ een aantal schooljaren, bv. 1."),
                              ("infomoment_ruim_voor_dagen", "Typ een aantal dagen, bv. 14.")):
            try:
                numbers[name] = int(v[name].strip())
            except ValueError:
                errors[name] = example
        if errors:
            raise ValidationError(errors)
        return msgspec.structs.replace(self.current, school_naam=v["school_naam"], **numbers)

    def store_value(self, value: Settings, *, overwrite: bool) -> Settings:
        return save_settings(self.store, value)

    def fill(self, record: dict) -> None:
        self.current = load_settings(self.store)
        self.field("school_naam").value = self.current.school_naam
        self.field("vergrendel_na_minuten").value = str(self.current.vergrendel_na_minuten)
        self.field("oudergroep_weggebleven_na").value = str(self.current.oudergroep_weggebleven_na)
        self.field("bewaartermijn_schooljaren").value = str(self.current.bewaartermijn_schooljaren)
        self.field("infomoment_ruim_voor_dagen").value = str(self.current.infomoment_ruim_voor_dagen)
