"""The Textual application: the only module of the core that imports Textual.

Build it with :func:`make_app`, which receives an open store; nothing reads a
global. Each area of the app is a Textual mode; the dashboard (*overzicht*) is
the default.
"""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from ouder_tui import __version__
from ouder_tui.leerlingen import Registry
from ouder_tui.store import Store


class OuderTuiApp(App[None]):
    """ouder-tui in the terminal."""

    TITLE = "ouder-tui"
    CSS_PATH = "../screens/app.tcss"
    BINDINGS = [Binding("ctrl+q", "quit", "Stoppen", priority=True)]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.registry = Registry(store)
        self.sub_title = store.settings().get("school_naam", "")

        from screens.overzicht import OverzichtScreen

        self.add_mode("overzicht", lambda: OverzichtScreen(self.registry))

    def on_mount(self) -> None:
        self.switch_mode("overzicht")
        for warning in self.store.warnings:
            self.notify(warning, severity="warning", markup=False, timeout=10)


def make_app(store: Store) -> OuderTuiApp:
    """The app on an open store (tests pass one on a temporary file)."""
    return OuderTuiApp(store)


__all__ = ["OuderTuiApp", "make_app", "__version__"]
