"""Exports of home visits, parsed back: CSV, JSON, iCalendar, the printable overview, the command line."""

from __future__ import annotations

import csv
import html
import io
import json
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import msgspec
import pytest
from icalendar import Calendar

from ouder_tui.cli import main
from ouder_tui.errors import NotFoundError, OuderTuiError
from ouder_tui.huisbezoek import Actie, Huisbezoek, Huisbezoeken
from ouder_tui.huisbezoek_export import export_huisbezoeken
from ouder_tui.leerlingen import Gezin, Registry
from ouder_tui.store import Store

from .conftest import HOSTILE

SECRET = "Moeder vertelde over geweld thuis."
SECRET_ACTION = "CLB bellen over de thuissituatie"
OPEN_NOTE = "planning: niet in de agenda"
HOSTILE_FAMILY = "<script>alert(1)</script> [bold]"


@pytest.fixture
def service(store: Store, registry: Registry) -> Huisbezoeken:
    """Four visits: two planned (one with a time, one all-day), one held and confidential, one cancelled."""
    service = Huisbezoeken(store, registry)
    store.update_settings(school_naam="De Notelaar")
    open_family = registry.add_gezin(Gezin(naam=HOSTILE_FAMILY))
    quiet = registry.add_gezin(Gezin(naam="Maes"))
    service.plan(Huisbezoek(gezin_id=open_family.id, datum=date(2026, 12, 3), tijd="16:15", bezoeker="Sarah",
                            tweede_bezoeker="Ayşe", tweede_rol="tolk", reden="zorgvraag", taal="Turks", tolk=True,
                            tolk_taal="Turks", besproken=OPEN_NOTE, verwachtingen="hoopt op *meer* uitleg",
                            afspraken="| kolom |"))
    service.plan(Huisbezoek(gezin_id=quiet.id, datum=date(2026, 12, 10)))  # no time: an all-day event
    service.plan(Huisbezoek(gezin_id=quiet.id, datum=date(2026, 10, 5), status="gehouden", vertrouwelijk=True,
                            besproken=SECRET, afspraken="=SOM(A1)",
                            acties=(Actie(wat=SECRET_ACTION, eigenaar="Sarah", tegen=date(2026, 11, 1)),)))
    service.plan(Huisbezoek(gezin_id=open_family.id, datum=date(2026, 9, 20), status="geannuleerd_gezin",
                            annulatie_reden="ziek", besproken="#kop _schuin_ `code`",
                            acties=(Actie(wat="Nieuwe datum zoeken", eigenaar="", tegen=date(2026, 12, 20)),)))
    return service


def _csv(payload: bytes) -> list[dict[str, str]]:
    assert payload.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    header, *rows = list(csv.reader(io.StringIO(payload.decode("utf-8-sig")), delimiter=";"))
    return [dict(zip(header, row, strict=True)) for row in rows]


def _family(registry: Registry, name: str) -> Gezin:
    return next(g for g in registry.gezinnen() if g.naam == name)


# -- CSV ---------------------------------------------------------------------------------------------


def test_csv_for_excel_one_row_per_visit_with_dutch_dates(service) -> None:
    rows = _csv(export_huisbezoeken(service, "csv"))
    assert [r["Datum"] for r in rows] == ["20/09/2026", "05/10/2026", "03/12/2026", "10/12/2026"]
    assert list(rows[0]) == ["Datum", "Uur", "Gezin", "Reden", "Bezoekers", "Taal", "Tolk", "Status",
                             "Reden annulering", "Besproken", "Verwachtingen", "Afspraken", "Open acties",
                             "Volgend bezoek", "Vertrouwelijk"]
    planned = rows[2]
    assert planned["Uur"] == "16:15" and planned["Gezin"] == HOSTILE_FAMILY
    assert planned["Bezoekers"] == "Sarah en Ayşe (tolk)" and planned["Tolk"] == "Turks"
    assert planned["Status"] == "gepland" and planned["Vertrouwelijk"] == "nee"
    cancelled = rows[0]
    assert cancelled["Status"] == "geannuleerd door het gezin" and cancelled["Reden annulering"] == "ziek"
    assert cancelled["Open acties"] == "Nieuwe datum zoeken (?, 20/12/2026)"
    assert rows[3]["Tolk"] == "nee"


