"""The passphrase of a protected database: asked at start and to unlock, set in the settings.

The passphrase goes from the input straight into a :class:`~ouder_tui.crypto.Passphrase`
(which prints as ``***``) and the input is emptied at once; the key derivation runs in
a thread, so the screen keeps answering during its half second.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Checkbox, Input, Label, Static

from ouder_tui import crypto
from ouder_tui.errors import CorruptDatabaseError, OuderTuiError
from ouder_tui.store import FileCapability, Store
from screens.widgets import error_text

_TITLES = {
    "start": "Deze databank is beveiligd",
    "vergrendeld": "Vergrendeld",
}


def throttle_of(screen: Screen) -> crypto.Throttle:
    """The app's count of wrong passphrases in a row (shared by every screen that asks for one)."""
    throttle = getattr(screen.app, "passphrase_throttle", None)
    if throttle is None:
        throttle = screen.app.passphrase_throttle = crypto.Throttle()  # type: ignore[attr-defined]
    return throttle


def take_passphrase(field: Input) -> crypto.Passphrase:
    """The typed passphrase, wrapped; the field is emptied so it holds it no longer than needed."""
    passphrase = crypto.Passphrase(field.value)
    field.value = ""
    return passphrase


class PassphraseScreen(Screen[bool]):
    """Asks the passphrase of the database: at start (to open it) or to unlock the screen."""

    HELP = """
# Wachtwoord van de databank

De gegevens van deze school zijn versleuteld. Typ het wachtwoord en druk op Enter.

Na vijf foute pogingen na elkaar moet je even wachten voor je opnieuw kan proberen.

Wachtwoord vergeten? Vraag het aan wie het op school bewaart. Zonder het juiste wachtwoord
kan niemand de gegevens nog openen.
"""
    DEFAULT_CSS = """
    PassphraseScreen { align: center middle; background: $background; }
    PassphraseScreen > Vertical { width: 64; max-width: 95%; height: auto; border: thick $primary; padding: 1 2; background: $surface; }
    PassphraseScreen .title { text-style: bold; margin-bottom: 1; }
    PassphraseScreen #error { color: $error; height: auto; }
    PassphraseScreen #busy { color: $text-muted; height: auto; }
    """

    @property
    def _file(self) -> FileCapability:
        """The database file's passphrase operations (this screen only opens for a file)."""
        assert self.store.file is not None
        return self.store.file

    def __init__(self, store: Store, *, reason: str = "start") -> None:
        super().__init__()
        self.store = store
        self.reason = reason
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_TITLES.get(self.reason, _TITLES["start"]), classes="title")
            yield Static("Wachtwoord van de databank:", markup=False)
            yield Input(password=True, id="passphrase")
            yield Static("", id="error", markup=False)
            yield Static("", id="busy", markup=False)

    def on_mount(self) -> None:
        self.query_one("#passphrase", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.busy:
            return
        refusal = throttle_of(self).refusal()
        if refusal:
            event.input.value = ""
            self.query_one("#error", Static).update(refusal)
            return
        self.busy = True
        self.query_one("#busy", Static).update("Even controleren ...")
        self._check(take_passphrase(event.input))

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _check(self, passphrase: crypto.Passphrase) -> None:
        try:
            if self.reason == "start":
                self._file.unlock(passphrase)
                ok, message = True, ""
            else:
                ok = self._file.check_passphrase(passphrase)
                message = "" if ok else crypto.WRONG_PASSPHRASE
        except crypto.WrongPassphraseError as exc:
            ok, message = False, str(exc)
        except CorruptDatabaseError:
            ok, message = True, ""  # the passphrase is right but the file is damaged: the start shows the way out
        except OuderTuiError as exc:
            ok, message = False, error_text(exc)
        self.app.call_from_thread(self._checked, ok, message)

    def _checked(self, ok: bool, message: str) -> None:
        self.busy = False
        self.query_one("#busy", Static).update("")
        throttle = throttle_of(self)
        if ok:
            throttle.succeeded()
            self.dismiss(True)
            return
        throttle.failed()
        refusal = throttle.refusal()
        self.query_one("#error", Static).update(f"{message}\n{refusal}" if refusal else message)


class ServerLockScreen(PassphraseScreen):
    """The idle lock on a school server: the login's own password unlocks it (the server checks it)."""

    HELP = """
# Vergrendeld

Op de schoolserver werk je met je eigen login. Typ het wachtwoord van die login en druk op Enter.

Na vijf foute pogingen na elkaar moet je even wachten voor je opnieuw kan proberen. Niet jouw
login? Stop met ctrl+q en start ouder-tui opnieuw met je eigen login.
"""

    def __init__(self, store: Store) -> None:
        super().__init__(store, reason="vergrendeld")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_TITLES["vergrendeld"], classes="title")
            yield Static(f"Wachtwoord van je login {self.store.user}:", markup=False)
            yield Input(password=True, id="passphrase")
            yield Static("", id="error", markup=False)
            yield Static("", id="busy", markup=False)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _check(self, passphrase: crypto.Passphrase) -> None:
        server = self.store.server
        assert server is not None
        try:
            ok = server.check_password(passphrase.reveal().decode("utf-8"))
            message = "" if ok else "Dat wachtwoord klopt niet."
        except OuderTuiError as exc:  # the server is out of reach: the screen stays locked
            ok, message = False, error_text(exc)
        self.app.call_from_thread(self._checked, ok, message)


