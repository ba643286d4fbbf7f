"""Keys that arrive in one burst (a paste, a barcode scanner ending in Tab) land, in order, in the field
that had the focus when each arrived."""

from __future__ import annotations

from textual import events

from ouder_tui.app import make_app
from ouder_tui.store import Store
from screens.leerling import LeerlingForm


def burst(app, keys: str) -> None:
    """Deliver keys the way a terminal does in a burst: all queued before the app handles the first."""
    for key in keys.split(" "):
        character = key if len(key) == 1 else ("\t" if key == "tab" else None)
        app.post_message(events.Key(key, character))


async def test_a_burst_ending_in_tab_fills_two_fields_in_order(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3", "down", "n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, LeerlingForm) and app.focused is form.query_one("#input-voornaam")
        burst(app, "A n a tab P e e t e r s tab")
        await pilot.pause()
        await pilot.pause()
        assert form.field("voornaam").value == "Ana"
        assert form.field("familienaam").value == "Peeters"
        assert app.focused is form.query_one("#input-geboortedatum")


async def test_down_then_a_key_in_one_burst_acts_on_the_list(demo_store: Store) -> None:
    """From the pupil filter, Down moves to the list at once: an 'n' right behind it opens a new pupil
    instead of landing in the filter (seen in tmux: the filter read 'n' and the list was filtered)."""
    from textual.widgets import Input

    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        burst(app, "down n")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, LeerlingForm)
        assert app.screen_stack[-2].query_one("#pupil-filter", Input).value == ""
