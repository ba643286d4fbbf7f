"""The area *Oudergroep*: sessions, themes, parents who stayed away, the group's requests, the year."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Select, Static, TabbedContent, TabPane

from ouder_tui.errors import OuderTuiError
from ouder_tui.oudergroep import Oudergroep, Sessie, Thema, Verzoek, Weggebleven, staaf
from ouder_tui.text import format_date, plural, school_year_of, shortened
from screens.base import TabbedAreaScreen
from screens.table import Column, RecordTable, Row
from screens.widgets import error_text

TABS = {"sessies": "Sessies", "themas": "Thema's", "weggebleven": "Weggebleven", "verzoeken": "Verzoeken",
        "jaar": "Jaar"}
SESSION_COLUMNS = [Column("Datum", 10), Column("Uur", 5), Column("Thema"), Column("Plaats", 11),
                   Column("Status", 13), Column("Uitg.", 5), Column("Aanw.", 5)]


def session_row(session: Sessie, today: date) -> Row:
    invited, present = len(session.uitnodigingen), len(session.aanwezig)
    status = session.status_tekst
    if session.status in ("gepland", "uitgenodigd") and session.datum and session.datum < today:
        status = "aanduiden!"  # it took place: tick who came
    status += " ↻" if session.reeks_id else ""  # part of a series
    return Row(session.id, (format_date(session.datum), session.begin, session.titel, session.plaats, status,
                            str(invited or ""), str(present if session.gehouden else "")),
               sort=(session.datum or date.min, session.begin, session.titel.casefold(), session.plaats.casefold(),
                     status, invited, present))


def theme_row(thema: Thema, sessions: int) -> Row:
    return Row(thema.id, (thema.titel, thema.gevraagd_door, str(thema.aantal), thema.status_tekst, str(sessions)),
               sort=(thema.titel.casefold(), thema.gevraagd_door.casefold(), thema.aantal, thema.status, sessions))


def away_row(item: Weggebleven) -> Row:
    contact = item.laatste_contact
    last_contact = f"{format_date(contact.datum)} {contact.hoe_tekst}" if contact else "nog geen"
    return Row(item.persoon.id, (item.persoon.naam, item.persoon.omschrijving, str(item.keer_aanwezig),
                                 format_date(item.laatst_aanwezig.datum), str(item.gemist), last_contact),
               sort=(item.persoon.naam.casefold(), item.persoon.omschrijving, item.keer_aanwezig,
                     item.laatst_aanwezig.datum or date.min, item.gemist, contact.datum if contact else date.min))


def request_row(verzoek: Verzoek) -> Row:
    return Row(verzoek.id, (verzoek.wat, format_date(verzoek.gevraagd_op), verzoek.eigenaar, verzoek.status_tekst),
               sort=(verzoek.wat.casefold(), verzoek.gevraagd_op or date.min, verzoek.eigenaar.casefold(),
                     (verzoek.afgerond, verzoek.status)))


def year_lines(service: Oudergroep, schooljaar: str, width: int = 30) -> list[str]:
    """The year in figures and as a bar chart of attendance per session: plain text."""
    year = service.jaaroverzicht(schooljaar)
    average = f"{year.gemiddeld:.1f}".replace(".", ",")
    lines = [f"Schooljaar {schooljaar}: {plural(year.gehouden, 'sessie', 'sessies')} gehouden, "
             f"{year.geannuleerd} geannuleerd, {year.gepland} nog gepland.",
             f"{plural(year.totaal_aanwezig, 'aanwezigheid', 'aanwezigheden')}, gemiddeld "
             f"{average} per sessie; {plural(year.verschillende_personen, 'persoon', 'verschillende personen')}"
             f" kwamen, {year.vaste_kern} van hen 3 keer of vaker, {year.een_keer} maar één keer.", ""]
    if not year.sessies:
        return [*lines, "Nog geen gehouden sessies in dit schooljaar."]
    top = max(c.aanwezig for c in year.sessies)
    lines.append(f"{'':5}  {'terugkerend █  nieuw ░':{width}}  aanwezig (nieuw)")
    for figures in year.sessies:
        back = staaf(figures.terugkerend, top, width)
        new = "░" * max(0, round(figures.aanwezig / top * width) - len(back)) if figures.nieuw else ""
        bar = (back + new).ljust(width)
        label = figures.sessie.datum.strftime("%d/%m") if figures.sessie.datum else "?"
        title = shortened(figures.sessie.titel, 28)
        lines.append(f"{label:5}  {bar}  {figures.aanwezig:>3} ({figures.nieuw})  {title}")
    return lines


class OudergroepScreen(TabbedAreaScreen):
    """The parent group for its facilitator."""

    TABS = TABS
    AREA = "oudergroep"
    BINDINGS = [
        Binding("n", "new", "Nieuw"),
        # Shown on the list where they work (check_action): a theme's session, a parent's follow-up.
        Binding("p", "plan_from_theme", "Sessie over thema"),
        Binding("c", "contact", "Contact noteren"),
        Binding("x", "export", "Exporteren"),
        Binding("delete", "delete", "Verwijderen", show=False),
        Binding("right", "tab(1)", "Volgende lijst", show=False),
        Binding("left", "tab(-1)", "Vorige lijst", show=False),
    ]
    HELP = """
