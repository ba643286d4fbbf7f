"""The ctrl+p palette as a user drives it: opened from any screen, its list follows every key at once,
a hit is chosen with the arrows and Enter (or a click), Esc closes it."""

from __future__ import annotations

from collections import Counter

import pytest

from ouder_tui.app import make_app
from ouder_tui.leerlingen import Leerling, Registry
from ouder_tui.store import Store
from screens.commands import NO_MATCHES, Palette, app_commands, find
from screens.huisbezoeken import HuisbezoekenScreen
from screens.leerling import LeerlingScreen
from screens.prullenbak import PrullenbakScreen
from screens.startgesprekken import StartgesprekkenScreen

SIZE = (80, 24)


def titles(app) -> list[str]:
    """What the open palette lists, top to bottom."""
    assert isinstance(app.screen, Palette)
    return [hit.title for hit in app.screen.hits]


def highlighted(app) -> int | None:
    return app.screen.query_one("#palette-hits").highlighted


def a_pupil_with_a_name_of_their_own(store: Store) -> Leerling:
    pupils = Registry(store).leerlingen()
    names = Counter(p.naam for p in pupils)
    return next(p for p in pupils if names[p.naam] == 1 and p.familienaam != p.voornaam)


def pupil_of(store: Store, title: str) -> Leerling:
    """The pupil a hit's title names ("Salma Azzouzi  ·  1A  ·  gezin Azzouzi")."""
    return next(p for p in Registry(store).leerlingen() if title.startswith(f"{p.naam}  ·  {p.klas}  ·"))


@pytest.mark.parametrize("screen_keys", [(), ("f4",), ("f5",)], ids=["dashboard", "huisbezoeken", "startgesprekken"])
async def test_a_name_then_down_up_and_enter_opens_that_pupil(demo_store: Store, screen_keys) -> None:
    surname = a_pupil_with_a_name_of_their_own(demo_store).familienaam
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*screen_keys, "ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, Palette)
        assert titles(app) == [title for title, _, _ in app_commands()]  # nothing typed: the commands
        await pilot.press(*surname)
        found = titles(app)
        assert all(surname in title for title in found[:2]) and highlighted(app) == 0
        await pilot.press("down", "down", "up")
        assert highlighted(app) == 1 and app.screen.query_one("#palette-input").has_focus  # typing goes on
        second = pupil_of(demo_store, found[1])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LeerlingScreen) and app.screen.leerling_id == second.id
        assert app.current_mode == "leerlingen"


async def test_the_list_follows_every_key_typed_erased_and_typed_again(demo_store: Store) -> None:
    """The hits are there as soon as the key is handled: no worker or timer comes after it."""
    pupil = a_pupil_with_a_name_of_their_own(demo_store)
    app = make_app(demo_store, ask_user=False)
    query = pupil.familienaam[:5]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "ctrl+p")
        await pilot.pause()
        for _ in range(2):
            for n in range(1, len(query) + 1):
                await pilot.press(query[n - 1])
                assert titles(app) == [hit.title for hit in find(app, query[:n])]
            assert any(pupil.naam in title for title in titles(app))
            for n in range(len(query) - 1, -1, -1):
                await pilot.press("backspace")
                assert titles(app) == [hit.title for hit in find(app, query[:n])]
            assert titles(app) == [title for title, _, _ in app_commands()]


async def test_esc_closes_the_palette_where_it_was_opened(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        for key, below in (("f4", HuisbezoekenScreen), ("f5", StartgesprekkenScreen)):
            await pilot.press(key, "ctrl+p", *"peeters")
            await pilot.pause()
            assert isinstance(app.screen, Palette)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, below)
        await pilot.press("ctrl+p", "ctrl+p")  # a second ctrl+p opens no second palette
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StartgesprekkenScreen)


async def test_a_command_is_found_by_its_title(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"prullenbak")
        assert titles(app)[0] == "Prullenbak"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PrullenbakScreen)


async def test_nothing_found_says_so_and_enter_does_nothing(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"xqzw")
        assert titles(app) == []
        hit_list = app.screen.query_one("#palette-hits")
        assert hit_list.option_count == 1 and hit_list.get_option_at_index(0).disabled
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, Palette)
        assert hit_list.get_option_at_index(0).prompt.title == NO_MATCHES


async def test_a_click_on_a_hit_opens_it(demo_store: Store) -> None:
    pupil = a_pupil_with_a_name_of_their_own(demo_store)
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *pupil.naam)
        await pilot.pause()
        assert titles(app)[0].startswith(pupil.naam)
        assert await pilot.click("#palette-hits", offset=(4, 1))  # the first hit's title, under the list's top edge
        await pilot.pause()
        assert isinstance(app.screen, LeerlingScreen) and app.screen.leerling_id == pupil.id


async def test_a_long_hit_is_cut_with_an_ellipsis_and_user_text_stays_literal(store: Store) -> None:
    registry = Registry(store)
    registry.add_leerling(Leerling(voornaam="[bold]Zoë[/bold]", familienaam="Vandenbroucke-" + "Lang" * 20, klas="3A"))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"vandenbroucke")
        await pilot.pause()
        line = app.screen.query_one("#palette-hits").render_line(0).text
        assert "[bold]Zoë[/bold] Vandenbroucke-Lang" in line and line.rstrip().endswith("…")


async def test_a_click_beside_the_palette_closes_it(demo_store: Store) -> None:
    pupil = a_pupil_with_a_name_of_their_own(demo_store)
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4", "ctrl+p", *pupil.naam)  # one hit: the screen below shows under the list
        await pilot.pause()
        assert len(titles(app)) == 1
        await pilot.click(offset=(40, SIZE[1] - 3))
        await pilot.pause()
        assert isinstance(app.screen, HuisbezoekenScreen)
