"""Pilot tests of the shell and the pupil and family screens: keys pressed, then store and screen."""

from __future__ import annotations

import msgspec
import pytest
from textual.widgets import Static

from ouder_tui.app import make_app
from ouder_tui.leerlingen import Gezin, Registry
from ouder_tui.filestore import FileStore
from ouder_tui.store import Store
from screens.base import AreaBar, TooSmallNotice
from screens.commands import Palette
from screens.dialogs import ConflictDialog, HelpScreen
from screens.gezin import GezinScreen
from screens.leerling import LeerlingForm, LeerlingScreen
from screens.leerlingen import LeerlingenScreen
from screens.prullenbak import PrullenbakScreen
from screens.table import RecordTable
from screens.who import WhoScreen
from .saving import saves_done

SIZE = (100, 30)


def visible(app, text: str) -> bool:
    """Whether ``text`` is drawn on the current screen (searched in the SVG export, XML-escaped)."""
    from xml.sax.saxutils import escape

    svg = app.export_screenshot()
    return escape(text).replace(" ", "&#160;") in svg


async def test_start_asks_who_you_are_and_stamps_changes_with_that_name(demo_store: Store) -> None:
    demo_store.set_user("Meester Tom")
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WhoScreen)
        assert not visible(app, "Leerlingen in 12 klassen")
        await pilot.click("#new-name")
        await pilot.press(*"Juf Sarah", "enter")
        await saves_done(pilot)
        await pilot.pause()
        assert app.current_mode == "overzicht" and not isinstance(app.screen, WhoScreen)
        assert demo_store.user == "Juf Sarah"
        assert demo_store.known_users()[:2] == ["Juf Sarah", "Meester Tom"]
        assert visible(app, "Basisschool De Notelaar (demo)")
        assert visible(app, "263 leerlingen in 12 klassen, 173 gezinnen")

        await pilot.press("ctrl+u")
        await pilot.pause()
        assert isinstance(app.screen, WhoScreen)
        await pilot.press("down", "down", "enter")  # nobody highlighted; Juf Sarah first, Meester Tom second
        await saves_done(pilot)
        await pilot.pause()
        assert demo_store.user == "Meester Tom"
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_an_empty_name_is_refused_in_dutch(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WhoScreen)
        assert "Vul je naam in." in str(app.screen.query_one("#error", Static).render())


async def test_idle_lock_hides_everything_until_the_user_confirms(demo_store: Store, monkeypatch) -> None:
    monkeypatch.setattr("ouder_tui.app.IDLE_CHECK_SECONDS", 0.05)
    app = make_app(demo_store, ask_user=False, idle_minutes=0.01)  # 0.6 s
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert visible(app, "Azzouzi")
        await pilot.pause(1.0)
        assert isinstance(app.screen, WhoScreen) and app.locked
        assert not visible(app, "Azzouzi")
        await pilot.press("f2")
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, WhoScreen)  # neither the areas nor the palette open
        await pilot.press(*"Tester", "enter")
        await pilot.pause()
        assert not app.locked and app.current_mode == "leerlingen"
        assert visible(app, "Azzouzi")


