"""The infomoment: the template, moving the date, the warnings, the programme's times, the rotation
(a property test over every size from 1 to 12), questions merged into a top 5, and next year."""

from __future__ import annotations

from datetime import date, datetime

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ouder_tui.errors import ValidationError
from ouder_tui.infomoment import Infomomenten, OpenDag, Taak, Tafel, Vraag, rotatie, sjabloon
from ouder_tui.store import Store

EVENT = date(2027, 2, 11)  # a Thursday


@pytest.fixture
def service(store: Store) -> Infomomenten:
    return Infomomenten(store)


@pytest.fixture
def info(service: Infomomenten):
    return service.nieuw("2026-2027", EVENT, plaats="refter", inschrijvingen_vanaf=date(2027, 3, 1))


@given(st.integers(1, 12), st.integers(1, 12))
def test_rotation_every_group_meets_every_table_once_and_no_table_has_two_groups(groups: int, tables: int) -> None:
    plan = rotatie(groups, tables)
    assert plan.rondes == max(groups, tables)  # the least possible: each table sees every group in turn
    for group in range(groups):
        visited = [plan.tafel_van(r, group) for r in range(plan.rondes)]
        assert sorted(t for t in visited if t is not None) == list(range(tables))
    for r in range(plan.rondes):
        seated = [t for t in plan.plan[r] if t is not None]
        assert len(seated) == len(set(seated))
    assert plan.met_pauzes == (groups > tables)


def test_rotation_needs_a_group_and_a_table() -> None:
    with pytest.raises(ValueError):
        rotatie(0, 5)


def test_a_new_infomoment_starts_from_the_template(info) -> None:
    template = sjabloon()
    assert [t.wat for t in info.taken] == [t["wat"] for t in template["taken"]]
    assert all(t.status == "open" and t.id for t in info.taken)
    assert [t.soort for t in info.tafels] == ["clb", "klasleerkracht", "zorgleerkracht", "oud_leerlingen", "school"]
    assert "B-stroom" in info.doelgroep
    invite = next(t for t in info.taken if t.sleutel == "ouders_uitnodigen")
    assert invite.deadline(info.datum) == date(2027, 1, 21)


def test_one_infomoment_per_school_year(service: Infomomenten, info) -> None:
    with pytest.raises(ValidationError) as caught:
        service.nieuw("2026-2027", date(2027, 2, 18))
    assert "al een infomoment" in caught.value.errors["schooljaar"]
    with pytest.raises(ValidationError) as caught:
        service.nieuw("2027", None)
    assert set(caught.value.errors) == {"schooljaar", "datum"}
    with pytest.raises(ValidationError) as caught:
        service.nieuw("2027-2028", date(2027, 2, 11))
    assert caught.value.errors["datum"] == "11/02/2027 valt niet in het schooljaar 2027-2028."


def test_moving_the_date_moves_every_deadline(service: Infomomenten, info) -> None:
    before = {t.id: t.deadline(info.datum) for t in info.taken}
    moved = service.verplaats(info.id, date(2027, 2, 4))
    assert all(t.deadline(moved.datum) == before[t.id] - (EVENT - date(2027, 2, 4)) for t in moved.taken)


def test_programme_times_follow_from_the_parts_and_the_rotation(service: Infomomenten, info) -> None:
    # 15 min opening, 20 min talk, 5 tables x 12 min + 4 changes x 2 min = 68 min, 30 min drink
    times = [(part.soort, start.strftime("%H:%M"), end.strftime("%H:%M")) for part, start, end in info.tijden()]
    assert times == [("opening", "19:00", "19:15"), ("uitleg", "19:15", "19:35"), ("rotatie", "19:35", "20:43"),
                     ("drankje", "20:43", "21:13")]
    assert info.einde() == datetime(2027, 2, 11, 21, 13)
    more = service.bewaar(msgspec.structs.replace(info, groepen=7))  # more groups than tables: 7 rounds
    assert more.rotatie_minuten() == 7 * 12 + 6 * 2


def test_progress_and_overdue_tasks(service: Infomomenten, info, clock) -> None:
    assert info.voortgang() == (0, 14)
    clock.moment = datetime(2026, 12, 20, 9, 0).astimezone()
    late = service.achterstallig(service.infomoment(info.id))
    assert [t.sleutel for t in late] == ["datum", "partners"]  # 90 and 60 days before
    service.zet_taak(info.id, late[0].id, "klaar")
    assert service.infomoment(info.id).voortgang() == (1, 14)
    assert [t.sleutel for t in service.achterstallig(service.infomoment(info.id))] == ["partners"]


def test_tasks_can_be_added_edited_and_removed(service: Infomomenten, info) -> None:
    saved = service.bewaar_taak(info.id, Taak(wat="Tolk Oekraïens vragen", dagen_voor=10, eigenaar="Sarah"))
    added = saved.taken[-1]
    assert added.id and added.deadline(saved.datum) == date(2027, 2, 1)
    saved = service.bewaar_taak(info.id, msgspec.structs.replace(added, status="bezig", notitie="gebeld"))
    assert saved.taken[-1].status == "bezig" and len(saved.taken) == 15
    with pytest.raises(ValidationError):
        service.bewaar_taak(info.id, Taak(wat=" "))
    assert len(service.verwijder_taak(info.id, added.id).taken) == 14


