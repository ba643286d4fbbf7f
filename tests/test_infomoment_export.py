"""Exports of the infomoment, parsed back: the checklist, the evening in a calendar, JSON, the top 5,
the rotation cards, and the command line."""

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
from ouder_tui.infomoment import Infomomenten, Tafel, Vraag
from ouder_tui.infomoment_export import export_infomoment
from ouder_tui.store import Store

HOSTILE = "[/]<script>x</script>*y*"


@pytest.fixture
def service(store: Store) -> Infomomenten:
    return Infomomenten(store)


@pytest.fixture
def info(service: Infomomenten):
    info = service.nieuw("2026-2027", date(2027, 2, 11), plaats="refter", inschrijvingen_vanaf=date(2027, 3, 1))
    for text, count, answer in (("Wanneer inschrijven?", 5, "Vanaf maart."), ("Wat is de B-stroom?", 3, ""),
                                (HOSTILE, 4, HOSTILE), ("Is er een bus?", 1, ""), ("Wat kost het?", 2, ""),
                                ("Mag de gsm mee?", 1, "")):
        info = service.bewaar_vraag(info.id, Vraag(tekst=text, aantal=count, antwoord=answer))
    return service.bewaar_tafel(info.id, Tafel(**{**{f: getattr(info.tafels[0], f)
                                                     for f in info.tafels[0].__struct_fields__}, "gastheer": "Tom"}))


