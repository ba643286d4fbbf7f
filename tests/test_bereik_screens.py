"""The reach view as a user drives it: from the dashboard to the families nobody reached, filtering,
marking a family for extra attention, the card on the family view, and the export without names."""

from __future__ import annotations

from textual.widgets import Input, TabbedContent

from ouder_tui.app import make_app
from ouder_tui.bereik import Bereik
from ouder_tui.leerlingen import Registry
from ouder_tui.store import Store
from screens.bereik import AandachtForm, BereikScreen
from screens.gezin import GezinScreen
from screens.overzicht import DashboardPanel
from screens.table import RecordTable
from screens.widgets import Card

from .saving import saves_done
from .test_bereik import school  # noqa: F401  (the small school of the hand count)

SIZE = (100, 34)


def _names(screen, table: str) -> list[str]:
    return [row.cells[0] for row in screen.query_one(f"#{table}-table", RecordTable).rows]


async def _open(app, pilot) -> BereikScreen:
    await pilot.pause()
    await pilot.press("b")
    await pilot.pause()
    assert isinstance(app.screen, BereikScreen)
    return app.screen


async def test_the_dashboard_shows_the_reach_and_b_opens_the_families_nobody_reached(store: Store, school) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = next(p for p in app.screen.query(DashboardPanel) if p.TITLE == "Bereik")
        text = str(panel.render())
        assert "4 van 6 gezinnen bereikt (67%)" in text and "2 nog door niemand, 1 met (!)" in text
        assert "Moeders 3/4, vaders 2/3" in text and "Andere opvoeders 1/2" in text
        screen = await _open(app, pilot)
        assert _names(screen, "niet") == ["(!) Mertens", "Kowalski"]
        assert screen.query_one(TabbedContent).get_tab("niet").label.plain == "Nog niet bereikt (2)"
        await pilot.press("ctrl+f", *"6a")
        await pilot.pause()
        assert _names(screen, "niet") == ["Kowalski"]
        await pilot.press("backspace", "backspace")
        await pilot.pause()
        assert _names(screen, "niet") == ["(!) Mertens", "Kowalski"]
        for _ in range(12):  # Tab past the filters, back to the list
            if app.focused is not None and app.focused.id == "niet-table":
                break
            await pilot.press("tab")
        assert app.focused.id == "niet-table"
        await pilot.press("down", "h")  # plan a home visit for Kowalski, who needs an interpreter
        await pilot.pause()
        from screens.huisbezoek import PlanForm

        form = app.screen
        assert isinstance(form, PlanForm) and form.record.gezin_id == school["Kowalski"].id
        assert form.record.tolk and form.record.tolk_taal == "Pools"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, BereikScreen)


async def test_the_other_lists_and_the_figures(store: Store, school) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await pilot.press("right")
        await pilot.pause()
        alle = screen.query_one("#alle-table", RecordTable)
        assert {r.cells[0]: r.cells[2:] for r in alle.rows}["Janssens"] == (
            "ja", "omgekeerd oudergesprek, uitgenodigd voor het infomoment, infomoment")
        await pilot.press("right")
        await pilot.pause()
        figures = str(screen.query_one("#figures").render())
        assert "4 van de 6 gezinnen bereikt (67%)" in figures
        assert "  vaders              2 van 3     67%" in figures
        assert screen.check_action("mark", ()) is False  # no marking from the figures (nor in its footer)
        await pilot.press("j")
        await pilot.pause()
        assert "2025-2026" in str(screen.query_one("#year").render())
        assert "1 van de 6 gezinnen bereikt" in str(screen.query_one("#figures").render())


async def test_mark_a_family_for_extra_attention_from_the_list(store: Store, school) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await pilot.press("down", "a")  # Kowalski
        await pilot.pause()
        assert isinstance(app.screen, AandachtForm)
        await pilot.press("down", "down", "space", "tab", *"net toegekomen uit Polen", "ctrl+s")
        await saves_done(pilot)
        assert app.screen is screen
        mark = Bereik(store, Registry(store)).aandacht(school["Kowalski"].id)
        assert mark.redenen == ("nieuwkomer",) and mark.toelichting == "net toegekomen uit Polen"
        assert mark.door == store.user
        assert _names(screen, "niet") == ["(!) Kowalski", "(!) Mertens"]


async def test_the_family_view_shows_its_reach_and_its_mark_can_go(store: Store, school) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await pilot.press("enter")  # Mertens
        await pilot.pause()
        family = app.screen
        assert isinstance(family, GezinScreen)
        card = next(c for c in family.query(Card) if str(c.border_title).startswith("Bereik"))
        text = str(card.render())
        assert "(!) Extra aandacht: eerste kind in het Vlaamse onderwijs (net verhuisd)" in text
        assert "Nog door niemand bereikt dit schooljaar." in text
        await pilot.press("A")
        await pilot.pause()
        await pilot.press("j")  # yes: take it away
        await pilot.pause()
        assert Bereik(store, Registry(store)).aandacht(school["Mertens"].id) is None
        assert "Extra aandacht" not in str(card.render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and _names(screen, "niet") == ["Kowalski", "Mertens"]


async def test_export_from_the_view_names_nobody_unless_ticked(store: Store, school, tmp_path) -> None:
    from screens.export_dialog import ExportDialog

    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        target = tmp_path / "bereik.csv"
        dialog.query_one("#path", Input).value = str(target)
        dialog.query_one("#path", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
    text = target.read_text(encoding="utf-8-sig")
    assert '"2026-2027";"totaal";"alle gezinnen";6;4;67' in text and "Mertens" not in text


async def test_names_that_look_like_markup_show_literally(store: Store, school, registry) -> None:
    from ouder_tui.leerlingen import Gezin, Leerling

    hostile = registry.add_gezin(Gezin(naam="[bold]Ahmed [tolk][/]"))
    registry.add_leerling(Leerling(voornaam="[red]x", familienaam="y", klas="2A", gezin_id=hostile.id))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        assert "[bold]Ahmed [tolk][/]" in _names(screen, "niet")
        await pilot.press("a")  # the first row: the marked Mertens; then the hostile family's view
        await pilot.press("escape")
        table = screen.query_one("#niet-table", RecordTable)
        table.cursor = _names(screen, "niet").index("[bold]Ahmed [tolk][/]")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, GezinScreen) and app.is_running
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AandachtForm) and "[bold]Ahmed [tolk][/]" in app.screen.form_title
