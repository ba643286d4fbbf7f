"""A table of the infomoment can host several secondary schools of different networks (the one-network
warning counts schools, not tables), and the rotation spreads each group's pauses."""

from __future__ import annotations

import itertools
from datetime import date

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ouder_tui.app import make_app
from ouder_tui.errors import ValidationError
from ouder_tui.infomoment import Infomomenten, School, Tafel, rotatie
from ouder_tui.store import Store
from screens.infomoment import InfomomentScreen
from screens.infomoment_forms import TafelForm

from .saving import saves_done


@pytest.fixture
def service(store: Store) -> Infomomenten:
    return Infomomenten(store)


def test_the_one_network_warning_counts_schools_not_tables(service) -> None:
    info = service.nieuw("2026-2027", date(2027, 2, 11), inschrijvingen_vanaf=date(2027, 3, 1))
    info = service.bewaar(msgspec.structs.replace(info, tafels=(
        *(t for t in info.tafels if t.soort != "school"),
        Tafel(soort="school", naam="Sint-Jozef", net="katholiek"),
        Tafel(soort="school", naam="Scholen van de stad", net="katholiek",
              scholen=(School(naam="Sint-Lutgart", net="katholiek"),)))))
    assert "Alle 3 secundaire scholen komen uit hetzelfde net (katholiek onderwijs): nodig ook scholen van andere " \
           "netten uit." in service.waarschuwingen(info)
    table = next(t for t in info.tafels if t.naam == "Scholen van de stad")
    shared = msgspec.structs.replace(table, scholen=(*table.scholen, School(naam="Atheneum", net="go")))
    info = service.bewaar_tafel(info.id, shared)
    assert not any("hetzelfde net" in w for w in service.waarschuwingen(info))
    with pytest.raises(ValidationError):
        service.bewaar_tafel(info.id, msgspec.structs.replace(shared, scholen=(School(naam="", net="go"),)))


@given(st.integers(2, 12), st.integers(1, 12))
def test_each_group_has_its_pauses_apart(groups: int, tables: int) -> None:
    plan = rotatie(groups, tables)
    pauses = plan.rondes - tables
    if groups > tables:  # as many groups pause in every round
        assert all(sum(1 for t in plan.plan[r] if t is None) == groups - tables for r in range(plan.rondes))
    if 0 < pauses and plan.rondes >= 2 * pauses:
        for group in range(groups):
            rounds = [r for r in range(plan.rondes) if plan.tafel_van(r, group) is None]
            assert all(b - a > 1 for a, b in itertools.pairwise(rounds)), (groups, tables, rounds)


async def test_more_schools_at_a_table_typed_one_per_line(store: Store, service) -> None:
    info = service.nieuw("2026-2027", date(2027, 2, 11), inschrijvingen_vanaf=date(2027, 3, 1))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, InfomomentScreen)
        app.push_screen(TafelForm(app.infomomenten, info))
        await pilot.pause()
        form = app.screen
        form.field("naam").control.focus()
        await pilot.press(*"Scholen van de stad")
        form.field("scholen").control.focus()
        await pilot.press(*"Sint-Lutgart; kath", "enter", *"Atheneum; GO!", "enter", *"Vrije school; maan")
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        assert app.screen is form and "Onbekend net 'maan' bij Vrije school" in str(
            form.field("scholen").query_one(".field-error").render())
        await pilot.press("backspace", "backspace", "backspace", "backspace", *"andere", "ctrl+s")
        await saves_done(pilot)
        assert app.screen is not form
    table = next(t for t in service.infomoment(info.id).tafels if t.naam == "Scholen van de stad")
    assert table.scholen == (School(naam="Sint-Lutgart", net="katholiek"), School(naam="Atheneum", net="go"),
                             School(naam="Vrije school", net="andere"))