def test_csv_hides_confidential_notes_unless_asked(service) -> None:
    held = _csv(export_huisbezoeken(service, "csv"))[1]
    assert held["Besproken"] == "(vertrouwelijk)" and held["Afspraken"] == "(vertrouwelijk)"
    assert held["Verwachtingen"] == ""  # nothing written, nothing to hide
    assert held["Open acties"] == "actie uit vertrouwelijk bezoek (Sarah, 01/11/2026)"
    assert held["Vertrouwelijk"] == "ja"
    everything = _csv(export_huisbezoeken(service, "csv", vertrouwelijk=True))[1]
    assert everything["Besproken"] == SECRET and SECRET_ACTION in everything["Open acties"]
    assert everything["Afspraken"] == "'=SOM(A1)"  # Excel shows it, never runs it


# -- JSON --------------------------------------------------------------------------------------------


def test_json_is_a_list_of_visits_with_the_family_name(service) -> None:
    document = json.loads(export_huisbezoeken(service, "json"))
    assert document["soort"] == "huisbezoeken" and "gemaakt_op" in document
    data = document["huisbezoeken"]
    assert not [key for visit in data for key in visit if key.startswith("_")]
    assert [d["datum"] for d in data] == ["2026-09-20", "2026-10-05", "2026-12-03", "2026-12-10"]
    assert data[2]["gezin"] == HOSTILE_FAMILY and data[2]["besproken"] == OPEN_NOTE
    held = data[1]
    assert held["besproken"] == "(vertrouwelijk)" and held["acties"][0]["wat"] == "actie uit vertrouwelijk bezoek"
    raw = export_huisbezoeken(service, "json").decode("utf-8")
    assert SECRET not in raw and SECRET_ACTION not in raw
    everything = json.loads(export_huisbezoeken(service, "json", vertrouwelijk=True))["huisbezoeken"]
    assert everything[1]["besproken"] == SECRET and everything[1]["acties"][0]["wat"] == SECRET_ACTION


def test_period_includes_both_ends(service) -> None:
    data = json.loads(export_huisbezoeken(service, "json", van=date(2026, 10, 5), tot=date(2026, 12, 3)))["huisbezoeken"]
    assert [d["datum"] for d in data] == ["2026-10-05", "2026-12-03"]
    data = json.loads(export_huisbezoeken(service, "json", van=date(2026, 12, 1)))["huisbezoeken"]
    assert [d["datum"] for d in data] == ["2026-12-03", "2026-12-10"]
    assert _csv(export_huisbezoeken(service, "csv", tot=date(2026, 9, 30)))[0]["Datum"] == "20/09/2026"
    assert _csv(export_huisbezoeken(service, "csv", van=date(2027, 1, 1))) == []


def test_wrong_calls_are_refused_in_dutch(service) -> None:
    with pytest.raises(OuderTuiError, match="einddatum"):
        export_huisbezoeken(service, "csv", van=date(2026, 12, 1), tot=date(2026, 11, 1))
    with pytest.raises(OuderTuiError, match="Onbekend formaat"):
        export_huisbezoeken(service, "pdf")
    with pytest.raises(NotFoundError):
        export_huisbezoeken(service, "md", gezin_id=999)


# -- iCalendar -----------------------------------------------------------------------------------------


