"""F5 remembers the class each person worked on last; a logged home visit offers the follow-up visit."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Select

from ouder_tui.app import make_app
from ouder_tui.store import Store
from ouder_tui.voorkeuren import Voorkeuren
from screens.startgesprekken import StartgesprekkenScreen
from .saving import saves_done


async def _choose_class(app, pilot, steps: int) -> str:
    select = app.screen.query_one("#klas", Select)
    while app.focused is not select:
        await pilot.press("shift+tab")
    await pilot.press("enter", *["down"] * steps, "enter")
    await pilot.pause()
    return str(select.value)


async def test_f5_remembers_the_last_class_of_each_person(demo_store: Store, tmp_path: Path) -> None:
    voorkeuren = Voorkeuren(tmp_path / "voorkeuren.json")
    app = make_app(demo_store, ask_user=False, voorkeuren=voorkeuren)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, StartgesprekkenScreen)
        first = str(app.screen.query_one("#klas", Select).value)
        chosen = await _choose_class(app, pilot, 3)
        assert chosen != first
        await pilot.press("tab", "ctrl+u")  # back in the list; another teacher takes over
        await pilot.pause()
        await pilot.press(*"Meester Tom", "enter")  # typing goes to the name field
        await saves_done(pilot)
        await pilot.pause()
        assert demo_store.user == "Meester Tom", demo_store.user
        assert str(app.screen.query_one("#klas", Select).value) == first  # Tom never chose one
    again = make_app(demo_store, ask_user=False, voorkeuren=Voorkeuren(tmp_path / "voorkeuren.json"))
    demo_store.set_user("Tester")
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        assert str(again.screen.query_one("#klas", Select).value) == chosen  # remembered across starts


async def test_a_logged_visit_offers_the_follow_up_with_family_language_and_interpreter(registry) -> None:
    from datetime import date

    from ouder_tui.huisbezoek import Huisbezoek, Huisbezoeken
    from ouder_tui.leerlingen import Gezin, Ouder
    from screens.dialogs import ConfirmDialog
    from screens.huisbezoek import HuisbezoekScreen, LogForm, PlanForm

    family = registry.add_gezin(Gezin(naam="Yilmaz", ouders=(
        Ouder(relatie="moeder", voornaam="Ayse", talen=("Turks",), tolk_nodig=True, tolk_taal="Turks"),)))
    service = Huisbezoeken(registry.store, registry)
    visit = service.plan(Huisbezoek(gezin_id=family.id, datum=date(2026, 11, 20), taal="Turks", tolk=True,
                                    tolk_taal="Turks", bezoeker="Sarah"))
    app = make_app(registry.store, ask_user=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4", "right", "enter")  # "Te loggen": the visit of two days ago
        await pilot.pause()
        assert isinstance(app.screen, HuisbezoekScreen)
        assert "Vervolgbezoek" not in {k.description for k in app.screen.query("FooterKey")}  # not logged yet
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LogForm)
        await pilot.press("enter", "down", "enter")  # Hoe verliep het? -> gehouden
        for _ in range(20):
            if app.focused is app.screen.query_one("#input-vervolgbezoek"):
                break
            await pilot.press("tab")
        await pilot.press("space", "tab", *"15/01/2027", "ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # "Vervolgbezoek plannen?"
        await pilot.press("tab", "enter")  # Plannen
        await pilot.pause()
        form = app.screen
        assert isinstance(form, PlanForm)
        assert (form.record.gezin_id, form.field("taal").value, form.field("tolk").value,
                form.field("tolk_taal").value, form.field("datum").value) == (family.id, "Turks", True, "Turks",
                                                                               "15/01/2027")
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
    assert len(service.gepland()) == 1 and service.gepland()[0].id != visit.id
