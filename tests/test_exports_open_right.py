"""Outputs open right where people open them (issue 18): Excel files with typed cells, CSV that keeps
what it holds, calendars that hear about cancellations, confidential visits that stay inside, the pupil
list that round-trips, one JSON shape, A4 print structure, multi-line text, Dutch for parents, safe
file names. One section per numbered item of the issue; each test failed before the change."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from ouder_tui import importers as im
from ouder_tui.areas import Services, exports
from ouder_tui.exporters import (
    Bullets,
    Heading,
    PageBreak,
    Para,
    Table,
    csv_bytes,
    export_registry,
    render_report,
    runs_as_formula,
    safe_filename,
)
from ouder_tui.filestore import FileStore
from ouder_tui.huisbezoek import Actie, Huisbezoek, Huisbezoeken
from ouder_tui.huisbezoek_export import export_huisbezoeken
from ouder_tui.infomoment import Infomomenten
from ouder_tui.infomoment_export import export_infomoment
from ouder_tui.inzage import inzage_report
from ouder_tui.leerlingen import Gezin, Leerling, Ouder, Registry
from ouder_tui.oudergroep import Oudergroep, Sessie
from ouder_tui.oudergroep_export import export_oudergroep
from ouder_tui.startgesprek import Startgesprekken
from ouder_tui.startgesprek_export import export_startgesprekken
from ouder_tui.store import Store

SECRET = "Vader zit in de gevangenis"
SECRET_REASON = "ruzie met de buren"
SECRET_CANCEL = "moeder in het ziekenhuis"
SECRET_ACTION = "CLB verwittigen over de broer"


def _rows(payload: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(payload.decode("utf-8-sig")), delimiter=";"))


def _book(payload: bytes):
    return load_workbook(io.BytesIO(payload))


@pytest.fixture
def school(store: Store, registry: Registry) -> Registry:
    """Two families (one with two children, one who left), phone and pupil numbers with leading zeros."""
    store.update_settings(school_naam="De Notelaar")
    jansens = registry.add_gezin(Gezin(naam="Jansens", ouders=(
        Ouder(relatie="moeder", voornaam="An", familienaam="Jansens", telefoon="0470123456"),)))
    plus = registry.add_gezin(Gezin(naam="+Plus", ouders=(
        Ouder(relatie="vader", voornaam="@home", familienaam="Plus", telefoon="+32 470 12 34 56"),)))
    registry.add_leerling(Leerling(stamboeknummer="0200011", voornaam="-Jan", familienaam="Jansens",
                                   geboortedatum=date(2016, 3, 4), klas="1/2A", gezin_id=jansens.id,
                                   notities="Leest graag.\n---\nHeeft een bril."))
    registry.add_leerling(Leerling(stamboeknummer="0200012", voornaam="Mira", familienaam="Jansens",
                                   geboortedatum=date(2018, 5, 6), klas="K3: Vlinders", gezin_id=jansens.id))
    left = registry.add_leerling(Leerling(stamboeknummer="0200013", voornaam="Omar", familienaam="Plus",
                                          klas="6B", gezin_id=plus.id))
    registry.mark_left([left.id], date(2026, 10, 1))
    return registry


# -- 1. a cancelled or deleted visit or session leaves the calendar -----------------------------------


def _event(raw: bytes, uid: str):
    return next(e for e in Calendar.from_ical(raw).walk("VEVENT") if str(e["UID"]) == uid)


def test_cancelled_and_deleted_visits_are_sent_as_cancelled(store: Store, school: Registry) -> None:
    service = Huisbezoeken(store, school)
    family = school.gezinnen()[0]
    one = service.plan(Huisbezoek(gezin_id=family.id, datum=date(2026, 12, 3), tijd="16:00"))
    two = service.plan(Huisbezoek(gezin_id=family.id, datum=date(2026, 12, 4)))
    before = export_huisbezoeken(service, "ics")
    first, second = _event(before, f"huisbezoek-{one.id}@ouder-tui"), _event(before, f"huisbezoek-{two.id}@ouder-tui")
    assert str(first["STATUS"]) == "CONFIRMED"
    service.bewaar(service.bezoek(one.id).__class__(**{
        **{f: getattr(service.bezoek(one.id), f) for f in Huisbezoek.__struct_fields__}, "status": "geannuleerd_school"}))
    service.verwijder(service.bezoek(two.id))
    after = export_huisbezoeken(service, "ics")
    for old in (first, second):
        new = _event(after, str(old["UID"]))
        assert str(new["STATUS"]) == "CANCELLED" and int(new["SEQUENCE"]) > int(old["SEQUENCE"])


def test_a_deleted_session_is_sent_as_cancelled(store: Store, registry: Registry) -> None:
    group = Oudergroep(store, registry)
    session = group.plan(Sessie(datum=date(2026, 12, 8), titel="Koffie"))
    old = _event(export_oudergroep(group, "ics", schooljaar="2026-2027"), f"oudergroep-{session.id}@ouder-tui")
    group.verwijder(group.sessie(session.id))
    new = _event(export_oudergroep(group, "ics", schooljaar="2026-2027"), str(old["UID"]))
    assert str(new["STATUS"]) == "CANCELLED" and int(new["SEQUENCE"]) > int(old["SEQUENCE"])


# -- 2. the formula guard touches only what would run --------------------------------------------------


def test_formula_guard_only_where_a_spreadsheet_would_run_it() -> None:
    for harmless in ("-Jan", "+32 470 12 34 56", "@home", "-7", "- een lijstje", "a=b"):
        assert not runs_as_formula(harmless), harmless
    for formula in ("=SOM(A1)", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)", " =1+1", "\t=1"):
        assert runs_as_formula(formula), formula
    rows = _rows(csv_bytes(("Naam", "Dagen voor", "Formule"), [("-Jan", -7, "=HYPERLINK(\"x\")")]))
    assert rows[1] == ["-Jan", "-7", "'=HYPERLINK(\"x\")"]


def test_negative_days_stay_numbers_in_the_checklist(store: Store) -> None:
    service = Infomomenten(store)
    service.nieuw("2026-2027", date(2027, 2, 11))
    rows = _rows(export_infomoment(service, "csv"))
    after = [r for r in rows[1:] if r[2].startswith("-")]
    assert after and all(re.fullmatch(r"-\d+", r[2]) for r in after)  # no apostrophe
    sheet = _book(export_infomoment(service, "xlsx"))["Checklist"]
    values = [sheet.cell(row=r, column=3).value for r in range(2, sheet.max_row + 1)]
    assert any(isinstance(v, int) and v < 0 for v in values)
    assert all(isinstance(sheet.cell(row=r, column=2).value, date) for r in range(2, sheet.max_row + 1))


# -- 3. leading zeros, typed cells: xlsx ---------------------------------------------------------------


def test_pupils_as_xlsx_keep_leading_zeros_and_real_dates(school: Registry) -> None:
    book = _book(export_registry(school, "leerlingen", "xlsx"))
    sheet = book["Leerlingen"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Stamboeknummer", "Voornaam", "Familienaam", "Geboortedatum"]
    assert all(c.font.bold for c in sheet[1]) and sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    jan = next(row for row in sheet.iter_rows(min_row=2) if row[1].value == "-Jan")
    assert jan[0].value == "0200011" and jan[0].data_type == "s"
    assert jan[1].data_type == "s"  # a name, not a formula
    assert jan[3].value.date() == date(2016, 3, 4) and jan[3].is_date
    assert sheet.column_dimensions["A"].width >= len("Stamboeknummer")
    phones = _book(export_registry(school, "gezinnen", "xlsx"))
    assert phones.sheetnames == ["Gezinnen", "Ouders"]
    numbers = [c.value for row in phones["Ouders"].iter_rows(min_row=2) for c in row]
    assert "0470123456" in numbers and "+32 470 12 34 56" in numbers


def test_a_text_cell_that_looks_like_a_formula_is_text_in_xlsx(store: Store, registry: Registry) -> None:
    gezin = registry.add_gezin(Gezin(naam="=HYPERLINK(\"http://x\")"))
    sheet = _book(export_registry(registry, "gezinnen", "xlsx"))["Gezinnen"]
    cell = next(row[1] for row in sheet.iter_rows(min_row=2) if row[0].value == gezin.id)
    assert cell.data_type == "s" and cell.value.startswith("=")


def test_every_tabular_export_offers_xlsx_first(store: Store) -> None:
    tabular = [spec for spec in exports() if "csv" in spec.formats]
    assert tabular and all(spec.formats[0] == "xlsx" for spec in tabular)


def test_csv_keeps_leading_zeros_and_quotes_text(school: Registry) -> None:
    payload = export_registry(school, "leerlingen", "csv").decode("utf-8-sig")
    assert '"0200011";"-Jan"' in payload  # quoted text: "read quoted fields as text" keeps the zero
    assert ";04/03/2016;" in payload  # a date stays bare: a spreadsheet reads it as a date


# -- 4. nothing of a confidential visit leaves without asking -------------------------------------------


def test_a_confidential_visit_leaves_nothing_in_any_format(store: Store, school: Registry) -> None:
    service = Huisbezoeken(store, school)
    family = school.gezinnen()[0]
    service.plan(Huisbezoek(gezin_id=family.id, datum=date(2026, 12, 3), vertrouwelijk=True, reden="andere",
                            reden_andere=SECRET_REASON, besproken=SECRET,
                            acties=(Actie(wat=SECRET_ACTION, tegen=date(2026, 12, 20)),)))
    service.plan(Huisbezoek(gezin_id=family.id, datum=date(2026, 11, 3), vertrouwelijk=True,
                            status="geannuleerd_gezin", annulatie_reden=SECRET_CANCEL))
    for fmt in ("xlsx", "csv", "json", "ics", "md", "html"):
        payload = export_huisbezoeken(service, fmt)
        text = _all_text(payload, fmt)
        for secret in (SECRET, SECRET_REASON, SECRET_CANCEL, SECRET_ACTION):
            assert secret not in text, (fmt, secret)
        if fmt != "ics":
            revealed = _all_text(export_huisbezoeken(service, fmt, vertrouwelijk=True), fmt)
            assert SECRET in revealed and SECRET_REASON in revealed and SECRET_CANCEL in revealed


def _all_text(payload: bytes, fmt: str) -> str:
    if fmt == "xlsx":
        book = _book(payload)
        return "\n".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None)
    if fmt == "ics":
        return "\n".join(str(v) for e in Calendar.from_ical(payload).walk("VEVENT") for v in e.values())
    return payload.decode("utf-8-sig")


# -- 5. the pupil list round-trips ------------------------------------------------------------------------


def test_pupil_export_round_trips_into_an_empty_database(school: Registry, tmp_path: Path) -> None:
    payload = export_registry(school, "leerlingen", "csv")
    fresh = Registry(FileStore.open(tmp_path / "nieuw.json", user="test"))
    csv_file = im.read_csv(payload)
    mapping = im.detect_mapping(csv_file.headers)
    plan = im.plan_import(fresh, csv_file, mapping, schooljaar="2026-2027", vandaag=date(2026, 11, 22))
    im.apply_import(fresh, plan)

    def picture(registry: Registry) -> list[tuple]:
        return sorted((p.stamboeknummer, p.voornaam, p.familienaam, p.geboortedatum, p.klas, p.status, p.vertrokken_op,
                       p.notities, registry.gezin(p.gezin_id).naam,
                       tuple(sorted(s.voornaam for s in registry.kinderen(p.gezin_id))))
                      for p in registry.leerlingen(ook_vertrokken=True))

    assert picture(fresh) == picture(school)
    assert len(fresh.gezinnen()) == len(school.gezinnen())


# -- 6. print: one stylesheet, records kept together, no empty first page --------------------------------


def test_print_structure_for_a4() -> None:
    page = render_report("html", "T", [PageBreak(), Heading("Een bezoek"), Bullets(("a", "b")), PageBreak(),
                                       Heading("Tabel"), Table(("Kop",), (("x",),))]).decode()
    assert "@page { size: A4" in page and "break-after: avoid" in page and "thead { display: table-header-group" in page
    body = page[page.index("<body>"):]
    # the first page break comes before anything was printed: it is dropped (no page with only the title)
    assert body.index('<section class="record">') < body.index('<section class="section page">')
    # a visit (heading and its list) is kept on one page; a heading with a table may break, its header repeats
    assert "<thead><tr><th>Kop</th></tr></thead>" in body
    assert ".record { break-inside: avoid" in page


def test_whole_school_startgesprekken_have_no_empty_first_page(store: Store, registry: Registry) -> None:
    store.update_settings(school_naam="De Notelaar")
    service = Startgesprekken(store, registry)
    gezin = registry.add_gezin(Gezin(naam="Peeters"))
    pupil = registry.add_leerling(Leerling(voornaam="Lien", familienaam="Peeters", klas="3A", gezin_id=gezin.id))
    talk = service.nieuw(pupil.id)
    service.bewaar(talk.__class__(**{**{f: getattr(talk, f) for f in talk.__struct_fields__},
                                     "status": "gehouden", "datum": date(2026, 9, 10), "kwaliteiten": "lief"}))
    page = export_startgesprekken(service, "html").decode()
    body = page[page.index("<body>"):]
    assert "page" not in body[:body.index("Ons plan voor Lien")]  # the first plan shares the title's page


def test_rotation_cards_are_large_with_the_event(store: Store) -> None:
    service = Infomomenten(store)
    service.nieuw("2026-2027", date(2027, 2, 11), plaats="Refter")
    page = export_infomoment(service, "html", wat="rotatie").decode()
    assert ".card h2 { font-size: 30pt" in page and ".card { box-sizing: border-box; height: 128mm" in page
    card = page[page.index('<section class="card">'):]
    card = card[:card.index("</section>")]
    assert "Infomoment: de overstap naar het secundair" in card and "11 februari 2027" in card and "Refter" in card


# -- 7. multi-line text -------------------------------------------------------------------------------------


def test_multi_line_text_breaks_in_html_and_stays_text_in_markdown() -> None:
    blocks = [Para("Eerste regel\n---\n> geen citaat\n=== ook geen kop"), Table(("A",), (("een\ntwee",),))]
    page = render_report("html", "T", blocks).decode()
    assert "<p>Eerste regel<br>---<br>&gt; geen citaat<br>=== ook geen kop</p>" in page
    assert "<td>een<br>twee</td>" in page
    md = render_report("md", "T", blocks).decode()
    assert "Eerste regel\\\n\\---\\\n\\> geen citaat\\\n\\=== ook geen kop" in md
    assert "| een<br>twee |" in md
    assert not re.search(r"^-{3,}\s*$|^={3,}\s*$", md, re.MULTILINE)  # no setext heading underline


# -- 8. reports for parents in Dutch ------------------------------------------------------------------------


def test_inspection_report_speaks_dutch_not_field_names(store: Store, school: Registry) -> None:
    service = Huisbezoeken(store, school)
    family = school.gezinnen()[0]
    service.plan(Huisbezoek(gezin_id=family.id, datum=date(2026, 10, 3), status="niemand_thuis",
                            tweede_bezoeker="Ayşe", tweede_rol="collega"))
    for fmt in ("md", "html"):
        text = inzage_report(school, family.id, fmt).decode()
        assert "niemand thuis" in text and "rol van de tweede bezoeker: collega" in text
        for internal in ("niemand_thuis", "gezin id", "gezin_id", "tweede rol", "duur seconden", "ouder ids",
                         "stamboeknummer:"):
            assert internal not in text, (fmt, internal)
        assert not re.search(r"\b[a-z]+_[a-z_]+:", text), fmt


# -- 9. JSON: one shape ----------------------------------------------------------------------------------------


def test_every_json_export_has_one_shape_without_internal_fields(store: Store, school: Registry) -> None:
    Huisbezoeken(store, school).plan(Huisbezoek(gezin_id=school.gezinnen()[0].id, datum=date(2026, 12, 3)))
    Oudergroep(store, school).plan(Sessie(datum=date(2026, 12, 8), titel="Koffie"))
    Infomomenten(store).nieuw("2026-2027", date(2027, 2, 11))
    services = Services(store, school)
    for spec in exports():
        if "json" not in spec.formats:
            continue
        values = {option.dest: None for option in spec.options}
        values.update({option.dest: False for option in spec.options if option.metavar is None})
        document = json.loads(spec.produce(services, "json", values))
        assert isinstance(document, dict), spec.name
        assert {"soort", "schooljaar", "gemaakt_op"} <= document.keys(), spec.name
        lists = {k: v for k, v in document.items() if k not in ("soort", "schooljaar", "gemaakt_op", "samenvatting")}
        assert lists and all(isinstance(v, list) for v in lists.values()), spec.name
        assert not _internal_keys(document), (spec.name, _internal_keys(document))


def _internal_keys(value) -> list[str]:
    if isinstance(value, dict):
        return [k for k in value if k.startswith("_")] + [k for v in value.values() for k in _internal_keys(v)]
    if isinstance(value, list):
        return [k for v in value for k in _internal_keys(v)]
    return []


# -- 10. file names from user text -----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("startgesprekken-1/2A", "startgesprekken-1-2A"), ("K3: Vlinders", "K3- Vlinders"), ("CON", "_CON"),
    ("lpt1.txt", "_lpt1.txt"), ('a*b?"c<d>e|f\\g', "a-b-c-d-e-f-g"), ("klas 5A. ", "klas 5A"), ("///", "-"),
])
def test_file_names_are_safe_on_windows(text: str, expected: str) -> None:
    assert safe_filename(text) == expected


async def test_the_export_dialog_makes_a_safe_name_and_offers_excel_first(store: Store) -> None:
    from textual.widgets import Input, Select

    from ouder_tui.app import make_app
    from screens.export_dialog import ExportDialog

    app = make_app(store, ask_user=False)
    async with app.run_test(size=(100, 34)) as pilot:
        dialog = ExportDialog("Startgesprekken", "startgesprekken-1/2A", ("csv", "json", "xlsx", "md"),
                              lambda fmt, options: b"x")
        await app.push_screen(dialog)
        await pilot.pause()
        assert dialog.query_one("#format", Select).value == "xlsx"
        path = Path(dialog.query_one("#path", Input).value)
        assert path.name.startswith("startgesprekken-1-2A-") and path.suffix == ".xlsx"


@pytest.mark.parametrize("area", ["huisbezoeken", "oudergroep", "infomoment"])
def test_calendars_carry_no_english(demo_store: Store, area: str) -> None:
    """The time zone a calendar needs goes along, without the remark in English the library adds to it."""
    spec = next(s for s in exports() if s.name == area)
    data = spec.produce(Services(demo_store, Registry(demo_store)), "ics",
                        {o.dest: None for o in spec.options} | {"vertrouwelijk": False, "rotatie": False})
    assert b"BEGIN:VTIMEZONE" in data and b"TZID:Europe/Brussels" in data
    assert b"COMMENT" not in data and b"This timezone" not in data
    assert Calendar.from_ical(data).walk("VEVENT")
