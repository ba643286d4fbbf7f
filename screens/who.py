"""Who is working: at start, when switching user, and to unlock after being idle.

It is a full screen, not a dialog: while it shows, nothing of the data behind it
is visible, which is what a shared PC needs.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ouder_tui.errors import StoreError, ValidationError
from ouder_tui.store import Store

_TITLES = {
    "start": "Welkom. Wie ben je?",
    "wissel": "Van gebruiker wisselen",
    "vergrendeld": "Vergrendeld. Wie ben je?",
}


class WhoScreen(Screen[str | None]):
    """Pick a name already used on this database, or type a new one."""

    BINDINGS = [Binding("escape", "cancel", "Annuleren", show=False)]
    HELP = """
# Wie ben je?

Elke wijziging in ouder-tui draagt de naam van wie ze maakte. Kies je naam uit de lijst
(pijltjes en Enter) of typ een nieuwe naam en druk op Enter.

Na een tijd zonder gebruik komt dit scherm terug en verbergt het alle gegevens, zodat
niemand op een gedeelde pc meekijkt.
"""
    DEFAULT_CSS = """
    WhoScreen { align: center middle; background: $background; }
    WhoScreen > Vertical { width: 60; max-width: 95%; height: auto; border: thick $primary; padding: 1 2; background: $surface; }
    WhoScreen OptionList { height: auto; max-height: 10; margin: 1 0; }
    WhoScreen .title { text-style: bold; }
    WhoScreen #error { color: $error; height: auto; }
    """

    def __init__(self, store: Store, *, reason: str = "start") -> None:
        super().__init__()
        self.store = store
        self.reason = reason
        self.known = store.known_users() if store.loaded else []
        #: A name typed before the database finished loading; applied once it has.
        self.pending: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_TITLES.get(self.reason, _TITLES["start"]), classes="title")
            yield Static("Kies je naam:", id="choose", markup=False)
            yield OptionList(id="names")
            yield Static("Of typ je naam:" if self.known else "Typ je naam:", id="type", markup=False)
            yield Input(placeholder="bv. Juf Sarah", id="new-name", max_length=60)
            yield Static("" if self.store.loaded else "De databank wordt geopend ...", id="error", markup=False)
            if self.reason == "wissel":
                yield Button("Annuleren", id="cancel")

    def on_mount(self) -> None:
        self._show_names()
        if not self.known:
            self.query_one("#new-name", Input).focus()

    def _show_names(self) -> None:
        names = self.query_one("#names", OptionList)
        names.clear_options()
        names.add_options(Option(Text(name), id=str(i)) for i, name in enumerate(self.known))
        names.display = self.query_one("#choose").display = bool(self.known)
        self.query_one("#type", Static).update("Of typ je naam:" if self.known else "Typ je naam:")
        if self.known:
            names.highlighted = self.known.index(self.store.user) if self.store.user in self.known else 0
            names.focus()

    def store_ready(self) -> None:
        """The database finished loading: offer its names, or apply the name already typed."""
        if not self.query("#error"):  # not composed yet: on_mount will show the names
            self.known = self.store.known_users()
            return
        self.query_one("#error", Static).update("")
        if self.pending is not None:
            self._choose(self.pending)
            return
        typing = self.query_one("#new-name", Input).value
        self.known = self.store.known_users()
        self._show_names()
        if typing:
            self.query_one("#new-name", Input).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(self.known[int(event.option.id or 0)])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._choose(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.action_cancel()

    def action_cancel(self) -> None:
        if self.reason == "wissel":
            self.dismiss(None)

    def _choose(self, name: str) -> None:
        if not self.store.loaded:
            self.pending = name
            self.query_one("#error", Static).update("Even geduld: de databank wordt nog geopend ...")
            return
        try:
            chosen = self.store.set_user(name)
        except ValidationError as exc:
            self.query_one("#error", Static).update(next(iter(exc.errors.values())))
            return
        except StoreError as exc:
            self.query_one("#error", Static).update(str(exc))
            return
        self.dismiss(chosen)
