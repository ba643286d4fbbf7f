"""Exports of startgesprekken, parsed back: plans as CSV and JSON, the printable plan, the class overview."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import msgspec
import pytest

from ouder_tui.leerlingen import Leerling, Registry
from ouder_tui.startgesprek import Communicatieplan, Nodig, Startgesprekken
from ouder_tui.startgesprek_export import export_startgesprekken
from ouder_tui.store import Store


@pytest.fixture
def service(store: Store, registry: Registry) -> Startgesprekken:
    service = Startgesprekken(store, registry)
    store.update_settings(school_naam="De Notelaar")
    sara = registry.add_leerling(Leerling(voornaam="Sara <b>", familienaam="[bold]Benali", klas="5A"))
    registry.add_leerling(Leerling(voornaam="Lars", familienaam="Peeters", klas="5A"))
    other = registry.add_leerling(Leerling(voornaam="Noor", familienaam="Maes", klas="6B"))
    plan = Communicatieplan(kanalen=("telefoon", "smartschool"), frequentie="=elke maand", contactpersoon="juf Lien",
                            evaluatie_op=date(2027, 2, 1))
    for pupil in (sara, other):
        service.bewaar(msgspec.structs.replace(service.nieuw(pupil.id), status="gehouden", plan=plan,
                                               kwaliteiten="behulpzaam",
                                               nodig=(Nodig(van="ouders", wat="samen lezen"),)))
    return service


def test_csv_for_excel_with_one_row_per_talk(service) -> None:
    raw = export_startgesprekken(service, "csv", klas="5A")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Leerling", "Klas", "Schooljaar"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Leerling"] == "Sara <b> [bold]Benali" and row["Kanalen"] == "telefoongesprek, Smartschool-bericht"
    assert row["Hoe vaak"] == "'=elke maand" and row["Herbekijken op"] == "01/02/2027"
    assert row["Nodig"] == "van de ouders: samen lezen"


def test_json_is_a_list_with_the_whole_plan(service) -> None:
    data = json.loads(export_startgesprekken(service, "json"))
    assert data["soort"] == "startgesprekken" and data["schooljaar"] == "2026-2027"
    talks = data["startgesprekken"]
    assert len(talks) == 2 and talks[0]["plan"]["kanalen"] == ["telefoon", "smartschool"]
    assert not [key for talk in talks for key in talk if key.startswith("_")]


def test_printable_plan_and_class_overview_in_html_escape_everything(service) -> None:
    page = export_startgesprekken(service, "html", klas="5A").decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'lang="nl"' in page
    assert "Sara &lt;b&gt; [bold]Benali" in page and "<b>" not in page
    assert "<h2>Klasoverzicht</h2>" in page and "nog niet" in page
    assert "Zo houden we contact: telefoongesprek, Smartschool-bericht" in page
    assert "We bekijken dit plan opnieuw op 01/02/2027" in page


def test_markdown_escapes_formatting_characters(service) -> None:
    text = export_startgesprekken(service, "md", klas="5A").decode("utf-8")
    assert "## Ons plan voor Sara \\<b\\> \\[bold\\]Benali (5A)" in text
    assert "| Lars Peeters | nog niet |  |" in text


def test_other_school_years_and_formats(service) -> None:
    assert json.loads(export_startgesprekken(service, "json", schooljaar="2025-2026"))["startgesprekken"] == []
    with pytest.raises(Exception, match="Onbekend formaat"):
        export_startgesprekken(service, "ics")


def test_multiline_notes_keep_their_breaks_in_markdown() -> None:
    from ouder_tui.exporters import Bullets, render_report

    text = render_report("md", "T", [Bullets(("Besproken: a\n- b\n3. c",))]).decode("utf-8")
    assert "- Besproken: a\\\n  \\- b\\\n  3\\. c" in text
