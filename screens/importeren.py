"""Import the pupil list from the interface: choose the file, check the columns, see what will happen, run it.

Reading and planning run in a thread (10,000 rows take a few seconds); the
import itself runs in one store transaction in a thread, with a progress bar and
a cancel button: a cancelled import leaves the database exactly as it was.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Checkbox, Header, Input, Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from ouder_tui import importers
from ouder_tui.errors import OuderTuiError
from ouder_tui.leerlingen import Registry
from ouder_tui.text import clean_text, format_datetime, parse_school_year, school_year_of
from screens.footer import Footer
from screens.table import Column, RecordTable, Row
from screens.widgets import error_text

NOT_USED = ""


def start_folder() -> Path:
    """Where export files usually land: the Downloads folder, else the home folder."""
    downloads = Path.home() / "Downloads"
    return downloads if downloads.is_dir() else Path.home()


class FieldPicker(ModalScreen[str | None]):
    """Choose the field a column feeds, or 'not used'."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Annuleren")]
    DEFAULT_CSS = """
    FieldPicker { align: center middle; }
    FieldPicker > Vertical { width: 80; max-width: 95%; height: 80%; border: thick $primary; background: $surface; }
    """

    def __init__(self, header: str) -> None:
        super().__init__()
        self.header = header

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Welk veld staat in de kolom '{clean_text(self.header)}'?", markup=False)
            options = [Option(Text("(niet gebruiken)"), id="-")]
            options += [Option(Text(f"{key}  ·  {desc}"), id=key) for key, desc in importers.FIELDS.items()]
            yield OptionList(*options)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(NOT_USED if event.option.id == "-" else event.option.id)


