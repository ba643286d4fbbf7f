"""The demo school's parent group looks like a real year: regulars, once-only parents, walk-ins,
one cancelled session, a series ahead, open and answered requests, and parents to follow up."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from ouder_tui.demo import create_demo_database
from ouder_tui.leerlingen import Registry
from ouder_tui.oudergroep import GASTEN, Oudergroep
from ouder_tui.filestore import FileStore
from ouder_tui.store import Store
from tests.conftest import TODAY


@pytest.fixture
def og(demo_store: Store) -> Oudergroep:
    return Oudergroep(demo_store, Registry(demo_store))


def test_a_year_of_sessions_with_one_cancelled_and_a_series_ahead(og: Oudergroep) -> None:
    last, this = og.jaaroverzicht("2025-2026"), og.jaaroverzicht("2026-2027")
    assert last.gehouden >= 7 and this.gehouden >= 3
    cancelled = [s for s in og.sessies() if s.geannuleerd and s.datum > TODAY - timedelta(days=365)]
    assert len(cancelled) == 1 and cancelled[0].annulatie_reden
    series = [s for s in og.sessies() if s.reeks_id]
    assert len(series) >= 4 and len({s.reeks_id for s in series}) == 1
    assert all(s.datum > TODAY for s in series)
    upcoming = og.volgende()
    assert upcoming is not None and upcoming.uitnodigingen and upcoming.status == "uitgenodigd"
    assert len(og.zonder_aanwezigheden()) == 1  # the last one still needs its ticks


def test_regulars_once_only_parents_and_walk_ins(og: Oudergroep, demo_store: Store) -> None:
    last = og.jaaroverzicht("2025-2026")
    assert last.vaste_kern >= 4 and last.een_keer >= 3
    guests = demo_store.all(GASTEN)
    assert len(guests) == 3
    assert all(og.aanwezigheden(g["persoon_id"]) for g in guests)
    for session in og.sessies():
        for pid in session.aanwezig:
            assert og.persoon(pid).naam != "(niet meer in het register)"


def test_parents_to_follow_up_with_and_without_a_recent_contact(og: Oudergroep) -> None:
    away = og.weggebleven()
    assert 4 <= len(away) <= 15
    listed = {w.persoon.id for w in away}
    came = {pid for s in og.sessies() for pid in s.aanwezig}
    contacted = {pid for pid in came if og.contacten(pid)}
    assert len(contacted) >= 3
    assert contacted - listed  # contacted after their last miss, or not to follow up: off the list
    assert any(w.laatste_contact is not None for w in away)  # an older contact, and missed again since


def test_themes_follow_their_sessions_and_requests_are_in_every_state(og: Oudergroep) -> None:
    for theme in og.themas():
        sessions = [s for s in og.sessies() if s.thema_id == theme.id and not s.geannuleerd]
        if any(s.gehouden for s in sessions):
            assert theme.status == "gedaan", theme.titel
        elif sessions:
            assert theme.status == "gepland", theme.titel
        else:
            assert theme.status == "idee", theme.titel
    states = {(v.status, v.teruggekoppeld) for v in og.verzoeken()}
    assert {("open", False), ("in_behandeling", False), ("beantwoord", False), ("beantwoord", True)} <= states
    assert og.open_verzoeken()


def test_the_demo_is_the_same_every_time(tmp_path: Path, demo_template: Path) -> None:
    again = tmp_path / "demo.json"
    create_demo_database(again, TODAY)
    assert again.read_bytes() == demo_template.read_bytes()


@pytest.mark.parametrize("today", [date(2026, 9, 3), date(2027, 3, 1), date(2027, 6, 28)])
def test_the_demo_works_on_any_day_of_the_school_year(tmp_path: Path, today: date) -> None:
    path = tmp_path / "demo.json"
    create_demo_database(path, today)
    store = FileStore.open(path, user="x", clock=lambda: datetime(today.year, today.month, today.day, 9, 0).astimezone())
    og = Oudergroep(store, Registry(store))
    assert og.jaaroverzicht(f"{today.year - (today.month < 9)}-{today.year + (today.month >= 9)}").schooljaar
    assert og.sessies() and og.themas() and og.verzoeken()
