"""Modal forms: a field per value with its Dutch error beside it, and the save-conflict flow.

A form never loses what was typed: a validation error leaves every field as it
is and shows the message under the field; a conflict with someone else's save
offers to reload (what the user typed stays visible below the form) or to
overwrite.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, SelectionList, Static, TextArea

from ouder_tui.errors import ConflictError, NotFoundError, OuderTuiError, ValidationError
from ouder_tui.text import parse_date
from screens.dialogs import ConflictDialog

T = TypeVar("T")


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
    return Field(name, "", Checkbox(label, value, id=f"input-{name.replace('.', '-')}"))


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
    FormScreen #typed { border: round $warning; padding: 0 1; height: auto; display: none; }
    FormScreen #typed.-shown { display: block; }
    FormScreen #buttons { height: 3; align-horizontal: right; padding: 0 1; }
    FormScreen #buttons Button { margin-left: 1; }
    FormScreen .row { height: auto; }
    FormScreen .row > Field { width: 1fr; margin-right: 1; }
    """

    def __init__(self, title: str | None = None) -> None:
        super().__init__()
        self.form_title = title or self.TITLE

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

    def field_for_error(self, key: str) -> str:
        """Map a model's error key to a field name (default: the same)."""
        return key

    # -- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.form_title, classes="form-title", markup=False)
            with VerticalScroll():
                yield from self.compose_fields()
                yield Static("", id="typed", markup=False)
            yield Static("", id="form-error", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Annuleren (Esc)", id="cancel")
                yield Button("Bewaren (ctrl+s)", id="save", variant="primary")

    def on_mount(self) -> None:
        first = next(iter(self.query(Field)), None)
        if first is not None:
            first.control.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.action_cancel()

    def field(self, name: str) -> Field:
        return self.query_one(f"#field-{name.replace('.', '-')}", Field)

    def values(self) -> dict[str, Any]:
        return {f.field_name: f.value for f in self.query(Field)}

    def set_values(self, values: dict[str, Any]) -> None:
        """Show ``values`` in the fields of those names (used after a reload)."""
        for name, value in values.items():
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

    def action_save(self, overwrite: bool = False) -> None:
        try:
            value = self.build()
            saved = self.store_value(value, overwrite=overwrite)
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        except ConflictError as exc:
            self.show_errors({})
            conflict = exc  # ``exc`` is unbound after the except block; the callback runs later
            self.app.push_screen(ConflictDialog(exc.changed_by, exc.changed_at),
                                 lambda choice: self._after_conflict(choice, conflict))
            return
        except (NotFoundError, OuderTuiError) as exc:
            self.show_errors({})
            self.query_one("#form-error", Static).update(str(exc))
            return
        self.dismiss(saved)

    def _after_conflict(self, choice: str | None, conflict: ConflictError) -> None:
        if choice == "overschrijven":
            self.action_save(overwrite=True)
        elif choice == "herladen":
            typed = self.values()
            self.fill(conflict.current)
            lines = ["Wat jij typte (neem over wat je wilt houden):"]
            for f in self.query(Field):
                mine = typed.get(f.field_name)
                if mine != f.value and f.label:
                    lines.append(f"{f.label}: {mine}")
            panel = self.query_one("#typed", Static)
            panel.update("\n".join(lines))
            panel.add_class("-shown")

    def action_cancel(self) -> None:
        self.dismiss(None)
