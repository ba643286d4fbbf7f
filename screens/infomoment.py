"""The area *Infomoment*: the preparation (checklist and warnings), the programme, the tables and
partners, the rotation, and the questions with their top 5."""

from __future__ import annotations

from datetime import timedelta

import msgspec
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, ProgressBar, Select, Static, TabbedContent, TabPane

from ouder_tui.infomoment import NETTEN, TAAK_STATUSSEN, Infomoment, Infomomenten, groep_naam
from ouder_tui.text import format_date, lange_datum, plural, school_year_of
from screens.base import TabbedAreaScreen
from screens.table import Column, RecordTable, Row
from screens.widgets import change_and_refill

TABS = {"taken": "Voorbereiding", "programma": "Programma", "tafels": "Tafels", "rotatie": "Rotatie",
        "vragen": "Vragen"}
NEXT_STATUS = {"open": "bezig", "bezig": "klaar", "klaar": "open"}


def rotation_lines(service: Infomomenten, info: Infomoment, room: int = 100) -> list[str]:
    """The rotation as a grid: a row per round with its time, a column per table (``room``: the width)."""
    if not info.tafels:
        return ["Nog geen tafels: voeg ze toe in de lijst 'Tafels'."]
    plan = service.rooster(info)
    start = next((s for part, s, _ in info.tijden() if part.soort == "rotatie"), None)
    names = [t.naam for t in info.tafels]
    width = max(3, min(18, max(len(n) for n in names), (room - 16) // len(names) - 1))
    lines = [f"{plural(info.groepen, 'groep', 'groepen')}, {plural(len(names), 'tafel', 'tafels')}, "
             f"{plural(plan.rondes, 'ronde', 'rondes')} van {info.minuten_per_ronde} minuten "
             f"(+{info.wissel_minuten} om te wisselen).  r: instellen"]
    if plan.met_pauzes:
        lines.append(f"Meer groepen dan tafels: elke groep heeft {plural(plan.rondes - len(names), 'ronde', 'rondes')}"
                     " pauze. Minder groepen of meer tafels maakt het korter.")
    lines.append("")
    lines.append("Ronde  Uur    " + " ".join(n[:width].ljust(width) for n in names))
    for r in range(plan.rondes):
        when = (start + timedelta(minutes=r * (info.minuten_per_ronde + info.wissel_minuten))).strftime("%H:%M") \
            if start else "     "
        cells = []
        for t in range(len(names)):
            group = plan.groep_aan(r, t)
            cells.append((groep_naam(group) if group is not None else "–").ljust(width))
        lines.append(f"{r + 1:>5}  {when}  " + " ".join(cells))
    return lines


def _step(tafel) -> str:
    """How far a partner is, in one word: the last step reached."""
    if tafel.gebriefd:
        return "gebriefd"
    if tafel.bevestigd:
        return "bevestigd"
    return "uitgenodigd" if tafel.uitgenodigd else "nog niet"


class InfomomentScreen(TabbedAreaScreen):
    """The information evening on the move to secondary school."""

    TABS = TABS
    AREA = "infomoment"
    BINDINGS = [
        Binding("n", "new", "Nieuw"),
        Binding("e", "edit", "Datum en plaats"),
        Binding("o", "parents", "Ouders", show=False),  # named in the summary line (the footer is full)
        Binding("space", "space", "Afvinken / aanduiden", show=False),
        Binding("m", "merge", "Samenvoegen", show=False),
        Binding("r", "rotation", "Rotatie", show=False),
        Binding("v", "next_year", "Van vorig jaar"),
        Binding("delete", "delete", "Verwijderen", show=False),
        Binding("x", "export", "Exporteren"),
        Binding("right", "tab(1)", "Volgende lijst", show=False),
        Binding("left", "tab(-1)", "Vorige lijst", show=False),
    ]
    HELP = """
# Infomoment

Het infomoment over de overstap naar het secundair, per schooljaar.

- **Voorbereiding**: de taken met hun deadline (! = te laat), wie ze doet en hoe ver ze staan.
  **Spatie** zet een taak verder: open, bezig, klaar. Bovenaan staan de waarschuwingen: te laat
  tegenover de inschrijvingen of een opendeurdag, scholen van maar één net, geen CLB, ouders nog niet
  uitgenodigd twee weken vooraf.
- **Programma**: de onderdelen met hun uren; het einde rekent zichzelf uit.
- **Tafels**: wie aan welke tafel zit, hoe je hen bereikt, en hoe ver het staat (nog niet, uitgenodigd,
  bevestigd, gebriefd).
- **Rotatie**: welke groep wanneer aan welke tafel zit (**r** om groepen en minuten in te stellen).
- **Vragen**: wat ouders en leerlingen vroegen. **Spatie** duidt dubbele vragen aan, **m** voegt ze
  samen in de geselecteerde vraag. De kolom # toont de top 5.

**o** toont de ouders: de doelgroep uit het register, wie uitgenodigd is (met de brieven) en wie kwam.
**n** voegt iets toe in de lijst waar je bent (of maakt het infomoment als het er nog niet is),
**e** past datum, plaats en de belangrijke data aan (alle deadlines schuiven mee), **v** begint
vanuit het infomoment van vorig jaar, **Delete** verwijdert het geselecteerde, **x** exporteert
(de takenlijst, de avond voor je agenda, de rotatiekaartjes, de top 5 voor de website).
"""
    DEFAULT_CSS = """
    InfomomentScreen #year-bar { height: 1; margin: 0 1; }
    InfomomentScreen #year-bar Label { width: auto; padding-right: 1; }
    InfomomentScreen #year-bar Select { width: 20; }
    InfomomentScreen #year-bar ProgressBar { width: 44; padding-left: 2; }
    InfomomentScreen #summary { padding: 0 1; height: auto; }
    InfomomentScreen #warnings { color: $warning; padding: 0 1; height: auto; }
    InfomomentScreen #empty { padding: 1 2; height: auto; }
    InfomomentScreen #rotation-grid { padding: 0 1; }
    InfomomentScreen TabPane > Vertical { height: 1fr; }
    InfomomentScreen TabPane RecordTable { height: 1fr; }
    """

    def __init__(self, service: Infomomenten) -> None:
        super().__init__()
        self.service = service
        self.marked: set[str] = set()

    def compose_body(self) -> ComposeResult:
        current = school_year_of(self.service.vandaag())
        with Horizontal(id="year-bar"):
            yield Label("Schooljaar")
            yield Select([(current, current)], value=current, allow_blank=False, id="schooljaar", compact=True)
            yield ProgressBar(total=1, show_eta=False, id="progress")
        yield Static("", id="summary", markup=False)
        yield Static("", id="empty", markup=False)
        with TabbedContent(id="tabs"):
            with TabPane(TABS["taken"], id="taken"), Vertical():
                yield Static("", id="warnings", markup=False)
                yield RecordTable([Column("Deadline", 12), Column("Taak"), Column("Wie", 18), Column("Status", 6)],
                                  id="taken-table", empty_text="Geen taken. n: een taak toevoegen.")
            with TabPane(TABS["programma"], id="programma"):
                yield RecordTable([Column("Van", 5), Column("Tot", 5), Column("Onderdeel"), Column("Min.", 4)],
                                  id="programma-table", empty_text="Geen programma. n: een onderdeel toevoegen.")
            with TabPane(TABS["tafels"], id="tafels"):
                yield RecordTable([Column("Soort", 14), Column("Tafel"), Column("Wie", 14), Column("Contact", 14),
                                   Column("Net", 9), Column("Stand", 11)], id="tafels-table",
                                  empty_text="Geen tafels. n: een tafel toevoegen.")
            with TabPane(TABS["rotatie"], id="rotatie"), VerticalScroll():
                yield Static("", id="rotation-grid", markup=False)
            with TabPane(TABS["vragen"], id="vragen"):
                yield RecordTable([Column("", 1), Column("#", 2), Column("Keer", 4), Column("Vraag"),
                                   Column("Onderwerp", 16), Column("Antwoord", 8)], id="vragen-table",
                                  empty_text="Nog geen vragen. n: een vraag toevoegen.")

    @property
    def schooljaar(self) -> str:
        value = self.query_one("#schooljaar", Select).value
        return value if isinstance(value, str) else school_year_of(self.service.vandaag())

    def tab_allowed(self) -> bool:
        return self.info is not None

    #: What needs an infomoment for this school year: without one these keys do nothing, so they are hidden.
    _NEEDS_INFO = frozenset({"edit", "export", "rotation", "merge", "delete", "space"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not (self.is_mounted and self.service.store.loaded and self.query("#schooljaar")):
            return True
        if action in self._NEEDS_INFO and self.info is None:
            return False
        if action == "next_year":  # only to start this year's, from last year's
            return self.info is None and self.service.van_jaar(
                f"{int(self.schooljaar[:4]) - 1}-{self.schooljaar[:4]}") is not None
        return True

    @property
    def info(self) -> Infomoment | None:
        return self.service.van_jaar(self.schooljaar)

    def refill(self) -> None:
        if not self.service.store.loaded or not self.query("#taken-table"):
            return
        select = self.query_one("#schooljaar", Select)
        current = school_year_of(self.service.vandaag())
        start = int(current[:4])
        following = f"{start + 1}-{start + 2}"  # next year's can be prepared before this year ends
        years = sorted({current, following, *(i.schooljaar for i in self.service.alle())}, reverse=True)
        chosen = self.schooljaar
        with select.prevent(Select.Changed):
            select.set_options((Text(y), y) for y in years)
            select.value = chosen if chosen in years else current
        self.refresh_bindings()  # e, x ... only with an infomoment this year (check_action)
        info = self.info
        self.query_one("#tabs").display = info is not None
        self.query_one("#progress").display = info is not None
        self.query_one("#empty").display = info is None
        if info is None:
            previous = self.service.van_jaar(f"{int(self.schooljaar[:4]) - 1}-{self.schooljaar[:4]}")
            self.query_one("#summary", Static).update("")
            self.query_one("#empty", Static).update(
                f"Nog geen infomoment voor {self.schooljaar}.\n\nn: een nieuw maken uit het sjabloon (taken, "
                "programma en tafels)." + (f"\nv: vertrekken van het infomoment van {previous.schooljaar}, met alle "
                                           "data een jaar later." if previous else ""))
            return
        self._fill(info)

    def _fill(self, info: Infomoment) -> None:
        service = self.service
        done, total = info.voortgang()
        progress = self.query_one("#progress", ProgressBar)
        progress.update(total=max(total, 1), progress=done)
        self.query_one("#summary", Static).update(
            f"{format_date(info.datum)} {info.begin}-{info.einde().strftime('%H:%M')}"
            f"{', ' + info.plaats if info.plaats else ''}  ·  inschrijven vanaf "
            f"{format_date(info.inschrijvingen_vanaf) or '?'}  ·  o: ouders")
        warnings = service.waarschuwingen(info)
        self.query_one("#warnings", Static).update("\n".join(f"! {w}" for w in warnings))
        self.query_one("#warnings").display = bool(warnings)
        today = service.vandaag()
        rows = []
        for taak in sorted(info.taken, key=lambda t: -t.dagen_voor):
            deadline = taak.deadline(info.datum)
            late = not taak.klaar and deadline and deadline < today
            rows.append(Row(taak.id, (format_date(deadline) + (" !" if late else ""), taak.wat, taak.eigenaar,
                                      TAAK_STATUSSEN.get(taak.status, taak.status)),
                            sort=(deadline, taak.wat.casefold(), taak.eigenaar.casefold(), taak.status)))
        table = self.query_one("#taken-table", RecordTable)
        table.set_rows(rows, keep_key=table.current_key)
        self.query_one("#programma-table", RecordTable).set_rows([
            Row(i, (start.strftime("%H:%M"), end.strftime("%H:%M"), part.titel, str(info.minuten(part))))
            for i, (part, start, end) in enumerate(info.tijden())])
        self.query_one("#tafels-table", RecordTable).set_rows([
            Row(t.id, (t.soort_tekst, t.naam, t.gastheer, t.telefoon or t.email,
                       "/".join(dict.fromkeys(NETTEN[s.net].split(" ")[0] for s in t.alle_scholen() if s.net)),
                       _step(t)),
                sort=(t.soort_tekst, t.naam.casefold(), t.gastheer, t.telefoon, t.net,
                      (t.gebriefd, t.bevestigd, t.uitgenodigd)))
            for t in info.tafels])
        self.query_one("#rotation-grid", Static).update("\n".join(rotation_lines(service, info, self.size.width)))
        rank = {v.id: i + 1 for i, v in enumerate(service.top(info))}
        questions = self.query_one("#vragen-table", RecordTable)
        questions.set_rows([
            Row(v.id, ("•" if v.id in self.marked else "", str(rank.get(v.id, "")), str(v.aantal), v.tekst,
                       v.onderwerp, "ja" if v.antwoord else ""),
                sort=(v.id in self.marked, rank.get(v.id, 99), -v.aantal, v.tekst.casefold(), v.onderwerp,
                      bool(v.antwoord)))
            for v in sorted(info.vragen, key=lambda v: (rank.get(v.id, 99), -v.aantal))], keep_key=questions.current_key)
        tabs = self.query_one(TabbedContent)
        late = len(service.achterstallig(info))
        tabs.get_tab("taken").label = f"{TABS['taken']} ({done}/{total}{', ' + str(late) + ' te laat' if late else ''})"
        tabs.get_tab("tafels").label = f"{TABS['tafels']} ({len(info.tafels)})"
        tabs.get_tab("vragen").label = f"{TABS['vragen']} ({len(info.vragen)})"

    def on_resize(self, event) -> None:
        super().on_resize(event)
        if self.is_mounted:
            self.refill()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "schooljaar":
            self.marked.clear()
            self.refill()

    # -- acting ---------------------------------------------------------------------------------
    def _active(self) -> str:
        return self.query_one(TabbedContent).active

    def _key(self, tab: str):
        return self.query_one(f"#{tab}-table", RecordTable).current_key

    def _after(self, saved: object) -> None:
        self.refill()
        if saved is not None:
            self.notify("Bewaard.", timeout=2)

    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        from screens.infomoment_forms import OnderdeelForm, TaakForm, TafelForm, VraagForm

        info = self.info
        if info is None:
            return
        table = event.table.id
        if table == "taken-table":
            taak = next(t for t in info.taken if t.id == event.key)
            self.app.push_screen(TaakForm(self.service, info, taak), self._after)
        elif table == "programma-table":
            if info.programma[event.key].soort == "rotatie":
                self.action_rotation()
            else:
                self.app.push_screen(OnderdeelForm(self.service, info, event.key), self._after)
        elif table == "tafels-table":
            tafel = next(t for t in info.tafels if t.id == event.key)
            self.app.push_screen(TafelForm(self.service, info, tafel), self._after)
        elif table == "vragen-table":
            vraag = next(v for v in info.vragen if v.id == event.key)
            self.app.push_screen(VraagForm(self.service, info, vraag), self._after)

    def action_new(self) -> None:
        from screens.infomoment_forms import InfomomentForm, OnderdeelForm, TaakForm, TafelForm, VraagForm

        info = self.info
        if info is None:
            self.app.push_screen(InfomomentForm(self.service, Infomoment(schooljaar=self.schooljaar)), self._after)
            return
        form = {"taken": lambda: TaakForm(self.service, info), "programma": lambda: OnderdeelForm(self.service, info, None),
                "tafels": lambda: TafelForm(self.service, info), "vragen": lambda: VraagForm(self.service, info)}
        make = form.get(self._active())
        if make is not None:
            self.app.push_screen(make(), self._after)

    def action_edit(self) -> None:
        from screens.infomoment_forms import InfomomentForm

        if self.info is not None:
            self.app.push_screen(InfomomentForm(self.service, self.info), self._after)

    def action_parents(self) -> None:
        from screens.infomoment_ouders import InfomomentOudersScreen

        if self.info is not None:
            self.app.push_screen(InfomomentOudersScreen(self.service, self.info.id), lambda _: self.refill())

    def action_rotation(self) -> None:
        from screens.infomoment_forms import RotatieForm

        if self.info is not None:
            self.app.push_screen(RotatieForm(self.service, self.info), self._after)

    def action_space(self) -> None:
        info = self.info
        if info is None:
            return
        if self._active() == "taken":
            key = self._key("taken")
            taak = next((t for t in info.taken if t.id == key), None)
            if taak is not None:
                self._run(lambda: self.service.zet_taak(info.id, taak.id, NEXT_STATUS.get(taak.status, "open")))
        elif self._active() == "vragen":
            key = self._key("vragen")
            if key is not None:
                self.marked.symmetric_difference_update({key})
                self.refill()

    def action_merge(self) -> None:
        info = self.info
        if info is None or self._active() != "vragen":
            return
        keep = self._key("vragen")
        others = [k for k in self.marked if k != keep]
        if keep is None or not others:
            self.notify("Duid eerst de dubbele vragen aan (spatie) en kies dan de vraag die blijft.",
                        severity="warning", timeout=5)
            return
        self._run(lambda: self.service.voeg_samen(info.id, keep, others))
        self.marked.clear()
        self.refill()
        self.notify(f"{plural(len(others) + 1, 'vraag', 'vragen')} samengevoegd.", timeout=3, markup=False)

    def action_delete(self) -> None:
        from screens.dialogs import ConfirmDialog

        info = self.info
        if info is None:
            return
        tab = self._active()
        key = self._key(tab) if tab != "rotatie" else None
        if key is None:
            return
        if tab == "taken":
            what, remove = "Deze taak", lambda: self.service.verwijder_taak(info.id, key)
        elif tab == "tafels":
            what, remove = "Deze tafel", lambda: self.service.verwijder_tafel(info.id, key)
        elif tab == "vragen":
            what, remove = "Deze vraag", lambda: self.service.verwijder_vraag(info.id, key)
        else:
            parts = tuple(p for i, p in enumerate(info.programma) if i != key)
            what = "Dit onderdeel"
            remove = lambda: self.service.bewaar(msgspec.structs.replace(  # noqa: E731
                self.service.infomoment(info.id), programma=parts), overwrite=True)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._run(remove)

        self.app.push_screen(ConfirmDialog("Verwijderen?", f"{what} wordt uit het infomoment gehaald.",
                                           yes="Verwijderen"), confirmed)

    def action_next_year(self) -> None:
        from screens.dialogs import ConfirmDialog

        if self.info is not None:
            self.notify(f"Er is al een infomoment voor {self.schooljaar}.", severity="warning", markup=False)
            return
        previous = self.service.van_jaar(f"{int(self.schooljaar[:4]) - 1}-{self.schooljaar[:4]}")
        if previous is None:
            self.notify("Er is geen infomoment van vorig schooljaar om van te vertrekken.", severity="warning")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._run(lambda: self.service.volgend_jaar(previous))

        self.app.push_screen(ConfirmDialog(
            f"Vertrekken van {previous.schooljaar}?",
            f"Een infomoment voor {self.schooljaar} met dezelfde taken, hetzelfde programma en dezelfde tafels, "
            f"alle data een jaar later (zelfde weekdag: {lange_datum(previous.datum and previous.datum + timedelta(days=364))}). "
            "De taken staan weer open en de partners moeten opnieuw uitgenodigd worden.", yes="Maken"), confirmed)

    def _run(self, change) -> None:
        change_and_refill(self, change)

    def action_export(self) -> None:
        from ouder_tui.infomoment_export import FORMATS, export_infomoment
        from screens.export_dialog import ExportDialog

        if self.info is None:
            return
        year = self.schooljaar

        def produce(fmt: str, options: dict[str, bool]) -> bytes:
            return export_infomoment(self.service, fmt, schooljaar=year,
                                     wat="rotatie" if options["rotatie"] else "top5")

        self.app.push_screen(ExportDialog(
            f"Infomoment {year} exporteren", f"infomoment-{year}", FORMATS, produce,
            {"rotatie": "md/html: de rotatie (rooster, kaartje per groep, blad per tafel) in plaats van de top 5"}))
