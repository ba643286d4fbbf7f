"""Snapshot tests of every screen on the demo school, at 80x24 and at 120x40.

Update after an intended change of the interface with ``pytest --snapshot-update``
and look at the report before committing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from textual.widgets import Input, Select, TabbedContent

from ouder_tui.app import make_app
from ouder_tui.huisbezoek import Huisbezoeken
from ouder_tui.leerlingen import Registry
from ouder_tui.oudergroep import Oudergroep
from ouder_tui.startgesprek import Startgesprekken
from ouder_tui.store import Store
from screens.bereik import AandachtForm
from screens.dialogs import ConflictDialog, HelpScreen
from screens.gezin import GezinForm, GezinScreen, OuderForm
from screens.huisbezoek import HuisbezoekScreen, LogForm, PlanForm
from screens.importeren import ImportScreen
from screens.infomoment_forms import InfomomentForm
from screens.instellingen import InstellingenForm
from screens.leerling import LeerlingForm, LeerlingScreen
from screens.oudergroep_lijsten import AanwezigheidScreen, UitnodigenScreen
from screens.oudergroep_sessie import SessieForm, SessieScreen
from screens.prullenbak import PrullenbakScreen
from screens.startgesprek import OmgekeerdForm, StartgesprekForm
from screens.table import RecordTable
from screens.wachtwoord import PassphraseScreen, WachtwoordDialog
from screens.who import WhoScreen

#: Screens are drawn as a school sees them: on a database file (the settings show its passphrase).
pytestmark = pytest.mark.file_home

FIXTURES = Path(__file__).parent / "fixtures"

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _family_with_interpreter(registry: Registry):
    return next(g for g in registry.gezinnen() if len(g.ouders) == 2 and any(o.tolk_nodig for o in g.ouders)
                and registry.kinderen(g.id, ook_vertrokken=False))


def _screens(store: Store):
    """Name -> a function that shows that screen on a running app."""
    registry = Registry(store)
    family = _family_with_interpreter(registry)
    pupil = registry.kinderen(family.id, ook_vertrokken=False)[0]

    async def overzicht(pilot):
        await pilot.pause()

    async def leerlingen(pilot):
        await pilot.press("f3")

    async def gezinnen(pilot):
        await pilot.press("f3", "down", "g")

    async def leerling(pilot):
        pilot.app.push_screen(LeerlingScreen(pilot.app.registry, pupil.id))

    async def gezin(pilot):
        pilot.app.push_screen(GezinScreen(pilot.app.registry, family.id))

    async def leerling_form(pilot):
        pilot.app.push_screen(LeerlingForm(pilot.app.registry, pupil))

    async def gezin_form(pilot):
        pilot.app.push_screen(GezinForm(pilot.app.registry, family))

    async def ouder_form(pilot):
        pilot.app.push_screen(OuderForm(pilot.app.registry, family, family.ouders[1].id))

    async def wie(pilot):
        store.set_user("Juf Sarah")
        pilot.app.push_screen(WhoScreen(store, reason="vergrendeld"))

    async def help_screen(pilot):
        await pilot.press("f3")
        pilot.app.push_screen(HelpScreen(pilot.app.screen))

    async def prullenbak(pilot):
        pilot.app.registry.delete_leerling(pupil)
        pilot.app.push_screen(PrullenbakScreen(store))

    async def conflict(pilot):
        pilot.app.push_screen(ConflictDialog("Meester Tom", "2026-11-22T09:30:00+01:00",
                                             [("Notities", "Mama belt liever na 17 uur.", "(leeg)"),
                                              ("Klasnummer", "12", "14")]))

    async def instellingen(pilot):
        pilot.app.push_screen(InstellingenForm(store))

    async def importeren(pilot):
        folder = store.path.parent / "exports"
        folder.mkdir()
        for name in ("wisa.csv", "smartschool.csv"):
            shutil.copy(FIXTURES / name, folder / name)
            os.utime(folder / name, (1_790_000_000, 1_790_000_000))
        screen = ImportScreen(pilot.app.registry, folder)
        pilot.app.push_screen(screen)
        await pilot.pause()
        screen.query_one("#path", Input).value = "exports"  # the temporary folder differs per run
        screen.query_one("#files", RecordTable).sort_by(0)
        screen.read_file(folder / "wisa.csv")
        for _ in range(100):  # the file is read and planned in a thread
            if screen.plan is not None:
                break
            await pilot.pause(0.05)

    service = Huisbezoeken(store, registry)
    held = next(v for v in reversed(service.alle()) if v.status == "gehouden" and v.acties and v.vertrouwelijk)

    async def huisbezoeken(pilot):
        await pilot.press("f4")

    async def huisbezoeken_acties(pilot):
        await pilot.press("f4")
        pilot.app.screen.query_one(TabbedContent).active = "acties"

    async def huisbezoeken_nooit(pilot):
        await pilot.press("f4")
        pilot.app.screen.query_one(TabbedContent).active = "nooit"

    async def huisbezoek(pilot):
        pilot.app.push_screen(HuisbezoekScreen(pilot.app.huisbezoeken, held.id))

    async def plan_form(pilot):
        pilot.app.push_screen(PlanForm(pilot.app.huisbezoeken, pilot.app.huisbezoeken.voorstel(family.id)))

    async def log_form(pilot):
        pilot.app.push_screen(LogForm(pilot.app.huisbezoeken, held))

    talks = Startgesprekken(store, registry)
    held_talk = next(r.gesprek for r in talks.klasoverzicht("5A") if r.gesprek and r.gesprek.gehouden)

    async def startgesprekken(pilot):
        await pilot.press("f5")
        await pilot.pause()
        pilot.app.screen.query_one("#klas", Select).value = "5A"

    async def startgesprek_form(pilot):
        pilot.app.push_screen(StartgesprekForm(pilot.app.startgesprekken, held_talk))

    async def omgekeerd_form(pilot):
        form = OmgekeerdForm(pilot.app.startgesprekken, pilot.app.startgesprekken.nieuw(pupil.id, soort="omgekeerd"))
        form._tick = lambda: form.query_one("#timer").update("Gesprek loopt: 03:20   (richttijd 5 à 10 minuten)")
        pilot.app.push_screen(form)

    group = Oudergroep(store, registry)
    last_held = [s for s in group.sessies() if s.gehouden][-1]
    to_tick = group.zonder_aanwezigheden()[0]
    upcoming = group.volgende()

    async def oudergroep(pilot):
        await pilot.press("f6")

    async def oudergroep_weggebleven(pilot):
        await pilot.press("f6")
        pilot.app.screen.query_one(TabbedContent).active = "weggebleven"

    async def oudergroep_jaar(pilot):
        await pilot.press("f6")
        await pilot.pause()
        pilot.app.screen.query_one("#schooljaar", Select).value = "2025-2026"
        pilot.app.screen.query_one(TabbedContent).active = "jaar"

    async def oudergroep_sessie(pilot):
        pilot.app.push_screen(SessieScreen(pilot.app.oudergroep, last_held.id))

    async def oudergroep_aanwezig(pilot):
        pilot.app.push_screen(AanwezigheidScreen(pilot.app.oudergroep, to_tick.id))

    async def oudergroep_uitnodigen(pilot):
        screen = UitnodigenScreen(pilot.app.oudergroep, upcoming.id)
        pilot.app.push_screen(screen)
        await pilot.pause()
        screen.query_one("#eerder", Select).value = "ooit"

    async def sessie_form(pilot):
        pilot.app.push_screen(SessieForm(pilot.app.oudergroep, upcoming))

    async def infomoment(pilot):
        await pilot.press("f7")

    async def infomoment_tafels(pilot):
        await pilot.press("f7")
        pilot.app.screen.query_one(TabbedContent).active = "tafels"

    async def infomoment_rotatie(pilot):
        await pilot.press("f7")
        pilot.app.screen.query_one(TabbedContent).active = "rotatie"

    async def infomoment_vragen(pilot):
        await pilot.press("f7")
        await pilot.pause()
        pilot.app.screen.query_one("#schooljaar", Select).value = "2025-2026"
        pilot.app.screen.query_one(TabbedContent).active = "vragen"

    async def infomoment_form(pilot):
        pilot.app.push_screen(InfomomentForm(pilot.app.infomomenten, pilot.app.infomomenten.huidig()))

    async def bereik(pilot):
        await pilot.press("b")

    async def infomoment_ouders(pilot):
        await pilot.press("f7")
        await pilot.pause()
        await pilot.press("o")

    async def bereik_cijfers(pilot):
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("right", "right")

    async def aandacht_form(pilot):
        pilot.app.push_screen(AandachtForm(pilot.app.service("bereik"), family))

    async def wachtwoord(pilot):
        pilot.app.push_screen(PassphraseScreen(store, reason="start"))

    async def wachtwoord_aan(pilot):
        pilot.app.push_screen(WachtwoordDialog(store, "aan"))

    return {f.__name__: f for f in (wachtwoord, wachtwoord_aan, overzicht, leerlingen, gezinnen, leerling, gezin, leerling_form, gezin_form,
                                     ouder_form, wie, help_screen, prullenbak, conflict, instellingen, importeren,
                                     huisbezoeken, huisbezoeken_acties, huisbezoeken_nooit, huisbezoek, plan_form,
                                     log_form, startgesprekken, startgesprek_form, omgekeerd_form, oudergroep,
                                     oudergroep_weggebleven, oudergroep_jaar, oudergroep_sessie, oudergroep_aanwezig,
                                     oudergroep_uitnodigen, sessie_form, infomoment, infomoment_tafels,
                                     infomoment_rotatie, infomoment_vragen, infomoment_form, bereik, bereik_cijfers,
                                     aandacht_form, infomoment_ouders)}


SCREENS = ["overzicht", "leerlingen", "gezinnen", "leerling", "gezin", "leerling_form", "gezin_form", "ouder_form",
           "wie", "help_screen", "prullenbak", "conflict", "instellingen", "importeren", "huisbezoeken",
           "huisbezoeken_acties", "huisbezoeken_nooit", "huisbezoek", "plan_form", "log_form", "startgesprekken",
           "startgesprek_form", "omgekeerd_form", "oudergroep", "oudergroep_weggebleven", "oudergroep_jaar",
           "oudergroep_sessie", "oudergroep_aanwezig", "oudergroep_uitnodigen", "sessie_form", "infomoment",
           "infomoment_tafels", "infomoment_rotatie", "infomoment_vragen", "infomoment_form", "wachtwoord",
           "wachtwoord_aan", "bereik", "bereik_cijfers", "aandacht_form", "infomoment_ouders"]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", SCREENS)
def test_screen(snap_compare, demo_store: Store, name: str, size: tuple[int, int]) -> None:
    show = _screens(demo_store)[name]

    async def run_before(pilot) -> None:
        await show(pilot)
        await pilot.pause()

    assert snap_compare(make_app(demo_store, ask_user=False), run_before=run_before, terminal_size=size)


# --- the first start's question: where the database lives (a small app of its own, before ouder-tui) --------

#: Fixed places, so the picture is the same on every machine (nothing is made there: only Enter would).
LOCATIE_PC = Path("/srv/ouder-tui/ouder-tui.json")
LOCATIE_OLD = Path("/home/juf.anja/.local/share/ouder-tui/ouder-tui.json")


async def _locatie_first(pilot) -> None:
    await pilot.pause()


async def _locatie_cloud_folder(pilot) -> None:
    await pilot.press("down", "enter", *"/home/juf.anja/OneDrive - Scholengroep/zorg")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", ["locatie", "locatie_wolk"])
def test_locatie_screen(snap_compare, monkeypatch, name: str, size: tuple[int, int]) -> None:
    from ouder_tui import locatie
    from screens.locatie import LocatieApp

    monkeypatch.setattr(locatie, "temp_folders", lambda **_: ["/tmp"])  # not the test machine's own
    existing = [LOCATIE_OLD] if name == "locatie" else []
    app = LocatieApp(machine_database=LOCATIE_PC, existing=existing)
    show = _locatie_first if name == "locatie" else _locatie_cloud_folder
    assert snap_compare(app, run_before=show, terminal_size=size)
