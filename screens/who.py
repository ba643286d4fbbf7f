"""Who is working: at start, when switching user, and to unlock after being idle.

It is a full screen, not a dialog: while it shows, nothing of the data behind it
is visible, which is what a shared PC needs.

Recording the name is a save (it takes the database's lock), so it runs in a
worker like every form's save (:mod:`screens.saving`): while another window or PC
holds the database the screen says so, and who, and keeps answering; Enter again
or Esc does nothing until the name is recorded or refused.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ouder_tui.errors import StoreError, ValidationError
from ouder_tui.store import Store, validate_user
from screens.saving import SAVE_GROUP, SAVE_NOTICE_SECONDS, SAVE_POLL_SECONDS, lock_holder, waiting_text

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
(pijltje omlaag tot bij je naam, dan Enter) of typ een nieuwe naam en druk op Enter.

Na een tijd zonder gebruik komt dit scherm terug en verbergt het alle gegevens, zodat
niemand op een gedeelde pc meekijkt.
"""
    DEFAULT_CSS = """
    WhoScreen { align: center middle; background: $background; }
    WhoScreen > Vertical { width: 60; max-width: 95%; height: auto; border: thick $primary; padding: 1 2; background: $surface; }
    WhoScreen OptionList { height: auto; max-height: 10; margin: 1 0; }
    WhoScreen .title { text-style: bold; }
    WhoScreen #error { color: $error; height: auto; }
    WhoScreen #status { color: $warning; height: auto; display: none; }
    WhoScreen #status.-shown { display: block; }
    """

    def __init__(self, store: Store, *, reason: str = "start") -> None:
        super().__init__()
        self.store = store
        self.reason = reason
        self.known = store.known_users() if store.loaded else []
        #: A name typed before the database finished loading; applied once it has.
        self.pending: str | None = None
        #: When recording the chosen name started (``time.monotonic()``), while it runs.
        self._saving_since: float | None = None
        self._poll: Timer | None = None
        #: The name recorded while a dialog was on top; this screen closes with it once it is back.
        self._chosen: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_TITLES.get(self.reason, _TITLES["start"]), classes="title")
            yield Static("Kies je naam (pijltjes, dan Enter):", id="choose", markup=False)
            yield OptionList(id="names")
            yield Static("Of typ je naam:" if self.known else "Typ je naam:", id="type", markup=False)
            # No select-all on focus: the first letter typed on the list of names goes here and must stay.
            yield Input(placeholder="bv. Juf Sarah", id="new-name", max_length=60, select_on_focus=False)
            yield Static("" if self.store.loaded else "De databank wordt geopend ...", id="error", markup=False)
            yield Static("", id="status", markup=False)
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
            # Nobody is highlighted: Enter alone never signs in someone else (the previous person, say);
            # an arrow key picks a name first.
            names.highlighted = None
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

    def on_key(self, event: events.Key) -> None:
        """Typing on the list of names types a name: the keys go to the name field."""
        names = self.query_one("#names", OptionList)
        # (A fast typist's keys reach the list before the focus moved: every one of them, spaces too.)
        if self.focused is names and event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            field = self.query_one("#new-name", Input)
            field.focus()
            field.insert_text_at_cursor(event.character)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(self.known[int(event.option.id or 0)])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._choose(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.action_cancel()

    def action_cancel(self) -> None:
        if self.reason == "wissel" and self._saving_since is None:
            self.dismiss(None)

    def _choose(self, name: str) -> None:
        if not self.store.loaded:
            self.pending = name
            self.query_one("#error", Static).update("Even geduld: de databank wordt nog geopend ...")
            return
        if self._saving_since is not None:  # the name chosen first is still being recorded
            return
        try:
            validate_user(name)  # at once, without waiting for the database
        except ValidationError as exc:
            self.query_one("#error", Static).update(next(iter(exc.errors.values())))
            return
        self.query_one("#error", Static).update("")
        self._saving_since = time.monotonic()
        self.set_timer(SAVE_NOTICE_SECONDS, self._start_waiting_notice)
        app = self.app
        self.run_worker(lambda: self._record(app, name), thread=True, name="gebruiker bewaren", group=SAVE_GROUP)

    def _record(self, app, name: str) -> None:
        """The worker: record the name (a save: it waits for the database's lock)."""
        try:
            outcome: str | Exception = self.store.set_user(name)
        except (ValidationError, StoreError) as exc:
            outcome = exc
        if app.is_running:
            app.call_from_thread(self._recorded, outcome)

    def _start_waiting_notice(self) -> None:
        if self._saving_since is None:
            return
        self._show_waiting()
        self._poll = self.set_interval(SAVE_POLL_SECONDS, self._show_waiting)

    def _show_waiting(self) -> None:
        status = self.query_one("#status", Static)
        if self._saving_since is None:
            status.update("")
            status.remove_class("-shown")
            return
        status.update(waiting_text(lock_holder(self.store), time.monotonic() - self._saving_since))
        status.add_class("-shown")

    def _recorded(self, outcome: str | Exception) -> None:
        """Back on the interface thread: go on as the chosen user, or say why not."""
        if not self.is_attached:
            return
        self._saving_since = None
        if self._poll is not None:
            self._poll.stop()
            self._poll = None
        self._show_waiting()
        if isinstance(outcome, ValidationError):
            self.query_one("#error", Static).update(next(iter(outcome.errors.values())))
        elif isinstance(outcome, Exception):
            self.query_one("#error", Static).update(str(outcome))
        elif self.is_active:
            self.dismiss(outcome)
        else:  # a dialog came on top meanwhile (help): go on once this screen is back
            self._chosen = outcome

    def on_screen_resume(self) -> None:
        chosen, self._chosen = self._chosen, None
        if chosen is not None:
            self.dismiss(chosen)
