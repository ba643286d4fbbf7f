"""The guidance card of a home visit (ctrl+g on the visit's forms and view): the attitude, and the six
mnemonics for a connecting conversation."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ouder_tui.startgesprek import ezelsbruggetjes


@cache
def _gids() -> dict:
    text = resources.files("ouder_tui_data").joinpath("huisbezoek/gids.json").read_text(encoding="utf-8")
    return json.loads(text)


def gids_lines() -> list[str]:
    """The card as plain lines."""
    gids = _gids()
    lines = [gids["doel"], "", "Houding"]
    lines += [f"- {line}" for line in gids["houding"]]
    lines += ["", "Zes ezelsbruggetjes"]
    for item in ezelsbruggetjes():
        lines += [f"{item['naam']} ({item['letters']})", f"  {item['uitleg']}"]
    return lines


class GidsScreen(ModalScreen[None]):
    """The guidance card over the form; Esc (or ctrl+g) closes it and the form is as it was."""

    BINDINGS = [Binding("escape", "dismiss", "Sluiten"), Binding("ctrl+g", "dismiss", "Sluiten", show=False)]
    DEFAULT_CSS = """
    GidsScreen { align: center middle; }
    GidsScreen > Vertical { width: 90; max-width: 100%; height: 100%; max-height: 40; border: thick $primary;
                            background: $surface; }
    GidsScreen .title { text-style: bold; padding: 0 1; }
    GidsScreen VerticalScroll { padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Op huisbezoek: de gids (Esc sluit)", classes="title")
            with VerticalScroll(id="gids"):
                yield Static("\n".join(gids_lines()), markup=False)

    def on_mount(self) -> None:
        self.query_one("#gids").focus()
