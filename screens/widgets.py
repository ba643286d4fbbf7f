"""Small widgets that several screens share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from ouder_tui.leerlingen import Gezin


class Card(Static):
    """A bordered block of plain lines with a title; user text in it is never markup."""

    DEFAULT_CSS = """
    Card { border: round $primary; border-title-style: bold; padding: 0 1; height: auto; margin-bottom: 1; }
    """

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.border_title = title

    def set_lines(self, lines: Iterable[str]) -> None:
        self.update("\n".join(lines))


class ModuleCards(Vertical):
    """The cards other areas add to a view (a family's plan and visits, a pupil's plan).

    Each card function takes the app and the subject (a family, a pupil) and
    returns a title and plain lines.
    """

    DEFAULT_CSS = """
    ModuleCards { height: auto; }
    """

    def __init__(self, cards: list[Callable[[Any, Any], tuple[str, list[str]]]]) -> None:
        super().__init__()
        self.cards = cards

    def compose(self) -> ComposeResult:
        for _ in self.cards:
            yield Card("")

    def show(self, app: Any, subject: Any) -> None:
        for card, widget in zip(self.cards, self.query(Card), strict=True):
            title, lines = card(app, subject)
            widget.border_title = title
            widget.set_lines(lines)


def reach_lines(gezin: Gezin) -> list[str]:
    """What a teacher looks at before calling: per parent channel, number, language, best moments."""
    lines = []
    for ouder in gezin.ouders:
        head = f"{ouder.relatie.capitalize()}: {ouder.naam}"
        if ouder.voorkeurkanaal:
            head += f"  (liefst {ouder.voorkeurkanaal})"
        lines.append(head)
        contact = [c for c in (ouder.telefoon, ouder.email) if c]
        lines.append("  " + ("  ·  ".join(contact) if contact else "geen telefoon of e-mail"))
        language = ", ".join(ouder.talen) or "taal onbekend"
        if ouder.tolk_nodig:
            language += f"  ·  tolk nodig ({ouder.tolk_taal or 'taal?'})"
        lines.append(f"  {language}")
        if ouder.beste_momenten:
            lines.append(f"  best bereikbaar: {ouder.beste_momenten}")
    return lines


def error_text(error: Exception) -> str:
    """A core error as a sentence for a notification: field messages without their field names."""
    from ouder_tui.errors import ValidationError

    if isinstance(error, ValidationError):
        return " ".join(error.errors.values())
    return str(error)


def change_and_refill(screen: Any, change: Callable[[], object]) -> None:
    """Carry out ``change`` from a list screen: a refusal of the core is said in Dutch, and the screen's lists
    are filled again either way (``screen.refill``), so they show what is stored."""
    from ouder_tui.errors import OuderTuiError

    try:
        change()
    except OuderTuiError as exc:
        screen.notify(error_text(exc), severity="error", markup=False)
    screen.refill()
