"""Reach (*bereik*): which families the school reached this school year, and which nobody reached yet.

Opened from the dashboard (toets b) or the palette. Three lists: the families nobody reached (with
filters; families marked for extra attention first), every family with its contacts, and the figures.
Also here: the dashboard panel, the card on the family view and the form to mark a family for extra
attention.
"""

from __future__ import annotations

import msgspec
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Select, Static, TabbedContent, TabPane

from ouder_tui.areas import contact_kinds
from ouder_tui.bereik import REDENEN, Bereik, Cijfers, ExtraAandacht, GezinBereik, Telling, contact_line
from ouder_tui.errors import OuderTuiError
from ouder_tui.leerlingen import Gezin
from ouder_tui.models import from_record
from ouder_tui.text import format_date, plural, staaf
from screens.base import TabbedAreaScreen
from screens.forms import FormScreen, choices_field, text_field
from screens.table import Column, RecordTable, Row
from screens.widgets import error_text

TABS = {"niet": "Nog niet bereikt", "alle": "Alle gezinnen", "cijfers": "Cijfers"}
#: Shown before a family marked for extra attention (shape, not colour).
MARK = "(!) "


def _name(row: GezinBereik) -> str:
    return MARK + row.gezin.naam if row.aandacht else row.gezin.naam


def _family_id(row: GezinBereik) -> int:
    return row.gezin.id


def missing_row(row: GezinBereik) -> Row:
    g = row.gezin
    invited = "uitgenodigd" if row.contacten else ""
    return Row(g.id, (_name(row), ", ".join(row.klassen), ", ".join(g.talen()), ", ".join(g.tolk_talen()) or "nee",
                      row.aandacht.redenen_tekst if row.aandacht else invited))


def family_row(row: GezinBereik, labels: dict[str, str]) -> Row:
    kinds = ", ".join(labels.get(k, k) for k in row.soorten())
    return Row(row.gezin.id, (_name(row), ", ".join(row.klassen), "ja" if row.bereikt else "nee", kinds or "-"))


def figure_lines(c: Cijfers) -> list[str]:
    """The figures as plain lines with bars (the bar is extra: every figure is also a number)."""
    def line(t: Telling, width: int = 16) -> str:
        return f"  {t.groep[:width]:<{width}} {t.bereikt:>4} van {t.totaal:<4} {t.procent:>3}%  {staaf(t.procent, 100, 20)}"

    total = c.gezinnen
    lines = [f"Schooljaar {c.schooljaar}: {total.bereikt} van de {plural(total.totaal, 'gezin', 'gezinnen')} "
             f"bereikt ({total.procent}%).",
             f"Met extra aandacht: {c.aandacht.bereikt} van {c.aandacht.totaal} bereikt.", "",
             "Per soort contact (gezinnen, keer):"]
    lines += [f"  {s.label[:32]:<32} {s.gezinnen:>4}  {s.contacten:>4}" for s in c.per_soort]
    lines += ["", "Ouders die zelf deelnamen (een huisbezoek telt alleen voor het gezin):"]
    lines += [line(t) for t in c.ouders]
    lines += ["", "Per klas:"] + [line(t) for t in c.per_klas]
    lines += ["", "Per taal (een gezin telt bij elke taal van de ouders):"] + [line(t) for t in c.per_taal]
    return lines