def test_ics_holds_only_planned_visits_with_stable_ids(service) -> None:
    raw = export_huisbezoeken(service, "ics")
    calendar = Calendar.from_ical(raw)
    events = list(calendar.walk("VEVENT"))
    cancelled = [e for e in events if str(e["STATUS"]) == "CANCELLED"]
    events = [e for e in events if str(e["STATUS"]) == "CONFIRMED"]
    assert len(events) == 2 and len(cancelled) == 1  # the held visit stays out, the cancelled one says so
    timed = next(e for e in events if "alert" in str(e["SUMMARY"]))
    assert str(timed["SUMMARY"]) == f"Huisbezoek gezin {HOSTILE_FAMILY}"
    start = timed.decoded("DTSTART")
    assert isinstance(start, datetime) and (start.hour, start.minute) == (16, 15)
    assert str(start.tzinfo) == "Europe/Brussels" and start.utcoffset() == timedelta(hours=1)
    assert timed.decoded("DTEND") - start == timedelta(minutes=60)
    assert timed.decoded("DTSTAMP").utcoffset() == timedelta(0)
    description = str(timed["DESCRIPTION"])
    assert "Reden: zorgvraag" in description and "Sarah en Ayşe (tolk)" in description
    assert "Taal: Turks" in description and "Tolk: Turks" in description
    all_day = next(e for e in events if "Maes" in str(e["SUMMARY"]))
    assert all_day.decoded("DTSTART") == date(2026, 12, 10) and all_day.decoded("DTEND") == date(2026, 12, 11)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Brussels"]
    uids = sorted(str(e["UID"]) for e in events)
    assert uids == ["huisbezoek-1@ouder-tui", "huisbezoek-2@ouder-tui"]
    service.store.clock.moment += timedelta(days=3)  # another day, another export: the same events
    again = Calendar.from_ical(export_huisbezoeken(service, "ics"))
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT") if e["STATUS"] == "CONFIRMED") == uids


def test_ics_never_carries_notes_not_even_when_asked(service) -> None:
    confidential = service.plan(Huisbezoek(gezin_id=_family(service.registry, "Maes").id, datum=date(2027, 1, 8),
                                           vertrouwelijk=True, verwachtingen=SECRET))
    for vertrouwelijk in (False, True):
        raw = export_huisbezoeken(service, "ics", vertrouwelijk=vertrouwelijk)
        text = Calendar.from_ical(raw).to_ical().decode("utf-8").replace("\r\n ", "")  # unfolded
        for note in (OPEN_NOTE, "meer", "kolom", SECRET, SECRET_ACTION, "Besproken", "Afgesproken"):
            assert note not in text
        assert f"huisbezoek-{confidential.id}@ouder-tui" in text  # the visit itself is in the calendar


def test_ics_moves_a_rescheduled_visit_under_the_same_uid(service) -> None:
    visit = next(v for v in service.alle() if v.tijd == "16:15")
    before = next(e for e in Calendar.from_ical(export_huisbezoeken(service, "ics")).walk("VEVENT")
                  if str(e["UID"]) == f"huisbezoek-{visit.id}@ouder-tui")
    service.bewaar(msgspec.structs.replace(visit, tijd="09:00", duur_minuten=90))
    after = next(e for e in Calendar.from_ical(export_huisbezoeken(service, "ics")).walk("VEVENT")
                 if str(e["UID"]) == f"huisbezoek-{visit.id}@ouder-tui")
    assert after.decoded("DTSTART").hour == 9
    assert after.decoded("DTEND") - after.decoded("DTSTART") == timedelta(minutes=90)
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])  # calendars take the newer version


# -- printable overview ------------------------------------------------------------------------------


def test_html_is_a_standalone_printable_page_with_escaped_text(service) -> None:
    page = export_huisbezoeken(service, "html", van=date(2026, 9, 1), tot=date(2026, 12, 31)).decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page and "@page { size: A4" in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; [bold]" in page
    assert "Huisbezoeken van 01/09/2026 tot 31/12/2026 – De Notelaar" in page
    assert "4 huisbezoeken: 2 gepland, 1 gehouden, 1 geannuleerd door het gezin." in page
    assert "| kolom |" in page and OPEN_NOTE in page  # ordinary notes are part of the overview
    assert SECRET not in page and SECRET_ACTION not in page
    assert "Besproken: (vertrouwelijk)" in page and "actie uit vertrouwelijk bezoek" in page
    assert "01/11/2026 (te laat)" in page  # the clock says 22/11/2026
    everything = export_huisbezoeken(service, "html", vertrouwelijk=True).decode("utf-8")
    assert SECRET in everything and SECRET_ACTION in everything


def test_html_shows_hostile_names_literally(service, registry) -> None:
    for name in HOSTILE:
        family = registry.add_gezin(Gezin(naam=name))
        service.plan(Huisbezoek(gezin_id=family.id, datum=date(2026, 11, 30), bezoeker=name))
    page = export_huisbezoeken(service, "html").decode("utf-8")
    for family in registry.gezinnen():
        assert html.escape(family.naam) in page
    assert "\x1b" not in page and "\u202e" not in page