class WachtwoordDialog(ModalScreen["list[str] | None"]):
    """Protect the database with a passphrase, change it, or turn protection off.

    Returns the notes about backups that could not be rewritten (empty when all went well), or ``None``.
    """

    BINDINGS = [Binding("escape", "cancel", "Annuleren")]
    HELP = """
# Wachtwoord van de databank

Met een wachtwoord is de databank op de schijf onleesbaar zonder dat wachtwoord, net als haar
reservekopieën en de exports die je er voortaan van maakt. ouder-tui vraagt het bij de start en
om het scherm te ontgrendelen.

- **Beveiligen**: kies een wachtwoord van minstens 8 tekens; een korte zin is het makkelijkst.
- **Wijzigen**: typ het huidige en daarna twee keer het nieuwe.
- **Uitzetten**: typ het huidige; daarna is alles weer leesbaar zonder wachtwoord.

Wie het wachtwoord vergeet, verliest alle gegevens.
"""
    DEFAULT_CSS = """
    WachtwoordDialog { align: center middle; }
    WachtwoordDialog > Vertical { width: 76; max-width: 98%; height: auto; max-height: 100%; border: thick $warning; background: $surface; padding: 0 1; }
    WachtwoordDialog VerticalScroll { height: auto; max-height: 65vh; padding: 0 1; }
    WachtwoordDialog .title { text-style: bold; padding: 0 1; }
    WachtwoordDialog #warning { color: $warning; height: auto; margin: 1 0; }
    WachtwoordDialog .field-error { color: $error; height: auto; }
    WachtwoordDialog #error { color: $error; height: auto; padding: 0 1; }
    WachtwoordDialog Horizontal { height: auto; align-horizontal: right; }
    WachtwoordDialog Button { margin-left: 2; }
    """

    @property
    def _file(self) -> FileCapability:
        """The database file's passphrase operations (this dialog only opens for a file)."""
        assert self.store.file is not None
        return self.store.file

    def __init__(self, store: Store, mode: str) -> None:
        super().__init__()
        assert mode in ("aan", "wijzig", "uit")
        self.store = store
        self.mode = mode
        self.busy = False

    def compose(self) -> ComposeResult:
        titles = {"aan": "De databank beveiligen met een wachtwoord", "wijzig": "Het wachtwoord wijzigen",
                  "uit": "De beveiliging uitzetten"}
        with Vertical():
            yield Label(titles[self.mode], classes="title")
            with VerticalScroll():
                yield from self._fields()
            yield Static("", id="error", markup=False)
            with Horizontal():
                yield Button("Annuleren (Esc)", id="cancel")
                label = {"aan": "Beveiligen", "wijzig": "Wijzigen", "uit": "Uitzetten"}[self.mode]
                yield Button(label, id="confirm", variant="warning" if self.mode == "uit" else "primary")

    def _fields(self) -> ComposeResult:
        if self.mode == "aan":
            yield Static(crypto.LOST_PASSPHRASE_WARNING, id="warning", markup=False)
        elif self.mode == "uit":
            yield Static("Zonder wachtwoord kan iedereen die aan deze pc of dit bestand kan, de gegevens "
                         "lezen. De databank en haar reservekopieën worden weer leesbaar bewaard.",
                         id="warning", markup=False)
        if self.mode != "aan":
            yield Label("Huidig wachtwoord")
            yield Input(password=True, id="huidig")
            yield Static("", id="error-huidig", classes="field-error", markup=False)
        if self.mode != "uit":
            yield Label("Nieuw wachtwoord (minstens 8 tekens)")
            yield Input(password=True, id="nieuw")
            yield Static("", id="error-nieuw", classes="field-error", markup=False)
            yield Label("Herhaal het nieuwe wachtwoord")
            yield Input(password=True, id="herhaal")
            yield Static("", id="error-herhaal", classes="field-error", markup=False)
        if self.mode == "aan":
            yield Checkbox("Ik heb dit gelezen en begrepen", id="begrepen")
            yield Static("", id="error-begrepen", classes="field-error", markup=False)

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        index = inputs.index(event.input)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
        else:
            self._confirm()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "confirm":
            self._confirm()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    def _show(self, errors: dict[str, str], general: str = "") -> None:
        for widget in self.query(".field-error"):
            name = (widget.id or "").removeprefix("error-")
            widget.update(errors.get(name, ""))  # type: ignore[attr-defined]
        self.query_one("#error", Static).update(general)

    def _confirm(self) -> None:
        if self.busy:
            return
        errors: dict[str, str] = {}
        if self.mode != "uit":
            errors |= crypto.check_new_passphrase(self.query_one("#nieuw", Input).value,
                                                 self.query_one("#herhaal", Input).value)
        if self.mode != "aan" and not self.query_one("#huidig", Input).value:
            errors["huidig"] = "Typ het huidige wachtwoord."
        if self.mode == "aan" and not self.query_one("#begrepen", Checkbox).value:
            errors["begrepen"] = "Vink aan dat je dit begrijpt."
        refusal = throttle_of(self).refusal() if self.mode != "aan" else None
        if errors or refusal:
            self._show(errors, refusal or "")
            return
        current = take_passphrase(self.query_one("#huidig", Input)) if self.mode != "aan" else None
        new = None
        if self.mode != "uit":
            new = take_passphrase(self.query_one("#nieuw", Input))
            self.query_one("#herhaal", Input).value = ""
        self.busy = True
        self._show({}, "Even geduld: de databank en haar reservekopieën worden herschreven ...")
        self._apply(new, current)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _apply(self, new: crypto.Passphrase | None, current: crypto.Passphrase | None) -> None:
        try:
            notes = self._file.set_passphrase(new, current=current)
        except crypto.WrongPassphraseError as exc:
            self.app.call_from_thread(self._failed, {"huidig": str(exc)}, "", wrong=True)
        except OuderTuiError as exc:
            self.app.call_from_thread(self._failed, {}, error_text(exc), wrong=False)
        else:
            self.app.call_from_thread(self._done, notes)

    def _failed(self, errors: dict[str, str], general: str, *, wrong: bool) -> None:
        self.busy = False
        throttle = throttle_of(self)
        if wrong:
            throttle.failed()
            general = throttle.refusal() or general
        self._show(errors, general)

    def _done(self, notes: list[str]) -> None:
        throttle_of(self).succeeded()
        self.dismiss(notes)
