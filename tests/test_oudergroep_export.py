"""Exports of the parent group, parsed back: the calendar, the attendance grid, JSON, the year report,
the invitation letter, and the command line."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import msgspec
import pytest
from icalendar import Calendar

from ouder_tui.cli import main
from ouder_tui.errors import OuderTuiError
from ouder_tui.leerlingen import Gezin, Leerling, Ouder, Registry
from ouder_tui.oudergroep import Gast, Oudergroep, Partner, Sessie, Thema, Tolk, Verzoek
from ouder_tui.oudergroep_export import export_oudergroep, uitnodiging
from ouder_tui.store import Store

HOSTILE_TITLE = "[/]<script>alert(1)</script>*x*"


@pytest.fixture
def og(store: Store, registry: Registry) -> Oudergroep:
    return Oudergroep(store, registry)


@pytest.fixture
def year(og: Oudergroep, registry: Registry) -> dict:
    """A school year: two held sessions (one with a guest), one cancelled, one planned with invitations."""
    gezin = registry.add_gezin(Gezin(naam="El Amrani", ouders=(
        Ouder(relatie="moeder", voornaam="Fatima", familienaam="El Amrani", telefoon="0470 11 22 33"),
        Ouder(relatie="vader", voornaam="Karim", familienaam="El Amrani"))))
    registry.add_leerling(Leerling(voornaam="Yasmine", familienaam="El Amrani", klas="5B", gezin_id=gezin.id))
    fatima, karim = (o.id for o in gezin.ouders)
    thema = og.bewaar_thema(Thema(titel="Meertalig opvoeden", gevraagd_door="Fatima", aantal=6))
    first = og.plan(Sessie(datum=date(2026, 9, 15), titel="Kennismaking", plaats="Refter", begin="08:45",
                           einde="10:30", partners=(Partner(organisatie="Vormingplus", contactpersoon="Sofie"),),
                           tolken=(Tolk(taal="Arabisch", naam="Samir"),), kinderopvang=True))
    og.nodig_uit(first.id, [fatima, karim], "brief", date(2026, 9, 1))
    og.zet_aanwezig(first.id, fatima)
    second = og.plan(Sessie(datum=date(2026, 10, 13), titel="Meertalig opvoeden", thema_id=thema.id, plaats="Refter"))
    og.zet_aanwezig(second.id, fatima)
    guest = og.voeg_gast_toe(second.id, Gast(voornaam="Samira", familienaam="Walk-in"))
    cancelled = og.plan(Sessie(datum=date(2026, 11, 3), titel="Schermtijd", status="geannuleerd",
                               annulatie_reden="staking"))
    planned = og.plan(Sessie(datum=date(2026, 12, 8), titel=HOSTILE_TITLE, plaats="Turnzaal", begin="13:30",
                             einde="15:00", omschrijving="Met koffie.", begeleiders=("Juf Els",),
                             tolken=(Tolk(taal="Turks"),), kinderopvang=True, kinderopvang_info="in de klas van K1"))
    og.nodig_uit(planned.id, [fatima, karim], "smartschool", date(2026, 11, 20))
    og.plan(Sessie(datum=date(2026, 5, 5), titel="Vorig jaar"))
    og.bewaar_verzoek(Verzoek(wat="Eigen account op Smartschool", eigenaar="directie", status="beantwoord",
                              antwoord="Vanaf januari.", teruggekoppeld=True, sessie_id=second.id))
    return {"first": first, "second": second, "cancelled": cancelled, "planned": planned, "guest": guest,
            "fatima": fatima, "karim": karim}


def events(payload: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(payload)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def test_calendar_holds_the_years_sessions_without_names(og: Oudergroep, year) -> None:
    payload = export_oudergroep(og, "ics", schooljaar="2026-2027")
    found = events(payload)
    assert set(found) == {"Oudergroep: Kennismaking", "Oudergroep: Meertalig opvoeden", "Oudergroep: Schermtijd",
                          f"Oudergroep: {HOSTILE_TITLE}"}
    first = found["Oudergroep: Kennismaking"]
    brussels = ZoneInfo("Europe/Brussels")
    assert first.decoded("dtstart") == datetime(2026, 9, 15, 8, 45, tzinfo=brussels)
    assert first.decoded("dtend") == datetime(2026, 9, 15, 10, 30, tzinfo=brussels)
    assert str(first["location"]) == "Refter" and str(first["status"]) == "CONFIRMED"
    assert "Vormingplus" in str(first["description"]) and "Arabisch" in str(first["description"])
    assert str(found["Oudergroep: Schermtijd"]["status"]) == "CANCELLED"
    assert b"BEGIN:VTIMEZONE" in payload and b"TZID:Europe/Brussels" in payload
    for name in (b"Fatima", b"Karim", b"Samira", b"El Amrani"):
        assert name not in payload


def test_calendar_uids_are_stable_and_an_edit_raises_the_sequence(og: Oudergroep, year) -> None:
    before = events(export_oudergroep(og, "ics"))["Oudergroep: Kennismaking"]
    session = og.sessie(year["first"].id)
    og.bewaar(msgspec.structs.replace(session, plaats="Turnzaal"))
    after = events(export_oudergroep(og, "ics"))["Oudergroep: Kennismaking"]
    assert str(before["uid"]) == str(after["uid"]) == f"oudergroep-{session.id}@ouder-tui"
    assert int(after["sequence"]) > int(before["sequence"])
    assert str(after["location"]) == "Turnzaal"


def test_attendance_grid_for_excel(og: Oudergroep, year) -> None:
    text = export_oudergroep(og, "csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = rows[0]
    assert header[:3] == ["Naam", "Wie", "Telefoon"] and header[-1] == "Keer aanwezig"
    assert header[3:-1] == ["15/09/2026 Kennismaking", "13/10/2026 Meertalig opvoeden", f"08/12/2026 {HOSTILE_TITLE}"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Fatima El Amrani"][1:] == ["moeder, gezin El Amrani (5B)", "0470 11 22 33", "aanwezig",
                                               "aanwezig", "uitgenodigd (Smartschool)", "2"]
    assert by_name["Karim El Amrani"][3:] == ["afwezig", "", "uitgenodigd (Smartschool)", "0"]
    assert by_name["Samira Walk-in"][1:] == ["gast (niet in het register)", "", "", "aanwezig", "", "1"]


def test_json_round_trip(og: Oudergroep, year) -> None:
    document = json.loads(export_oudergroep(og, "json"))
    assert document["schooljaar"] == "2026-2027"
    sessions = {s["titel"]: s for s in document["sessies"]}
    assert len(sessions) == 4 and "Vorig jaar" not in sessions
    second = sessions["Meertalig opvoeden"]
    assert [a["naam"] for a in second["aanwezig"]] == ["Fatima El Amrani", "Samira Walk-in"]
    assert second["cijfers"] == {"aanwezig": 2, "terugkerend": 1, "nieuw": 1, "gasten": 1}
    assert document["themas"][0]["status"] == "gedaan"
    assert document["verzoeken"][0]["antwoord"] == "Vanaf januari."


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_year_report_has_the_figures_and_the_chart_but_no_names(og: Oudergroep, year, fmt: str) -> None:
    text = export_oudergroep(og, fmt).decode("utf-8")
    assert "Oudergroep 2026-2027" in text
    assert "2 sessies gehouden, 1 geannuleerd, 1 nog gepland" in text
    assert "3 aanwezigheden, gemiddeld 1,5 per sessie" in text
    assert "█" in text and "░" in text
    assert "staking" in text and "Vanaf januari." in text and "Meertalig opvoeden" in text
    for name in ("Fatima", "Karim", "Samira"):
        assert name not in text
    if fmt == "html":
        assert "<script>" not in text and "&lt;script&gt;" in text
    else:
        assert "\\[/\\]\\<script\\>" in text and "\\*x\\*" in text


def test_the_school_year_filter(og: Oudergroep, year) -> None:
    document = json.loads(export_oudergroep(og, "json", schooljaar="2025-2026"))
    assert [s["titel"] for s in document["sessies"]] == ["Vorig jaar"]
    with pytest.raises(ValueError):
        export_oudergroep(og, "json", schooljaar="2025")
    with pytest.raises(OuderTuiError):
        export_oudergroep(og, "pdf")


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_invitation_letter_in_plain_dutch(og: Oudergroep, year, fmt: str) -> None:
    session = og.sessie(year["planned"].id)
    text = uitnodiging(og, session, fmt, school_naam="Basisschool De Notelaar").decode("utf-8")
    assert "Beste ouder," in text
    assert "dinsdag 8 december 2026, van 13:30 tot 15:00" in text and "Turnzaal" in text
    assert "Er is een tolk voor: Turks." in text and "in de klas van K1" in text
    assert "Juf Els" in text and "Basisschool De Notelaar" in text
    if fmt == "html":
        assert "<script>" not in text
    personal = uitnodiging(og, session, fmt, per_persoon=True).decode("utf-8")
    assert "Beste Fatima El Amrani," in personal and "Beste Karim El Amrani," in personal
    if fmt == "html":
        assert personal.count('<div class="page"></div>') == 1


def test_no_letter_for_a_cancelled_session_or_nobody_invited(og: Oudergroep, year) -> None:
    with pytest.raises(OuderTuiError, match="geannuleerd"):
        uitnodiging(og, og.sessie(year["cancelled"].id), "html")
    with pytest.raises(OuderTuiError, match="niemand uitgenodigd"):
        uitnodiging(og, og.sessie(year["second"].id), "html", per_persoon=True)


def test_command_line_export(store: Store, og: Oudergroep, year, tmp_path, capsysbinary) -> None:
    path = str(store.path)
    store.close()
    out = tmp_path / "oudergroep.ics"
    assert main(["--db", path, "export", "oudergroep", "--format", "ics", "--output", str(out)]) == 0
    assert len(events(out.read_bytes())) == 4
    assert main(["--db", path, "export", "oudergroep", "--format", "csv", "--schooljaar", "2025-2026"]) == 0
    rows = list(csv.reader(io.StringIO(capsysbinary.readouterr().out.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][3:] == ["05/05/2026 Vorig jaar", "Keer aanwezig"]
    assert main(["--db", path, "export", "oudergroep", "--format", "html", "--schooljaar", "2026"]) == 2
    assert "geen schooljaar" in capsysbinary.readouterr().err.decode()
    assert main(["--db", path, "export", "oudergroep", "--format", "md", "--klas", "5A"]) == 2
    assert "--klas geldt alleen" in capsysbinary.readouterr().err.decode()
