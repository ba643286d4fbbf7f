"""Home visits: the service, and the flows of the care coordinator in the interface."""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape

import pytest
from textual.widgets import TabbedContent

from ouder_tui.app import make_app
from ouder_tui.errors import ValidationError
from ouder_tui.huisbezoek import Actie, Huisbezoek, Huisbezoeken
from ouder_tui.leerlingen import Gezin, Leerling, Ouder, Registry
from ouder_tui.store import Store
from screens.commands import Palette
from screens.gezin import GezinScreen
from screens.huisbezoek import ActieForm, HuisbezoekScreen, LogForm, PlanForm
from screens.huisbezoeken import HuisbezoekenScreen
from screens.table import RecordTable
from .saving import saves_done

SIZE = (110, 34)
SECRET = "Vader drinkt; CLB is op de hoogte."


def shows(app, text: str) -> bool:
    return escape(text).replace(" ", "&#160;") in app.export_screenshot()


@pytest.fixture
def family(registry: Registry) -> Gezin:
    gezin = registry.add_gezin(Gezin(naam="Yılmaz", ouders=(
        Ouder(relatie="moeder", voornaam="Ayşe", talen=("Turks",), tolk_nodig=True, tolk_taal="Turks"),)))
    registry.add_leerling(Leerling(voornaam="Elif", familienaam="Yılmaz", klas="3A", gezin_id=gezin.id))
    return gezin


@pytest.fixture
def service(store: Store, registry: Registry) -> Huisbezoeken:
    return Huisbezoeken(store, registry)


def test_a_visit_needs_a_family_and_a_date_the_rest_can_follow(service: Huisbezoeken) -> None:
    with pytest.raises(ValidationError) as caught:
        service.plan(Huisbezoek(tijd="25:00"))
    assert caught.value.errors == {"gezin_id": "Kies het gezin.", "datum": "Vul de datum in.",
                                   "tijd": "'25:00' is geen uur (bv. 14:30)."}


def test_the_suggestion_takes_languages_and_interpreter_from_the_registry(service, family) -> None:
    visit = service.voorstel(family.id)
    assert (visit.taal, visit.tolk, visit.tolk_taal) == ("Turks", True, "Turks")


def test_planning_in_the_past_is_allowed_with_a_warning(service, family) -> None:
    visit = service.plan(Huisbezoek(gezin_id=family.id, datum=date(2026, 11, 2)))
    assert service.te_loggen() == [visit]
    assert "in het verleden" in visit.warnings(service.vandaag())[0]


def test_never_visited_filters_by_class_grade_language_and_interpreter(service, family, registry) -> None:
    other = registry.add_gezin(Gezin(naam="Peeters", ouders=(Ouder(voornaam="An", talen=("Nederlands",)),)))
    registry.add_leerling(Leerling(voornaam="Lars", familienaam="Peeters", klas="5B", gezin_id=other.id))
    assert {g.naam for g in service.nooit_bezocht()} == {"Yılmaz", "Peeters"}
    assert [g.naam for g in service.nooit_bezocht(klas="3a")] == ["Yılmaz"]
    assert [g.naam for g in service.nooit_bezocht(leerjaar=5)] == ["Peeters"]
    assert [g.naam for g in service.nooit_bezocht(taal="turk")] == ["Yılmaz"]
    assert [g.naam for g in service.nooit_bezocht(tolk=False)] == ["Peeters"]
    service.plan(Huisbezoek(gezin_id=family.id, datum=date(2026, 10, 5), status="gehouden"))
    assert [g.naam for g in service.nooit_bezocht()] == ["Peeters"]


