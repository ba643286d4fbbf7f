"""What every area screen shares: header, the bar of areas, help text and the too-small notice."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.containers import Container
from textual.screen import ModalScreen, Screen
from textual.widgets import Header, Static, Tab, Tabs

from screens.footer import Footer

MIN_WIDTH = 80
MIN_HEIGHT = 24


class AreaBar(Tabs):
    """The areas of the app as tabs: click one, or press its key.

    When the full labels with their keys (``F3 Leerlingen & gezinnen``) do not fit, the
    bar shows the short labels without keys; the keys stay in the help (F1).
    """

    DEFAULT_CSS = """
    AreaBar { height: 2; }
    """

    def __init__(self, active: str) -> None:
        from screens.areas import AREAS

        self.areas = AREAS
        super().__init__(*(Tab(self._label(a, full=True), id=a.mode) for a in AREAS), active=active)
        self.can_focus = False

    @staticmethod
    def _label(area, *, full: bool) -> str:
        return f"{area.key.upper()} {area.label}" if full else (area.short or area.label)

    def on_resize(self, event: events.Resize) -> None:
        full = sum(len(self._label(a, full=True)) + 2 for a in self.areas) <= event.size.width
        for area in self.areas:
            tab = self.query_one(f"#{area.mode}", Tab)
            label = self._label(area, full=full)
            if tab.label.plain != label:  # setting it lays the bar out again, also when nothing changed
                tab.label = label

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        if event.tab is not None and event.tab.id != self.app.current_mode:
            self.app.action_area(event.tab.id)  # type: ignore[attr-defined]


class TooSmallNotice(Static):
    """Covers the screen when the terminal is smaller than 80x24."""

    DEFAULT_CSS = """
    TooSmallNotice {
        layer: notice; display: none; width: 100%; height: 100%;
        background: $error-darken-3; color: $text; content-align: center middle; text-style: bold;
    }
    """

    def __init__(self) -> None:
        super().__init__(
            f"Het venster is te klein.\nMaak het minstens {MIN_WIDTH} tekens breed en {MIN_HEIGHT} regels hoog.",
            markup=False,
        )


class TooSmallScreen(ModalScreen[None]):
    """Over every screen while the terminal is smaller than 80x24: only ctrl+q and F1 work (the App
    swallows every other key), so nothing acts on a screen the user cannot see. It goes by itself
    once the window is large enough again."""

    DEFAULT_CSS = """
    TooSmallScreen { background: $background; }
    TooSmallScreen TooSmallNotice { display: block; }
    """

    def compose(self) -> ComposeResult:
        notice = TooSmallNotice()
        notice.update(f"Het venster is te klein.\nMaak het minstens {MIN_WIDTH} tekens breed en {MIN_HEIGHT} "
                      "regels hoog.\n\nF1: hulp · ctrl+q: stoppen")
        yield notice


class AreaScreen(Screen[None]):
    """The base screen of an area (a Textual mode).

    Subclasses set ``AREA`` (the mode name), ``HELP`` (Dutch, Markdown: what the
    screen is for) and implement :meth:`compose_body`.
    """

    AREA: ClassVar[str] = ""
    HELP: ClassVar[str] = ""
    DEFAULT_CSS = """
    AreaScreen { layers: base notice; }
    AreaScreen > #body { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        yield AreaBar(self.AREA)
        with Container(id="body"):
            yield from self.compose_body()
        yield Footer(show_command_palette=False, compact=True)
        yield TooSmallNotice()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_resize(self, event: events.Resize) -> None:
        self._check_size()

    def on_screen_resume(self) -> None:
        self._check_size()

    def _check_size(self) -> None:
        width, height = self.app.size
        self.query_one(TooSmallNotice).display = width < MIN_WIDTH or height < MIN_HEIGHT


class TabbedAreaScreen(AreaScreen):
    """An area whose lists sit in the tabs of a ``TabbedContent``; a tab's table has the id ``<tab>-table``.

    It fills its lists when mounted, when it comes back into view and once the data is loaded;
    the left and right arrows go to the previous and next list. Subclasses set ``TABS`` (tab id ->
    label), bind ``left``/``right`` to ``tab(-1)``/``tab(1)`` and implement :meth:`refill`.
    """

    TABS: ClassVar[dict[str, str]] = {}

    def refill(self) -> None:
        raise NotImplementedError

    def on_mount(self) -> None:
        self.refill()
        self._focus_table()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self.is_mounted:
            self.refill()

    def store_ready(self) -> None:
        self.refill()

    def tab_allowed(self) -> bool:
        """Whether the arrows may switch lists now (an area can have nothing to show yet)."""
        return True

    def action_tab(self, step: int) -> None:
        """Left and right arrows go to the previous or next list."""
        from textual.widgets import TabbedContent

        if not self.tab_allowed():
            return
        tabs = self.query_one(TabbedContent)
        order = list(self.TABS)
        tabs.active = order[(order.index(tabs.active) + step) % len(order)]
        self._focus_table()

    def _focus_table(self) -> None:
        from textual.widgets import TabbedContent

        tabs = self.query(TabbedContent)
        if tabs:
            table = self.query(f"#{tabs.first().active}-table")
            if table:
                table.first().focus()



class DetailScreen(Screen[None]):
    """A record opened on purpose. It shows the record again whenever it comes back into view, and
    closes itself once the record is gone (deleted here, or by someone else meanwhile).

    Closing goes through :meth:`close`, which does nothing when this screen is no longer on top:
    a delete and the reload that follows it may both try, and only the first may pop.
    """

    def reload(self) -> None:
        raise NotImplementedError

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def close(self) -> None:
        if self.is_attached and self.app.screen is self:
            self.app.pop_screen()

    def confirm_and_close(self, title: str, message: str, act: Callable[[], object], *, yes: str = "Verwijderen",
                          done: Callable[[object], str] | None = None) -> None:
        """Ask first; on yes do ``act``. When it works, say ``done(result)`` (if given) and close this view;
        when it fails (a conflict, already gone ...), say why in Dutch and stay."""
        from ouder_tui.errors import OuderTuiError
        from screens.dialogs import ConfirmDialog
        from screens.widgets import error_text

        def confirmed(answer: bool | None) -> None:
            if not answer:
                return
            try:
                result = act()
            except OuderTuiError as exc:
                self.notify(error_text(exc), severity="error", markup=False)
                return
            if done is not None:
                self.app.notify(done(result), markup=False)
            self.close()

        self.app.push_screen(ConfirmDialog(title, message, yes=yes), confirmed)