def test_warnings_the_source_documents_call_for(service: Infomomenten, info, clock) -> None:
    assert service.waarschuwingen(info) == []  # a CLB table, no schools with a network yet, well before
    # after the start of the registrations and after an open day
    late = service.bewaar(msgspec.structs.replace(info, datum=date(2027, 3, 4), opendeurdagen=(
        OpenDag(school="Sint-Jozef", datum=date(2027, 2, 27)), OpenDag(school="Atheneum", datum=date(2027, 3, 13)))))
    warnings = service.waarschuwingen(late)
    assert any("inschrijvingen (01/03/2027)" in w for w in warnings)
    assert any("opendeurdag van Sint-Jozef (27/02/2027)" in w for w in warnings)
    assert not any("vóór de opendeurdag van Atheneum" in w for w in warnings)
    info = service.verplaats(info.id, EVENT)
    # all secondary schools of one network, and no CLB
    schools = [Tafel(soort="school", naam="Sint-Jozef", net="katholiek"),
               Tafel(soort="school", naam="Sint-Lutgart", net="katholiek")]
    tables = tuple(t for t in info.tafels if t.soort not in ("school", "clb")) + tuple(schools)
    info = service.bewaar(msgspec.structs.replace(info, tafels=tables))
    warnings = service.waarschuwingen(info)
    assert "Er is geen tafel met het CLB." in warnings
    assert any("hetzelfde net (katholiek onderwijs)" in w for w in warnings)
    info = service.bewaar_tafel(info.id, Tafel(soort="school", naam="Nog onbekend"))  # network unknown: no verdict
    assert not any("hetzelfde net" in w for w in service.waarschuwingen(info))
    info = service.bewaar_tafel(info.id, Tafel(soort="school", naam="Atheneum", net="go"))
    assert not any("hetzelfde net" in w for w in service.waarschuwingen(info))
    # parents not invited two weeks before
    clock.moment = datetime(2027, 2, 1, 9, 0).astimezone()
    assert "Het infomoment is over 10 dagen en de ouders zijn nog niet uitgenodigd." in service.waarschuwingen(info)
    clock.moment = datetime(2027, 2, 11, 9, 0).astimezone()
    assert "Het infomoment is vandaag en de ouders zijn nog niet uitgenodigd." in service.waarschuwingen(info)
    invite = next(t for t in info.taken if t.sleutel == "ouders_uitnodigen")
    info = service.zet_taak(info.id, invite.id, "klaar")
    assert not any("uitgenodigd" in w for w in service.waarschuwingen(info))


def test_questions_merge_into_a_top_five(service: Infomomenten, info) -> None:
    texts = [("Wanneer moeten we inschrijven?", 3), ("Wat is de B-stroom?", 2), ("Is er een bus?", 1),
             ("Hoe kies ik een richting?", 4), ("Wat kost het?", 1), ("Wanneer is de inschrijving?", 2),
             ("Mag mijn kind fietsen?", 1)]
    for text, count in texts:
        info = service.bewaar_vraag(info.id, Vraag(tekst=text, aantal=count))
    ids = {v.tekst: v.id for v in info.vragen}
    info = service.voeg_samen(info.id, ids["Wanneer moeten we inschrijven?"], [ids["Wanneer is de inschrijving?"]])
    assert len(info.vragen) == 6
    merged = next(v for v in info.vragen if v.id == ids["Wanneer moeten we inschrijven?"])
    assert merged.aantal == 5 and merged.varianten == ("Wanneer is de inschrijving?",)
    assert [v.tekst for v in service.top(info)] == ["Wanneer moeten we inschrijven?", "Hoe kies ik een richting?",
                                                    "Wat is de B-stroom?", "Is er een bus?", "Wat kost het?"]
    with pytest.raises(ValidationError):
        service.voeg_samen(info.id, merged.id, [merged.id])


def test_next_year_starts_from_last_year_with_every_date_shifted(service: Infomomenten, info) -> None:
    info = service.bewaar(msgspec.structs.replace(info, opendeurdagen=(OpenDag(school="Atheneum",
                                                                               datum=date(2027, 3, 13)),)))
    info = service.zet_taak(info.id, info.taken[0].id, "klaar")
    info = service.bewaar_vraag(info.id, Vraag(tekst="Wat is de B-stroom?"))
    info = service.bewaar_tafel(info.id, msgspec.structs.replace(info.tafels[0], gastheer="Tom", uitgenodigd=True))
    nxt = service.volgend_jaar(info)
    assert nxt.schooljaar == "2027-2028" and nxt.id != info.id
    assert nxt.datum == date(2028, 2, 10) and nxt.datum.weekday() == EVENT.weekday()
    assert nxt.inschrijvingen_vanaf == date(2028, 2, 28) and nxt.opendeurdagen[0].datum == date(2028, 3, 11)
    assert all(t.status == "open" for t in nxt.taken) and len(nxt.taken) == len(info.taken)
    assert nxt.tafels[0].gastheer == "Tom" and not nxt.tafels[0].uitgenodigd
    assert nxt.vragen == ()
    assert service.van_jaar("2026-2027").vragen  # last year's stays as it was


def test_the_demo_has_this_years_infomoment_halfway_and_last_years_with_its_top_five(demo_store: Store) -> None:
    service = Infomomenten(demo_store)
    this, last = service.van_jaar("2026-2027"), service.van_jaar("2025-2026")
    done, total = this.voortgang()
    assert 0 < done < total and service.achterstallig(this)
    assert {t.soort for t in this.tafels} >= {"clb", "klasleerkracht", "zorgleerkracht", "oud_leerlingen", "school"}
    assert this.vragen and this.datum > date(2026, 11, 22)
    assert last.voortgang() == (len(last.taken), len(last.taken))
    top = service.top(last)
    assert len(top) == 5 and all(v.antwoord for v in top)
    assert [v.aantal for v in top] == sorted((v.aantal for v in top), reverse=True)
