"""Details typed for an option are never dropped, boxes show their state as a shape, and a time field
shows no example where a value would be."""

from __future__ import annotations

from datetime import date

from textual.widgets import Checkbox, Input

from ouder_tui.app import make_app
from ouder_tui.leerlingen import Gezin, Ouder, Registry
from ouder_tui.oudergroep import Oudergroep
from ouder_tui.store import Store
from screens.huisbezoek import PlanForm
from screens.oudergroep import OudergroepScreen
from screens.oudergroep_sessie import SessieForm
from .saving import saves_done

SIZE = (80, 24)


async def _tab_to(app, pilot, selector: str) -> None:
    """Tab (as a user does) until ``selector`` has the focus."""
    target = app.screen.query_one(selector)
    for _ in range(60):
        if app.focused is target:
            return
        await pilot.press("tab")
    raise AssertionError(f"{selector} cannot be reached with Tab")


async def test_childcare_details_tick_kinderopvang_and_are_saved(store: Store) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, OudergroepScreen)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SessieForm)
        await _tab_to(app, pilot, "#input-datum")
        await pilot.press("ctrl+u", *"20/11/2026")
        await _tab_to(app, pilot, "#input-titel")
        await pilot.press(*"Meertalig opvoeden")
        await _tab_to(app, pilot, "#input-kinderopvang_info")
        await pilot.press(*"Refter, juf Lies")
        assert form.field("kinderopvang").value is True  # typing the details ticked the option
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
    session = Oudergroep(store, Registry(store)).sessies()[0]
    assert session.kinderopvang and session.kinderopvang_info == "Refter, juf Lies"


async def test_unticking_the_option_with_details_typed_stops_the_save_with_a_reason(store: Store) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6", "n")
        await pilot.pause()
        form = app.screen
        await _tab_to(app, pilot, "#input-titel")
        await pilot.press(*"Schermtijd")
        await _tab_to(app, pilot, "#input-kinderopvang_info")
        await pilot.press(*"Refter")
        await _tab_to(app, pilot, "#input-kinderopvang")
        await pilot.press("space")  # untick
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "kinderopvang is niet aangevinkt" in str(form.field("kinderopvang_info").query_one(".field-error")
                                                       .render())
    assert Oudergroep(store, Registry(store)).sessies() == []


async def test_a_checkbox_shows_its_state_as_a_shape(store: Store) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6", "n")
        await pilot.pause()
        box = app.screen.query_one("#input-kinderopvang", Checkbox)
        assert "☐" in str(box.render()) and "X" not in str(box.render())
        await _tab_to(app, pilot, "#input-kinderopvang")
        await pilot.press("space")
        assert "☑" in str(box.render())


async def test_the_time_of_a_visit_shows_no_example_in_the_field(registry: Registry) -> None:
    registry.add_gezin(Gezin(naam="Yilmaz", ouders=(Ouder(relatie="moeder", voornaam="Ayse", talen=("Turks",)),)))
    app = make_app(registry.store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4", "n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, PlanForm)
        assert form.query_one("#input-tijd", Input).placeholder == ""
        assert "14:30" in form.field("tijd").label  # the example sits in the label