def test_markdown_overview_escapes_what_would_format(service) -> None:
    text = export_huisbezoeken(service, "md", vertrouwelijk=True).decode("utf-8")
    assert text.startswith("# Alle huisbezoeken – De Notelaar\n")
    assert "\\<script\\>" in text and "\\[bold\\]" in text
    assert "Afgesproken: \\| kolom \\|" in text and "hoopt op \\*meer\\* uitleg" in text
    assert "\\#kop \\_schuin\\_ \\`code\\`" in text
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert table[0] == "| Tegen | Wat | Wie | Gezin |"
    assert all(line.count(" | ") == 3 for line in table)  # a `|` in a name never adds a column
    assert "| 01/11/2026 (te laat) | CLB bellen over de thuissituatie | Sarah | Maes |" in table


def test_one_familys_history(service, registry) -> None:
    family = _family(registry, "Maes")
    text = export_huisbezoeken(service, "md", gezin_id=family.id).decode("utf-8")
    assert text.startswith("# Huisbezoeken bij gezin Maes – De Notelaar")
    assert "05/10/2026" in text and "10/12/2026" in text and "alert" not in text
    assert "2 huisbezoeken: 1 gepland, 1 gehouden." in text
    assert "Besproken: (vertrouwelijk)" in text and SECRET not in text
    assert text.index("## 05/10/2026") < text.index("## 10/12/2026")  # in order, like the overview
    later = export_huisbezoeken(service, "md", gezin_id=family.id, van=date(2026, 11, 1)).decode("utf-8")
    assert later.startswith("# Huisbezoeken bij gezin Maes vanaf 01/11/2026")
    assert "05/10/2026" not in later and "10/12/2026" in later
    rows = _csv(export_huisbezoeken(service, "csv", gezin_id=family.id))
    assert {r["Gezin"] for r in rows} == {"Maes"} and len(rows) == 2


def test_an_empty_period_still_gives_a_report(service) -> None:
    text = export_huisbezoeken(service, "md", van=date(2030, 1, 1)).decode("utf-8")
    assert "Geen huisbezoeken in deze periode." in text and "Open acties" not in text


# -- command line -------------------------------------------------------------------------------------


@pytest.mark.file_home
def test_command_line_writes_each_format_to_a_file(service, tmp_path: Path) -> None:
    db = str(service.store.path)
    out = tmp_path / "uit" / "bezoeken.ics"
    assert main(["--db", db, "export", "huisbezoeken", "--format", "ics", "--output", str(out)]) == 0
    assert len([e for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT") if e["STATUS"] == "CONFIRMED"]) == 2
    csv_file = tmp_path / "bezoeken.csv"
    csv_file.write_text("oud")
    assert main(["--db", db, "export", "huisbezoeken", "--format", "csv", "--van", "01/10/2026",
                 "--tot", "31/10/2026", "--output", str(csv_file)]) == 0
    assert [r["Datum"] for r in _csv(csv_file.read_bytes())] == ["05/10/2026"]
    page = tmp_path / "zorgoverleg.html"
    assert main(["--db", db, "export", "huisbezoeken", "--format", "html", "--vertrouwelijk",
                 "--output", str(page)]) == 0
    assert SECRET in page.read_text(encoding="utf-8")
    family = _family(service.registry, "Maes")
    history = tmp_path / "maes.md"
    assert main(["--db", db, "export", "huisbezoeken", "--format", "md", "--gezin", str(family.id),
                 "--output", str(history)]) == 0
    assert history.read_text(encoding="utf-8").startswith("# Huisbezoeken bij gezin Maes")
    leftovers = [p.name for p in tmp_path.rglob("*.tmp")]
    assert leftovers == []  # written atomically: no half files beside the export


@pytest.mark.file_home
def test_command_line_writes_to_stdout_without_output(service, capsysbinary) -> None:
    assert main(["--db", str(service.store.path), "export", "huisbezoeken", "--format", "json",
                 "--van", "2026-12-01"]) == 0
    assert [d["datum"] for d in json.loads(capsysbinary.readouterr().out)["huisbezoeken"]] == ["2026-12-03", "2026-12-10"]


@pytest.mark.parametrize(("extra", "message"), [
    (["--van", "31/02/2026"], "--van: '31/02/2026' bestaat niet als datum"),
    (["--tot", "morgen"], "--tot: 'morgen' is geen datum (gebruik dd/mm/jjjj)"),
    (["--van", "01/12/2026", "--tot", "01/11/2026"], "einddatum"),
])
@pytest.mark.file_home
def test_command_line_refuses_bad_dates_and_writes_nothing(service, tmp_path: Path, capsys, extra, message) -> None:
    out = tmp_path / "bezoeken.csv"
    out.write_bytes(b"vorige export")
    code = main(["--db", str(service.store.path), "export", "huisbezoeken", "--format", "csv", *extra,
                 "--output", str(out)])
    captured = capsys.readouterr()
    assert code == 2 and message in captured.err and captured.out == ""
    assert out.read_bytes() == b"vorige export"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".bezoeken")) == []


