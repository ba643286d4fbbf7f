"""Every screen at 80x24, walked by keyboard as a user would: each focusable widget and each panel can be
reached with Tab and is drawn on the screen when it has the focus; the footer's keys fit 80 columns; no
English word reaches the user; below 80x24 the notice lets only ctrl+q and F1 through."""

from __future__ import annotations

import re
from html import unescape

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from ouder_tui.app import make_app
from ouder_tui.store import Store
from screens.base import TooSmallScreen
from screens.dialogs import HelpScreen

SIZE = (80, 24)

#: Words that only English texts use (Textual's built-ins, OS errors); Dutch never has them as words.
ENGLISH = ["the", "No matches", "found", "Dismiss", "menu", "escape", "delete", "space", "left", "right",
           "enter", "Search", "commands", "error", "Error", "No space left", "device", "Permission denied",
           "Input data", "truncated", "timezone", "only works", "Cancel", "Save", "Close", "Quit", "Help"]
ALLOWED = {"Help"}  # the footer's "F1 Help" is the Dutch word too


def screen_text(app) -> str:
    """What the screen shows, as plain text (from the SVG export)."""
    svg = app.export_screenshot()
    parts = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return unescape(" ".join(re.sub(r"<[^>]+>", "", p) for p in parts)).replace("\xa0", " ")


def english_in(text: str) -> list[str]:
    return [w for w in ENGLISH if w not in ALLOWED and re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]


async def check_screen(app, pilot, where: str) -> None:
    """Tab through the screen on top: every focusable widget gets the focus once and is then drawn; the
    footer's keys fit; no English."""
    await pilot.pause()
    screen = app.screen
    chain = list(screen.focus_chain)
    reached = set()
    for _ in range(len(chain) + 2):
        await pilot.press("tab")
        await pilot.pause()
        widget = app.focused
        if widget is None or widget in reached:
            continue
        reached.add(widget)
        assert widget in screen._compositor.visible_widgets, f"{where}: {widget!r} has the focus but is not drawn"
    missing = [w for w in chain if w not in reached]
    assert not missing, f"{where}: Tab never reaches {missing}"
    for footer in screen.query(Footer):
        for key in footer.query(FooterKey):
            assert key.region.right <= SIZE[0], f"{where}: footer key {key.description!r} is cut off"
    found = english_in(screen_text(app))
    assert not found, f"{where}: English on screen: {found}"


async def open_and_check(app, pilot, keys: tuple[str, ...], where: str, *, close: tuple[str, ...] = ("escape",)):
    await pilot.press(*keys)
    await pilot.pause()
    await check_screen(app, pilot, where)
    if close:
        await pilot.press(*close)
        await pilot.pause()


AREA_FLOWS = [
    ("f2", [(("s",), "instellingen")]),
    ("f3", [(("down", "n"), "nieuwe leerling"), (("down", "enter"), "leerling"), (("g",), "gezinnen")]),
    ("f4", [(("n",), "huisbezoek plannen")]),
    ("f5", [(("enter",), "startgesprek"), (("o",), "omgekeerd oudergesprek")]),
    ("f6", [(("n",), "sessie plannen")]),
    ("f7", []),
]


@pytest.mark.parametrize("area,flows", AREA_FLOWS, ids=[a for a, _ in AREA_FLOWS])
async def test_every_screen_is_reachable_by_keyboard_at_80x24(demo_store: Store, area: str, flows) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(area)
        await check_screen(app, pilot, area)
        for keys, where in flows:
            await pilot.press(area)
            await open_and_check(app, pilot, keys, f"{area} {where}", close=("escape",) if where != "gezinnen" else ())
            while app.screen.is_modal or len(app.screen_stack) > 1:
                await pilot.press("escape")
                await pilot.pause()
                if app.screen.is_modal and app.screen.query("#yes"):
                    await pilot.click("#yes")
                    await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert not english_in(screen_text(app)), english_in(screen_text(app))


async def test_a_form_with_the_conversation_help_open_still_shows_bewaren(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5", "enter")
        await pilot.pause()
        await pilot.press("ctrl+g")
        await pilot.pause()
        save = app.screen.query_one("#save")
        assert save in app.screen._compositor.visible_widgets and save.region.right <= SIZE[0]


async def test_below_80x24_the_notice_lets_only_quit_and_help_through(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.press("f3", "n", "ctrl+p", "ctrl+u", "ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen) and app.current_mode == "overzicht" and not app.locked
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not isinstance(app.screen, TooSmallScreen)
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_the_palette_says_in_dutch_that_nothing_was_found(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"xqzw")
        await pilot.pause(1.0)
        text = screen_text(app)
        assert "Niets gevonden" in text and not english_in(text)


async def test_an_open_dropdown_names_its_key_in_dutch(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "down", "n")
        await pilot.pause()
        for _ in range(12):
            if app.focused is not None and app.focused.id == "input-status":
                break
            await pilot.press("tab")
        await pilot.press("enter")  # open the list
        await pilot.pause()
        text = screen_text(app)
        assert not english_in(text), english_in(text)


DETAIL_FLOWS = [
    (("f3", "down", "enter"), "LeerlingScreen"),
    (("f3", "down", "g", "down", "enter"), "GezinScreen"),
    (("f4", "right", "enter"), "HuisbezoekScreen"),
    (("f6", "enter"), "SessieScreen"),
    (("f6", "enter", "u"), "UitnodigenScreen"),
    (("f2", "f1"), "HelpScreen"),
    (("f3", "down", "p"), "PrullenbakScreen"),
    (("f3", "down", "i"), "ImportScreen"),
    (("f5", "b"), "VragenbankScreen"),
    (("f4", "right", "enter", "l"), "LogForm"),
    (("f4", "right", "enter", "a"), "ActieForm"),
    (("f3", "down", "g", "down", "enter", "o"), "OuderForm"),
    (("f6", "enter", "v"), "VerslagForm"),
    (("f6", "right", "n"), "ThemaForm"),
    (("f7", "e"), "InfomomentForm"),
    (("f7", "n"), "TaakForm"),
    (("f3", "down", "n", *["tab"] * 9, "enter"), "GezinPicker"),  # Kies gezin, after the 9 fields
]


@pytest.mark.parametrize("keys,where", DETAIL_FLOWS, ids=[w for _, w in DETAIL_FLOWS])
async def test_detail_screens_fit_80_columns_and_are_reachable(demo_store: Store, keys, where: str) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        assert type(app.screen).__name__ == where
        await check_screen(app, pilot, where)


async def test_help_over_the_palette_is_dutch(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", "f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("Markdown")._markdown
        assert "Zoeken sluiten" in text and "Exit" not in text and "command" not in text
