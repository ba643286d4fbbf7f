"""The interface on a school server (issue 14): no who-are-you (the login is who works), another PC's
save appearing in the open list without losing the cursor, the idle lock opened with the login's
own password, and a save that the login's role does not allow ending in a Dutch message."""

from __future__ import annotations

import asyncio
import functools

from ouder_tui.app import make_app
from ouder_tui.errors import StoreError
from ouder_tui.leerlingen import Leerling, Registry
from ouder_tui.pgstore import PgStore
from screens.leerlingen import LeerlingenScreen
from screens.table import RecordTable
from screens.wachtwoord import ServerLockScreen
from screens.who import WhoScreen
from tests.test_server import PASSWORD, _login

SIZE = (100, 30)


async def _wait_for(pilot, condition, seconds: float = 5.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


async def test_another_pc_s_save_appears_in_the_open_list(pg_server, pg_db: str) -> None:
    url = _login(pg_server, pg_db, "juf_sarah", "leerkracht")
    office = PgStore.connect(_login(pg_server, pg_db, "zorg_els", "zorg"), listen=False)
    first = Registry(office).add_leerling(Leerling(voornaam="Amira", familienaam="Benali", klas="3A"))
    store = PgStore.connect(url)
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not isinstance(app.screen, WhoScreen)  # the login is who works
        await pilot.press("f3")
        table = app.screen.query_one("#pupils", RecordTable)
        assert await _wait_for(pilot, lambda: table.row_count == 1)
        assert table.current_key == first.id
        await asyncio.to_thread(Registry(office).add_leerling,
                                Leerling(voornaam="Zeno", familienaam="Aerts", klas="3A"))
        assert await _wait_for(pilot, lambda: table.row_count == 2)
        assert table.current_key == first.id  # the cursor stays where it was
        assert isinstance(app.screen, LeerlingenScreen)
    store.close()


async def test_the_idle_lock_opens_with_the_login_s_own_password(pg_server, pg_db: str) -> None:
    store = PgStore.connect(_login(pg_server, pg_db, "meester_tom", "leerkracht"), listen=False)
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, ServerLockScreen) and app.locked
        await pilot.press("f3")
        assert isinstance(app.screen, ServerLockScreen)  # nothing opens while locked
        await pilot.press(*"verkeerd1", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ServerLockScreen)
        assert "klopt niet" in str(app.screen.query_one("#error").render())
        await pilot.press(*PASSWORD, "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.locked and not isinstance(app.screen, ServerLockScreen)
        await pilot.press("ctrl+u")  # switching user is signing in again, not typing a name
        await pilot.pause()
        assert not isinstance(app.screen, WhoScreen)
    store.close()


async def test_a_lost_connection_is_a_dutch_message_and_saving_again_works(pg_server, pg_db: str) -> None:
    """The server drops every connection of this PC (a restart, a network hiccup): the save says so in
    Dutch, what was typed stays, and the next ctrl+s reconnects by itself and saves."""
    import psycopg

    from screens.leerling import LeerlingForm
    from tests.test_save_waits import fill_new_pupil, text_of, typed, until

    store = PgStore.connect(_login(pg_server, pg_db, "juf_lies", "leerkracht"))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        form = await fill_new_pupil(pilot)
        assert isinstance(form, LeerlingForm)
        with psycopg.connect(pg_db, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'juf_lies'")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "schoolserver" in text_of(form, "#form-error"))
        assert "probeer opnieuw" in text_of(form, "#form-error")
        assert app.screen is form and typed(form) == ("Noor", "Vermeulen", "2B")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, LeerlingenScreen))
        table = app.screen.query_one("#pupils", RecordTable)
        assert await _wait_for(pilot, lambda: table.row_count == 1)
    assert [p.naam for p in Registry(store).leerlingen()] == ["Noor Vermeulen"]
    store.close()


async def test_every_area_keeps_working_while_the_server_is_away(pg_server, pg_db: str, demo_path) -> None:
    """The server stops answering (it is down, not only restarted): every area, a pupil's and a family's
    page, the palette and the recycle bin show what was last known or a Dutch message; nothing crashes,
    and once the server is back a save works again."""
    import psycopg

    from ouder_tui.cli import main

    assert main(["overzetten", "--van", str(demo_path), "--naar", pg_db]) == 0
    store = PgStore.connect(_login(pg_server, pg_db, "zorg_away", "zorg"))
    app = make_app(store, ask_user=False)
    real_url = store.url
    async with app.run_test(size=(120, 40)) as pilot:
        for key in ("f2", "f3", "f4", "f5", "f6", "f7", "f2"):
            await pilot.press(key)
            await pilot.pause()
        store.url = real_url.replace(f":{pg_server.port}/", ":9/")  # nothing listens there
        with psycopg.connect(pg_db, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'zorg_away'")
        for keys in (["f3", "down", "enter"], ["escape", "f4", "enter"], ["escape", "f5"], ["f6", "enter"],
                     ["escape", "f7"], ["f2"], ["ctrl+p", *"haddad"], ["escape", "f3", "p"], ["escape"]):
            for key in keys:
                await pilot.press(key)
                await pilot.pause(0.3)
            assert app.is_running and app._exception is None, keys
        await pilot.press("ctrl+p", *"logboek")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "LogboekScreen" and app._exception is None
        await pilot.press("escape", "escape", "f2")
        await pilot.pause()
        store.url = real_url
        assert app.is_running and app._exception is None
        add = functools.partial(Registry(store).add_leerling, Leerling(voornaam="Noor", familienaam="Peeters", klas="1A"))
        try:
            saved = await asyncio.to_thread(add)
        except StoreError:  # the save that finds the old connection gone says so; the next one reconnects
            saved = await asyncio.to_thread(add)
        assert Registry(store).leerling(saved.id).naam == "Noor Peeters"
    store.close()