@pytest.mark.file_home
def test_command_line_wrong_calls(service, tmp_path: Path, capsys) -> None:
    db = str(service.store.path)
    assert main(["--db", db, "export", "gezinnen", "--format", "html"]) == 2
    assert "gezinnen kan je exporteren als xlsx, csv, json, niet als html" in capsys.readouterr().err
    assert main(["--db", db, "export", "leerlingen", "--format", "ics"]) == 2
    capsys.readouterr()
    assert main(["--db", db, "export", "leerlingen", "--van", "01/09/2026"]) == 2
    assert "--van geldt alleen voor de export van huisbezoeken" in capsys.readouterr().err
    assert main(["--db", db, "export", "gezinnen", "--vertrouwelijk"]) == 2
    capsys.readouterr()
    assert main(["--db", db, "export", "huisbezoeken", "--klas", "5A"]) == 2
    assert "--klas geldt alleen voor de export van startgesprekken" in capsys.readouterr().err
    assert main(["--db", db, "export", "huisbezoeken", "--gezin", "999"]) == 1
    assert "bestaat niet" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:
        main(["--db", db, "export", "huisbezoeken", "--gezin", "Maes"])
    assert done.value.code == 2 and "ongeldige waarde" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.csv"))


@pytest.mark.file_home
def test_exporting_visits_does_not_import_textual(service) -> None:
    """A headless export must not pay for the interface; icalendar is loaded only for ics."""
    code = (
        "import sys; from ouder_tui.cli import main; "
        f"rc = main(['--db', {str(service.store.path)!r}, 'export', 'huisbezoeken', '--format', 'md']); "
        "assert 'textual' not in sys.modules, 'textual imported'; "
        "assert 'icalendar' not in sys.modules, 'icalendar imported'; sys.exit(rc)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Alle huisbezoeken" in result.stdout


async def test_export_from_the_interface(service, tmp_path: Path) -> None:
    from textual.widgets import Input, Select

    from ouder_tui.app import make_app
    from screens.export_dialog import ExportDialog

    app = make_app(service.store, ask_user=False)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        dialog.query_one("#format", Select).value = "ics"
        await pilot.pause()
        assert dialog.query_one("#path", Input).value.endswith(".ics")
        target = tmp_path / "agenda.ics"
        dialog.query_one("#path", Input).value = str(target)
        await pilot.click("#export")
        await pilot.pause()
        assert not isinstance(app.screen, ExportDialog)
    assert len([e for e in Calendar.from_ical(target.read_bytes()).walk("VEVENT") if e["STATUS"] == "CONFIRMED"]) == 2


@pytest.mark.file_home
def test_startgesprekken_from_the_command_line(store: Store, tmp_path: Path, capsys) -> None:
    out = tmp_path / "plannen.html"
    assert main(["--db", str(store.path), "export", "startgesprekken", "--format", "html", "--klas", "5A",
                 "--schooljaar", "2026-2027", "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["--db", str(store.path), "export", "startgesprekken", "--schooljaar", "2026"]) == 2
    assert "schooljaar" in capsys.readouterr().err