class BereikScreen(TabbedAreaScreen):
    """Reach across every area: for the care coordinator and the team."""

    TABS = TABS
    AREA = "overzicht"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Terug"),
        Binding("a", "mark", "Aandacht"),
        Binding("j", "next_year", "Schooljaar", show=False),
        Binding("h", "visit", "Huisbezoek plannen", show=False),
        Binding("x", "export", "Exporteren"),
        Binding("ctrl+f", "focus_filter", "Filter", show=False),
        Binding("right", "tab(1)", "Volgende lijst", show=False),
        Binding("left", "tab(-1)", "Vorige lijst", show=False),
    ]
    HELP = """
# Bereik

Welke gezinnen de school dit schooljaar bereikte, over alle delen van ouder-tui heen: een huisbezoek
dat doorging, een startgesprek of omgekeerd oudergesprek, een ouder op de oudergroep of op het
infomoment, een contact vanuit de oudergroep. Een uitnodiging alleen telt niet als bereikt.
Alleen gezinnen met een kind op school tellen mee.

- **Nog niet bereikt**: de gezinnen die nog door niemand bereikt werden, te filteren op klas,
  leerjaar, taal, tolknood en extra aandacht. Gezinnen met extra aandacht, met (!) ervoor, staan eerst.
- **Alle gezinnen**: elk gezin met de soorten contact van dit schooljaar.
- **Cijfers**: per soort contact, per klas en per taal; moeders, vaders en andere opvoeders apart.

Enter opent het gezin. **h** plant een huisbezoek bij het gezin (taal en tolknood uit het register).
**a** markeert het gezin voor extra aandacht (klein netwerk, eerste kind in
het Vlaamse onderwijs, pas aangekomen ...) of past de markering aan. **j** kiest een ander
schooljaar. **x** exporteert het bereik: de cijfers voor het team, de namen alleen als je dat aanvinkt.
Pijltje links en rechts gaan naar de vorige en de volgende lijst.
"""
    DEFAULT_CSS = """
    BereikScreen #year { height: 1; padding: 0 1; text-style: bold; }
    BereikScreen #filters { height: 1; margin: 0 1 1 1; }
    BereikScreen #filters Input { width: 1fr; margin-right: 1; }
    BereikScreen #filters Select { width: 18; margin-right: 1; }
    BereikScreen #cijfers-table { padding: 0 1; }
    """

    def __init__(self, service: Bereik) -> None:
        super().__init__()
        self.service = service
        self.schooljaar = service.schooljaar()

    def compose_body(self) -> ComposeResult:
        yield Static("", id="year", markup=False)
        with TabbedContent(id="tabs"):
            with TabPane(TABS["niet"], id="niet"):
                with Horizontal(id="filters"):
                    yield Input(placeholder="klas", id="f-klas", compact=True)
                    yield Input(placeholder="leerjaar", id="f-leerjaar", compact=True, type="integer")
                    yield Input(placeholder="taal", id="f-taal", compact=True)
                    yield Select([("tolk nodig", "ja"), ("geen tolk", "nee")], prompt="tolk: alle", id="f-tolk",
                                 compact=True)
                    yield Select([("extra aandacht", "ja"), ("zonder markering", "nee")], prompt="aandacht: alle",
                                 id="f-aandacht", compact=True)
                yield RecordTable([Column("Gezin", 22), Column("Klassen", 10), Column("Talen"), Column("Tolk", 10),
                                   Column("Extra aandacht")], id="niet-table",
                                  empty_text="Geen gezin dat nog niemand bereikte (met deze filters).")
            with TabPane(TABS["alle"], id="alle"):
                yield RecordTable([Column("Gezin", 22), Column("Klassen", 10), Column("Bereikt", 7),
                                   Column("Soorten contact")], id="alle-table", empty_text="Nog geen gezinnen.")
            with TabPane(TABS["cijfers"], id="cijfers"):
                with VerticalScroll(id="cijfers-table"):
                    yield Static("", id="figures", markup=False)

    # -- filling ------------------------------------------------------------------------------------
    def refill(self) -> None:
        if not self.service.store.loaded or not self.query("#alle-table"):
            return
        year = self.schooljaar
        current = " (dit schooljaar)" if year == self.service.schooljaar() else ""
        self.query_one("#year", Static).update(f"Bereik {year}{current}  ·  j: ander jaar  ·  h: huisbezoek plannen")
        rows = self.service.gezinnen(year)
        labels = contact_kinds()
        # every family of a large school: a line is made when it is drawn
        self.query_one("#alle-table", RecordTable).set_items(rows, row=lambda r: family_row(r, labels), key=_family_id)
        self.query_one("#figures", Static).update("\n".join(figure_lines(self.service.cijfers(year))))
        tabs = self.query_one(TabbedContent)
        tabs.get_tab("alle").label = f"{TABS['alle']} ({len(rows)})"
        self.fill_missing()

    def fill_missing(self) -> None:
        grade = self.query_one("#f-leerjaar", Input).value.strip()
        tolk = self.query_one("#f-tolk", Select).value
        aandacht = self.query_one("#f-aandacht", Select).value
        found = self.service.niet_bereikt(
            self.schooljaar, klas=self.query_one("#f-klas", Input).value,
            leerjaar=int(grade) if grade.isdigit() else None, taal=self.query_one("#f-taal", Input).value,
            tolk=None if tolk is Select.NULL else tolk == "ja",
            aandacht=None if aandacht is Select.NULL else aandacht == "ja")
        self.query_one("#niet-table", RecordTable).set_items(found, row=missing_row, key=_family_id)
        self.query_one(TabbedContent).get_tab("niet").label = f"{TABS['niet']} ({len(found)})"

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("f-"):
            self.fill_missing()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id and event.select.id.startswith("f-"):
            self.fill_missing()

    # -- acting -------------------------------------------------------------------------------------
    def _current_family(self) -> int | None:
        active = self.query_one(TabbedContent).active
        if active not in ("niet", "alle"):
            return None
        return self.query_one(f"#{active}-table", RecordTable).current_key

    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        from screens.gezin import GezinScreen

        self.app.push_screen(GezinScreen(self.service.registry, event.key))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Marking a family works from the lists of families, not from the figures."""
        if action in ("mark", "visit") and self.is_mounted and self.query(TabbedContent):
            return self.query_one(TabbedContent).active != "cijfers"
        return True

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()

    def action_mark(self) -> None:
        gezin_id = self._current_family()
        if gezin_id is None:
            self.notify("Kies eerst een gezin in een van de lijsten.", severity="warning")
            return
        self.app.push_screen(AandachtForm(self.service, self.service.registry.gezin(gezin_id)),
                             lambda _: self.refill())

    def action_visit(self) -> None:
        """Plan a home visit for the selected family: the way to reach a family nobody reached yet."""
        from screens.huisbezoek import PlanForm

        gezin_id = self._current_family()
        if gezin_id is None:
            self.notify("Kies eerst een gezin in een van de lijsten.", severity="warning")
            return
        visits = self.app.huisbezoeken  # type: ignore[attr-defined]
        self.app.push_screen(PlanForm(visits, visits.voorstel(gezin_id)), lambda _: self.refill())

    def action_next_year(self) -> None:
        """This school year and the two before it, in turn."""
        start = int(self.service.schooljaar()[:4])
        years = [f"{y}-{y + 1}" for y in (start, start - 1, start - 2)]
        self.schooljaar = years[(years.index(self.schooljaar) + 1) % len(years)] if self.schooljaar in years else years[0]
        self.refill()

    def action_export(self) -> None:
        from ouder_tui.bereik_export import FORMATS, export_bereik
        from screens.export_dialog import ExportDialog

        year = self.schooljaar

        def produce(fmt: str, options: dict[str, bool]) -> bytes:
            return export_bereik(self.service, fmt, schooljaar=year, namen=options["namen"])

        self.app.push_screen(ExportDialog(f"Bereik {year} exporteren", f"bereik-{year}", FORMATS, produce,
                                          {"namen": "met de namen van de gezinnen (anders alleen cijfers)"}))

    def action_focus_filter(self) -> None:
        self.query_one(TabbedContent).active = "niet"
        self.query_one("#f-klas", Input).focus()


class AandachtForm(FormScreen[ExtraAandacht]):
    """Mark a family for extra attention, or change why."""

    DEFAULT_CSS = """
    AandachtForm Field > SelectionList { max-height: 8; }
    """

    HELP = """
