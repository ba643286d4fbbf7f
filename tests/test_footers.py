"""Footers show only keys that work on that screen, with what they do there, in Dutch; F1 names keys in Dutch."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from ouder_tui.app import make_app
from ouder_tui.store import Store
from screens.dialogs import HelpScreen
from screens.oudergroep_lijsten import AanwezigheidScreen, UitnodigenScreen
from screens.oudergroep_sessie import SessieScreen


def footer(app) -> dict[str, str]:
    return {key.description: key.key_display for key in app.screen.query(FooterKey)}


async def test_an_empty_infomoment_shows_no_keys_that_do_nothing(store: Store) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        keys = footer(app)
        assert "Nieuw" in keys
        assert "Datum en plaats" not in keys and "Exporteren" not in keys and "Openen" not in keys


async def test_the_invite_and_attendance_lists_do_not_offer_openen(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SessieScreen)
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, UitnodigenScreen)
        keys = footer(app)
        assert "Openen" not in keys and keys["Aanduiden"] == "spatie"
        await pilot.press("escape")
        await pilot.pause()
        app.screen.service.vandaag = lambda: app.screen.service.sessie(app.screen.sessie_id).datum
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AanwezigheidScreen)
        keys = footer(app)
        assert "Openen" not in keys and keys["Aanwezig"] == "spatie"


async def test_help_names_keys_in_dutch(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4", "enter")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("Markdown")._markdown
        assert "| Esc | Terug |" in text and "| spatie | Afvinken |" in text and "| Del | Verwijderen |" in text
        for english in ("escape", "space", "delete"):
            assert f"| {english} |" not in text


async def test_task_keys_show_on_the_list_where_they_work(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        assert "Sessie over thema" not in footer(app) and "Contact noteren" not in footer(app)
        await pilot.press("right")  # Thema's
        await pilot.pause()
        assert footer(app).get("Sessie over thema") == "p"
        await pilot.press("right")  # Weggebleven
        await pilot.pause()
        assert footer(app).get("Contact noteren") == "c" and "Sessie over thema" not in footer(app)



async def test_the_footer_keeps_its_keys_while_they_stay_the_same_and_changes_them_when_they_change(
        demo_store: Store) -> None:
    """Back from a form the pupil list offers the keys it offered before: its footer keeps them (making them anew
    lays out and draws the whole screen once more, right after a save); where the keys change, it shows the new."""
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        in_filter = footer(app)
        await pilot.press("down")  # into the list: Enter opens a pupil there
        await pilot.pause()
        assert footer(app) != in_filter and "Openen" in footer(app)
        keys = list(app.screen.query(FooterKey))
        await pilot.press("e")  # the pupil's form, then back without a change
        await pilot.pause()
        assert app.screen.query_one("#save")
        await pilot.press("escape")
        await pilot.pause()
        assert "Openen" in footer(app)
        assert list(app.screen.query(FooterKey)) == keys  # the very same widgets, still shown
        assert all(key.is_attached for key in keys)
        await pilot.press("slash")  # back to the filter: its own keys again
        await pilot.pause()
        assert footer(app) == in_filter
