"""Who works: --gebruiker / OUDER_TUI_GEBRUIKER name the interface's user, and the start dialog never
signs in someone else by Enter alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from ouder_tui import cli
from ouder_tui.app import make_app
from ouder_tui.store import Store
from screens.who import WhoScreen
from .saving import saves_done


class _Started(Exception):
    pass


@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_named_user_starts_the_interface_as_that_user(tmp_path: Path, monkeypatch, how: str) -> None:
    seen = {}

    class FakeInterface:
        @staticmethod
        def make_app(store, ask_user, voorkeuren=None):
            seen.update(user=store.user, ask_user=ask_user)
            raise _Started

    monkeypatch.setattr(cli, "_interface", lambda: FakeInterface)
    monkeypatch.delenv(cli.ENV_USER, raising=False)
    argv = ["--db", str(tmp_path / "db.json")]
    if how == "option":
        argv = ["--gebruiker", "Juf Sarah", *argv]
    else:
        monkeypatch.setenv(cli.ENV_USER, "Juf Sarah")
    with pytest.raises(_Started):
        cli.main(argv)
    assert seen == {"user": "Juf Sarah", "ask_user": False}


async def test_enter_alone_at_the_start_signs_in_nobody(demo_store: Store) -> None:
    demo_store.set_user("Meester Tom")
    demo_store.set_user("Juf Sarah")  # the previous person on this PC
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WhoScreen)
        await pilot.press("enter")
        await saves_done(pilot)
        assert isinstance(app.screen, WhoScreen)  # nobody signed in
        await pilot.press("down", "down", "enter")  # Meester Tom, chosen on purpose
        await saves_done(pilot)
        await pilot.pause()
        assert not isinstance(app.screen, WhoScreen) and demo_store.user == "Meester Tom"


async def test_typing_a_name_fast_on_the_list_keeps_every_letter(demo_store: Store) -> None:
    from textual import events

    demo_store.set_user("Juf Sarah")
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WhoScreen)
        for letter in "Meester Tom":  # one burst, as a fast typist's keys arrive
            app.post_message(events.Key("space" if letter == " " else letter, letter))
        app.post_message(events.Key("enter", "\r"))
        await pilot.pause()
        await saves_done(pilot)
        await pilot.pause()
        assert demo_store.user == "Meester Tom"
