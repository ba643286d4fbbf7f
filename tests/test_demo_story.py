"""The demo school tells a true story: what one module says of a family fits what the others say, and the
reach view has something to show (families reached in several ways, families nobody reached, marks)."""

from __future__ import annotations

from collections import Counter

from ouder_tui.areas import Services
from ouder_tui.bereik import Bereik
from ouder_tui.huisbezoek import Huisbezoeken
from ouder_tui.infomoment import Infomomenten
from ouder_tui.leerlingen import Registry
from ouder_tui.oudergroep import Oudergroep
from ouder_tui.startgesprek import Startgesprekken
from ouder_tui.store import Store


def test_interpreters_speak_the_language_of_the_visit(demo_store: Store) -> None:
    registry = Registry(demo_store)
    with_interpreter = [v for v in Huisbezoeken(demo_store, registry).alle() if v.tolk]
    assert with_interpreter
    for visit in with_interpreter:
        family = registry.gezin(visit.gezin_id)
        assert visit.tolk_taal in family.tolk_talen()
        if visit.tweede_rol == "tolk" and "(tolk " in visit.tweede_bezoeker:
            assert visit.tweede_bezoeker.endswith(f"(tolk {visit.tolk_taal})"), visit


def test_no_two_pupils_of_one_class_share_a_name(demo_store: Store) -> None:
    pupils = Registry(demo_store).leerlingen(ook_vertrokken=True)
    twice = [key for key, n in Counter((p.klas, p.naam) for p in pupils).items() if n > 1]
    assert twice == []


def test_no_two_children_of_one_family_share_a_first_name(demo_store: Store) -> None:
    registry = Registry(demo_store)
    for gezin in registry.gezinnen():
        names = [k.voornaam for k in registry.kinderen(gezin.id)]
        assert len(names) == len(set(names)), (gezin.naam, names)


def test_every_module_speaks_of_the_same_families(demo_store: Store) -> None:
    registry = Registry(demo_store)
    families = {g.id: g for g in registry.gezinnen()}
    parents = {o.id: g.id for g in families.values() for o in g.ouders}
    assert all(v.gezin_id in families for v in Huisbezoeken(demo_store, registry).alle())
    for talk in Startgesprekken(demo_store, registry).alle():
        pupil = registry.leerling(talk.leerling_id)
        assert all(parents.get(pid) == pupil.gezin_id for pid in talk.ouder_ids), talk
    group = Oudergroep(demo_store, registry)
    for session in group.sessies():
        assert all(pid in parents or group.gast(pid) for pid in session.aanwezig)
    for info in Infomomenten(demo_store, registry).alle():
        assert all(g in families for g in info.uitgenodigd)
        assert all(parents.get(pid) in info.uitgenodigd for pid in info.aanwezig)


def test_the_reach_view_has_a_story_to_tell(demo_store: Store) -> None:
    registry = Registry(demo_store)
    reach = Bereik(demo_store, registry)
    figures = reach.cijfers()
    assert 0 < figures.gezinnen.bereikt < figures.gezinnen.totaal  # some reached, some by nobody
    missing = reach.niet_bereikt()
    assert missing and missing[0].aandacht is not None  # marked families first, and one of them still waits
    assert figures.aandacht.totaal >= 5
    kinds = {s.soort for s in figures.per_soort if s.gezinnen}
    assert {"huisbezoek", "startgesprek", "omgekeerd", "oudergroep"} <= kinds
    assert all(t.bereikt for t in figures.ouders[:2])  # mothers and fathers both took part somewhere
    last_year = reach.cijfers(f"{int(figures.schooljaar[:4]) - 1}-{figures.schooljaar[:4]}")
    assert {s.soort for s in last_year.per_soort if s.gezinnen} >= {"infomoment", "infomoment_uitgenodigd"}
    assert Services(demo_store).get("bereik").cijfers() == figures
