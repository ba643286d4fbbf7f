"""Exports of the parent group, parsed back: calendar, attendance grid, JSON, year report, invitations."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import msgspec
import pytest
from icalendar import Calendar

from ouder_tui.cli import main
from ouder_tui.errors import OuderTuiError
from ouder_tui.leerlingen import Gezin, Leerling, Ouder, Registry
from ouder_tui.oudergroep import Gast, Oudergroep, Partner, Sessie, Thema, Tolk, Verzoek
from ouder_tui.oudergroep_export import export_oudergroep, uitnodiging
from ouder_tui.store import Store

#: Names of parents (and a guest) that must never appear in the calendar or the year report.
PARENTS = ("Lien", "Peeters", "Fatima", "El Amrani", "Anna", "Nowak", "Ayşe", "Vader")
HOSTILE_TITLE = "[/]<script>alert(1)</script>*x*"


class Year:
    """The school year 2026-2027 as the tests build it, plus one session of the year before."""

    def __init__(self, og: Oudergroep, registry: Registry) -> None:
        self.og = og
        ids = []
        for naam, voornaam, klas in (("Peeters", "Lien", "3A"), ("El Amrani", "Fatima", "5B"), ("Nowak", "Anna", "5B")):
            gezin = registry.add_gezin(Gezin(naam=naam, ouders=(
                Ouder(relatie="moeder", voornaam=voornaam, familienaam=naam, telefoon="0470 12 34 56"),
                Ouder(relatie="vader", voornaam="Vader", familienaam=naam))))
            registry.add_leerling(Leerling(voornaam="Kind", familienaam=naam, klas=klas, gezin_id=gezin.id))
            ids.append(gezin.ouders[0].id)
        self.lien, self.fatima, self.anna = ids
        self.vorig = og.plan(Sessie(datum=date(2026, 5, 12), titel="Lente"))
        og.zet_aanwezig(self.vorig.id, self.anna)
        self.thema = og.bewaar_thema(Thema(titel="Meertalig opvoeden", gevraagd_door="Fatima en Anna", aantal=6))
        first = og.plan(Sessie(datum=date(2026, 10, 6), titel="Koffie", plaats="Refter"))
        og.nodig_uit(first.id, [self.lien, self.fatima, self.anna], "brief", op=date(2026, 9, 28))
        og.zet_aanwezig(first.id, self.lien)
        self.eerste = og.zet_aanwezig(first.id, self.fatima)
        second = og.plan(Sessie(datum=date(2026, 11, 10), titel="Huiswerk", plaats="Refter"))
        og.zet_aanwezig(second.id, self.lien)
        self.gast = og.voeg_gast_toe(second.id, Gast(voornaam="Ayşe", familienaam="Gast"))
        self.tweede = og.sessie(second.id)
        self.geannuleerd = og.plan(Sessie(datum=date(2026, 11, 17), titel="Gezond eten", status="geannuleerd",
                                          annulatie_reden="de spreker is ziek"))
        planned = og.plan(Sessie(
            datum=date(2026, 12, 8), titel="Meertalig opvoeden", thema_id=self.thema.id, plaats="Refter",
            omschrijving="Hoe leert een kind twee talen?", partners=(Partner(organisatie="CLB"),),
            begeleiders=("Meester Tom",), tolken=(Tolk(taal="Arabisch", naam="Samir"), Tolk(taal="Turks")),
            kinderopvang=True))
        self.gepland = og.nodig_uit(planned.id, [self.anna, self.lien, self.fatima], "smartschool")
        og.bewaar_verzoek(Verzoek(wat="Een bank aan de schoolpoort", status="beantwoord",
                                  antwoord="Komt er in de lente.\nDe ouderraad betaalt mee.", teruggekoppeld=True))
        og.bewaar_verzoek(Verzoek(wat="Vorig jaar gevraagd", gevraagd_op=date(2026, 3, 1)))


@pytest.fixture
def year(store: Store, registry: Registry) -> Year:
    store.update_settings(school_naam="De Notelaar")
    return Year(Oudergroep(store, registry), registry)


def _events(raw: bytes) -> dict[str, object]:
    return {str(e["SUMMARY"]): e for e in Calendar.from_ical(raw).walk("VEVENT")}


def _csv(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


# -- iCalendar -----------------------------------------------------------------------------------------


def test_ics_holds_the_years_sessions_and_cancels_the_cancelled_one(year: Year) -> None:
    raw = export_oudergroep(year.og, "ics")
    events = _events(raw)
    assert sorted(events) == ["Oudergroep: Gezond eten", "Oudergroep: Huiswerk", "Oudergroep: Koffie",
                              "Oudergroep: Meertalig opvoeden"]
    assert str(events["Oudergroep: Gezond eten"]["STATUS"]) == "CANCELLED"
    assert {str(e["STATUS"]) for name, e in events.items() if "Gezond" not in name} == {"CONFIRMED"}
    planned = events["Oudergroep: Meertalig opvoeden"]
    start = planned.decoded("DTSTART")
    assert isinstance(start, datetime) and (start.hour, start.minute) == (9, 0)
    assert str(start.tzinfo) == "Europe/Brussels" and start.utcoffset() == timedelta(hours=1)
    assert planned.decoded("DTEND") - start == timedelta(hours=2)
    assert str(planned["LOCATION"]) == "Refter"
    description = str(planned["DESCRIPTION"])
    assert "Hoe leert een kind twee talen?" in description and "Partners: CLB" in description
    assert "Tolk: Arabisch, Turks" in description and "Kinderopvang: ja" in description
    assert [str(tz["TZID"]) for tz in Calendar.from_ical(raw).walk("VTIMEZONE")] == ["Europe/Brussels"]
    text = raw.decode("utf-8").replace("\r\n ", "")  # unfolded
    for name in (*PARENTS, "Samir", "aanwezig"):
        assert name not in text


def test_ics_uids_stay_and_sequence_grows_after_an_edit(year: Year) -> None:
    before = {str(e["UID"]): e for e in Calendar.from_ical(export_oudergroep(year.og, "ics")).walk("VEVENT")}
    assert f"oudergroep-{year.gepland.id}@ouder-tui" in before
    year.og.store.clock.moment += timedelta(days=2)
    year.og.bewaar(msgspec.structs.replace(year.gepland, plaats="Turnzaal", begin="13:30", einde="15:00"))
    after = {str(e["UID"]): e for e in Calendar.from_ical(export_oudergroep(year.og, "ics")).walk("VEVENT")}
    assert sorted(after) == sorted(before)
    uid = f"oudergroep-{year.gepland.id}@ouder-tui"
    assert int(after[uid]["SEQUENCE"]) > int(before[uid]["SEQUENCE"])
    assert str(after[uid]["LOCATION"]) == "Turnzaal" and after[uid].decoded("DTSTART").hour == 13


# -- attendance grid and JSON --------------------------------------------------------------------------


def test_csv_is_an_attendance_grid_for_excel(year: Year) -> None:
    rows = _csv(export_oudergroep(year.og, "csv", schooljaar="2026-2027"))
    assert rows[0] == ["Naam", "Wie", "Telefoon", "06/10/2026", "10/11/2026", "08/12/2026", "Keer aanwezig"]
    grid = {row[0]: row[1:] for row in rows[1:]}
    assert list(grid) == ["Anna Nowak", "Ayşe Gast", "Fatima El Amrani", "Lien Peeters"]
    assert grid["Lien Peeters"] == ["moeder, gezin Peeters (3A)", "0470 12 34 56", "aanwezig", "aanwezig",
                                    "uitgenodigd (Smartschool)", "2"]
    assert grid["Anna Nowak"][2:] == ["uitgenodigd (brief)", "", "uitgenodigd (Smartschool)", "0"]
    assert grid["Ayşe Gast"] == ["gast (niet in het register)", "", "", "aanwezig", "", "1"]


def test_csv_tells_two_sessions_on_one_day_apart(year: Year) -> None:
    year.og.plan(Sessie(datum=date(2027, 1, 12), titel="Ochtend"))
    year.og.plan(Sessie(datum=date(2027, 1, 12), begin="13:30", einde="15:00", titel="Middag"))
    header = _csv(export_oudergroep(year.og, "csv"))[0]
    assert header[-3:] == ["12/01/2027 09:00", "12/01/2027 13:30", "Keer aanwezig"]


def test_json_round_trip_with_attendance_resolved_and_figures(year: Year) -> None:
    data = json.loads(export_oudergroep(year.og, "json"))
    assert data["schooljaar"] == "2026-2027"
    assert [s["titel"] for s in data["sessies"]] == ["Koffie", "Huiswerk", "Gezond eten", "Meertalig opvoeden"]
    assert data["sessies"][0]["aanwezig"] == [
        {"id": year.lien, "naam": "Lien Peeters", "wie": "moeder, gezin Peeters (3A)"},
        {"id": year.fatima, "naam": "Fatima El Amrani", "wie": "moeder, gezin El Amrani (5B)"}]
    assert data["sessies"][0]["datum"] == "2026-10-06" and "_rev" not in data["sessies"][0]
    assert data["sessies"][3]["uitnodigingen"][0]["naam"] == "Anna Nowak"
    assert [t["titel"] for t in data["themas"]] == ["Meertalig opvoeden"]
    assert [v["wat"] for v in data["verzoeken"]] == ["Een bank aan de schoolpoort"]
    assert data["soort"] == "oudergroep" and data["schooljaar"] == "2026-2027"
    figures = data["samenvatting"]
    assert (figures["gehouden"], figures["geannuleerd"], figures["gepland"], figures["totaal_aanwezig"]) == (2, 1, 1, 4)
    assert [(c["aanwezig"], c["terugkerend"], c["nieuw"], c["gasten"]) for c in figures["per_sessie"]] == [
        (2, 0, 2, 0), (2, 1, 1, 1)]
    assert data["sessies"][1]["cijfers"] == {"aanwezig": 2, "terugkerend": 1, "nieuw": 1, "gasten": 1}
    assert "cijfers" not in data["sessies"][3]  # still to come


def test_school_year_filter_and_wrong_calls(year: Year) -> None:
    data = json.loads(export_oudergroep(year.og, "json", schooljaar="2025-2026"))
    assert [s["titel"] for s in data["sessies"]] == ["Lente"]
    assert [v["wat"] for v in data["verzoeken"]] == ["Vorig jaar gevraagd"]
    assert [r[0] for r in _csv(export_oudergroep(year.og, "csv", schooljaar="2025-2026"))[1:]] == ["Anna Nowak"]
    assert list(_events(export_oudergroep(year.og, "ics", schooljaar="2025-2026"))) == ["Oudergroep: Lente"]
    assert "Sessies: 0 gehouden" in export_oudergroep(year.og, "md", schooljaar="2027-2028").decode("utf-8")
    with pytest.raises(OuderTuiError, match="'2026' is geen schooljaar"):
        export_oudergroep(year.og, "csv", schooljaar="2026")
    with pytest.raises(OuderTuiError, match="Onbekend formaat 'pdf'"):
        export_oudergroep(year.og, "pdf")


# -- the year report -----------------------------------------------------------------------------------


def test_year_report_has_the_figures_and_no_parent_names(year: Year) -> None:
    text = export_oudergroep(year.og, "md").decode("utf-8")
    assert text.startswith("# Oudergroep 2026-2027 – De Notelaar")
    for line in ("- Sessies: 2 gehouden, 1 geannuleerd, 1 nog gepland",
                 "- Aanwezigheden: 4 in totaal, gemiddeld 2,0 per gehouden sessie",
                 "- Verschillende ouders en gasten: 3", "- Vaste kern (3 keer of vaker): 0 personen",
                 "- Eén keer gekomen: 2 personen",
                 "| 06/10/2026 | Koffie | 2 | 0 | 2 |", "| 10/11/2026 | Huiswerk | 2 | 1 | 1 |",
                 "| 06/10 | " + "█" * 30 + " 2 |",
                 "| 17/11/2026 | Gezond eten | geannuleerd: de spreker is ziek |",
                 "| Meertalig opvoeden | 6 | gepland |",
                 "| Een bank aan de schoolpoort | 22/11/2026 | beantwoord | Komt er in de lente. De ouderraad "
                 "betaalt mee. | ja, 22/11/2026 |"):
        assert line in text
    assert "Vorig jaar gevraagd" not in text
    page = export_oudergroep(year.og, "html").decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<td>Koffie</td>" in page
    for report in (text, page):
        for name in PARENTS:
            assert name not in report


def test_hostile_text_comes_out_literally(year: Year) -> None:
    session = year.og.bewaar(msgspec.structs.replace(year.gepland, titel=HOSTILE_TITLE, plaats="<b>zaal</b>"))
    page = export_oudergroep(year.og, "html").decode("utf-8")
    assert "[/]&lt;script&gt;alert(1)&lt;/script&gt;*x*" in page and "<script>" not in page
    text = export_oudergroep(year.og, "md").decode("utf-8")
    assert "\\[/\\]\\<script\\>alert(1)\\</script\\>\\*x\\*" in text
    letter = uitnodiging(year.og, session, "html").decode("utf-8")
    assert "<script>" not in letter and "<b>" not in letter and "Waar: &lt;b&gt;zaal&lt;/b&gt;" in letter
    assert "\\<b\\>zaal\\</b\\>" in uitnodiging(year.og, session, "md").decode("utf-8")
    assert f"Oudergroep: {HOSTILE_TITLE}" in _events(export_oudergroep(year.og, "ics"))


# -- the invitation letter -----------------------------------------------------------------------------


def test_invitation_in_plain_dutch(year: Year) -> None:
    text = uitnodiging(year.og, year.gepland, "md").decode("utf-8")
    assert text.startswith("# Uitnodiging: Meertalig opvoeden")
    for part in ("Beste ouder,", "- Wanneer: dinsdag 8 december 2026 van 09:00 tot 11:00", "- Waar: Refter",
                 "- Waarover: Meertalig opvoeden\\\n  Hoe leert een kind twee talen?",
                 "- Er komen ook mensen van: CLB.", "- Er is een tolk voor: Arabisch, Turks.",
                 "- Er is opvang voor kleine kinderen.", "Iedereen is welkom. U hoeft niets voor te bereiden.",
                 "Meester Tom", "De Notelaar"):
        assert part in text
    assert "Samir" not in text
    other = uitnodiging(year.og, year.gepland, "html", school_naam="Sint-Jan").decode("utf-8")
    assert "<p>Sint-Jan</p>" in other and "De Notelaar" not in other


def test_invitation_per_person_has_one_page_each(year: Year) -> None:
    page = uitnodiging(year.og, year.gepland, "html", per_persoon=True).decode("utf-8")
    assert page.count('class="record page"') == 2  # one letter a page
    greetings = [line for line in page.splitlines() if line.startswith("<p>Beste ")]
    assert greetings == ["<p>Beste Anna Nowak,</p>", "<p>Beste Fatima El Amrani,</p>", "<p>Beste Lien Peeters,</p>"]
    assert page.count("Wanneer: dinsdag 8 december 2026 van 09:00 tot 11:00") == 3


def test_no_invitation_for_a_cancelled_session_or_in_another_format(year: Year) -> None:
    with pytest.raises(OuderTuiError, match="Deze sessie is geannuleerd: .*de spreker is ziek"):
        uitnodiging(year.og, year.geannuleerd, "html")
    with pytest.raises(OuderTuiError, match="niet als 'csv'"):
        uitnodiging(year.og, year.gepland, "csv")
    with pytest.raises(OuderTuiError, match="nog niemand uitgenodigd"):
        uitnodiging(year.og, year.tweede, "md", per_persoon=True)


# -- command line --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json", "ics", "md", "html"])
@pytest.mark.file_home
def test_command_line_writes_each_format(year: Year, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "uit" / f"oudergroep.{fmt}"
    assert main(["--db", str(year.og.store.path), "export", "oudergroep", "--format", fmt,
                 "--schooljaar", "2026-2027", "--output", str(out)]) == 0
    expected = export_oudergroep(year.og, fmt, schooljaar="2026-2027")
    if fmt == "json":  # the same document; only gemaakt_op (the moment of export) differs
        assert {**json.loads(out.read_bytes()), "gemaakt_op": ""} == {**json.loads(expected), "gemaakt_op": ""}
    elif fmt == "ics":  # the same events; only DTSTAMP (the moment of export) differs
        assert _events(out.read_bytes()).keys() == _events(expected).keys()
    else:
        assert out.read_bytes() == expected


@pytest.mark.file_home
def test_command_line_to_stdout_and_wrong_school_years(year: Year, tmp_path: Path, capsysbinary) -> None:
    db = str(year.og.store.path)
    assert main(["--db", db, "export", "oudergroep", "--format", "json", "--schooljaar", "2025-2026"]) == 0
    assert json.loads(capsysbinary.readouterr().out)["schooljaar"] == "2025-2026"
    out = tmp_path / "oudergroep.csv"
    for wrong in ("2026", "2026-2028"):
        assert main(["--db", db, "export", "oudergroep", "--schooljaar", wrong, "--output", str(out)]) == 2
        err = capsysbinary.readouterr().err.decode("utf-8")
        assert f"--schooljaar: '{wrong}' is geen schooljaar (bv. 2026-2027)" in err
    assert main(["--db", db, "export", "oudergroep", "--klas", "5A"]) == 2
    assert "--klas geldt alleen voor de export van startgesprekken" in capsysbinary.readouterr().err.decode("utf-8")
    assert not out.exists()