async def test_areas_by_key_and_by_mouse(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        assert app.current_mode == "leerlingen"
        await pilot.press("f2")
        assert app.current_mode == "overzicht"
        bar = app.screen.query_one(AreaBar)
        await pilot.click(AreaBar, offset=bar.tab_region("leerlingen").center)  # the tab in the area bar
        await pilot.pause()
        assert app.current_mode == "leerlingen"
        assert isinstance(app.screen, LeerlingenScreen)


async def test_filter_as_you_type_and_sort(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        table = app.screen.query_one("#pupils", RecordTable)
        assert table.row_count == 263
        await pilot.press(*"ayoub")
        registry = Registry(demo_store)
        expected = {p.id for p in registry.leerlingen() if "ayoub" in p.voornaam.lower()}
        assert {r.key for r in table.rows} >= expected and table.row_count < 263
        await pilot.press(*" 1a")
        assert all(r.cells[1] == "1A" for r in table.rows)
        for _ in range(8):
            await pilot.press("backspace")
        assert table.row_count == 263
        await pilot.click("#pupils", offset=(36, 0))  # header "Klas"
        classes = [r.cells[1] for r in table.rows]
        assert classes == sorted(classes)
        await pilot.click("#pupils", offset=(36, 0))
        assert [r.cells[1] for r in table.rows] == sorted(classes, reverse=True)


async def test_open_a_pupil_then_the_family_with_its_reach_card(demo_store: Store) -> None:
    registry = Registry(demo_store)
    family = next(g for g in registry.gezinnen()
                  if any(o.tolk_nodig for o in g.ouders) and registry.kinderen(g.id, ook_vertrokken=False))
    pupil = registry.kinderen(family.id, ook_vertrokken=False)[0]
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.press(*pupil.stamboeknummer, "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LeerlingScreen)
        assert visible(app, pupil.naam)
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, GezinScreen)
        assert visible(app, "Zo bereik je dit gezin")
        needing = next(o for o in family.ouders if o.tolk_nodig)
        assert visible(app, f"tolk nodig ({needing.tolk_taal})")
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, LeerlingenScreen)


async def test_add_a_pupil_with_dutch_errors_that_keep_what_was_typed(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "down", "n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, LeerlingForm)
        await pilot.press(*"Noor")
        await pilot.click("#input-geboortedatum")
        await pilot.press(*"31/02/2019", "ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert isinstance(app.screen, LeerlingForm)
        assert "De familienaam is verplicht." in str(form.field("familienaam").query_one(".field-error").render())
        assert "bestaat niet als datum" in str(form.field("geboortedatum").query_one(".field-error").render())
        assert form.field("voornaam").value == "Noor" and form.field("geboortedatum").value == "31/02/2019"
        await pilot.click("#input-familienaam")
        await pilot.press(*"Vermeulen")
        await pilot.click("#input-geboortedatum")
        await pilot.press("end")
        for _ in range(10):
            await pilot.press("backspace")
        await pilot.press(*"28/02/2019")
        await pilot.click("#input-klas")
        await pilot.press(*"2B", "ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert isinstance(app.screen, LeerlingenScreen)
    saved = [p for p in Registry(demo_store).leerlingen() if p.naam == "Noor Vermeulen"]
    assert len(saved) == 1
    assert saved[0].klas == "2B" and saved[0].leerjaar == 2 and saved[0].created_by == "Tester"


@pytest.mark.file_home
async def test_a_conflicting_save_offers_reload_and_keeps_the_typed_text(demo_store: Store, clock) -> None:
    registry = Registry(demo_store)
    pupil = registry.leerlingen()[0]
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(LeerlingForm(app.registry, pupil))
        await pilot.pause()
        form = app.screen
        await pilot.click("#input-notities")
        await pilot.press(*"Mama belt liever na 17 uur.")
        # Meanwhile a colleague on another PC changes the same pupil.
        other = Registry(FileStore.open(demo_store.path, user="Meester Tom", clock=clock, make_backup=False))
        other.save_leerling(msgspec.structs.replace(other.leerling(pupil.id), klas="6B"))
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert isinstance(app.screen, ConflictDialog)
        assert visible(app, "Meester Tom heeft dit bewaard op 22/11/2026 09:30")
        await pilot.click("#herladen")
        await pilot.pause()
        assert app.screen is form
        assert form.field("klas").value == "6B" and form.field("notities").value == ""
        assert "Mama belt liever na 17 uur." in str(form.query_one("#typed").render())
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
    stored = Registry(demo_store).leerling(pupil.id)
    assert stored.klas == "6B" and stored.changed_by == "Tester"


@pytest.mark.file_home
async def test_overwrite_after_a_conflict_saves_what_was_typed(demo_store: Store, clock) -> None:
    pupil = Registry(demo_store).leerlingen()[0]
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(LeerlingForm(app.registry, pupil))
        await pilot.pause()
        await pilot.click("#input-klas")
        await pilot.press("end", "backspace", "backspace", *"3A")
        other = Registry(FileStore.open(demo_store.path, user="Meester Tom", clock=clock, make_backup=False))
        other.save_leerling(msgspec.structs.replace(other.leerling(pupil.id), notities="van Tom"))
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        await pilot.click("#overschrijven")
        await pilot.pause()
    stored = Registry(demo_store).leerling(pupil.id)
    assert stored.klas == "3A" and stored.notities == "" and stored.changed_by == "Tester"


async def test_delete_to_the_recycle_bin_and_restore(demo_store: Store) -> None:
    registry = Registry(demo_store)
    first = registry.leerlingen()[0]
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "down", "delete")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        assert first.id not in {p.id for p in Registry(demo_store).leerlingen()}
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PrullenbakScreen)
        assert visible(app, f"Leerling {first.naam}")
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("escape")
    assert first.id in {p.id for p in Registry(demo_store).leerlingen()}
    assert demo_store.recycle_bin() == []


async def test_add_a_parent_to_a_family(demo_store: Store) -> None:
    registry = Registry(demo_store)
    family = registry.add_gezin(Gezin(naam="Nieuw"))
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        app.open_gezin(family.id)
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        await pilot.click("#input-voornaam")
        await pilot.press(*"Hawa")
        await pilot.click("#input-talen")
        await pilot.press(*"Somalisch, Engels")
        await pilot.click("#input-tolk_nodig")
        await pilot.click("#input-tolk_taal")
        await pilot.press(*"Somalisch")
        await pilot.click("#input-telefoon")
        await pilot.press(*"0485 11 22 33", "ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert isinstance(app.screen, GezinScreen)
        assert visible(app, "tolk nodig (Somalisch)")
    ouder = Registry(demo_store).gezin(family.id).ouders[0]
    assert (ouder.voornaam, ouder.talen, ouder.tolk_nodig, ouder.telefoon) == (
        "Hawa", ("Somalisch", "Engels"), True, "0485 11 22 33")


async def test_the_palette_finds_a_pupil_by_parent_phone_and_opens_it(demo_store: Store) -> None:
    registry = Registry(demo_store)
    family = next(g for g in registry.gezinnen() if g.ouders and g.ouders[0].telefoon and registry.kinderen(g.id))
    kids = {k.id for k in registry.kinderen(family.id)}
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, Palette)
        await pilot.press(*family.ouders[0].telefoon.replace(" ", ""))
        await pilot.pause(0.5)
        await pilot.press("down", "enter")
        await pilot.pause()
        opened = app.screen
        assert (isinstance(opened, LeerlingScreen) and opened.leerling_id in kids) or (
            isinstance(opened, GezinScreen) and opened.gezin_id == family.id)
        assert app.current_mode == "leerlingen"


async def test_f1_shows_help_for_the_current_screen(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert visible(app, "Leerlingen & gezinnen")
        await pilot.press("escape")
        assert isinstance(app.screen, LeerlingenScreen)


async def test_a_too_small_terminal_gets_a_clear_notice(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=(70, 20)) as pilot:
        await pilot.pause()
        assert app.screen.query_one(TooSmallNotice).display
    async with make_app(demo_store, ask_user=False).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not pilot.app.screen.query_one(TooSmallNotice).display


async def test_the_palette_finds_a_class_and_shows_its_pupils(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"5a")
        await pilot.pause(0.5)
        await pilot.press("enter")  # the class comes first
        await pilot.pause()
        assert isinstance(app.screen, LeerlingenScreen)
        rows = app.screen.query_one("#pupils", RecordTable).rows
        assert rows and all(r.cells[1] == "5A" for r in rows)
        assert len(rows) == Registry(demo_store).leerlingen_per_klas()["5A"]


async def test_esc_on_a_form_with_typed_text_asks_before_throwing_it_away(demo_store: Store) -> None:
    from screens.dialogs import ConfirmDialog
    from screens.leerling import LeerlingForm

    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "down", "n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, LeerlingForm)
        await pilot.press("escape")  # nothing typed yet: closes at once
        await pilot.pause()
        assert isinstance(app.screen, LeerlingenScreen)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        await pilot.press(*"Quirina")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # "Verder typen"
        await pilot.pause()
        assert app.screen is form and form.field("voornaam").value == "Quirina"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#yes")  # "Weggooien"
        await pilot.pause()
        assert isinstance(app.screen, LeerlingenScreen)
    assert "Quirina" not in {p.voornaam for p in Registry(demo_store).leerlingen()}