# Extra aandacht

Markeer een gezin dat de school extra moeite wil doen om te bereiken: een klein netwerk, het eerste
kind in het Vlaamse onderwijs, pas aangekomen in België, een andere thuistaal, moeilijke ervaringen
met school. Kies minstens één reden (spatie vinkt aan); bij 'andere reden' zeg je kort welke.

Gemarkeerde gezinnen staan eerst bij 'Nog niet bereikt', bij 'Nog niet bezocht' (huisbezoeken) en in
de lijsten om uit te nodigen. Wie markeerde en wanneer, wordt bewaard. De markering weghalen doe je
op het scherm van het gezin (toets A).
"""

    def __init__(self, service: Bereik, gezin: Gezin) -> None:
        self.service = service
        self.gezin = gezin
        self.record = service.aandacht(gezin.id) or ExtraAandacht(gezin_id=gezin.id)
        super().__init__(f"Extra aandacht voor gezin {gezin.naam}")

    def compose_fields(self) -> ComposeResult:
        m = self.record
        yield choices_field("redenen", "Waarom (spatie vinkt aan)", [(label, key) for key, label in REDENEN.items()],
                            m.redenen)
        yield text_field("toelichting", "Toelichting (kort, geen gevoelige details)", m.toelichting, max_length=300)
        if m.id:
            yield Static(f"Gemarkeerd door {m.door or '?'} op {format_date(m.op)}.", markup=False)

    def build(self) -> ExtraAandacht:
        v = self.values()
        return msgspec.structs.replace(self.record, redenen=v["redenen"], toelichting=v["toelichting"])

    def store_value(self, value: ExtraAandacht, *, overwrite: bool) -> ExtraAandacht:
        return self.service.markeer(value, overwrite=overwrite)

    def fill(self, record: dict) -> None:
        self.record = from_record(ExtraAandacht, record)
        self.set_values({"redenen": self.record.redenen, "toelichting": self.record.toelichting})


def family_reach_card(app, gezin: Gezin) -> tuple[str, list[str]]:
    """This school year's contacts of the family, and its mark for extra attention."""
    service: Bereik = app.service("bereik")
    row = service.gezin(gezin.id)
    lines = []
    if row.aandacht:
        lines.append(f"(!) Extra aandacht: {row.aandacht.redenen_tekst}")
        lines.append(f"    gemarkeerd door {row.aandacht.door or '?'} op {format_date(row.aandacht.op)}")
    if not row.kinderen:
        lines.append("Geen kind meer op school: telt niet mee.")
    elif not row.bereikt:
        lines.append("Nog door niemand bereikt dit schooljaar.")
    labels = contact_kinds()
    lines += [contact_line(c, labels) for c in row.contacten]
    lines.append("a: " + ("markering aanpassen (A: weghalen)" if row.aandacht else "markeren voor extra aandacht"))
    return f"Bereik {service.schooljaar()}", lines


def remove_mark(app, service: Bereik, gezin: Gezin, done) -> None:
    """Ask, then take the family's mark away."""
    from screens.dialogs import ConfirmDialog

    if service.aandacht(gezin.id) is None:
        app.notify("Dit gezin is niet gemarkeerd voor extra aandacht.", severity="warning")
        return

    def confirmed(yes: bool | None) -> None:
        if not yes:
            return
        try:
            service.wis_markering(gezin.id)
        except OuderTuiError as exc:
            app.notify(error_text(exc), severity="error", markup=False)
        done()

    app.push_screen(ConfirmDialog("Markering weghalen?", f"Gezin {gezin.naam} niet langer markeren voor extra aandacht?",
                                  yes="Weghalen"), confirmed)
