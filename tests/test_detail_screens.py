"""Deleting a record from its own view closes that view once, whatever reloads after the confirmation."""

from __future__ import annotations

from datetime import date

from ouder_tui.app import make_app
from ouder_tui.huisbezoek import Huisbezoek, Huisbezoeken
from ouder_tui.leerlingen import Gezin, Leerling, Registry
from ouder_tui.oudergroep import Oudergroep, Sessie
from ouder_tui.store import Store
from screens.huisbezoek import HuisbezoekScreen
from screens.leerling import LeerlingScreen
from screens.oudergroep_sessie import SessieScreen


async def _delete_from(app, pilot, area_key: str, screen) -> None:
    await pilot.press(area_key)
    await pilot.pause()
    below = app.screen
    app.push_screen(screen)
    await pilot.pause()
    await pilot.press("delete")
    await pilot.pause()
    await pilot.press("j")
    await pilot.pause()
    await pilot.pause()
    assert app.is_running and app.screen is below


async def test_delete_a_session_a_visit_and_a_pupil_from_their_views(store: Store, registry: Registry) -> None:
    gezin = registry.add_gezin(Gezin(naam="Peeters"))
    pupil = registry.add_leerling(Leerling(voornaam="Lien", familienaam="Peeters", gezin_id=gezin.id))
    visit = Huisbezoeken(store, registry).plan(Huisbezoek(gezin_id=gezin.id, datum=date(2026, 12, 1)))
    session = Oudergroep(store, registry).plan(Sessie(datum=date(2026, 12, 1), titel="Koffie"))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await _delete_from(app, pilot, "f6", SessieScreen(app.oudergroep, session.id))
        await _delete_from(app, pilot, "f4", HuisbezoekScreen(app.huisbezoeken, visit.id))
        await _delete_from(app, pilot, "f3", LeerlingScreen(app.registry, pupil.id))
    assert len(store.recycle_bin()) == 3
