"""The privacy flows in the interface: erase a family after seeing what goes, a record's history by
two users, the log filtered by person, and the retention list."""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape

import pytest
from textual.widgets import Input, Select

from ouder_tui.app import make_app
from ouder_tui.leerlingen import Gezin, Leerling, Ouder, Registry
from ouder_tui.store import Store
from screens.dialogs import ConfirmDialog
from screens.gezin import GezinScreen
from screens.privacy import BewaartermijnScreen, LogboekScreen
from screens.table import RecordTable

SIZE = (110, 40)


def shows(app, text: str) -> bool:
    return escape(text).replace(" ", "&#160;") in app.export_screenshot()


@pytest.mark.file_home
async def test_erase_a_family_after_seeing_what_goes(store: Store, registry: Registry) -> None:
    gezin = registry.add_gezin(Gezin(naam="Wisbaar", ouders=(Ouder(voornaam="Ilse", familienaam="Wisbaar"),)))
    registry.add_leerling(Leerling(voornaam="Lotte", familienaam="Wisbaar", gezin_id=gezin.id))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(GezinScreen(app.registry, gezin.id))
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert shows(app, "- het gezin Wisbaar met 1 ouder") and shows(app, "- 1 leerling: Lotte Wisbaar")
        await pilot.press("escape")  # changed their mind: nothing happens
        await pilot.pause()
        assert registry.gezinnen()
        await pilot.press("w")
        await pilot.pause()
        await pilot.press("j")
        await pilot.pause()
        assert not isinstance(app.screen, GezinScreen)
    assert registry.gezinnen() == [] and "Wisbaar" not in store.path.read_text(encoding="utf-8")


async def test_a_familys_history_shows_who_changed_which_fields(store: Store, registry: Registry) -> None:
    gezin = registry.add_gezin(Gezin(naam="Historiek"))
    store.set_user("Juf Els")
    registry.save_gezin(gezin.__class__(**{**{f: getattr(gezin, f) for f in gezin.__struct_fields__},
                                           "notities": "Bellen na 17 uur"}))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(GezinScreen(app.registry, gezin.id))
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, LogboekScreen)
        rows = [r.cells[1:] for r in app.screen.query_one(RecordTable).rows]
        assert rows == [("Juf Els", "gezin", str(gezin.id), "gewijzigd", "notities"),
                        ("Tester", "gezin", str(gezin.id), "aangemaakt", "")]
        assert not shows(app, "Bellen na 17 uur")  # the log names fields, not their content


async def test_the_log_filters_by_person_and_period(store: Store, registry: Registry) -> None:
    registry.add_gezin(Gezin(naam="A"))
    store.set_user("Meester Tom")
    registry.add_gezin(Gezin(naam="B"))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        app.action_logboek()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LogboekScreen)
        screen.query_one("#door", Select).value = "Meester Tom"
        await pilot.pause()
        assert {r.cells[1] for r in screen.query_one(RecordTable).rows} == {"Meester Tom"}
        screen.query_one("#door", Select).clear()
        screen.query_one("#van", Input).value = "23/11/2026"
        await pilot.pause()
        assert screen.query_one(RecordTable).row_count == 0 and shows(app, "0 regels")


async def test_the_retention_list_and_its_erasure(store: Store, registry: Registry) -> None:
    old = registry.add_gezin(Gezin(naam="Vertrokken"))
    registry.add_leerling(Leerling(voornaam="An", familienaam="Vertrokken", gezin_id=old.id, status="vertrokken",
                                   vertrokken_op=date(2024, 6, 30)))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        app.action_bewaartermijn()
        await pilot.pause()
        assert isinstance(app.screen, BewaartermijnScreen)
        assert shows(app, "Bewaartermijn: 1 schooljaar na het vertrek. 1 leerling om te wissen.")
        assert shows(app, "het gezin Vertrokken met 0 ouders")
        await pilot.press("w")
        await pilot.pause()
        await pilot.press("j")
        await pilot.pause()
        assert shows(app, "0 leerlingen om te wissen.")
    assert registry.leerlingen(ook_vertrokken=True) == [] and registry.gezinnen() == []
