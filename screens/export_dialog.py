"""Export from the interface: choose the format and where the file goes; it is written whole or not at all.

From a database protected with a passphrase an export is sealed with that passphrase by
default (the file then ends in ``.versleuteld``; ``ouder-tui ontsleutel`` makes it readable
again); unticking the box writes it readable, for a file that must go to a printer or a parent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from ouder_tui.crypto import SEALED_SUFFIX
from ouder_tui.errors import OuderTuiError
from ouder_tui.exporters import safe_filename, write_export
from screens.widgets import error_text

FORMAT_LABELS = {
    "xlsx": "Excel (.xlsx)",
    "csv": "CSV (puntkomma's, voor andere programma's)",
    "json": "JSON",
    "ics": "agenda (.ics) voor Outlook of Google",
    "md": "Markdown",
    "html": "HTML om af te drukken",
}

#: ``produce(format, ticked options)`` returns the file's bytes.
Producer = Callable[[str, dict[str, bool]], bytes]


def export_folder() -> Path:
    """Where exports go by default: Documents, else Downloads, else the home folder."""
    for name in ("Documents", "Documenten", "Downloads"):
        folder = Path.home() / name
        if folder.is_dir():
            return folder
    return Path.home()


class ExportDialog(ModalScreen[Path | None]):
    """Returns the written file, or ``None``."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Annuleren")]
    HELP = """
# Exporteren

Kies het formaat en waar het bestand komt. Een bestand met dezelfde naam wordt vervangen.
Excel (.xlsx) opent meteen goed in Excel en LibreOffice: echte datums, telefoon- en
leerlingnummers met hun nullen vooraan. CSV is voor andere programma's. HTML kan je in de
browser afdrukken op A4.

Is de databank beveiligd met een wachtwoord, dan wordt de export standaard versleuteld met dat
wachtwoord (het bestand eindigt op .versleuteld). Leesbaar maken kan met
`ouder-tui ontsleutel BESTAND`. Vink 'Versleuteld bewaren' uit voor een bestand dat meteen naar
de printer of naar een ouder gaat, en ruim het daarna op.
"""
    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > Vertical { width: 80; max-width: 98%; height: auto; border: thick $primary; background: $surface; padding: 1 2; }
    ExportDialog .title { text-style: bold; }
    ExportDialog #error { color: $error; height: auto; }
    ExportDialog Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    ExportDialog Button { margin-left: 2; }
    """

    def __init__(self, title: str, base_name: str, formats: tuple[str, ...], produce: Producer,
                 options: dict[str, str] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.base_name = safe_filename(base_name)  # a class such as 1/2A makes no folder
        self.formats = tuple(sorted(formats, key=lambda f: f != "xlsx"))  # Excel first
        self.produce = produce
        self.options = options or {}

    @property
    def protected(self) -> bool:
        store = getattr(self.app, "store", None)
        return bool(store is not None and store.protected)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title", markup=False)
            yield Label("Formaat")
            yield Select([(Text(FORMAT_LABELS[f]), f) for f in self.formats], value=self.formats[0],
                         allow_blank=False, id="format")
            for key, label in self.options.items():
                yield Checkbox(label, id=f"option-{key}")
            if self.protected:
                yield Checkbox("Versleuteld bewaren met het wachtwoord van de databank (aangeraden)", True,
                               id="sealed")
            yield Label("Bestand")
            yield Input(str(self._path(self.formats[0])), id="path")
            yield Static("", id="error", markup=False)
            with Horizontal():
                yield Button("Annuleren", id="cancel")
                yield Button("Exporteren", id="export", variant="primary")

    def _path(self, fmt: str) -> Path:
        name = f"{self.base_name}-{date.today():%Y-%m-%d}.{fmt}"
        return export_folder() / (name + SEALED_SUFFIX if self.protected else name)

    def _sealed(self) -> bool:
        return bool(self.query("#sealed")) and self.query_one("#sealed", Checkbox).value

    def _set_path(self, fmt: str) -> None:
        """Keep the typed folder and name; put the format's extension (and .versleuteld) on it."""
        path = self.query_one("#path", Input)
        current = Path(path.value.removesuffix(SEALED_SUFFIX))
        shown = str(current.with_suffix(f".{fmt}"))
        path.value = shown + SEALED_SUFFIX if self._sealed() else shown

    def on_select_changed(self, event: Select.Changed) -> None:
        self._set_path(str(event.value))

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "sealed":
            self._set_path(str(self.query_one("#format", Select).value))

    def on_input_submitted(self) -> None:
        self._export()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export":
            self._export()
        else:
            self.dismiss(None)

    def _export(self) -> None:
        fmt = str(self.query_one("#format", Select).value)
        ticked = {key: self.query_one(f"#option-{key}", Checkbox).value for key in self.options}
        sealed = self._sealed()
        target = Path(self.query_one("#path", Input).value.strip().strip('"')).expanduser()
        if not target.name:
            self.query_one("#error", Static).update("Geef een bestandsnaam.")
            return
        typed = Path(str(target).removesuffix(SEALED_SUFFIX)).suffix.lstrip(".").lower()
        if typed in self.formats:  # a name typed as 'lijst.csv' is a CSV, whatever the list above still says
            fmt = typed
        try:
            payload = self.produce(fmt, ticked)
            write_export(self.app.store.file.seal_export(payload) if sealed else payload, target)  # type: ignore[attr-defined]
        except OuderTuiError as exc:
            self.query_one("#error", Static).update(error_text(exc))
            return
        self.notify(f"Bewaard{' (versleuteld)' if sealed else ''}: {target}", markup=False, timeout=8)
        self.dismiss(target)
