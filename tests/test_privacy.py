"""Erasing a family everywhere, and the retention list of pupils who left long ago."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ouder_tui.huisbezoek import Huisbezoek, Huisbezoeken
from ouder_tui.leerlingen import Gezin, Leerling, Ouder, Registry
from ouder_tui.maintenance import make_backup
from ouder_tui.oudergroep import Contact, Oudergroep, Sessie
from ouder_tui.privacy import vervallen, wis, wis_vervallen, wisplan_gezin
from ouder_tui.settings import load_settings, save_settings
from ouder_tui.startgesprek import Startgesprekken
from ouder_tui.store import Store

NAME = "Zwijsenberghe"  # a name found nowhere else in the file


@pytest.fixture
def family(store: Store, registry: Registry) -> Gezin:
    gezin = registry.add_gezin(Gezin(naam=NAME, notities="Vertrouwelijk verhaal", ouders=(
        Ouder(relatie="moeder", voornaam="Ilse", familienaam=NAME, telefoon="0499 99 88 77"),)))
    kid = registry.add_leerling(Leerling(voornaam="Lotte", familienaam=NAME, klas="4A", gezin_id=gezin.id))
    gone = registry.add_leerling(Leerling(voornaam="Wout", familienaam=NAME, klas="6A", gezin_id=gezin.id))
    registry.delete_leerling(gone)
    visits = Huisbezoeken(store, registry)
    visits.plan(Huisbezoek(gezin_id=gezin.id, datum=date(2026, 10, 1), besproken=f"Bij {NAME} thuis"))
    talks = Startgesprekken(store, registry)
    talks.bewaar(talks.nieuw(kid.id))
    group = Oudergroep(store, registry)
    other = registry.add_gezin(Gezin(naam="Peeters", ouders=(Ouder(voornaam="Lien", familienaam="Peeters"),)))
    session = group.plan(Sessie(datum=date(2026, 11, 17), titel="Koffie"))
    group.zet_aanwezig(session.id, gezin.ouders[0].id)
    group.zet_aanwezig(session.id, other.ouders[0].id)
    group.noteer_contact(Contact(persoon_id=gezin.ouders[0].id, datum=date(2026, 11, 18), notitie=f"{NAME} belde"))
    return gezin


@pytest.mark.file_home
def test_erasing_a_family_leaves_no_trace_in_the_file_the_bin_or_the_log(store: Store, registry: Registry,
                                                                         family: Gezin, tmp_path) -> None:
    plan = wisplan_gezin(registry, family.id)
    assert plan.regels[0] == f"het gezin {NAME} met 1 ouder"
    assert plan.regels[1:] == [
        f"1 leerling: Lotte {NAME}", "1 startgesprek of omgekeerd oudergesprek", "1 huisbezoek",
        "oudergroep: aanwezigheden of uitnodigingen in 1 sessie, 1 contact", "1 item in de prullenbak",
        "hun regels in het logboek (er komt één regel bij: dat er gewist werd, niet wat)"]
    erased = wis(registry, plan)
    assert erased == 6  # the family, a pupil, a talk, a visit, a contact, and the pupil in the bin
    text = store.path.read_text(encoding="utf-8")
    assert NAME not in text and "Vertrouwelijk verhaal" not in text and "0499 99 88 77" not in text
    assert family.ouders[0].id not in text  # not in the session's attendance either
    data = json.loads(text)
    assert data["_prullenbak"] == {}
    log = list(data["_logboek"].values())
    assert not any(e["tabel"] == "gezinnen" and e["record"] == family.id for e in log)
    assert [e["actie"] for e in log].count("gewist") == 1
    # a backup made after the erasure holds nothing of the family either
    backup = make_backup(store.path, tmp_path / "na-wissen.json")
    assert NAME not in backup.read_text(encoding="utf-8")
    # the other family's attendance stays
    assert Oudergroep(store, registry).sessies()[0].aanwezig == (registry.gezinnen()[0].ouders[0].id,)


def test_erased_counts_are_exact(store: Store, registry: Registry) -> None:
    gezin = registry.add_gezin(Gezin(naam="Klein"))
    assert wis(registry, wisplan_gezin(registry, gezin.id)) == 1


def test_retention_lists_pupils_who_left_more_than_the_period_ago(store: Store, registry: Registry) -> None:
    old = registry.add_gezin(Gezin(naam="Oud"))
    mixed = registry.add_gezin(Gezin(naam="Gemengd"))
    left_long_ago = registry.add_leerling(Leerling(voornaam="An", familienaam="Oud", gezin_id=old.id,
                                                   status="vertrokken", vertrokken_op=date(2024, 6, 30)))
    left_last_year = registry.add_leerling(Leerling(voornaam="Bo", familienaam="Gemengd", gezin_id=mixed.id,
                                                    status="vertrokken", vertrokken_op=date(2026, 6, 30)))
    older_sibling = registry.add_leerling(Leerling(voornaam="Cas", familienaam="Gemengd", gezin_id=mixed.id,
                                                   status="vertrokken", vertrokken_op=date(2025, 6, 30)))
    registry.add_leerling(Leerling(voornaam="Dirk", familienaam="Gemengd", gezin_id=mixed.id, klas="2A"))
    listed = vervallen(registry)  # today 22/11/2026, period 1 school year
    assert sorted(v.leerling.naam for v in listed) == ["An Oud", "Cas Gemengd"]
    by_name = {v.leerling.naam: v for v in listed}
    assert by_name["An Oud"].plan.regels[0].startswith("het gezin Oud")  # nobody else: the family goes too
    assert not any(r.startswith("het gezin") for r in by_name["Cas Gemengd"].plan.regels)  # siblings stay
    save_settings(store, load_settings(store).__class__(bewaartermijn_schooljaren=0))
    assert {v.leerling.id for v in vervallen(registry)} == {left_long_ago.id, left_last_year.id, older_sibling.id}
    save_settings(store, load_settings(store).__class__(bewaartermijn_schooljaren=1))
    assert wis_vervallen(registry, vervallen(registry)) == 3  # An, the Oud family, Cas
    assert [p.naam for p in registry.leerlingen(ook_vertrokken=True)] == ["Bo Gemengd", "Dirk Gemengd"]
    assert [g.naam for g in registry.gezinnen()] == ["Gemengd"]
    assert vervallen(registry) == []
