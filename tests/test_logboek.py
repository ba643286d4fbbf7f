"""The log (*logboek*): who changed what and when, by field name and never by value; filters by person
and period; and an erasure that leaves one line saying it happened, not what it erased."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from ouder_tui.leerlingen import Gezin, Leerling, Ouder, Registry
from ouder_tui.store import LOG, Store


@pytest.mark.file_home
def test_every_change_is_logged_with_its_field_names_by_two_users(store: Store, registry: Registry, clock) -> None:
    gezin = registry.add_gezin(Gezin(naam="Benali", ouders=(Ouder(voornaam="Naima", telefoon="0470 12 34 56"),)))
    kid = registry.add_leerling(Leerling(voornaam="Sara", familienaam="Benali", klas="5A", gezin_id=gezin.id))
    store.set_user("Juf Els")
    clock.moment = datetime(2026, 11, 23, 10, 0).astimezone()
    saved = registry.save_leerling(kid.__class__(**{**{f: getattr(kid, f) for f in kid.__struct_fields__},
                                                    "klas": "5B", "notities": "Geheime notitie"}))
    history = store.logboek(tabel="leerlingen", record_id=kid.id)
    assert [(e["actie"], e["door"], e["velden"]) for e in history] == [
        ("gewijzigd", "Juf Els", ["klas", "notities"]), ("aangemaakt", "Tester", [])]
    assert history[0]["op"].startswith("2026-11-23T10:00")
    registry.delete_leerling(saved)
    store.restore(store.recycle_bin()[0]["id"])
    assert [e["actie"] for e in store.logboek(tabel="leerlingen", record_id=kid.id)][:2] == ["teruggezet",
                                                                                           "verwijderd"]
    # the log holds names of fields, never what was in them
    log = json.dumps(json.loads(store.path.read_text(encoding="utf-8"))[LOG], ensure_ascii=False)
    assert "Geheime notitie" not in log and "0470 12 34 56" not in log and "notities" in log


def test_the_log_filters_by_person_and_period(store: Store, registry: Registry, clock) -> None:
    registry.add_gezin(Gezin(naam="A"))
    store.set_user("Meester Tom")
    clock.moment = datetime(2026, 12, 5, 9, 0).astimezone()
    registry.add_gezin(Gezin(naam="B"))
    assert [e["door"] for e in store.logboek(door="Meester Tom", tabel="gezinnen")] == ["Meester Tom"]
    assert len(store.logboek(tabel="gezinnen", van="2026-12-01", tot="2026-12-31")) == 1
    assert len(store.logboek(tabel="gezinnen", tot="2026-11-30")) == 1


@pytest.mark.file_home
def test_an_erasure_removes_the_records_their_bin_entries_and_their_log_lines(store: Store,
                                                                          registry: Registry) -> None:
    gezin = registry.add_gezin(Gezin(naam="Wisgezin", notities="Iets gevoeligs"))
    kid = registry.add_leerling(Leerling(voornaam="Kind", familienaam="Wisgezin", gezin_id=gezin.id))
    registry.delete_leerling(kid)
    bin_id = store.recycle_bin()[0]["id"]
    other = registry.add_gezin(Gezin(naam="Blijft"))
    count = store.wis([("gezinnen", gezin.id), ("leerlingen", kid.id)], bin_ids=[bin_id])
    assert count == 2
    text = store.path.read_text(encoding="utf-8")
    assert "Wisgezin" not in text and "Iets gevoeligs" not in text
    assert store.recycle_bin() == []
    assert store.logboek(tabel="gezinnen", record_id=gezin.id) == []
    assert store.logboek(tabel="leerlingen", record_id=kid.id) == []
    erased = [e for e in store.logboek() if e["actie"] == "gewist"]
    assert len(erased) == 1 and erased[0]["door"] == "Tester" and erased[0]["record"] is None
    assert store.logboek(tabel="gezinnen", record_id=other.id)  # the rest stays
