"""The dashboard (*overzicht*): the first thing a user sees."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ouder_tui.leerlingen import Registry


class OverzichtScreen(Screen[None]):
    """The school at a glance."""

    def __init__(self, registry: Registry) -> None:
        super().__init__()
        self.registry = registry

    def compose(self) -> ComposeResult:
        settings = self.registry.store.settings()
        yield Header()
        with VerticalScroll():
            yield Static(settings.get("school_naam") or "(school zonder naam)", id="school", markup=False)
            yield Static(f"{len(self.registry.leerlingen())} leerlingen, {len(self.registry.gezinnen())} gezinnen",
                         id="figures", markup=False)
        yield Footer()
