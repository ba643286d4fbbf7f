"""Modal dialogs shared by every area: help, confirmation and the save conflict."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Label, Markdown, Static

from ouder_tui.text import format_datetime


class HelpScreen(ModalScreen[None]):
    """F1: what the current screen is for and its keys, in Dutch."""

    BINDINGS = [Binding("escape,f1,q", "dismiss", "Sluiten")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 80%; max-width: 90; height: 85%; border: thick $primary; background: $surface; }
    HelpScreen Markdown { margin: 0 1; }
    """

    GENERAL = """
## Overal

| toets | wat |
|---|---|
| F1 | deze hulp |
{areas}
| ctrl+p | zoek een leerling, klas, ouder of telefoonnummer, of een opdracht |
| ctrl+u | van gebruiker wisselen (in een tekstveld: wissen tot het begin van de regel) |
| ctrl+l | het scherm nu vergrendelen |
| ctrl+q | stoppen |

Na een tijd zonder gebruik vergrendelt het scherm zich en verbergt het alle gegevens,
tot je opnieuw zegt wie je bent (en, bij een beveiligde databank, het wachtwoord typt).
"""

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.for_screen = screen

    def general(self) -> str:
        """The keys that work everywhere, with one line per area (the bar hides the keys when narrow)."""
        from screens.areas import AREAS

        areas = "\n".join(f"| {a.key.upper()} | naar {a.label} |" for a in AREAS)
        return self.GENERAL.replace("{areas}", areas)

    def compose(self) -> ComposeResult:
        text = getattr(self.for_screen, "HELP", "") or "Voor dit scherm is er geen aparte uitleg."
        from screens.dutch import binding_keys

        keys = []
        for binding in self.for_screen.BINDINGS:
            if isinstance(binding, Binding) and binding.description:
                keys.append(f"| {binding_keys(binding)} | {binding.description} |")
        table = "\n## Toetsen op dit scherm\n\n| toets | wat |\n|---|---|\n" + "\n".join(keys) if keys else ""
        with Vertical():
            with VerticalScroll():
                yield Markdown(text + table + "\n" + self.general())
            yield Button("Sluiten (Esc)", id="close", variant="primary")

    def on_button_pressed(self) -> None:
        self.dismiss()


class ConfirmDialog(ModalScreen[bool]):
    """Ask a yes/no question; the message is shown literally (it may contain names)."""

    BINDINGS = [Binding("escape", "answer(False)", "Nee"), Binding("j", "answer(True)", "Ja", show=False)]
    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > Vertical { width: 70; max-width: 95%; height: auto; border: thick $warning; background: $surface; padding: 1 2; }
    ConfirmDialog Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    ConfirmDialog Button { margin-left: 2; }
    """

    def __init__(self, title: str, message: str, *, yes: str = "Ja", no: str = "Nee") -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, markup=False, classes="title")
            yield Static(self.message, markup=False)
            with Horizontal():
                yield Button(self.no, id="no")
                yield Button(self.yes, id="yes", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ConflictDialog(ModalScreen[str]):
    """Someone else saved first: reload their version, overwrite it, or go back to the form.

    It lists only the fields this person changed, each with what they typed next to what the
    other person's version holds, so nobody copies back a field they never touched.
    Returns ``"herladen"``, ``"overschrijven"`` or ``"terug"``. In every case
    what the user typed stays available in the form.
    """

    BINDINGS = [Binding("escape", "choose('terug')", "Terug")]
    DEFAULT_CSS = """
    ConflictDialog { align: center middle; }
    ConflictDialog > Vertical { width: 76; max-width: 95%; height: auto; max-height: 100%; border: thick $error; background: $surface; padding: 0 1; }
    ConflictDialog VerticalScroll { height: auto; max-height: 14; }
    ConflictDialog DataTable { height: auto; max-height: 8; margin-top: 1; }
    ConflictDialog Horizontal { height: auto; margin-top: 1; }
    ConflictDialog Button { margin-right: 2; }
    """

    def __init__(self, changed_by: str, changed_at: str, rows: list[tuple[str, str, str]] | None = None) -> None:
        super().__init__()
        self.changed_by = changed_by
        self.changed_at = changed_at
        #: (field label, what this person typed, what the other version holds), for the changed fields only.
        self.rows = rows or []

    def compose(self) -> ComposeResult:
        from rich.text import Text
        from textual.widgets import DataTable

        with Vertical():
            yield Label("Iemand anders was sneller", classes="title")
            with VerticalScroll():
                yield Static(
                    f"{self.changed_by} heeft dit bewaard op {format_datetime(self.changed_at)}, nadat jij het "
                    "opende." + ("" if self.rows else " Jij hebt geen velden veranderd.") + "\n"
                    "Herladen toont hun versie; wat jij veranderde blijft eronder staan om over te nemen. "
                    "Overschrijven bewaart jouw versie en vervangt de hunne.",
                    markup=False,
                )
                if self.rows:
                    table: DataTable = DataTable(id="changes", cursor_type="row", zebra_stripes=True)
                    table.add_columns(Text("Veld"), Text("Jij typte"), Text(f"{self.changed_by} bewaarde"[:30]))
                    for label, mine, theirs in self.rows:
                        table.add_row(Text(label), Text(mine), Text(theirs))
                    yield table
            with Horizontal():
                yield Button("Herladen", id="herladen", variant="primary")
                yield Button("Overschrijven", id="overschrijven", variant="error")
                yield Button("Terug", id="terug")

    def on_mount(self) -> None:
        self.query_one("#herladen", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "terug")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