async def test_plan_log_follow_up_and_tick_off(store: Store, family: Gezin) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HuisbezoekenScreen)
        screen.query_one(TabbedContent).active = "nooit"
        table = screen.query_one("#nooit-table", RecordTable)
        table.focus()
        await pilot.press("enter")  # plan a visit for the family never visited
        await pilot.pause()
        form = app.screen
        assert isinstance(form, PlanForm)
        assert form.field("taal").value == "Turks" and form.field("tolk").value is True
        await pilot.press(*"03/12/2026")
        await pilot.click("#input-tijd")
        await pilot.press(*"16u15")
        await pilot.click("#input-bezoeker")
        await pilot.press(*"Sarah", "ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert isinstance(app.screen, HuisbezoekenScreen)
        [visit] = app.huisbezoeken.gepland()
        assert (visit.datum, visit.tijd, visit.bezoeker, visit.created_by) == (date(2026, 12, 3), "16:15", "Sarah",
                                                                                "Tester")
        app.push_screen(HuisbezoekScreen(app.huisbezoeken, visit.id))
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        log = app.screen
        assert isinstance(log, LogForm)
        log.field("status").value = "gehouden"
        await pilot.click("#input-besproken")
        await pilot.press(*"Kennismaking; Elif toonde haar tekeningen.")
        await pilot.click("#input-afspraken")
        await pilot.press(*"Maandelijks bellen.", "ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert isinstance(app.screen, HuisbezoekScreen)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ActieForm)
        await pilot.press(*"Tolk boeken voor oudercontact")
        await pilot.click("#input-tegen")
        await pilot.press(*"20/11/2026", "ctrl+s")  # already late on 22/11
        await saves_done(pilot)
        await pilot.pause()
        assert isinstance(app.screen, HuisbezoekScreen)
        visit = app.huisbezoeken.bezoek(visit.id)
        assert visit.status == "gehouden" and visit.afspraken == "Maandelijks bellen."
        assert [o.actie.wat for o in app.huisbezoeken.achterstallige_acties()] == ["Tolk boeken voor oudercontact"]
        await pilot.press("f2")
        await pilot.pause()
        assert shows(app, "1 actie te laat:")
        await pilot.press("f4")
        await pilot.pause()
        screen.query_one(TabbedContent).active = "acties"
        screen.query_one("#acties-table", RecordTable).focus()
        await pilot.press("space")
        await pilot.pause()
    [actie] = Huisbezoeken(store, Registry(store)).bezoek(visit.id).acties
    assert actie.gedaan_op == date(2026, 11, 22) and actie.gedaan_door == "Tester"


async def test_a_cancellation_keeps_who_cancelled_and_why(store: Store, service, family) -> None:
    visit = service.plan(Huisbezoek(gezin_id=family.id, datum=date(2026, 11, 20)))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(LogForm(app.huisbezoeken, visit))
        await pilot.pause()
        app.screen.field("status").value = "geannuleerd_gezin"
        await pilot.click("#input-annulatie_reden")
        await pilot.press(*"Papa moest werken.", "ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
    saved = Huisbezoeken(store, Registry(store)).bezoek(visit.id)
    assert (saved.status, saved.annulatie_reden) == ("geannuleerd_gezin", "Papa moest werken.")
    assert saved.status_tekst == "geannuleerd door het gezin"


async def test_confidential_notes_show_only_when_the_visit_is_opened(store: Store, service, family) -> None:
    visit = service.plan(Huisbezoek(gezin_id=family.id, datum=date(2026, 11, 10), status="gehouden",
                                    vertrouwelijk=True, besproken=SECRET,
                                    acties=(Actie(wat="CLB bellen over thuissituatie", tegen=date(2026, 11, 1)),)))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert shows(app, "actie uit vertrouwelijk bezoek") and not shows(app, "CLB bellen")  # dashboard
        await pilot.press("f4")
        await pilot.pause()
        for tab in ("alle", "acties"):
            app.screen.query_one(TabbedContent).active = tab
            await pilot.pause()
            assert not shows(app, SECRET) and not shows(app, "CLB bellen")
        app.open_gezin(family.id)
        await pilot.pause()
        assert isinstance(app.screen, GezinScreen)
        assert shows(app, "vertrouwelijk") and not shows(app, SECRET)
        await pilot.press("ctrl+p", *"yilmaz")
        await pilot.pause(0.5)
        assert isinstance(app.screen, Palette)
        assert shows(app, "Huisbezoek  ·") and not shows(app, SECRET)  # the visit's hit, found by "yilmaz"
        await pilot.press("escape")
        app.push_screen(HuisbezoekScreen(app.huisbezoeken, visit.id))
        await pilot.pause()
        assert shows(app, SECRET) and shows(app, "VERTROUWELIJK")


async def test_hostile_family_names_in_visits_show_literally(store: Store, service, registry) -> None:
    gezin = registry.add_gezin(Gezin(naam="[bold]X[/] [@click=app.quit]"))
    registry.add_leerling(Leerling(voornaam="[/]", familienaam="[Mama]", gezin_id=gezin.id))
    service.plan(Huisbezoek(gezin_id=gezin.id, datum=date(2026, 12, 1), bezoeker="[red]Sarah[/red]",
                            acties=(Actie(wat="[/]", tegen=date(2026, 11, 1)),), status="gehouden"))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        for tab in ("gepland", "te-loggen", "acties", "nooit", "alle"):
            app.screen.query_one(TabbedContent).active = tab
            await pilot.pause()
        assert shows(app, "[bold]X[/] [@click")  # the column cuts the rest
        visit = app.huisbezoeken.alle()[0]
        app.push_screen(HuisbezoekScreen(app.huisbezoeken, visit.id))
        await pilot.pause()
        assert shows(app, "[red]Sarah[/red]")
        assert app.is_running
