"""Modal forms: a field per value with its Dutch error beside it, and the save-conflict flow.

A form never loses what was typed: a validation error leaves every field as it
is and shows the message under the field; a conflict with someone else's save
offers to reload (what the user typed stays visible below the form) or to
overwrite.

Saving never freezes the screen. :meth:`FormScreen.store_value` runs in a thread of
its own (a thread worker waits for it), because a save waits for the database's lock
while another window or PC holds it (up to the store's lock timeout). While it runs:

- the fields are read-only (disabled), so what closes the form is exactly what was
  saved; the rest of the screen answers: Tab, scrolling, F1, the palette, other areas;
- after :data:`SAVE_NOTICE_SECONDS` a status line says that the form waits for the
  database, and who holds it when the store knows (polled every :data:`SAVE_POLL_SECONDS`);
- ctrl+s (or *Bewaren*) again does not start a second save, and Esc (or *Annuleren*)
  does not close the form: a save that waits for the lock cannot be called back, so
  closing would hide whether it landed. The status line says so. Once the save is
  done the form closes (saved) or stays with every field as typed (refused, conflict,
  timeout), and Esc works again.

The result comes back to the interface thread with ``call_from_thread``. When another
screen came on top in the meantime (switch user, idle lock, another area), the result
waits until the form is the active screen again.

Python's cycle collector is held from ctrl+s until the screen under the form has been drawn with what
was saved (:mod:`ouder_tui.collector`, :data:`COLLECT_AFTER_SECONDS` after the outcome is back): with a
large database one of its passes would otherwise fall into the save about every other time. A save that
waits for the lock lets it go when the waiting starts.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from datetime import date
from functools import partial
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import Reactive
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, SelectionList, Static, TextArea

from ouder_tui import collector
from ouder_tui.errors import ConflictError, LockTimeoutError, OuderTuiError, ValidationError
from ouder_tui.text import parse_date
from screens.dialogs import ConfirmDialog, ConflictDialog
from screens.footer import drop_closed_watchers
from screens.saving import SAVE_GROUP, SAVE_NOTICE_SECONDS, SAVE_POLL_SECONDS, lock_holder, waiting_text

T = TypeVar("T")

#: How long after a save's outcome is back the cycle collector runs again (see FormScreen._let_collector_go):
#: the list with the change is drawn and written well within it, even at 100,000 pupils.
COLLECT_AFTER_SECONDS = 0.2


class Field(Vertical):
    """A label, an input widget and the line for its error message."""

    DEFAULT_CSS = """
    Field { height: auto; margin-bottom: 0; }
    Field > .field-label { color: $text-muted; }
    Field > .field-error { color: $error; height: auto; display: none; }
    Field.-invalid > .field-error { display: block; }
    Field.-invalid > Input, Field.-invalid > TextArea { border: tall $error; }
    Field > TextArea { height: 5; }
    Field > SelectionList { height: auto; max-height: 6; }
    """

    def __init__(self, name: str, label: str, control: Widget) -> None:
        super().__init__(id=f"field-{name.replace('.', '-')}")
        self.field_name = name
        self.label = label
        self.control = control

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="field-label", markup=False)
        yield self.control
        yield Static("", classes="field-error", markup=False)

    def show_error(self, message: str | None) -> None:
        self.query_one(".field-error", Static).update(message or "")
        self.set_class(bool(message), "-invalid")

    @property
    def value(self) -> Any:
        control = self.control
        if isinstance(control, Input):
            return control.value
        if isinstance(control, TextArea):
            return control.text
        if isinstance(control, Checkbox):
            return control.value
        if isinstance(control, Select):
            return "" if control.value is Select.NULL else control.value
        if isinstance(control, SelectionList):
            return tuple(control.selected)
        raise TypeError(type(control))

    @value.setter
    def value(self, new: Any) -> None:
        control = self.control
        if isinstance(control, Input):
            control.value = "" if new is None else str(new)
        elif isinstance(control, TextArea):
            control.text = new or ""
        elif isinstance(control, Checkbox):
            control.value = bool(new)
        elif isinstance(control, Select):
            control.value = new if new else Select.NULL
        elif isinstance(control, SelectionList):
            control.deselect_all()
            for value in new or ():
                control.select(value)


def text_field(name: str, label: str, value: str = "", *, placeholder: str = "", max_length: int = 0) -> Field:
    """A one-line field. A placeholder is only ever an example that reads as one ("bv. ..."): a grey
    "14:30" looks like a value and is not saved; examples of times and dates belong in the label."""
    if placeholder and not placeholder.startswith("bv. "):
        raise ValueError(f"placeholder {placeholder!r} looks like a value; start it with 'bv. ' or use the label")
    return Field(name, label, Input(value=value, placeholder=placeholder, max_length=max_length,
                                    id=f"input-{name.replace('.', '-')}"))


def note_field(name: str, label: str, value: str = "") -> Field:
    return Field(name, label, TextArea(value, id=f"input-{name.replace('.', '-')}", soft_wrap=True))


def choice_field(name: str, label: str, options: list[tuple[str, str]], value: str = "", *,
                 allow_blank: bool = True) -> Field:
    """A Select whose option labels are shown literally."""
    select: Select[str] = Select(((Text(shown), key) for shown, key in options), allow_blank=allow_blank,
                                 value=value if value else Select.NULL, prompt="(kies)",
                                 id=f"input-{name.replace('.', '-')}")
    return Field(name, label, select)


def choices_field(name: str, label: str, options: list[tuple[str, str]], selected: tuple[str, ...] = ()) -> Field:
    """Tick several options (shown literally); the value is the tuple of chosen keys."""
    selection: SelectionList[str] = SelectionList(*((Text(shown), key, key in selected) for shown, key in options),
                                                  id=f"input-{name.replace('.', '-')}")
    return Field(name, label, selection)


def check_field(name: str, label: str, value: bool = False) -> Field:
    field = Field(name, "", Checkbox(label, value, id=f"input-{name.replace('.', '-')}"))
    field.add_class("check")  # as wide as its label in a row: a box whose words are cut reads wrong
    return field


def date_value(errors: dict[str, str], name: str, text: str, *, required: bool = False) -> date | None:
    """A typed date (dd/mm/jjjj), or ``None``; a problem goes into ``errors`` under ``name``."""
    if not text.strip():
        if required:
            errors[name] = "Vul de datum in (dd/mm/jjjj)."
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        errors[name] = str(exc)
        return None


def raise_with_model_errors(value: Checkable, errors: dict[str, str]) -> None:
    """Raise the form's own parse ``errors`` together with the model's, so every field shows its problem at once."""
    if errors:
        try:
            value.checked()
        except ValidationError as exc:
            errors = exc.errors | errors
        raise ValidationError(errors)


class Checkable(Protocol):
    def checked(self) -> Any: ...


class FormScreen(ModalScreen[T | None], Generic[T]):
    """Base of every form. Subclasses implement :meth:`compose_fields`, :meth:`build`,
    :meth:`store_value` and :meth:`fill`."""

    TITLE: ClassVar[str] = ""
    #: Textual's screens draw themselves whole whenever the focus moves (a full frame at every Tab and at
    #: ctrl+s, where the focus leaves the fields: 4-5 ms before the save could start at 50,000 pupils). What a
    #: move of the focus changes on a form is the look of the field it leaves and the one it enters, which
    #: Textual restyles and redraws anyway: the form itself is not drawn again for it.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    #: Details typed for an option: detail field -> (option field, the option values the detail belongs to,
    #: what saving says beside the detail when the option does not match). Typing a detail ticks its
    #: checkbox; details that still do not match their option stop the save: nothing typed is dropped.
    DETAILS: ClassVar[dict[str, tuple[str, tuple[Any, ...], str]]] = {}
    BINDINGS = [
        # Not a priority binding: the key then waits behind the keys typed before it, so a fast typist
        # (or a scanner) never saves a field before its last characters arrived.
        Binding("ctrl+s", "save", "Bewaren"),
        Binding("escape", "cancel", "Annuleren"),
    ]
    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > Vertical { width: 90; max-width: 100%; height: 100%; max-height: 44; border: thick $primary; background: $surface; }
    FormScreen .form-title { text-style: bold; padding: 0 1; width: 100%; }
    FormScreen VerticalScroll { padding: 0 1; }
    FormScreen #form-error { color: $error; padding: 0 1; height: auto; }
    FormScreen #form-status { color: $warning; text-style: bold; padding: 0 1; height: auto; display: none; }
    FormScreen #form-status.-shown { display: block; }
    FormScreen #typed { border: round $warning; padding: 0 1; height: auto; display: none; }
    FormScreen #typed.-shown { display: block; }
    FormScreen #buttons { height: 3; align-horizontal: right; padding: 0 1; }
    FormScreen #buttons Button { margin-left: 1; }
    FormScreen .row { height: auto; }
    FormScreen .row > Field { width: 1fr; margin-right: 1; }
    FormScreen .row > Field.check { width: auto; }
    FormScreen .row > Static { width: 1fr; height: 3; content-align: left middle; }
    FormScreen .row > Button { width: auto; }
    """

    def __init__(self, title: str | None = None) -> None:
        super().__init__()
        self.form_title = title or self.TITLE
        #: When the save under way started (``time.monotonic()``), or ``None``.
        self._save_started: float | None = None
        self._save_timers: list[Timer] = []
        #: The widgets made read-only for the save under way, and what had the focus.
        self._locked_widgets: list[Widget] = []
        self._focus_before: Widget | None = None
        self._focus_while_saving: Widget | None = None
        #: A line added under the waiting text (a second ctrl+s, Esc during the save).
        self._save_note = ""
        #: What the status line under the form shows ("": nothing, hidden).
        self._status_text = ""
        #: A save's outcome that arrived while another screen was on top (applied on resume).
        self._pending_outcome: Any = None
        #: Lets the cycle collector go again (held from ctrl+s until the save is seen; see the module).
        self._release_collector: Any = None

    # -- to implement -----------------------------------------------------------------
    def compose_fields(self) -> ComposeResult:
        yield from ()

    def build(self) -> T:
        """The value from the fields; raise ValidationError for values that do not parse."""
        raise NotImplementedError

    def store_value(self, value: T, *, overwrite: bool) -> T:
        """Save through the service; returns what was saved."""
        raise NotImplementedError

    def fill(self, record: dict) -> None:
        """After a reload: show ``record`` (the stored version) in the fields."""
        raise NotImplementedError

    def after_save(self, saved: T) -> None:
        """On the interface thread, after a successful save and before the form closes (e.g. warnings)."""

    def field_for_error(self, key: str) -> str:
        """Map a model's error key to a field name (default: the same)."""
        return key

    # -- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.form_title, classes="form-title", markup=False)
            with VerticalScroll(id="form-fields"):
                yield from self.compose_fields()
                yield Static("", id="typed", markup=False)
            yield Static("", id="form-error", markup=False)
            yield Static("", id="form-status", markup=False)
            with Horizontal(id="buttons"):
                # Bewaren first: Tab from the last field lands on it, never on what throws the form away.
                yield Button("Bewaren (ctrl+s)", id="save", variant="primary")
                yield Button("Annuleren (Esc)", id="cancel")

    def on_mount(self) -> None:
        first = next(iter(self.query(Field)), None)
        if first is not None:
            first.control.focus()
        self.call_after_refresh(self._remember_values)

    def on_unmount(self) -> None:
        # A note field (TextArea) watches the app's theme, and Textual keeps that watcher, and with it the
        # field, until the theme changes: let it go once the form is gone (see screens.footer).
        self.app.call_later(drop_closed_watchers, self.app, "theme")
        self._let_collector_go(later=False)  # closed with the app while saving

    def _remember_values(self) -> None:
        """What the form showed when it opened (the loaded values): the yardstick of unsaved changes."""
        self._opened_with = self.values()

    @property
    def has_unsaved_changes(self) -> bool:
        """Whether a field differs from what the form loaded: typing and erasing it again is no change.

        Esc, *Annuleren*, stopping, switching user or area and locking ask before throwing such a form away."""
        opened = getattr(self, "_opened_with", None)
        if getattr(self, "_discarded", False):
            return False
        if getattr(self, "_typed_aside", False):
            return True
        return opened is not None and self.is_attached and self.values() != opened

    def changed_fields(self) -> dict[str, Any]:
        """The fields this person changed since the form loaded, with what they typed."""
        opened = getattr(self, "_opened_with", None) or {}
        return {name: value for name, value in self.values().items() if opened.get(name) != value}

    @on(Input.Changed)
    def _detail_typed(self, event: Input.Changed) -> None:
        """Typing the details of an unticked checkbox option ticks it (``DETAILS``)."""
        name = next((f.field_name for f in self.query(Field) if f.control is event.input), None)
        if name not in self.DETAILS or not event.value.strip() or self.focused is not event.input:
            return
        option, _wanted, _message = self.DETAILS[name]
        control = self.field(option).control
        if isinstance(control, Checkbox) and not control.value:
            control.value = True

    def detail_errors(self) -> dict[str, str]:
        """Details typed for an option that is not chosen: the message per detail field."""
        names = {f.field_name for f in self.query(Field)}
        errors = {}
        for detail, (option, wanted, message) in self.DETAILS.items():
            if detail in names and option in names:
                typed = self.field(detail).value
                if isinstance(typed, str) and typed.strip() and self.field(option).value not in wanted:
                    errors[detail] = message
        return errors

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.action_cancel()

    def field(self, name: str) -> Field:
        return self.query_one(f"#field-{name.replace('.', '-')}", Field)

    def values(self) -> dict[str, Any]:
        """What the form holds: every field, plus what is chosen outside fields (:meth:`state_values`)."""
        return {**{f.field_name: f.value for f in self.query(Field)}, **self.state_values()}

    def state_values(self) -> dict[str, Any]:
        """Choices made outside the fields (a family picked in a dialog ...), keyed by their Dutch label:
        they count as changes like a field does."""
        return {}

    def set_values(self, values: dict[str, Any]) -> None:
        """Show ``values`` in the fields of those names (used after a reload)."""
        names = {f.field_name for f in self.query(Field)}
        for name, value in values.items():
            if name in names:
                self.field(name).value = value

    # -- saving --------------------------------------------------------------------------------
    def show_errors(self, errors: dict[str, str]) -> None:
        by_field: dict[str, str] = {}
        unplaced = []
        names = {f.field_name for f in self.query(Field)}
        for key, message in errors.items():
            name = self.field_for_error(key)
            if name in names:
                by_field.setdefault(name, message)
            else:
                unplaced.append(message)
        for f in self.query(Field):
            f.show_error(by_field.get(f.field_name))
        summary = "Controleer de velden in het rood." if by_field else ""
        self.query_one("#form-error", Static).update("\n".join([summary, *unplaced]).strip())
        if by_field:
            first = next(f for f in self.query(Field) if f.field_name in by_field)
            first.control.focus()

    @property
    def saving(self) -> bool:
        """Whether a save of this form is under way (in its worker)."""
        return self._save_started is not None

    def action_save(self, overwrite: bool = False) -> None:
        if self.saving:  # one save at a time: a second ctrl+s only says that the first still runs
            self._note("Bewaren loopt al; er komt geen tweede.")
            return
        details = self.detail_errors()
        try:
            value = self.build()
        except ValidationError as exc:
            self.show_errors(details | exc.errors)
            return
        except OuderTuiError as exc:
            self._show_failure(exc)
            return
        if details:
            self.show_errors(details)
            return
        self._begin_save(value, overwrite)

    def _begin_save(self, value: T, overwrite: bool) -> None:
        """Save ``value`` in a thread; the fields are read-only until the outcome is back."""
        self._save_started = time.monotonic()
        self._release_collector = collector.hold()  # (one save at a time: none is held here yet)
        # The save's own thread starts here, so the frame of the locked form is drawn while the file is written.
        # A Textual thread worker would start only after this handler and that frame (~4 ms at 50,000 pupils);
        # one waits for the save instead (the app knows by it that a save is under way, see screens.saving).
        # The fields are locked below before anything can come back (the outcome is a message).
        app = self.app
        done: Future[None] = Future()
        threading.Thread(target=self._save_in_thread, args=(app, value, overwrite, done),
                         name=f"bewaren: {self.form_title}").start()
        self.run_worker(done.result, thread=True, name=f"bewaren: {self.form_title}", group=SAVE_GROUP)
        self._focus_before = self.focused
        scroll = self.query_one("#form-fields", VerticalScroll)
        self._locked_widgets = [w for w in scroll.children if not w.disabled]
        if self.focused is not None and scroll in self.focused.ancestors:
            # Out of the fields first: a disabled field hands the focus on to the next one, and that one on,
            # restyling each (the form's scroll last, all its fields with it): ~20 ms at the pupil form.
            self.set_focus(None)
        for widget in self._locked_widgets:
            # Disabled without being restyled: no key, click or focus reaches them, but they keep their look
            # until the save turns out to wait (_start_waiting_notice greys them then). Restyling every field
            # cost ~15 ms before the save could start and ~20 ms of redrawing while it ran, at every save.
            widget.set_reactive(Widget.disabled, True)
        self._focus_while_saving = self.focused  # None when it was in a field (see _start_waiting_notice)
        self._save_timers = [self.set_timer(SAVE_NOTICE_SECONDS, self._start_waiting_notice)]

    def _save_in_thread(self, app: Any, value: T, overwrite: bool, done: Future[None]) -> None:
        """The save itself, in a thread of its own: its outcome (what was saved, or the Dutch error of the core) goes
        back to the interface; then the worker that waits for it (``done``) ends. Anything else is a bug: raised
        in that worker, which stops the app."""
        try:
            try:
                outcome: Any = _Saved(self.store_value(value, overwrite=overwrite))
            except OuderTuiError as exc:
                outcome = exc
            if app.is_running:  # after ctrl+q (refused while saving) or a crash there is nobody to tell
                app.call_from_thread(self._save_finished, outcome)
        except BaseException as exc:
            done.set_exception(exc)
        else:
            done.set_result(None)

    def _let_collector_go(self, *, later: bool) -> None:
        """End this form's hold on the cycle collector: now, or once what the save changed has been drawn and
        written to the terminal (:data:`COLLECT_AFTER_SECONDS`; Textual's writer thread needs Python to write a
        frame, and a pass of the collector right after the frame was made held it back by as long)."""
        release, self._release_collector = self._release_collector, None
        if release is None:
            return
        if later:
            collector.release_later(release, COLLECT_AFTER_SECONDS)
        else:
            release()

    def _start_waiting_notice(self) -> None:
        if not self.saving:
            return
        self._let_collector_go(later=False)  # a save that waits may wait for minutes
        for widget in self._locked_widgets:  # a save that waits shows its fields read-only (greyed)
            if widget.is_attached:
                widget.update_node_styles()
        if self.focused is None and self.focused is self._focus_while_saving:
            # The focus was in a field: a save that waits keeps the keys working (scrolling, Tab, Enter).
            # Not at once: focusing the form's scroll restyles every field twice (~15 ms each at the pupil
            # form), and a quick save closes the form before anyone could use those keys.
            scroll = self.query_one("#form-fields", VerticalScroll)
            self.set_focus(scroll if scroll.focusable else self.query_one("#save", Button))
            self._focus_while_saving = self.focused
        self._show_waiting()
        self._save_timers.append(self.set_interval(SAVE_POLL_SECONDS, self._show_waiting))

    def _show_waiting(self) -> None:
        if self._save_started is None:
            return
        holder = lock_holder(self.store_for_status())
        self._show_status(waiting_text(holder, time.monotonic() - self._save_started))

    def _note(self, text: str) -> None:
        """Say ``text`` under the waiting text until the save is done."""
        self._save_note = text
        if self._save_started is not None and time.monotonic() - self._save_started >= SAVE_NOTICE_SECONDS:
            self._show_waiting()
        else:
            self._show_status("Bewaren …")

    def store_for_status(self) -> Any:
        """The store whose lock a waiting save reports on (the app's; a form may have its own)."""
        return getattr(self.app, "store", None)

    def _show_status(self, text: str) -> None:
        if text and self._save_note:
            text = f"{text}\n{self._save_note}"
        if text == self._status_text:  # (updating a Static lays the form out again, even to the same text)
            return
        self._status_text = text
        status = self.query_one("#form-status", Static)
        status.update(text)
        status.set_class(bool(text), "-shown")

    def _save_finished(self, outcome: Any) -> None:
        """Back on the interface thread: unlock the fields, then close or show what went wrong."""
        # After what follows has been drawn: the closed form and the changed list, or the form's errors.
        self._let_collector_go(later=True)
        if not self.is_attached:  # the app closed the form meanwhile (the palette opened a class list)
            if not isinstance(outcome, _Saved) and not getattr(self.app, "locked", False):
                self.app.notify("Bewaren lukte niet, en het formulier werd intussen gesloten: wat je typte, "
                                "is niet bewaard.", severity="warning", markup=False, timeout=10)
            return
        for timer in self._save_timers:
            timer.stop()
        self._save_timers = []
        self._save_started = None
        self._save_note = ""
        self._show_status("")
        if isinstance(outcome, _Saved) and self.is_active:
            # Saved, and the form closes now: unlocking the fields and putting the focus back would only
            # restyle widgets that are about to go (~50 ms at the pupil form, before the list is seen).
            self._locked_widgets = []
            self._focus_before = self._focus_while_saving = None
            self._apply_outcome(outcome)
            return
        for widget in self._locked_widgets:
            widget.disabled = False
        self._locked_widgets = []
        focus, self._focus_before = self._focus_before, None
        if self.focused is self._focus_while_saving and focus is not None and focus.is_attached and focus.focusable:
            focus.focus()  # back where the user pressed ctrl+s, unless they moved on meanwhile
        self._focus_while_saving = None
        if self.is_active:
            self._apply_outcome(outcome)
            return
        # Another screen is on top (help, switch user, idle lock, another area): go on once the form is back.
        self._pending_outcome = outcome
        if not isinstance(outcome, _Saved) and not self.is_current and not getattr(self.app, "locked", False):
            self.app.notify("Bewaren lukte niet: het formulier staat nog open, met wat je typte.",
                            severity="warning", markup=False, timeout=10)

    def discard(self) -> None:
        """Throw this form away (the user said so): close it now, or as soon as it is on top again."""
        self._discarded = True
        if self.is_attached and self.app.screen is self:
            self.dismiss(None)

    def on_screen_resume(self) -> None:
        if getattr(self, "_discarded", False):
            if self.app.is_running and len(self.app.screen_stack) > 1:
                self.dismiss(None)
            return
        outcome, self._pending_outcome = self._pending_outcome, None
        if outcome is not None:
            self._apply_outcome(outcome)

    def _apply_outcome(self, outcome: Any) -> None:
        if isinstance(outcome, _Saved):
            self.after_save(outcome.value)
            self.dismiss(outcome.value)
        elif isinstance(outcome, ValidationError):
            self.show_errors(outcome.errors)
        elif isinstance(outcome, ConflictError):
            self.show_errors({})
            self.app.push_screen(ConflictDialog(outcome.changed_by, outcome.changed_at, self._conflict_rows(outcome)),
                                 lambda choice: self._after_conflict(choice, outcome))
        else:
            self._show_failure(outcome)

    def _show_failure(self, exc: OuderTuiError) -> None:
        self.show_errors({})
        message = str(exc)
        if isinstance(exc, LockTimeoutError):
            message += " Wat je typte, staat er nog: druk ctrl+s om opnieuw te bewaren."
        self.query_one("#form-error", Static).update(message)

    def _theirs(self, conflict: ConflictError) -> dict[str, Any]:
        """What the fields would show for the stored version, without changing the form (a peek)."""
        typed = self.values()
        kept = {k: v for k, v in vars(self).items() if not k.startswith("_")}
        self.fill(conflict.current)
        theirs = self.values()
        for key, value in kept.items():  # the record (and its revision) the form saves on stays the opened one
            setattr(self, key, value)
        self.set_values(typed)
        return theirs

    def _conflict_rows(self, conflict: ConflictError) -> list[tuple[str, str, str]]:
        """Per field this person changed: its label, what they typed, what the other person's version holds."""
        try:
            theirs = self._theirs(conflict)
        except Exception:  # noqa: BLE001 - a form that cannot show the stored version still shows the typed values
            theirs = {}
        labels = {f.field_name: f.label or str(getattr(f.control, "label", "")) or f.field_name
                  for f in self.query(Field)}
        return [(labels.get(name, name), _shown(value), _shown(theirs.get(name, "")))
                for name, value in self.changed_fields().items()]

    def _after_conflict(self, choice: str | None, conflict: ConflictError) -> None:
        if choice == "overschrijven":
            self.action_save(overwrite=True)
        elif choice == "herladen":
            mine = self.changed_fields()
            self.fill(conflict.current)
            self._remember_values()  # the stored version is the new yardstick for the fields ...
            self._typed_aside = bool(mine)  # ... and what was typed, now beside them, still counts as unsaved
            labels = {f.field_name: f.label or str(getattr(f.control, "label", "")) for f in self.query(Field)}
            lines = [f"Wat jij veranderde (neem over wat je wilt houden; {conflict.changed_by} heeft nu):"]
            for name, value in mine.items():
                current = self.field(name).value if self.query(f"#field-{name.replace('.', '-')}") else ""
                if current != value:
                    lines.append(f"{labels.get(name) or name}: jij {_shown(value)}  ·  "
                                 f"{conflict.changed_by} {_shown(current)}")
            panel = self.query_one("#typed", Static)
            panel.update("\n".join(lines))
            panel.add_class("-shown")

    def action_cancel(self) -> None:
        if self.saving:  # a save waiting for the lock cannot be called back: stay until it is done
            self._note("Sluiten kan pas als het bewaren klaar is.")
            return
        if self.has_unsaved_changes:  # nothing typed is lost without asking
            self.app.push_screen(discard_question(), self._after_cancel_question)
            return
        self.dismiss(None)

    def _after_cancel_question(self, throw_away: bool | None) -> None:
        if throw_away:
            self.dismiss(None)


def discard_question(what: str = "") -> ConfirmDialog:
    """The one question before typed work goes: "Wijzigingen niet bewaard. Weggooien?", Nee focused."""
    where = f" ({what})" if what else ""
    return ConfirmDialog("Wijzigingen niet bewaard. Weggooien?",
                         f"Wat je hier typte{where}, is nog niet bewaard. Druk Enter of Esc om verder te typen "
                         "(en ctrl+s om te bewaren); kies Weggooien om het te laten vallen.",
                         yes="Weggooien", no="Nee, verder typen")


def _shown(value: Any) -> str:
    """A field's value as a person reads it in the conflict overview."""
    if value is True:
        return "ja"
    if value is False:
        return "nee"
    if value in ("", None, ()):
        return "(leeg)"
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value).replace("\n", " / ")


class _Saved:
    """The outcome of a save that went through: what was saved."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value
