"""The area *Huisbezoeken*: what is planned, what still needs its log, open actions, families never visited."""

from __future__ import annotations

from datetime import date
from operator import attrgetter

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Select, TabbedContent, TabPane

from ouder_tui.errors import OuderTuiError
from ouder_tui.huisbezoek import Huisbezoek, Huisbezoeken, OpenActie, action_text, summary_line
from ouder_tui.leerlingen import Gezin
from ouder_tui.text import format_date
from screens.base import TabbedAreaScreen
from screens.huisbezoek import HuisbezoekScreen, PlanForm
from screens.table import Column, RecordTable, Row
from screens.widgets import error_text

VISIT_COLUMNS = [Column("Datum", 10), Column("Uur", 5), Column("Gezin"), Column("Reden"), Column("Wie"),
                 Column("Status", 12)]
_record_id = attrgetter("id")
TABS = {"gepland": "Gepland", "te-loggen": "Te loggen", "acties": "Acties", "nooit": "Nog niet bezocht",
        "alle": "Alle"}


def visit_row(visit: Huisbezoek, family: str) -> Row:
    status = visit.status_tekst + (" · V" if visit.vertrouwelijk else "")
    return Row(visit.id, (format_date(visit.datum), visit.tijd, family, visit.reden_tekst, visit.wie, status),
               sort=(visit.datum or date.min, visit.tijd, family.casefold(), visit.reden_tekst, visit.wie, status))


def action_row(item: OpenActie, today: date) -> Row:
    # The text of an action agreed in a confidential visit stays in that visit.
    what = action_text(item.bezoek, item.actie)
    due = format_date(item.actie.tegen)
    if item.actie.tegen and item.actie.tegen < today:
        due += " !"
    return Row((item.bezoek.id, item.actie.id), (due, what, item.actie.eigenaar, item.gezin_naam,
                                                  format_date(item.bezoek.datum)),
               sort=(item.actie.tegen or date.max, what.casefold(), item.actie.eigenaar, item.gezin_naam,
                     item.bezoek.datum or date.min))


