"""The registry of pupils and families: validation, saving, conflicts, recycle bin, search."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ouder_tui.errors import ConflictError, NotFoundError, ValidationError
from ouder_tui.leerlingen import Gezin, Leerling, Ouder, Registry, leerjaar_from_klas
from ouder_tui.filestore import FileStore
from ouder_tui.store import Store

from .conftest import HOSTILE


def _family(registry: Registry, **kwargs) -> Gezin:
    defaults = dict(naam="Peeters", ouders=(
        Ouder(relatie="moeder", voornaam="Els", familienaam="Claes", talen=("Nederlands",), telefoon="0470 12 34 56"),
        Ouder(relatie="vader", voornaam="Murat", familienaam="Peeters", talen=("Turks", "Nederlands"),
              tolk_nodig=True, tolk_taal="Turks"),
    ))
    return registry.add_gezin(Gezin(**(defaults | kwargs)))


def test_a_pupil_needs_first_and_family_name_with_a_dutch_message_per_field(registry: Registry) -> None:
    with pytest.raises(ValidationError) as caught:
        registry.add_leerling(Leerling(voornaam="  ", familienaam="x" * 101, geboortedatum=date(2099, 1, 1)))
    assert caught.value.errors == {
        "voornaam": "De voornaam is verplicht.",
        "familienaam": "Hoogstens 100 tekens (nu 101).",
        "geboortedatum": "01/01/2099 kan geen geboortedatum zijn.",
    }
    assert registry.leerlingen() == []


def test_parent_contact_details_are_checked(registry: Registry) -> None:
    with pytest.raises(ValidationError) as caught:
        registry.add_gezin(Gezin(naam="X", ouders=(Ouder(voornaam="A", telefoon="bel mij", email="a@"),)))
    assert set(caught.value.errors) == {"ouders.0.telefoon", "ouders.0.email"}


def test_grade_follows_the_class_unless_given() -> None:
    assert leerjaar_from_klas("5A") == 5
    assert leerjaar_from_klas("L3b") == 3
    assert leerjaar_from_klas("K2") is None
    assert leerjaar_from_klas("OKAN") is None


def test_saving_a_pupil_keeps_family_and_stamps(registry: Registry) -> None:
    gezin = _family(registry)
    pupil = registry.add_leerling(Leerling(voornaam="Lotte", familienaam="Peeters", klas="3B", gezin_id=gezin.id,
                                           geboortedatum=date(2018, 4, 2), schooljaar="2026-2027"))
    assert pupil.leerjaar == 3
    assert pupil.rev == 1
    assert pupil.created_by == "Tester"
    assert registry.kinderen(gezin.id) == [pupil]
    again = registry.leerling(pupil.id)
    assert again == pupil


def test_a_pupil_cannot_point_at_a_missing_family(registry: Registry) -> None:
    with pytest.raises(ValidationError) as caught:
        registry.add_leerling(Leerling(voornaam="A", familienaam="B", gezin_id=99))
    assert "gezin_id" in caught.value.errors


@pytest.mark.file_home
def test_a_stale_save_is_a_conflict_naming_who_and_when(store: Store, tmp_path, clock) -> None:
    mine = Registry(store)
    gezin = _family(mine)
    pupil = mine.add_leerling(Leerling(voornaam="Lotte", familienaam="Peeters", gezin_id=gezin.id))

    other_store = FileStore.open(store.path, user="Collega Jan", clock=clock, make_backup=False)
    other = Registry(other_store)
    other.save_leerling(msgspec.structs.replace(other.leerling(pupil.id), klas="4A"))

    with pytest.raises(ConflictError) as caught:
        mine.save_leerling(msgspec.structs.replace(pupil, notities="mijn notitie"))
    assert caught.value.changed_by == "Collega Jan"
    assert "Collega Jan" in str(caught.value) and "22/11/2026 09:30" in str(caught.value)
    assert mine.leerling(pupil.id).klas == "4A"  # nothing of mine was written
    saved = mine.save_leerling(msgspec.structs.replace(pupil, notities="mijn notitie"), overwrite=True)
    assert saved.notities == "mijn notitie" and saved.rev == 3


def test_delete_goes_to_the_recycle_bin_and_restores(registry: Registry) -> None:
    gezin = _family(registry)
    pupil = registry.add_leerling(Leerling(voornaam="Lotte", familienaam="Peeters", gezin_id=gezin.id))
    with pytest.raises(ValidationError, match="kinderen"):
        registry.delete_gezin(gezin)
    bin_id = registry.delete_leerling(pupil)
    assert registry.leerlingen() == []
    entry = registry.store.recycle_bin("leerlingen")[0]
    assert entry["label"] == "Leerling Lotte Peeters ()" and entry["_deleted_by"] == "Tester"
    with pytest.raises(NotFoundError, match="prullenbak"):
        registry.save_leerling(pupil)
    registry.store.restore(bin_id)
    assert [p.id for p in registry.leerlingen()] == [pupil.id]


def test_search_finds_pupils_by_name_class_parent_and_phone(registry: Registry) -> None:
    gezin = _family(registry)
    lotte = registry.add_leerling(Leerling(voornaam="Lotte", familienaam="Peeters", klas="3B", gezin_id=gezin.id))
    registry.add_leerling(Leerling(voornaam="Ayoub", familienaam="Benali", klas="5A"))
    assert registry.zoek_leerlingen("lot") == [lotte]
    assert registry.zoek_leerlingen("3b") == [lotte]
    assert registry.zoek_leerlingen("murat") == [lotte]
    assert registry.zoek_leerlingen("0470123456") == [lotte]
    assert registry.zoek_leerlingen("0470 12") == [lotte]
    assert len(registry.zoek_leerlingen("")) == 2
    assert registry.zoek_leerlingen("celik") == []


def test_marking_pupils_as_left_hides_them_from_the_active_list(registry: Registry) -> None:
    a = registry.add_leerling(Leerling(voornaam="A", familienaam="B"))
    registry.add_leerling(Leerling(voornaam="C", familienaam="D"))
    assert registry.mark_left([a.id], date(2026, 10, 1)) == 1
    assert [p.voornaam for p in registry.leerlingen()] == ["C"]
    left = registry.leerling(a.id)
    assert left.status == "vertrokken" and left.vertrokken_op == date(2026, 10, 1)
    assert registry.mark_left([a.id], date(2026, 10, 2)) == 0


def test_figures_for_the_dashboard(registry: Registry) -> None:
    _family(registry)
    registry.add_gezin(Gezin(naam="Zonder", ouders=(Ouder(voornaam="Z"),)))
    registry.add_leerling(Leerling(voornaam="A", familienaam="B", klas="1A"))
    assert registry.leerlingen_per_klas() == {"1A": 1}
    assert [g.naam for g in registry.gezinnen_zonder_contact()] == ["Zonder"]
    assert registry.tolk_per_taal() == {"Turks": 1}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_stored_literally_minus_control_characters(registry: Registry, name: str) -> None:
    pupil = registry.add_leerling(Leerling(voornaam=name, familienaam=name))
    stored = registry.leerling(pupil.id)
    expected = name.replace("\x1b[31m", "").replace("\x1b[0m", "").replace("\u202e", "").replace("\u202c", "")
    assert stored.voornaam == expected


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.text(min_size=1, max_size=120), note=st.text(max_size=300))
def test_any_text_either_saves_and_reads_back_or_is_refused_in_dutch(registry: Registry, first: str, note: str) -> None:
    try:
        pupil = registry.add_leerling(Leerling(voornaam=first, familienaam="Test", notities=note))
    except ValidationError as exc:
        assert set(exc.errors) <= {"voornaam"}
        return
    assert registry.leerling(pupil.id) == pupil


@pytest.mark.file_home
def test_families_searched_only_after_their_change_find_it(registry: Registry) -> None:
    """The families' search text is made when families are first searched, not with the pupils': a family
    changed while only pupils were searched is found by its new name, as a freshly read registry finds it."""
    peeters = registry.add_gezin(Gezin(naam="Peeters"))
    registry.add_gezin(Gezin(naam="Aerts"))
    registry.add_leerling(Leerling(voornaam="Noor", familienaam="Peeters", klas="3A", gezin_id=peeters.id))
    assert [p.voornaam for p in registry.zoek_leerlingen("noor")] == ["Noor"]  # the pupils' text only

    registry.save_gezin(msgspec.structs.replace(registry.gezin(peeters.id), naam="Peeters-Janssens"))
    assert [g.naam for g in registry.zoek_gezinnen("janssens")] == ["Peeters-Janssens"]
    assert [p.voornaam for p in registry.zoek_leerlingen("janssens")] == ["Noor"]  # her text holds her family's

    registry.save_gezin(msgspec.structs.replace(registry.gezin(peeters.id), naam="Janssens"))  # now made: updated
    fresh = Registry(FileStore.open(registry.store.path, user="Tester", make_backup=False))  # its own caches
    for words in ("janssens", "peeters", "aerts"):
        assert [g.id for g in registry.zoek_gezinnen(words)] == [g.id for g in fresh.zoek_gezinnen(words)]
    assert [g.naam for g in registry.zoek_gezinnen("janssens")] == ["Janssens"]


_WORD = st.text(alphabet="aben 5", min_size=1, max_size=4).map(str.strip).filter(bool)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(alphabet="aben 5", max_size=12), max_size=30),
       searches=st.lists(st.tuples(st.lists(_WORD, min_size=1, max_size=3),
                                   st.none() | st.integers(min_value=1, max_value=5)), max_size=25))
def test_a_list_answers_recent_searches_as_a_fresh_scan_would(texts: list[str], searches) -> None:
    """A list answers a search from a recent one (narrowing what it found, or the same search again): in any
    order of searches, typed, erased, changed halfway or with a limit, it finds what scanning every text finds."""
    from ouder_tui.leerlingen import _Matches

    records = list(range(len(texts)))
    matches = _Matches(records, texts)
    for words, limit in searches:
        expected = [i for i, text in enumerate(texts) if all(w in text for w in words)]
        assert list(matches.positions(words, limit)) == (expected if limit is None else expected[:limit])


@pytest.mark.file_home
def test_the_filter_typed_and_erased_around_a_save_finds_the_change(registry: Registry) -> None:
    """Typing "pe", "pee", then erasing: each answer as a fresh registry gives it, also when a pupil changed
    in between (what a list remembered of its searches goes with the list)."""
    family = registry.add_gezin(Gezin(naam="Peeters"))
    noor = registry.add_leerling(Leerling(voornaam="Noor", familienaam="Peeters", klas="3A", gezin_id=family.id))
    registry.add_leerling(Leerling(voornaam="Pieter", familienaam="Aerts", klas="3B"))
    assert [p.voornaam for p in registry.zoek_leerlingen("p")] == ["Noor", "Pieter"]
    assert [p.voornaam for p in registry.zoek_leerlingen("pee")] == ["Noor"]
    registry.save_leerling(msgspec.structs.replace(registry.leerling(noor.id), familienaam="Peeraer"))
    assert [p.familienaam for p in registry.zoek_leerlingen("pee")] == ["Peeraer"]  # her family is still Peeters
    registry.save_gezin(msgspec.structs.replace(registry.gezin(family.id), naam="Vos"))
    assert [p.voornaam for p in registry.zoek_leerlingen("peet")] == []
    assert [p.voornaam for p in registry.zoek_leerlingen("pe")] == ["Noor"]
    assert [p.voornaam for p in registry.zoek_leerlingen("p")] == ["Noor", "Pieter"]
    fresh = Registry(FileStore.open(registry.store.path, user="Tester", make_backup=False))
    for text in ("p", "pe", "pee", "peet", "vos", "3"):
        assert [p.id for p in registry.zoek_leerlingen(text)] == [p.id for p in fresh.zoek_leerlingen(text)]


_PARENT = st.builds(Ouder, voornaam=st.sampled_from(["An", "Bo"]),
                    talen=st.lists(st.sampled_from(["Turks", "Pools", "Dari"]), max_size=2).map(tuple),
                    tolk_nodig=st.booleans(), tolk_taal=st.sampled_from(["", "Arabisch", "Pools"]),
                    telefoon=st.sampled_from(["", "0470 12 34 56"]), email=st.sampled_from(["", "a@b.be"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(families=st.lists(st.tuples(st.sampled_from(["Aerts", "Claes", "Peeters", "Vos"]),
                                   st.lists(_PARENT, max_size=3).map(tuple)), max_size=8))
def test_the_dashboards_contact_figures_are_each_familys_own_added_up(tmp_path_factory, families) -> None:
    """Families without a phone or e-mail (by name), and per language the families that need an interpreter,
    most first and equal counts in the order of the first family by name that needs it: as asked family by
    family of the models."""
    registry = Registry(FileStore.open(tmp_path_factory.mktemp("figures") / "db.json", user="Tester"))
    saved = [registry.add_gezin(Gezin(naam=name, ouders=parents)) for name, parents in families]
    by_name = sorted(saved, key=lambda g: (g.naam.lower(), g.id))
    assert registry.gezinnen_zonder_contact() == [g for g in by_name if not g.heeft_contact()]
    counts: dict[str, int] = {}
    first: dict[str, tuple[int, int]] = {}
    for rank, g in enumerate(by_name):
        for place, language in enumerate(g.tolk_talen()):
            counts[language] = counts.get(language, 0) + 1
            first.setdefault(language, (rank, place))
    expected = sorted(counts, key=lambda t: (-counts[t], first[t]))
    assert list(registry.tolk_per_taal().items()) == [(t, counts[t]) for t in expected]
