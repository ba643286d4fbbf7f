"""Exports of home visits, parsed back: CSV, JSON, iCalendar, the printable overview, the command line."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from ouder_tui.cli import main
from ouder_tui.huisbezoek import Actie, Huisbezoek, Huisbezoeken
from ouder_tui.huisbezoek_export import export_huisbezoeken
from ouder_tui.leerlingen import Gezin, Registry
from ouder_tui.store import Store

SECRET = "Moeder vertelde over geweld thuis."


@pytest.fixture
def service(store: Store, registry: Registry) -> Huisbezoeken:
    service = Huisbezoeken(store, registry)
    store.update_settings(school_naam="De Notelaar")
    open_family = registry.add_gezin(Gezin(naam="<script>alert(1)</script> [bold]"))
    quiet = registry.add_gezin(Gezin(naam="Maes"))
    service.plan(Huisbezoek(gezin_id=open_family.id, datum=date(2026, 12, 3), tijd="16:15", bezoeker="Sarah",
                            reden="zorgvraag", taal="Turks", tolk=True, tolk_taal="Turks",
                            besproken="planning: niet in de agenda"))
    service.plan(Huisbezoek(gezin_id=quiet.id, datum=date(2026, 12, 10)))  # no time: an all-day event
    service.plan(Huisbezoek(gezin_id=quiet.id, datum=date(2026, 10, 5), status="gehouden", vertrouwelijk=True,
                            besproken=SECRET, afspraken="=SOM(A1)",
                            acties=(Actie(wat="CLB bellen over de thuissituatie", eigenaar="Sarah",
                                          tegen=date(2026, 11, 1)),)))
    return service


def test_csv_for_excel_hides_confidential_notes_unless_asked(service) -> None:
    rows = list(csv.reader(io.StringIO(export_huisbezoeken(service, "csv").decode("utf-8-sig")), delimiter=";"))
    header, *body = rows
    assert header[0] == "Datum" and len(body) == 3
    held = dict(zip(header, body[0], strict=True))
    assert held["Datum"] == "05/10/2026" and held["Besproken"] == "(vertrouwelijk)"
    assert held["Open acties"].startswith("actie uit vertrouwelijk bezoek")
    everything = export_huisbezoeken(service, "csv", vertrouwelijk=True).decode("utf-8-sig")
    assert SECRET in everything and "'=SOM(A1)" in everything


def test_ics_holds_only_planned_visits_with_stable_ids_and_no_notes(service) -> None:
    raw = export_huisbezoeken(service, "ics")
    calendar = Calendar.from_ical(raw)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 2
    timed = next(e for e in events if "alert" in str(e["SUMMARY"]))
    start = timed.decoded("DTSTART")
    assert isinstance(start, datetime) and (start.hour, start.minute) == (16, 15)
    assert str(start.tzinfo) == "Europe/Brussels"
    assert timed.decoded("DTEND") - start == timedelta(minutes=60)
    all_day = next(e for e in events if "Maes" in str(e["SUMMARY"]))
    assert all_day.decoded("DTSTART") == date(2026, 12, 10)
    assert list(calendar.walk("VTIMEZONE"))
    assert b"niet in de agenda" not in raw and SECRET.encode() not in raw
    again = Calendar.from_ical(export_huisbezoeken(service, "ics"))
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == sorted(str(e["UID"]) for e in events)


def test_json_and_period(service) -> None:
    data = json.loads(export_huisbezoeken(service, "json", van=date(2026, 12, 1), tot=date(2026, 12, 31)))
    assert [d["datum"] for d in data] == ["2026-12-03", "2026-12-10"]
    assert data[0]["gezin"] == "<script>alert(1)</script> [bold]"


def test_html_overview_escapes_names_and_keeps_confidential_notes_out(service) -> None:
    page = export_huisbezoeken(service, "html").decode("utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; [bold]" in page
    assert SECRET not in page and "Open acties" in page
    assert SECRET in export_huisbezoeken(service, "html", vertrouwelijk=True).decode("utf-8")


def test_one_familys_history_in_markdown(service, registry) -> None:
    family = next(g for g in registry.gezinnen() if g.naam == "Maes")
    text = export_huisbezoeken(service, "md", gezin_id=family.id).decode("utf-8")
    assert text.startswith("# Huisbezoeken bij gezin Maes")
    assert "05/10/2026" in text and "10/12/2026" in text and "alert" not in text
    assert "Besproken: (vertrouwelijk)" in text


def test_command_line_export(service, tmp_path: Path, capsys) -> None:
    db = str(service.store.path)
    out = tmp_path / "bezoeken.ics"
    assert main(["--db", db, "export", "huisbezoeken", "--format", "ics", "--output", str(out)]) == 0
    assert len(list(Calendar.from_ical(out.read_bytes()).walk("VEVENT"))) == 2
    assert main(["--db", db, "export", "huisbezoeken", "--format", "csv", "--van", "31/02/2026"]) == 2
    assert "bestaat niet als datum" in capsys.readouterr().err
    assert main(["--db", db, "export", "huisbezoeken", "--van", "01/12/2026", "--tot", "01/11/2026"]) == 1
    assert "einddatum" in capsys.readouterr().err
    assert main(["--db", db, "export", "gezinnen", "--format", "html"]) == 2
    assert main(["--db", db, "export", "huisbezoeken", "--gezin", "999"]) == 1
    assert "bestaat niet" in capsys.readouterr().err


def test_startgesprekken_from_the_command_line(store: Store, tmp_path: Path, capsys) -> None:
    out = tmp_path / "plannen.html"
    assert main(["--db", str(store.path), "export", "startgesprekken", "--format", "html", "--klas", "5A",
                 "--schooljaar", "2026-2027", "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["--db", str(store.path), "export", "startgesprekken", "--schooljaar", "2026"]) == 2
    assert "schooljaar" in capsys.readouterr().err


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
    assert len(list(Calendar.from_ical(target.read_bytes()).walk("VEVENT"))) == 2
