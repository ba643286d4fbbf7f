"""The parent group's series as a unit (invite for all, change or cancel this and the following sessions,
whom to tell), the answers to bring back to the group, and a report's questions as requests in one step."""

from __future__ import annotations

from datetime import date, datetime

import msgspec
import pytest

from ouder_tui.leerlingen import Gezin, Ouder, Registry
from ouder_tui.oudergroep import Oudergroep, Sessie, Verzoek
from ouder_tui.oudergroep_export import uitnodiging
from ouder_tui.store import Store


@pytest.fixture
def group(store: Store, registry: Registry) -> Oudergroep:
    return Oudergroep(store, registry)


@pytest.fixture
def series(group: Oudergroep) -> list[Sessie]:
    first = group.plan(Sessie(datum=date(2026, 12, 1), titel="Koffie", plaats="refter"))
    return group.herhaal(first, "week", 4)  # 1, 8, 15 and 22/12 (the last one in the Christmas holiday)


@pytest.fixture
def parents(registry: Registry) -> list[str]:
    gezin = registry.add_gezin(Gezin(naam="Peeters", ouders=(Ouder(relatie="moeder", voornaam="An"),
                                                              Ouder(relatie="vader", voornaam="Jan"))))
    return [o.id for o in gezin.ouders]


def test_invite_for_the_whole_series_with_one_letter(group, series, parents) -> None:
    group.nodig_uit_reeks(series[1].id, parents, "brief")
    assert [len(s.uitnodigingen) for s in group.reeks(series[0])] == [0, 2, 2, 2]  # this one and the following
    letter = uitnodiging(group, group.sessie(series[1].id), "md", reeks=True).decode("utf-8")
    assert "dinsdag 8 december 2026" in letter and "dinsdag 22 december 2026" in letter
    assert "dinsdag 1 december 2026" not in letter


def test_change_or_cancel_this_and_the_following(group, series) -> None:
    moved = group.bewaar(msgspec.structs.replace(series[1], begin="13:30", einde="15:00", plaats="turnzaal"))
    group.wijzig_volgende(moved)
    assert [(s.begin, s.plaats) for s in group.reeks(series[0])] == [
        ("09:00", "refter"), ("13:30", "turnzaal"), ("13:30", "turnzaal"), ("13:30", "turnzaal")]
    cancelled = group.bewaar(msgspec.structs.replace(group.sessie(series[2].id), status="geannuleerd",
                                                     annulatie_reden="zaal bezet"))
    group.annuleer_volgende(cancelled, cancelled.annulatie_reden)
    assert [s.status for s in group.reeks(series[0])] == ["gepland", "gepland", "geannuleerd", "geannuleerd"]
    assert group.sessie(series[3].id).annulatie_reden == "zaal bezet"


def test_whom_to_tell_when_a_session_is_cancelled(group, series, parents) -> None:
    group.nodig_uit(series[0].id, parents, "smartschool")
    assert [p.naam for p in group.te_verwittigen(group.sessie(series[0].id))] == ["An", "Jan"]


def test_answers_to_bring_back_and_questions_that_become_requests(group, series, clock) -> None:
    clock.moment = datetime(2026, 12, 2, 9, 0).astimezone()
    held = group.bewaar(msgspec.structs.replace(group.sessie(series[0].id), status="gehouden",
                                                vragen="- Kan de bib ook op woensdag open?\nEen sessie over pesten\n\n"))
    made = group.verzoeken_uit_verslag(held.id)
    assert [v.wat for v in made] == ["Kan de bib ook op woensdag open?", "Een sessie over pesten"]
    assert all(v.sessie_id == held.id and v.gevraagd_op == date(2026, 12, 1) for v in made)
    assert group.verzoeken_uit_verslag(held.id) == []  # once
    group.bewaar_verzoek(msgspec.structs.replace(made[0], status="beantwoord", antwoord="Ja, vanaf januari."))
    assert [v.wat for v in group.terug_te_koppelen()] == ["Kan de bib ook op woensdag open?"]
    answered = group.terug_te_koppelen()[0]
    group.bewaar_verzoek(msgspec.structs.replace(answered, teruggekoppeld=True))
    assert group.terug_te_koppelen() == []


# -- in the interface ------------------------------------------------------------------------------
async def test_edit_then_cancel_this_and_the_following_sessions(store: Store, group, series, parents) -> None:
    from ouder_tui.app import make_app
    from screens.dialogs import ConfirmDialog
    from screens.oudergroep_sessie import SessieScreen

    from .saving import saves_done

    group.nodig_uit(series[1].id, parents, "telefoon")
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(110, 40)) as pilot:
        app.push_screen(SessieScreen(app.oudergroep, series[1].id))
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        form.field("plaats").control.focus()  # reachable with Tab
        await pilot.press("end", *["backspace"] * 6, *"turnzaal", "ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("j")  # the following sessions too
        await pilot.pause()
        assert [s.plaats for s in group.reeks(series[0])] == ["refter", "turnzaal", "turnzaal", "turnzaal"]
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        form.field("status").value = "geannuleerd"  # a choice, as Enter and the arrows would make it
        form.field("annulatie_reden").control.focus()
        await pilot.press(*"ziekte", "ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # only this one
        await pilot.pause()
        assert [s.status for s in group.reeks(series[0])] == ["gepland", "geannuleerd", "gepland", "gepland"]
        assert "Te verwittigen (2): An, Jan" in str(app.screen.query_one("#plan-card").render())


async def test_the_next_session_shows_what_to_bring_back_and_R_turns_questions_into_requests(
        store: Store, group, series, clock) -> None:
    from ouder_tui.app import make_app
    from screens.oudergroep_sessie import SessieScreen

    clock.moment = datetime(2026, 12, 2, 9, 0).astimezone()
    held = group.bewaar(msgspec.structs.replace(group.sessie(series[0].id), status="gehouden",
                                                vragen="Kan de bib ook op woensdag open?"))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(110, 40)) as pilot:
        app.push_screen(SessieScreen(app.oudergroep, held.id))
        await pilot.pause()
        assert "R: de vragen als verzoeken noteren" in str(app.screen.query_one("#report-card").render())
        await pilot.press("R")
        await pilot.pause()
        [request] = group.verzoeken()
        group.bewaar_verzoek(msgspec.structs.replace(request, status="beantwoord", antwoord="Ja, vanaf januari."))
        await pilot.press("escape")
        app.push_screen(SessieScreen(app.oudergroep, series[1].id))
        await pilot.pause()
        plan = str(app.screen.query_one("#plan-card").render())
        assert "Terug te koppelen aan de groep (1):" in plan and "Kan de bib ook op woensdag open? → Ja, vanaf januari." in plan