class HuisbezoekenScreen(TabbedAreaScreen):
    """Home visits for the care coordinator."""

    TABS = TABS
    AREA = "huisbezoeken"
    BINDINGS = [
        Binding("n", "plan", "Plannen"),
        Binding("space", "tick", "Afvinken"),
        Binding("x", "export", "Exporteren"),
        Binding("ctrl+f", "focus_filter", "Filter", show=False),
        Binding("right", "tab(1)", "Volgende lijst", show=False),
        Binding("left", "tab(-1)", "Vorige lijst", show=False),
    ]
    HELP = """
# Huisbezoeken

- **Gepland**: de bezoeken die eraan komen.
- **Te loggen**: bezoeken waarvan de datum voorbij is maar die nog niet gelogd zijn.
- **Acties**: afgesproken acties die nog open staan, de vroegste eerst (een ! staat bij wat te laat is).
  Spatie vinkt de geselecteerde actie af.
- **Nog niet bezocht**: gezinnen met een kind op school die nog geen bezoek kregen, te filteren op
  klas, leerjaar, taal en tolknood. Gezinnen gemarkeerd voor extra aandacht staan eerst, met (!)
  voor hun naam. Enter plant een bezoek bij dat gezin.
- **Alle**: elk bezoek.

Pijltje links en rechts gaan naar de vorige en de volgende lijst.

**n** plant een nieuw bezoek, Enter opent een bezoek, **x** exporteert de bezoeken (Excel,
agenda voor Outlook of Google, een overzicht om af te drukken voor het zorgoverleg). Een V in de status betekent vertrouwelijk:
de notities van zo'n bezoek zie je alleen als je het bezoek opent.
"""
    DEFAULT_CSS = """
    HuisbezoekenScreen #filters { height: 1; margin: 0 1 1 1; }
    HuisbezoekenScreen #filters Input { width: 1fr; margin-right: 1; }
    HuisbezoekenScreen #filters Select { width: 18; }

    """

    def __init__(self, service: Huisbezoeken) -> None:
        super().__init__()
        self.service = service

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="tabs"):
            with TabPane(TABS["gepland"], id="gepland"):
                yield RecordTable(VISIT_COLUMNS, id="gepland-table", empty_text="Geen geplande bezoeken. n: plannen.")
            with TabPane(TABS["te-loggen"], id="te-loggen"):
                yield RecordTable(VISIT_COLUMNS, id="te-loggen-table", empty_text="Alles is gelogd.")
            with TabPane(TABS["acties"], id="acties"):
                yield RecordTable([Column("Tegen", 12), Column("Wat"), Column("Wie", 16), Column("Gezin", 18),
                                   Column("Bezoek", 10)], id="acties-table", empty_text="Geen open acties.")
            with TabPane(TABS["nooit"], id="nooit"):
                with Horizontal(id="filters"):
                    yield Input(placeholder="klas", id="f-klas", compact=True)
                    yield Input(placeholder="leerjaar", id="f-leerjaar", compact=True, type="integer")
                    yield Input(placeholder="taal", id="f-taal", compact=True)
                    yield Select([("tolk nodig", "ja"), ("geen tolk", "nee")], prompt="tolk: alle", id="f-tolk",
                                 compact=True)
                yield RecordTable([Column("Gezin", 22), Column("Kinderen"), Column("Talen"), Column("Tolk", 14)],
                                  id="nooit-table", empty_text="Elk gezin kreeg al een bezoek.")
            with TabPane(TABS["alle"], id="alle"):
                yield RecordTable(VISIT_COLUMNS, id="alle-table", empty_text="Nog geen huisbezoeken.")

    # -- filling ------------------------------------------------------------------------
    def refill(self) -> None:
        if not self.service.store.loaded or not self.query("#alle-table"):
            return
        service = self.service
        families = service.registry.gezinnen_op_id()

        def row(v: Huisbezoek) -> Row:
            family = families.get(v.gezin_id)
            return visit_row(v, family.naam if family is not None else "(gezin verwijderd)")

        def show(table: str, visits: list[Huisbezoek]) -> None:  # a line is made when it is drawn
            self.query_one(table, RecordTable).set_items(visits, row=row, key=_record_id)

        today = service.vandaag()
        counts = {}
        planned = service.gepland()
        show("#gepland-table", planned)
        counts["gepland"] = len(planned)
        to_log = service.te_loggen()
        show("#te-loggen-table", to_log)
        counts["te-loggen"] = len(to_log)
        actions = service.open_acties()
        self.query_one("#acties-table", RecordTable).set_rows([action_row(a, today) for a in actions])
        counts["acties"] = len(actions)
        everything = list(reversed(service.alle()))
        show("#alle-table", everything)
        counts["alle"] = len(everything)
        counts["nooit"] = self.fill_never_visited()
        tabs = self.query_one(TabbedContent)
        for tab_id, label in TABS.items():
            tabs.get_tab(tab_id).label = f"{label} ({counts[tab_id]})"

    def fill_never_visited(self) -> int:
        klas = self.query_one("#f-klas", Input).value
        grade_text = self.query_one("#f-leerjaar", Input).value.strip()
        taal = self.query_one("#f-taal", Input).value
        tolk_choice = self.query_one("#f-tolk", Select).value
        tolk = None if tolk_choice is Select.NULL else tolk_choice == "ja"
        families = self.service.nooit_bezocht(klas=klas, leerjaar=int(grade_text) if grade_text.isdigit() else None,
                                              taal=taal, tolk=tolk)
        from ouder_tui.bereik import marks

        registry = self.service.registry
        marked = marks(self.service.store)

        def row(g: Gezin) -> Row:
            kids = ", ".join(f"{k.voornaam} ({k.klas})" for k in registry.kinderen(g.id, ook_vertrokken=False))
            return Row(g.id, (f"(!) {g.naam}" if g.id in marked else g.naam, kids, ", ".join(g.talen()),
                              ", ".join(g.tolk_talen()) or "nee"))

        # thousands of families at a large school: a line is made when it is drawn
        self.query_one("#nooit-table", RecordTable).set_items(families, row=row, key=_record_id)
        return len(families)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("f-"):
            count = self.fill_never_visited()
            self.query_one(TabbedContent).get_tab("nooit").label = f"{TABS['nooit']} ({count})"

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "f-tolk":
            count = self.fill_never_visited()
            self.query_one(TabbedContent).get_tab("nooit").label = f"{TABS['nooit']} ({count})"

    # -- acting ------------------------------------------------------------------------------
    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        table_id = event.table.id
        if table_id == "nooit-table":
            visit = self.service.voorstel(event.key)
            self.app.push_screen(PlanForm(self.service, visit), self._after_change)
        elif table_id == "acties-table":
            self.app.push_screen(HuisbezoekScreen(self.service, event.key[0]))
        else:
            self.app.push_screen(HuisbezoekScreen(self.service, event.key))

    def action_plan(self) -> None:
        self.app.push_screen(PlanForm(self.service), self._after_change)

    def _after_change(self, saved: object) -> None:
        self.refill()
        if saved is not None:
            self.notify("Bewaard.", timeout=2)

    def action_tick(self) -> None:
        if self.query_one(TabbedContent).active != "acties":
            return
        key = self.query_one("#acties-table", RecordTable).current_key
        if key is None:
            return
        visit_id, action_id = key
        try:
            self.service.vink_af(self.service.bezoek(visit_id), action_id)
        except OuderTuiError as exc:
            self.notify(error_text(exc), severity="error", markup=False)
            return
        self.notify("Actie afgevinkt.", timeout=2)
        self.refill()

    def action_export(self) -> None:
        from ouder_tui.huisbezoek_export import FORMATS, export_huisbezoeken
        from screens.export_dialog import ExportDialog

        def produce(fmt: str, options: dict[str, bool]) -> bytes:
            return export_huisbezoeken(self.service, fmt, vertrouwelijk=options["vertrouwelijk"])

        self.app.push_screen(ExportDialog("Huisbezoeken exporteren", "huisbezoeken", FORMATS, produce,
                                          {"vertrouwelijk": "ook de notities van vertrouwelijke bezoeken"}))

    def action_focus_filter(self) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = "nooit"
        self.query_one("#f-klas", Input).focus()


def family_visits_card(app, gezin) -> tuple[str, list[str]]:
    """The family's visit history for its family view (never the notes)."""
    service: Huisbezoeken = app.huisbezoeken
    visits = service.van_gezin(gezin.id)
    if not visits:
        return "Huisbezoeken", ["Nog geen huisbezoek."]
    return "Huisbezoeken", [summary_line(v, gezin.naam).replace(f"  ·  gezin {gezin.naam}", "") for v in visits]