def test_checklist_for_excel(service: Infomomenten, info) -> None:
    rows = list(csv.reader(io.StringIO(export_infomoment(service, "csv").decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Taak", "Deadline", "Dagen voor", "Wie", "Status", "Notitie"]
    invite = next(r for r in rows[1:] if r[0].startswith("Ouders uitnodigen"))
    assert invite[1:5] == ["21/01/2027", "21", "klasleerkrachten 5de en 6de", "open"]
    assert [r[1] for r in rows[1:3]] == ["13/11/2026", "13/12/2026"]  # earliest deadline first


def test_the_evening_in_a_calendar(service: Infomomenten, info) -> None:
    event = next(iter(Calendar.from_ical(export_infomoment(service, "ics")).walk("VEVENT")))
    brussels = ZoneInfo("Europe/Brussels")
    assert event.decoded("dtstart") == datetime(2027, 2, 11, 19, 0, tzinfo=brussels)
    assert event.decoded("dtend") == info.einde().replace(tzinfo=brussels)
    assert str(event["location"]) == "refter" and "19:35 Doorschuiven langs de tafels" in str(event["description"])
    before = (str(event["uid"]), int(event["sequence"]))
    service.verplaats(info.id, date(2027, 2, 4))
    moved = next(iter(Calendar.from_ical(export_infomoment(service, "ics")).walk("VEVENT")))
    assert str(moved["uid"]) == before[0] and int(moved["sequence"]) > before[1]
    assert moved.decoded("dtstart").date() == date(2027, 2, 4)


def test_json_round_trip(service: Infomomenten, info) -> None:
    document = json.loads(export_infomoment(service, "json"))
    assert document["soort"] == "infomoment" and document["schooljaar"] == "2026-2027"
    (evening,) = document["infomomenten"]
    assert evening["einde"] == "21:13" and "_rev" not in evening
    assert [q["tekst"] for q in document["top5"]][:2] == ["Wanneer inschrijven?", HOSTILE]
    assert len(document["top5"]) == 5 and len(evening["taken"]) == 14


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_top_five_for_the_website(service: Infomomenten, info, fmt: str) -> None:
    with pytest.raises(OuderTuiError, match="Nog geen antwoord op 3 vragen van de top: 'Wat is de B-stroom"):
        export_infomoment(service, fmt)  # the website never gets "(nog geen antwoord)"
    _answer_all(service, info)
    text = export_infomoment(service, fmt).decode()
    assert "de vijf meest gestelde vragen" in text and "Vanaf maart." in text and "nog geen antwoord" not in text
    assert "Mag de gsm mee?" not in text  # the sixth
    assert text.index("Wanneer inschrijven?") < text.index("Wat is de B-stroom?")
    if fmt == "html":
        assert "<script>" not in text and "&lt;script&gt;" in text
    else:
        assert "\\[/\\]\\<script\\>" in text and "\\*y\\*" in text


def _answer_all(service: Infomomenten, info) -> None:
    current = service.van_jaar(info.schooljaar)
    service.bewaar(msgspec.structs.replace(current, vragen=tuple(
        msgspec.structs.replace(v, antwoord=v.antwoord or f"Antwoord op {v.tekst}") for v in current.vragen)))


def test_top_five_counts_what_it_has(service: Infomomenten, info) -> None:
    current = service.van_jaar(info.schooljaar)
    service.bewaar(msgspec.structs.replace(current, vragen=current.vragen[:3]))
    _answer_all(service, info)
    text = export_infomoment(service, "md").decode()
    assert "de drie meest gestelde vragen" in text and "vijf" not in text
    assert text.count("\n## ") == 3


def _md_rows(text: str, header_start: str) -> list[list[str]]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows


def test_rotation_cards_and_table_sheets(service: Infomomenten, info) -> None:
    text = export_infomoment(service, "md", wat="rotatie").decode()
    grid = _md_rows(text, "| Ronde | Uur | CLB")
    tables = len(info.tafels)
    assert len(grid) == tables
    for column in range(2, 2 + tables):  # every group once at every table
        assert sorted(row[column] for row in grid if row[column] != "–") == ["A", "B", "C", "D", "E"]
    assert text.count("## Groep ") == info.groepen and text.count("## Tafel: ") == tables
    assert "## Tafel: CLB" in text and "Gastheer of gastvrouw: Tom" in text
    html = export_infomoment(service, "html", wat="rotatie").decode()
    # one card per group and per table, in one block that starts a new page, two cards to an A4 page
    assert html.count('<section class="card">') == info.groepen + tables
    assert html.count('<div class="cards page">') == 1
    card = html[html.index('<section class="card">'):]
    card = card[:card.index("</section>")]
    assert "<h2>Groep A</h2>" in card and "Infomoment: de overstap naar het secundair" in card
    assert "donderdag 11 februari 2027" in card and info.plaats in card


def test_more_groups_than_tables_says_so(service: Infomomenten, info) -> None:
    info = service.bewaar(info.__class__(**{**{f: getattr(info, f) for f in info.__struct_fields__}, "groepen": 7}))
    text = export_infomoment(service, "md", wat="rotatie").decode()
    assert "meer groepen dan tafels: elke groep heeft 2 rondes pauze" in text
    assert "pauze: even naar de drank" in text


def test_errors_are_dutch(service: Infomomenten, info) -> None:
    with pytest.raises(OuderTuiError, match="geen infomoment voor 2025-2026"):
        export_infomoment(service, "md", schooljaar="2025-2026")
    with pytest.raises(OuderTuiError, match="geen schooljaar"):
        export_infomoment(service, "md", schooljaar="2026")
    with pytest.raises(OuderTuiError):
        export_infomoment(service, "pdf")


@pytest.mark.file_home
def test_command_line(store: Store, service: Infomomenten, info, tmp_path, capsysbinary) -> None:
    path = str(store.path)
    store.close()
    out = tmp_path / "rotatie.html"
    assert main(["--db", path, "export", "infomoment", "--format", "html", "--rotatie", "--output", str(out)]) == 0
    assert "## Groep" not in out.read_text() and "Groep A" in out.read_text()
    assert main(["--db", path, "export", "infomoment", "--format", "csv"]) == 0
    assert capsysbinary.readouterr().out.decode("utf-8-sig").startswith('"Taak";"Deadline"')
    assert main(["--db", path, "export", "oudergroep", "--format", "md", "--rotatie"]) == 2
    assert "--rotatie geldt alleen" in capsysbinary.readouterr().err.decode()
    assert main(["--db", path, "export", "infomoment", "--format", "md", "--schooljaar", "2030-2031"]) == 1
    assert "geen infomoment voor 2030-2031" in capsysbinary.readouterr().err.decode()
