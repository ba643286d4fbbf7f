"""Names and notes that look like markup, escape codes or bidi tricks show literally on every screen."""

from __future__ import annotations

from xml.sax.saxutils import escape

import pytest

from ouder_tui.app import make_app
from ouder_tui.leerlingen import Gezin, Leerling, Ouder, Registry
from ouder_tui.store import Store
from screens.commands import Palette
from screens.dialogs import ConfirmDialog
from screens.gezin import GezinScreen, OuderForm
from screens.leerling import LeerlingForm, LeerlingScreen
from screens.prullenbak import PrullenbakScreen

from .conftest import HOSTILE

SIZE = (120, 40)
# What each hostile name looks like once stored (control characters removed).
SHOWN = [h.replace("\x1b[31m", "").replace("\x1b[0m", "").replace("\u202e", "").replace("\u202c", "") for h in HOSTILE]


def shows(app, text: str) -> bool:
    return escape(text).replace(" ", "&#160;") in app.export_screenshot()


@pytest.fixture
def hostile_store(store: Store) -> Store:
    registry = Registry(store)
    for index, name in enumerate(HOSTILE):
        family = registry.add_gezin(Gezin(
            naam=f"{name} gezin", notities=name,
            ouders=(Ouder(relatie="moeder", voornaam=name, familienaam="Ouder", talen=(name,), tolk_nodig=True,
                          tolk_taal=name, beste_momenten=name),),
        ))
        registry.add_leerling(Leerling(voornaam=name, familienaam=f"Kind{index}", klas="5A", notities=name,
                                       gezin_id=family.id))
    store.update_settings(school_naam="[b]School[/b] [/]")
    return store


async def test_every_screen_shows_hostile_text_literally(hostile_store: Store) -> None:
    registry = Registry(hostile_store)
    app = make_app(hostile_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert shows(app, "[b]School[/b] [/]")  # dashboard and header
        assert shows(app, "[/] gezin")  # families without contact details

        await pilot.press("f3")
        await pilot.pause()
        for name in SHOWN[:4]:
            assert shows(app, name)
        await pilot.press(*"[/]")  # filter with markup characters
        await pilot.pause()
        assert shows(app, "[/]")
        await pilot.press("g")  # nothing special: typed into the filter
        for _ in range(4):
            await pilot.press("backspace")

        for pupil in registry.leerlingen():
            app.push_screen(LeerlingScreen(registry, pupil.id))
            await pilot.pause()
            assert shows(app, pupil.voornaam)
            app.pop_screen()
        for family in registry.gezinnen():
            app.push_screen(GezinScreen(registry, family.id))
            await pilot.pause()
            assert shows(app, f"Gezin {family.naam}")
            app.push_screen(OuderForm(registry, family, family.ouders[0].id))
            await pilot.pause()
            app.pop_screen()
            app.pop_screen()
        pupil = registry.leerlingen()[0]
        app.push_screen(LeerlingForm(registry, pupil))
        await pilot.pause()
        app.pop_screen()

        app.push_screen(ConfirmDialog("Verwijderen?", "[@click=app.quit]klik[/] gaat weg"))
        await pilot.pause()
        assert shows(app, "[@click=app.quit]klik[/] gaat weg")
        await pilot.click("Static", offset=(3, 0))  # clicking the text runs nothing
        app.pop_screen()

        for name in HOSTILE:
            app.notify(f"Bewaard: {name}", markup=False)
        await pilot.pause()

        await pilot.press("ctrl+p")
        await pilot.press(*"kind")
        await pilot.pause(0.5)
        assert isinstance(app.screen, Palette)
        assert shows(app, "[Mama]")
        await pilot.press("escape")

        registry.delete_leerling(registry.leerlingen()[0])
        app.push_screen(PrullenbakScreen(hostile_store))
        await pilot.pause()
        assert app.is_running
    assert app.return_code in (0, None)


async def test_a_click_on_click_markup_in_a_list_does_not_run_the_action(hostile_store: Store) -> None:
    app = make_app(hostile_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        for row in range(1, 6):
            await pilot.click("#pupils", offset=(3, row))
        await pilot.pause()
        assert app.is_running