# Oudergroep

- **Sessies**: de bijeenkomsten van het gekozen schooljaar (↻: deel van een reeks). Bij een sessie
  die voorbij is maar nog geen aanwezigheden heeft, staat 'aanduiden!'. Enter opent een sessie: daar nodig
  je ouders uit (u), duid je aan wie er was (a) en schrijf je het verslag (v).
- **Thema's**: waar ouders om vroegen, door wie en hoeveel ouders het willen. **p** plant een
  sessie over het geselecteerde thema.
- **Weggebleven**: ouders die al kwamen en daarna de laatste sessies misten. Bel hen of spreek hen
  aan de schoolpoort aan en noteer dat contact (**c** of Enter): dan verdwijnen ze uit de lijst tot
  ze opnieuw een sessie missen. Na hoeveel gemiste sessies iemand hier verschijnt, stel je in bij
  de instellingen.
- **Verzoeken**: wat de groep aan de school vroeg, wie het opneemt, wat de school antwoordde en
  of dat antwoord al in de groep terugkwam.
- **Jaar**: hoeveel ouders er per sessie waren, terugkerend en nieuw.

**n** maakt iets nieuws in de lijst waar je bent (een sessie, een thema of een verzoek);
**Delete** verplaatst de geselecteerde sessie, het thema of het verzoek naar de prullenbak
(terug te zetten vanuit de prullenbak).
Pijltje links en rechts gaan naar de vorige en de volgende lijst. **x** exporteert het jaar
(agenda, aanwezigheden voor Excel, jaarverslag).
"""
    DEFAULT_CSS = """
    OudergroepScreen #year-bar { height: 1; margin: 0 1; }
    OudergroepScreen #year-bar Label { width: auto; padding-right: 1; }
    OudergroepScreen #year-bar Select { width: 20; }
    OudergroepScreen #year-bar #next-session { width: 1fr; padding-left: 2; color: $text-muted; }
    OudergroepScreen #year-chart { padding: 0 1; }
    """

    def __init__(self, service: Oudergroep) -> None:
        super().__init__()
        self.service = service

    def compose_body(self) -> ComposeResult:
        current = school_year_of(self.service.vandaag())
        with Horizontal(id="year-bar"):
            yield Label("Schooljaar")
            yield Select([(current, current)], value=current, allow_blank=False, id="schooljaar", compact=True)
            yield Static("", id="next-session", markup=False)
        with TabbedContent(id="tabs"):
            with TabPane(TABS["sessies"], id="sessies"):
                yield RecordTable(SESSION_COLUMNS, id="sessies-table",
                                  empty_text="Nog geen sessies in dit schooljaar. n: een sessie plannen.")
            with TabPane(TABS["themas"], id="themas"):
                yield RecordTable([Column("Thema"), Column("Gevraagd door"), Column("Ouders", 6),
                                   Column("Status", 8), Column("Sessies", 7)], id="themas-table",
                                  empty_text="Nog geen thema's. n: een thema noteren.")
            with TabPane(TABS["weggebleven"], id="weggebleven"):
                yield RecordTable([Column("Naam", 20), Column("Wie"), Column("Keer", 4), Column("Laatst", 10),
                                   Column("Gemist", 6), Column("Laatste contact", 22)], id="weggebleven-table",
                                  empty_text="Niemand om op te volgen.")
            with TabPane(TABS["verzoeken"], id="verzoeken"):
                yield RecordTable([Column("Verzoek"), Column("Gevraagd", 10), Column("Wie neemt op", 16),
                                   Column("Status", 29)], id="verzoeken-table",
                                  empty_text="Nog geen verzoeken. n: een verzoek noteren.")
            with TabPane(TABS["jaar"], id="jaar"), VerticalScroll():
                yield Static("", id="year-chart", markup=False)

    @property
    def schooljaar(self) -> str:
        value = self.query_one("#schooljaar", Select).value
        return value if isinstance(value, str) else school_year_of(self.service.vandaag())

    def refill(self) -> None:
        if not self.service.store.loaded or not self.query("#sessies-table"):
            return
        service = self.service
        select = self.query_one("#schooljaar", Select)
        years = service.schooljaren()
        chosen = self.schooljaar
        with select.prevent(Select.Changed):
            select.set_options((Text(y), y) for y in years)
            select.value = chosen if chosen in years else years[0]
        upcoming = service.volgende()
        self.query_one("#next-session", Static).update(
            f"Volgende sessie: {format_date(upcoming.datum)} {upcoming.begin}  {upcoming.titel}" if upcoming
            else "Geen sessie gepland.")
        counts = {}
        sessions = service.sessies(self.schooljaar)
        table = self.query_one("#sessies-table", RecordTable)
        today = service.vandaag()
        table.set_rows([session_row(s, today) for s in sessions], keep_key=table.current_key)
        counts["sessies"] = len(sessions)
        per_theme: dict[int, int] = {}
        for session in service.sessies():
            if session.thema_id is not None and not session.geannuleerd:
                per_theme[session.thema_id] = per_theme.get(session.thema_id, 0) + 1
        themes = service.themas()
        self.query_one("#themas-table", RecordTable).set_rows([theme_row(t, per_theme.get(t.id, 0)) for t in themes])
        counts["themas"] = len(themes)
        away = service.weggebleven()
        self.query_one("#weggebleven-table", RecordTable).set_rows([away_row(w) for w in away])
        counts["weggebleven"] = len(away)
        requests = service.verzoeken()
        self.query_one("#verzoeken-table", RecordTable).set_rows([request_row(v) for v in requests])
        counts["verzoeken"] = len(service.open_verzoeken())
        self.query_one("#year-chart", Static).update("\n".join(year_lines(service, self.schooljaar)))
        tabs = self.query_one(TabbedContent)
        for tab_id, label in TABS.items():
            if tab_id in counts:
                tabs.get_tab(tab_id).label = f"{label} ({counts[tab_id]})"

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "schooljaar":
            self.refill()

    # -- acting ---------------------------------------------------------------------------------
    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        from screens.oudergroep_forms import ContactForm, ThemaForm, VerzoekForm
        from screens.oudergroep_sessie import SessieScreen

        table_id = event.table.id
        if table_id == "sessies-table":
            self.app.push_screen(SessieScreen(self.service, event.key))
        elif table_id == "themas-table":
            self.app.push_screen(ThemaForm(self.service, self.service.thema(event.key)), self._after_change)
        elif table_id == "weggebleven-table":
            self.app.push_screen(ContactForm(self.service, self.service.persoon(event.key)), self._after_change)
        elif table_id == "verzoeken-table":
            self.app.push_screen(VerzoekForm(self.service, self.service.verzoek(event.key)), self._after_change)

    def action_new(self) -> None:
        from screens.oudergroep_forms import ThemaForm, VerzoekForm
        from screens.oudergroep_sessie import SessieForm

        active = self.query_one(TabbedContent).active
        if active == "themas":
            self.app.push_screen(ThemaForm(self.service), self._after_change)
        elif active == "verzoeken":
            self.app.push_screen(VerzoekForm(self.service), self._after_change)
        else:
            self.app.push_screen(SessieForm(self.service, self.service.voorstel()), self._after_change)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """p and c only on the list where they do something, and only with a row under the cursor."""
        wanted = {"plan_from_theme": "themas", "contact": "weggebleven"}.get(action)
        if wanted is None or not self.is_mounted:
            return True
        tabs = self.query(TabbedContent)
        if not tabs or tabs.first().active != wanted:
            return False
        return self.query_one(f"#{wanted}-table", RecordTable).current_key is not None

    def on_tabbed_content_tab_activated(self) -> None:
        self.refresh_bindings()

    def action_plan_from_theme(self) -> None:
        from screens.oudergroep_sessie import SessieForm

        if self.query_one(TabbedContent).active != "themas":
            return
        key = self.query_one("#themas-table", RecordTable).current_key
        if key is None:
            return
        self.app.push_screen(SessieForm(self.service, self.service.voorstel(self.service.thema(key))),
                             self._after_change)

    def action_contact(self) -> None:
        from screens.oudergroep_forms import ContactForm

        if self.query_one(TabbedContent).active != "weggebleven":
            return
        key = self.query_one("#weggebleven-table", RecordTable).current_key
        if key is not None:
            self.app.push_screen(ContactForm(self.service, self.service.persoon(key)), self._after_change)

    def action_delete(self) -> None:
        from screens.dialogs import ConfirmDialog

        active = self.query_one(TabbedContent).active
        if active not in ("sessies", "themas", "verzoeken"):
            return
        key = self.query_one(f"#{active}-table", RecordTable).current_key
        if key is None:
            return
        service = self.service
        if active == "sessies":
            session = service.sessie(key)
            what = f"De sessie van {format_date(session.datum)} ({session.titel})"
            remove = lambda: service.verwijder(session)  # noqa: E731
        elif active == "themas":
            thema = service.thema(key)
            what = f"Het thema '{thema.titel}'"
            remove = lambda: service.verwijder_thema(thema)  # noqa: E731
        else:
            verzoek = service.verzoek(key)
            what = f"Het verzoek '{verzoek.wat}'"
            remove = lambda: service.verwijder_verzoek(verzoek)  # noqa: E731

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                remove()
            except OuderTuiError as exc:
                self.notify(error_text(exc), severity="error", markup=False)
                return
            self.notify("Naar de prullenbak verplaatst.", timeout=3)
            self.refill()

        self.app.push_screen(ConfirmDialog("Verwijderen?", f"{what} gaat naar de prullenbak.", yes="Verwijderen"),
                             confirmed)

    def _after_change(self, saved: object) -> None:
        self.refill()
        if saved is not None:
            self.notify("Bewaard.", timeout=2)

    def action_export(self) -> None:
        from ouder_tui.oudergroep_export import FORMATS, export_oudergroep
        from screens.export_dialog import ExportDialog

        year = self.schooljaar

        def produce(fmt: str, options: dict[str, bool]) -> bytes:
            return export_oudergroep(self.service, fmt, schooljaar=year)

        self.app.push_screen(ExportDialog(f"Oudergroep {year} exporteren", f"oudergroep-{year}", FORMATS, produce))


def family_group_card(app, gezin) -> tuple[str, list[str]]:
    """Which parents of the family came to the parent group, and when last."""
    service: Oudergroep = app.oudergroep
    lines = []
    for ouder in gezin.ouders:
        attended = service.aanwezigheden(ouder.id)
        if attended:
            lines.append(f"{ouder.naam}: {plural(len(attended), 'keer', 'keer')}, laatst "
                         f"{format_date(attended[-1].datum)}")
    return "Oudergroep", lines or ["Nog niemand van dit gezin kwam naar de oudergroep."]
