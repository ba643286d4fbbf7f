"""Reach (*bereik*): every area's contacts per family, the families nobody reached, the figures, and the
mark for extra attention, checked against a small school whose figures are worked out by hand below.

The school on 22/11/2026 (school year 2026-2027):

| family   | parents (role, language)                           | children    | this school year                    |
|----------|----------------------------------------------------|-------------|-------------------------------------|
| Peeters  | An moeder NL, Jan vader NL                         | Lies 5A     | startgesprek with An and Jan        |
| Benali   | Naima moeder Arabisch+NL (tolk)                    | Sara 5A, Omar 3B | home visit held (who was home: not noted); marked |
| Yilmaz   | Ayse moeder Turks (tolk), Mehmet vader Turks       | Elif 3B     | Mehmet at the parent group; Ayse phoned by the group; a visit only planned |
| Kowalski | Piotr voogd Pools (tolk)                           | Kasia 6A    | invited to the infomoment, did not come; a startgesprek last year |
| Janssens | Els moeder NL, Rita grootouder NL                  | Tom 6A      | omgekeerd oudergesprek with Els; Rita at the infomoment; invited |
| Mertens  | Koen vader (no language known)                     | Wout 1A     | nothing; marked                      |
| Dubois   | Claire moeder Frans                                | Léa 1A, left | a home visit, but no child at school: not counted |

Reached: Peeters, Benali, Yilmaz, Janssens = 4 of 6. Mothers 3 of 4 (Naima's visit names nobody),
fathers 2 of 3, others 1 of 2.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from ouder_tui.bereik import AANDACHT, Bereik, ExtraAandacht, marks
from ouder_tui.bereik_export import export_bereik
from ouder_tui.errors import ValidationError
from ouder_tui.huisbezoek import Huisbezoek, Huisbezoeken
from ouder_tui.infomoment import Infomomenten
from ouder_tui.leerlingen import Gezin, Leerling, Ouder, Registry
from ouder_tui.oudergroep import Contact, Oudergroep, Sessie
from ouder_tui.privacy import wis, wisplan_gezin
from ouder_tui.startgesprek import Startgesprek, Startgesprekken
from ouder_tui.store import Store

YEAR = "2026-2027"


def _family(registry: Registry, naam: str, parents: list[tuple], kids: list[tuple]) -> Gezin:
    gezin = registry.add_gezin(Gezin(naam=naam, ouders=tuple(
        Ouder(relatie=rel, voornaam=first, familienaam=naam, talen=talen, tolk_nodig=bool(tolk), tolk_taal=tolk)
        for rel, first, talen, tolk in parents)))
    for first, klas, *left in kids:
        registry.add_leerling(Leerling(voornaam=first, familienaam=naam, klas=klas, gezin_id=gezin.id,
                                       status="vertrokken" if left else "actief"))
    return gezin


@pytest.fixture
def school(store: Store, registry: Registry) -> dict[str, Gezin]:
    nl = ("Nederlands",)
    f = {
        "Peeters": _family(registry, "Peeters", [("moeder", "An", nl, ""), ("vader", "Jan", nl, "")], [("Lies", "5A")]),
        "Benali": _family(registry, "Benali", [("moeder", "Naima", ("Arabisch", "Nederlands"), "Arabisch")],
                          [("Sara", "5A"), ("Omar", "3B")]),
        "Yilmaz": _family(registry, "Yilmaz", [("moeder", "Ayse", ("Turks",), "Turks"),
                                               ("vader", "Mehmet", ("Turks",), "")], [("Elif", "3B")]),
        "Kowalski": _family(registry, "Kowalski", [("voogd", "Piotr", ("Pools",), "Pools")], [("Kasia", "6A")]),
        "Janssens": _family(registry, "Janssens", [("moeder", "Els", nl, ""), ("grootouder", "Rita", nl, "")],
                            [("Tom", "6A")]),
        "Mertens": _family(registry, "Mertens", [("vader", "Koen", (), "")], [("Wout", "1A")]),
        "Dubois": _family(registry, "Dubois", [("moeder", "Claire", ("Frans",), "")], [("Léa", "1A", "left")]),
    }
    parent = {o.voornaam: o.id for g in f.values() for o in g.ouders}
    kid = {k.voornaam: k.id for k in registry.leerlingen(ook_vertrokken=True)}
    visits = Huisbezoeken(store, registry)
    visits.plan(Huisbezoek(gezin_id=f["Benali"].id, datum=date(2026, 10, 5), status="gehouden"))
    visits.plan(Huisbezoek(gezin_id=f["Yilmaz"].id, datum=date(2026, 12, 1)))  # only planned
    visits.plan(Huisbezoek(gezin_id=f["Dubois"].id, datum=date(2026, 10, 6), status="gehouden"))
    talks = Startgesprekken(store, registry)
    talks.bewaar(Startgesprek(leerling_id=kid["Lies"], datum=date(2026, 9, 10), status="gehouden",
                              ouder_ids=(parent["An"], parent["Jan"])))
    talks.bewaar(Startgesprek(leerling_id=kid["Tom"], soort="omgekeerd", datum=date(2026, 9, 20), status="gehouden",
                              ouder_ids=(parent["Els"],)))
    talks.bewaar(Startgesprek(leerling_id=kid["Kasia"], datum=date(2025, 9, 15), status="gehouden"))  # last year
    group = Oudergroep(store, registry)
    session = group.plan(Sessie(datum=date(2026, 10, 13), titel="Koffie en vragen"))
    group.zet_aanwezig(session.id, parent["Mehmet"])
    group.noteer_contact(Contact(persoon_id=parent["Ayse"], datum=date(2026, 11, 3), hoe="telefoon"))
    infos = Infomomenten(store, registry)
    info = infos.nieuw(YEAR, date(2027, 2, 4))
    infos.nodig_uit(info.id, [f["Kowalski"].id, f["Janssens"].id])
    infos.zet_aanwezig(info.id, parent["Rita"])
    service = Bereik(store, registry)
    service.markeer(ExtraAandacht(gezin_id=f["Benali"].id, redenen=("klein_netwerk",)))
    service.markeer(ExtraAandacht(gezin_id=f["Mertens"].id, redenen=("eerste_kind",), toelichting="net verhuisd"))
    return f


@pytest.fixture
def service(store: Store, registry: Registry) -> Bereik:
    return Bereik(store, registry)


def test_each_family_has_its_contacts_of_this_school_year_from_every_area(service, school) -> None:
    rows = {r.gezin.naam: r for r in service.gezinnen()}
    assert "Dubois" not in rows  # no child at school any more
    assert {naam: r.soorten() for naam, r in rows.items()} == {
        "Benali": ["huisbezoek"], "Janssens": ["omgekeerd", "infomoment_uitgenodigd", "infomoment"],
        "Kowalski": ["infomoment_uitgenodigd"], "Mertens": [], "Peeters": ["startgesprek"],
        "Yilmaz": ["oudergroep", "oudergroep_contact"]}
    assert {naam for naam, r in rows.items() if r.bereikt} == {"Peeters", "Benali", "Yilmaz", "Janssens"}
    assert [c.datum for c in rows["Janssens"].contacten] == [date(2026, 9, 20), date(2027, 2, 4), date(2027, 2, 4)]


def test_last_school_year_is_its_own(service, school) -> None:
    rows = {r.gezin.naam: r for r in service.gezinnen("2025-2026")}
    assert {naam for naam, r in rows.items() if r.bereikt} == {"Kowalski"}


def test_families_nobody_reached_marked_first_and_filtered(service, school) -> None:
    names = lambda rows: [r.gezin.naam for r in rows]
    assert names(service.niet_bereikt()) == ["Mertens", "Kowalski"]  # Mertens is marked
    assert names(service.niet_bereikt(klas="6a")) == ["Kowalski"]
    assert names(service.niet_bereikt(leerjaar=1)) == ["Mertens"]
    assert names(service.niet_bereikt(taal="pool")) == ["Kowalski"]
    assert names(service.niet_bereikt(tolk=True)) == ["Kowalski"]
    assert names(service.niet_bereikt(tolk=False)) == ["Mertens"]
    assert names(service.niet_bereikt(aandacht=True)) == ["Mertens"]
    assert names(service.niet_bereikt(aandacht=False)) == ["Kowalski"]


def test_the_figures_match_the_hand_count(service, school) -> None:
    c = service.cijfers()
    assert (c.gezinnen.totaal, c.gezinnen.bereikt, c.gezinnen.procent) == (6, 4, 67)
    assert (c.aandacht.totaal, c.aandacht.bereikt) == (2, 1)
    assert [(t.groep, t.totaal, t.bereikt) for t in c.per_klas] == [("1A", 1, 0), ("3B", 2, 2), ("5A", 2, 2),
                                                                    ("6A", 2, 1)]
    assert [(t.groep, t.totaal, t.bereikt) for t in c.per_taal] == [
        ("Nederlands", 3, 3), ("Arabisch", 1, 1), ("Pools", 1, 0), ("Turks", 1, 1), ("(taal onbekend)", 1, 0)]
    assert [(s.soort, s.gezinnen, s.contacten) for s in c.per_soort] == [
        ("huisbezoek", 1, 1), ("startgesprek", 1, 1), ("omgekeerd", 1, 1), ("oudergroep", 1, 1),
        ("oudergroep_contact", 1, 1), ("infomoment_uitgenodigd", 2, 2), ("infomoment", 1, 1)]
    assert [(t.groep, t.totaal, t.bereikt) for t in c.ouders] == [
        ("moeders", 4, 3), ("vaders", 3, 2), ("andere opvoeders", 2, 1)]


def test_the_dashboards_summary_says_what_the_figures_and_the_list_say(service, school) -> None:
    summary, figures, missing = service.samenvatting(), service.cijfers(), service.niet_bereikt()
    assert summary.gezinnen == figures.gezinnen and summary.ouders == figures.ouders
    assert (summary.niet_bereikt, summary.niet_bereikt_met_aandacht) == (len(missing), 1) == (
        2, sum(1 for r in missing if r.aandacht is not None))


def test_a_new_contact_shows_at_once(service, school, store, registry) -> None:
    kid = registry.kinderen(school["Mertens"].id)[0]
    Startgesprekken(store, registry).bewaar(Startgesprek(leerling_id=kid.id, datum=date(2026, 11, 20),
                                                         status="gehouden"))
    assert [r.gezin.naam for r in service.niet_bereikt()] == ["Kowalski"]
    assert service.cijfers().gezinnen.bereikt == 5
    assert (service.samenvatting().gezinnen.bereikt, service.samenvatting().niet_bereikt) == (5, 1)


# -- the mark for extra attention ------------------------------------------------------------------
def test_a_mark_says_why_and_who_and_one_family_has_one(service, school, store) -> None:
    mark = service.aandacht(school["Mertens"].id)
    assert (mark.door, mark.op, mark.redenen_tekst) == ("Tester", date(2026, 11, 22),
                                                        "eerste kind in het Vlaamse onderwijs (net verhuisd)")
    store.set_user("Zorg")
    service.markeer(ExtraAandacht(gezin_id=school["Mertens"].id, redenen=("nieuwkomer", "klein_netwerk")))
    assert len(store.all(AANDACHT)) == 2
    assert service.aandacht(school["Mertens"].id).door == "Zorg"
    service.wis_markering(school["Mertens"].id)
    assert service.aandacht(school["Mertens"].id) is None
    assert [r.gezin.naam for r in service.niet_bereikt()] == ["Kowalski", "Mertens"]


def test_a_mark_needs_a_reason(service, school) -> None:
    with pytest.raises(ValidationError) as caught:
        service.markeer(ExtraAandacht(gezin_id=school["Mertens"].id))
    assert "redenen" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        service.markeer(ExtraAandacht(gezin_id=school["Mertens"].id, redenen=("andere",)))
    assert "toelichting" in caught.value.errors


def test_marked_families_come_first_where_families_are_sought(store, registry, school) -> None:
    never = Huisbezoeken(store, registry).nooit_bezocht()
    assert [g.naam for g in never] == ["Mertens", "Janssens", "Kowalski", "Peeters", "Yilmaz"]
    people = Oudergroep(store, registry).personen()
    assert [p.naam for p in people[:2]] == ["Koen Mertens", "Naima Benali"]
    infos = Infomomenten(store, registry)
    assert [g.naam for g in infos.doelgroep_voorstel()] == ["Benali", "Janssens", "Kowalski", "Peeters"]
    assert [g.naam for g in infos.doelgroep(infos.van_jaar(YEAR))] == ["Janssens", "Kowalski"]


def test_erasing_a_family_takes_its_mark_and_its_infomoment_ticks(store, registry, school) -> None:
    janssens, mertens = school["Janssens"], school["Mertens"]
    plan = wisplan_gezin(registry, mertens.id)
    assert "de markering voor extra aandacht" in plan.regels
    wis(registry, plan)
    assert marks(store).get(mertens.id) is None and store.all(AANDACHT) != []
    wis(registry, wisplan_gezin(registry, janssens.id))
    info = Infomomenten(store, registry).van_jaar(YEAR)
    assert janssens.id not in info.uitgenodigd and info.aanwezig == ()


# -- the export ------------------------------------------------------------------------------------
NAMES = ("Peeters", "Benali", "Yilmaz", "Kowalski", "Janssens", "Mertens", "Naima", "Lies")


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json", "md", "html"])
def test_the_export_names_nobody_unless_asked(service, school, fmt) -> None:
    def text(data: bytes) -> str:
        if fmt != "xlsx":
            return data.decode("utf-8-sig")
        import io

        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data))
        return " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None)

    plain = text(export_bereik(service, fmt))
    assert not [n for n in NAMES if n in plain], plain
    named = text(export_bereik(service, fmt, namen=True))
    assert all(n in named for n in ("Kowalski", "Mertens", "Peeters"))


def test_the_json_export_holds_the_figures_and_the_families(service, school) -> None:
    doc = json.loads(export_bereik(service, "json", namen=True))
    assert doc["soort"] == "bereik" and doc["schooljaar"] == service.schooljaar()
    figures = {(f["onderdeel"], f["groep"]): (f["totaal"], f["bereikt"]) for f in doc["cijfers"]}
    assert figures[("totaal", "alle gezinnen")] == (6, 4) and figures[("ouders", "vaders")] == (3, 2)
    assert figures[("klas", "6A")] == (2, 1) and figures[("soort contact", "uitgenodigd voor het infomoment")] == (6, 2)
    assert [g["gezin"] for g in doc["gezinnen"]][:2] == ["Mertens", "Kowalski"]
    assert doc["gezinnen"][0]["extra_aandacht"].startswith("eerste kind")


def test_the_report_is_in_plain_dutch(service, school) -> None:
    report = export_bereik(service, "md").decode("utf-8")
    assert "4 van de 6 gezinnen met een kind op school bereikt (67%)" in report
    assert "| vaders | 3 | 2 | 67% |" in report
    assert "--namen" in report


@pytest.mark.file_home
def test_the_command_line_exports_the_reach(store, school, tmp_path, capsys) -> None:
    from ouder_tui.cli import main

    target = tmp_path / "bereik.csv"
    assert main(["--db", str(store.path), "export", "bereik", "--format", "csv", "--schooljaar",
                 YEAR, "--output", str(target)]) == 0
    text = target.read_text(encoding="utf-8-sig")
    assert '"2026-2027";"totaal";"alle gezinnen";6;4;67' in text and "Mertens" not in text
    assert main(["--db", str(store.path), "export", "bereik", "--format", "csv", "--namen"]) == 0
    assert "Mertens" in capsys.readouterr().out
