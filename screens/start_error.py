"""When the database cannot be opened at start: say why in Dutch and offer the newest good backup."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Label, Static

from ouder_tui.errors import CorruptDatabaseError, OuderTuiError
from ouder_tui.maintenance import UnprotectedRestoreError, restore_backup
from ouder_tui.store import Store


class StartErrorScreen(Screen[bool]):
    """Returns ``True`` to try opening again (after a restore), ``False`` to stop."""

    HELP = """
# De databank opent niet

ouder-tui raakt een bestand dat het niet kan lezen nooit aan. Is er een goede reservekopie,
dan kan je die hier terugzetten; de huidige inhoud blijft dan bewaard als aparte kopie
in de map met reservekopieën.
"""
    DEFAULT_CSS = """
    StartErrorScreen { align: center middle; }
    StartErrorScreen > Vertical { width: 90; max-width: 98%; height: auto; border: thick $error; padding: 1 2; background: $surface; }
    StartErrorScreen .title { text-style: bold; color: $error; }
    StartErrorScreen Horizontal { height: auto; margin-top: 1; }
    StartErrorScreen Button { margin-right: 2; }
    """

    def __init__(self, store: Store, error: OuderTuiError) -> None:
        super().__init__()
        self.store = store
        self.error = error
        self.backup = error.backup if isinstance(error, CorruptDatabaseError) else None
        #: The user confirmed that restoring an unprotected copy turns protection off.
        self.confirmed_unprotected = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("De databank kan niet geopend worden", classes="title")
            yield Static(str(self.error), id="message", markup=False)
            with Horizontal():
                if self.backup:
                    yield Button("Reservekopie terugzetten", id="restore", variant="warning")
                yield Button("Opnieuw proberen", id="retry")
                yield Button("Stoppen", id="stop", variant="error")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "stop":
            self.dismiss(False)
        elif event.button.id == "retry":
            self.dismiss(True)
        elif event.button.id == "restore" and self.backup:
            try:
                home = self.store.file  # only a file has backups to offer here
                assert home is not None
                kept = restore_backup(home.path, Path(self.backup), key=home.key,
                                      allow_unprotected=self.confirmed_unprotected, user=self.store.user)
            except UnprotectedRestoreError as exc:
                # asked once more: the database was protected and this copy is not
                self.confirmed_unprotected = True
                self.query_one("#message", Static).update(
                    f"{exc} Kies nog eens 'Toch terugzetten' als de beveiliging echt uit mag.")
                event.button.label = "Toch terugzetten"
                return
            except OuderTuiError as exc:
                self.query_one("#message", Static).update(str(exc))
                return
            self.notify(f"Reservekopie teruggezet. De vorige inhoud staat in {kept}.", markup=False, timeout=10)
            self.dismiss(True)
