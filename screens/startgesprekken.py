"""The area *Startgesprekken*: per class, who had a conversation, who is planned, who is missing."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Select, Static

from ouder_tui.errors import NotFoundError
from ouder_tui.startgesprek import KlasRij, Startgesprekken
from ouder_tui.text import format_date, plural
from screens.base import AreaScreen
from screens.startgesprek import OmgekeerdForm, StartgesprekForm
from screens.table import Column, RecordTable, Row


def class_row(row: KlasRij, service: Startgesprekken) -> Row:
    talk = row.gesprek
    today = service.vandaag()
    if talk is None:
        stand, plan, review = "nog niet", "", ""
    else:
        stand = f"{row.stand} {format_date(talk.datum)}"
        plan = talk.plan.kanalen_tekst()
        review = format_date(talk.plan.evaluatie_op)
        if talk.plan.evaluatie_op and talk.plan.evaluatie_op < today:
            review += " !"
    reverse = row.omgekeerd  # this school year's; a planned one shows with a "gepland" mark
    if reverse is None:
        reverse_text = ""
    elif reverse.gehouden:
        reverse_text = format_date(reverse.datum)
    else:
        reverse_text = f"gepl. {reverse.datum:%d/%m}" if reverse.datum else "gepland"
    return Row(row.leerling.id, (row.leerling.naam, stand, plan, review, reverse_text))


class StartgesprekkenScreen(AreaScreen):
    """The class teacher's overview of start-of-year conversations."""

    AREA = "startgesprekken"
    BINDINGS = [
        Binding("o", "omgekeerd", "Omgekeerd"),
        Binding("v", "from_last_year", "Vorig plan"),
        Binding("x", "export", "Exporteren"),
        Binding("b", "vragenbank", "Vragenbank", show=False),
    ]
    HELP = """
# Startgesprekken

Kies een klas: je ziet per leerling of het startgesprek gehouden of gepland is, de kanalen
van het communicatieplan en wanneer het plan herbekeken wordt (een ! als die datum voorbij is).
Bovenaan staat hoeveel schooldagen er nog over zijn van de gouden weken (de eerste vijf weken
vanaf 1 september).

Enter opent het startgesprek van de leerling (of begint er een). **o** opent het omgekeerd
oudergesprek van dit schooljaar of begint er een (ook om het vooraf te plannen); de kolom Omgekeerd
toont de datum, met 'gepl.' ervoor zolang het nog gepland is. **v** begint het plan van dit jaar
vanuit dat van vorig jaar, **x** exporteert de plannen van de klas (Excel, of per leerling het plan
om aan de ouders mee te geven), of een korte uitnodiging per leerling voor het startgesprek of het
omgekeerd gesprek, met een vragenlijst die ouders vooraf kunnen invullen. **b** beheert de
vragenbank van het omgekeerd oudergesprek (verbergen, eigen vragen wijzigen of verwijderen).
"""
    DEFAULT_CSS = """
    StartgesprekkenScreen #top { height: 1; margin: 0 1 1 1; }
    StartgesprekkenScreen #top Select { width: 16; }
    StartgesprekkenScreen #figures { width: 1fr; padding: 0 1; }
    """

    #: The key under which each person's last class is remembered (``app.voorkeuren``).
    KLAS_KEY = "startgesprekken_klas"

    def __init__(self, service: Startgesprekken) -> None:
        super().__init__()
        self.service = service
        #: Whose last class the select shows (another person after ctrl+u gets theirs).
        self._klas_of: str | None = None

    def compose_body(self) -> ComposeResult:
        classes = self.service.registry.klassen() if self.service.store.loaded else []
        with Horizontal(id="top"):
            yield Select([(k, k) for k in classes], prompt="klas", id="klas", compact=True,
                         value=classes[0] if classes else Select.NULL)
            yield Static("", id="figures", markup=False)
        yield RecordTable([Column("Leerling"), Column("Startgesprek", 20), Column("Plan"), Column("Herbekijken", 12),
                           Column("Omgekeerd", 11)], id="klas-table", empty_text="Kies een klas.")

    def on_mount(self) -> None:
        self._remembered_class()
        self.refill()
        self.query_one(RecordTable).focus()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self.is_mounted:
            self._remembered_class()
            self.refill()

    def store_ready(self) -> None:
        self._remembered_class()
        self.refill()

    def _remembered_class(self) -> None:
        """Show the class this person worked on last (F5 remembers it per person), once per person."""
        store = self.service.store
        if not store.loaded or self._klas_of == store.user:
            return
        select = self.query_one("#klas", Select)
        classes = self.service.registry.klassen()
        if not classes:
            return
        self._klas_of = store.user
        wanted = getattr(self.app, "voorkeuren", None)
        last = wanted.get(store.user, self.KLAS_KEY) if wanted is not None else None
        with select.prevent(Select.Changed):
            select.set_options((k, k) for k in classes)
            select.value = last if last in classes else classes[0]

    def on_select_changed(self) -> None:
        voorkeuren = getattr(self.app, "voorkeuren", None)
        if voorkeuren is not None and self.klas and self._klas_of == self.service.store.user:
            voorkeuren.set(self.service.store.user, self.KLAS_KEY, self.klas)
        self.refill()

    @property
    def klas(self) -> str:
        value = self.query_one("#klas", Select).value
        return "" if value is Select.NULL else str(value)

    def refill(self) -> None:
        if not self.service.store.loaded or not self.query("#klas-table"):
            return
        rows = self.service.klasoverzicht(self.klas) if self.klas else []
        self.query_one(RecordTable).set_rows([class_row(r, self.service) for r in rows])
        held = sum(r.stand == "gehouden" for r in rows)
        planned = sum(r.stand == "gepland" for r in rows)
        overdue = sum(1 for t in self.service.evaluatie_verlopen()
                      if any(r.gesprek is not None and r.gesprek.id == t.id for r in rows))
        reverse = sum(1 for r in rows if r.omgekeerd is not None and r.omgekeerd.gehouden)
        days = self.service.gouden_weken_resterend()
        golden = f"gouden weken: nog {plural(days, 'schooldag', 'schooldagen')}" if days else "gouden weken voorbij"
        self.query_one("#figures", Static).update(
            f"{golden}  ·  {held} gehouden, {planned} gepland, {len(rows) - held - planned} nog niet"
            + (f"  ·  {reverse} omgekeerd" if reverse else "")
            + (f"  ·  {overdue} te herbekijken" if overdue else ""))

    def _pupil(self) -> int | None:
        return self.query_one(RecordTable).current_key

    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        current = next((r.gesprek for r in self.service.klasoverzicht(self.klas) if r.leerling.id == event.key), None)
        talk = current or self.service.nieuw(event.key)
        self.app.push_screen(StartgesprekForm(self.service, talk), lambda _: self.refill())

    def action_vragenbank(self) -> None:
        from screens.vragenbank import VragenbankScreen

        self.app.push_screen(VragenbankScreen(self.service))

    def action_omgekeerd(self) -> None:
        """Open the pupil's omgekeerd oudergesprek of this school year (planned or held), or begin one."""
        pupil = self._pupil()
        if pupil is not None:
            talk = self.service.omgekeerd(pupil) or self.service.nieuw(pupil, soort="omgekeerd")
            self.app.push_screen(OmgekeerdForm(self.service, talk), lambda _: self.refill())

    def action_export(self) -> None:
        from ouder_tui.startgesprek_export import FORMATS, export_startgesprekken
        from screens.export_dialog import ExportDialog

        klas = self.klas or None

        def produce(fmt: str, options: dict[str, bool]) -> bytes:
            soort = "startgesprek" if options.get("uitnodiging") else "omgekeerd" if options.get("omgekeerd") else ""
            if soort and klas:
                from ouder_tui.startgesprek_uitnodiging import uitnodigingen

                return uitnodigingen(self.service, fmt, klas=klas, soort=soort)
            return export_startgesprekken(self.service, fmt, klas=klas)

        name = f"startgesprekken-{klas}" if klas else "startgesprekken"
        invitations = {"uitnodiging": "md/html: in plaats daarvan een uitnodiging voor het startgesprek per leerling",
                       "omgekeerd": "md/html: in plaats daarvan een uitnodiging voor het omgekeerd gesprek"} if klas else {}
        self.app.push_screen(ExportDialog(f"Startgesprekken {('klas ' + klas) if klas else ''} exporteren",
                                          name, FORMATS, produce, invitations))

    def action_from_last_year(self) -> None:
        pupil = self._pupil()
        if pupil is None:
            return
        try:
            talk = self.service.uit_vorig_jaar(pupil)
        except NotFoundError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        self.app.push_screen(StartgesprekForm(self.service, talk), lambda _: self.refill())


def plan_lines(app, leerling_id: int) -> list[str]:
    """The pupil's plan of this school year, then the omgekeerd oudergesprek if there is one."""
    service: Startgesprekken = app.startgesprekken
    talk = service.huidig_plan(leerling_id)
    lines = talk.plan.lines() if talk else []
    reverse = service.omgekeerd(leerling_id)
    if reverse is not None:
        lines.append(reverse.samenvatting()[0].upper() + reverse.samenvatting()[1:])
    return lines


def family_plans_card(app, gezin) -> tuple[str, list[str]]:
    """The communication plans of the family's children this school year."""
    lines = []
    for kid in app.registry.kinderen(gezin.id, ook_vertrokken=False):
        plan = plan_lines(app, kid.id)
        if plan:
            lines += [f"{kid.voornaam} ({kid.klas}):", *(f"  {line}" for line in plan)]
    return "Communicatieplan", lines or ["Nog geen communicatieplan dit schooljaar."]


def pupil_plan_card(app, leerling) -> tuple[str, list[str]]:
    """The pupil's communication plan of this school year."""
    return "Communicatieplan", plan_lines(app, leerling.id) or ["Nog geen communicatieplan dit schooljaar."]