class ImportScreen(Screen[None]):
    """Three steps on one screen: file, columns and preview, run."""

    BINDINGS = [
        Binding("escape", "leave", "Terug"),
        Binding("ctrl+r", "run_import", "Importeren"),
    ]
    HELP = """
# Leerlingen importeren

1. Kies het CSV-bestand dat je uit Smartschool, Wisa of Informat exporteerde
   (Enter op een bestand, of typ het volledige pad en druk Enter).
2. Controleer de kolommen: elke kolom toont het veld waarin ze terechtkomt en een voorbeeld.
   Klopt een koppeling niet, druk Enter op die kolom en kies het juiste veld.
3. Lees de samenvatting: hoeveel leerlingen nieuw zijn, bijgewerkt worden of ongewijzigd blijven,
   en welke rijen overgeslagen worden en waarom.
4. **Importeren** (ctrl+r) bewaart alles in één keer. Annuleren tijdens het importeren laat
   de databank zoals ze was.

Een nieuwe import werkt bestaande leerlingen bij in plaats van ze te verdubbelen.
"""
    DEFAULT_CSS = """
    ImportScreen #steps { height: 1fr; }
    ImportScreen #left { width: 1fr; padding: 0 1; }
    ImportScreen #right { width: 1fr; padding: 0 1; }
    ImportScreen #files { height: 1fr; }
    ImportScreen #columns { height: 1fr; }
    ImportScreen #summary { height: auto; }
    ImportScreen #summary-box { height: 1fr; border: round $primary; }
    ImportScreen #options { height: 1; }
    ImportScreen #options Input { width: 12; }
    ImportScreen #markeer { margin-bottom: 1; }
    ImportScreen #run { height: 1; padding: 0 1; }
    ImportScreen #run Button { margin: 0 1; }
    ImportScreen ProgressBar { width: 1fr; }
    ImportScreen .step { text-style: bold; }
    """

    def __init__(self, registry: Registry, folder: Path | None = None) -> None:
        super().__init__()
        self.registry = registry
        self.folder = folder or start_folder()
        self.file: Path | None = None
        self.csv: importers.CsvFile | None = None
        self.overrides: dict[str, str] = {}
        self.mapping: importers.ColumnMapping | None = None
        self.plan: importers.ImportPlan | None = None
        self.cancel_event = threading.Event()
        self.running = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="steps"):
            with Vertical(id="left"):
                yield Label("1. Bestand", classes="step")
                yield Input(str(self.folder), id="path", placeholder="map of CSV-bestand")
                yield RecordTable([Column("Bestand"), Column("Gewijzigd", 16)], id="files",
                                  empty_text="Geen CSV-bestanden in deze map.")
                yield Label("2. Kolommen (Enter: ander veld kiezen)", classes="step")
                yield RecordTable([Column("Kolom"), Column("Veld", 20), Column("Voorbeeld")], id="columns",
                                  empty_text="Kies eerst een bestand.")
            with Vertical(id="right"):
                yield Label("3. Wat er gebeurt", classes="step")
                with Horizontal(id="options"):
                    yield Label("Schooljaar: ")
                    yield Input(school_year_of(date.today()), id="schooljaar", compact=True)
                yield Checkbox("leerlingen die niet in het bestand staan: vertrokken markeren", id="markeer",
                               compact=True)
                with VerticalScroll(id="summary-box"):
                    yield Static("Nog geen bestand gekozen.", id="summary", markup=False)
        with Horizontal(id="run"):
            yield Button("Importeren (ctrl+r)", id="start", variant="primary", disabled=True, compact=True)
            yield ProgressBar(total=1, id="progress", show_eta=False)
            yield Button("Annuleren", id="cancel", disabled=True, compact=True)
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        self.list_folder(self.folder)
        files = self.query_one("#files", RecordTable)
        (files if files.row_count else self.query_one("#path", Input)).focus()

    # -- step 1: the file -------------------------------------------------------------------
    def list_folder(self, folder: Path) -> None:
        try:
            files = sorted((p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".txt") and p.is_file()),
                           key=lambda p: p.stat().st_mtime, reverse=True)
        except OSError as exc:
            self.notify(f"Kan {folder} niet lezen: {exc.strerror or exc}", severity="error", markup=False)
            return
        self.folder = folder
        rows = [Row(str(p), (p.name, format_datetime(_mtime(p))), sort=(p.name.casefold(), p.stat().st_mtime))
                for p in files]
        self.query_one("#files", RecordTable).set_rows(rows)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "path":
            path = Path(event.value.strip().strip('"')).expanduser()
            if path.is_dir():
                self.list_folder(path)
            elif path.is_file():
                self.read_file(path)
            else:
                self.notify(f"{path} bestaat niet.", severity="error", markup=False)
        elif event.input.id == "schooljaar":
            self.replan()

    def on_checkbox_changed(self) -> None:
        self.replan()

    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        if event.table.id == "files":
            self.read_file(Path(event.key))
        elif event.table.id == "columns" and self.csv is not None:
            header = self.csv.headers[event.key]
            self.app.push_screen(FieldPicker(header), lambda field: self.assign(event.key, field))

    @work(thread=True, exclusive=True, group="plan")
    def read_file(self, path: Path) -> None:
        self.app.call_from_thread(self._status, f"{path.name} wordt gelezen ...")
        try:
            csv_file = importers.read_csv(path)
        except OuderTuiError as exc:
            self.app.call_from_thread(self._status, error_text(exc))
            return
        self.file, self.csv, self.overrides = path, csv_file, {}
        self.app.call_from_thread(self.replan)

    # -- step 2: the columns ---------------------------------------------------------------
    def assign(self, column: int, field: str | None) -> None:
        if field is None or self.mapping is None:
            return
        for key, index in self.mapping.columns.items():  # the column's old field is no longer fed by it
            if index == column:
                self.overrides[key] = ""
        if field:
            self.overrides[field] = f"#{column + 1}"
        self.replan()

    def _show_columns(self) -> None:
        assert self.csv is not None and self.mapping is not None
        by_column = {index: key for key, index in self.mapping.columns.items()}
        first = self.csv.rows[0][1] if self.csv.rows else []
        rows = []
        for index, header in enumerate(self.csv.headers):
            if not header.strip():
                continue
            example = first[index] if index < len(first) else ""
            if header in self.mapping.dropped:  # e.g. national register numbers: never shown, never read
                example = "(wordt niet ingelezen)"
            rows.append(Row(index, (header, by_column.get(index, "(niet gebruikt)"), example)))
        self.query_one("#columns", RecordTable).set_rows(rows)

    # -- step 3: the plan -------------------------------------------------------------------
    def replan(self) -> None:
        if self.csv is None:
            return
        try:
            year = parse_school_year(self.query_one("#schooljaar", Input).value)
            self.mapping = importers.detect_mapping(self.csv.headers, self.overrides)
        except (ValueError, OuderTuiError) as exc:
            self._status(error_text(exc) if isinstance(exc, OuderTuiError) else str(exc))
            return
        self._show_columns()
        self.make_plan(year, self.query_one("#markeer", Checkbox).value)

    @work(thread=True, exclusive=True, group="plan")
    def make_plan(self, year: str, mark_left: bool) -> None:
        assert self.csv is not None and self.mapping is not None
        self.app.call_from_thread(self._status, "De rijen worden nagekeken ...")
        try:
            plan = importers.plan_import(self.registry, self.csv, self.mapping, schooljaar=year,
                                         vandaag=date.today(), markeer_vertrokken=mark_left)
        except OuderTuiError as exc:
            self.app.call_from_thread(self._status, error_text(exc))
            return
        self.app.call_from_thread(self._planned, plan)

    def _planned(self, plan: importers.ImportPlan) -> None:
        self.plan = plan
        name = self.file.name if self.file else ""
        self._status(f"{name}\n\n{plan.summary(limit=200)}")
        self.query_one("#start", Button).disabled = plan.changes == 0

    def _status(self, text: str) -> None:
        self.query_one("#summary", Static).update(text)
        if self.plan is None:
            self.query_one("#start", Button).disabled = True

    # -- running --------------------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.action_run_import()
        elif event.button.id == "cancel":
            self.cancel_event.set()

    def action_run_import(self) -> None:
        if self.plan is None or self.running or self.plan.changes == 0:
            return
        self.running = True
        self.cancel_event.clear()
        self.query_one("#start", Button).disabled = True
        self.query_one("#cancel", Button).disabled = False
        self.run_import(self.plan)

    @work(thread=True, exclusive=True, group="import")
    def run_import(self, plan: importers.ImportPlan) -> None:
        bar = self.query_one("#progress", ProgressBar)

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=max(total, 1), progress=done)

        try:
            result = importers.apply_import(self.registry, plan, progress=progress,
                                            cancelled=self.cancel_event.is_set,
                                            bestand=self.file.name if self.file else "")
        except OuderTuiError as exc:
            self.app.call_from_thread(self._finished, None, error_text(exc))
            return
        self.app.call_from_thread(self._finished, result, "")

    def _finished(self, result: importers.ImportResult | None, error: str) -> None:
        self.running = False
        self.query_one("#cancel", Button).disabled = True
        if result is None:  # cancelled or failed: nothing was saved, the preview still holds
            self.query_one("#progress", ProgressBar).update(progress=0)
            self.query_one("#start", Button).disabled = False
            self._status(f"{error}\n\n{self.plan.summary(limit=200) if self.plan else ''}")
            self.notify(error, severity="warning", markup=False)
            return
        self.notify(f"Import bewaard: {result.new} nieuw, {result.updated} bijgewerkt, "
                    f"{result.skipped} overgeslagen.", markup=False, timeout=8)
        self.dismiss()

    def action_leave(self) -> None:
        if self.running:
            self.notify("Er loopt een import. Annuleer hem eerst.", severity="warning")
            return
        self.dismiss()


def _mtime(path: Path) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(path.stat().st_mtime).isoformat()
