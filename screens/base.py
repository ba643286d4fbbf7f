"""What every area screen shares: header, the bar of areas, help text and the too-small notice."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import ComposeResult
from textual.containers import Container
from textual.geometry import Region
from textual.renderables.bar import Bar
from textual.screen import ModalScreen, Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Header, Static

from screens.footer import Footer

MIN_WIDTH = 80
MIN_HEIGHT = 24


class AreaBar(Widget):
    """The areas of the app as tabs: click one, or press its key.

    When the full labels with their keys (``F3 Leerlingen & gezinnen``) do not fit, the
    bar shows the short labels without keys; the keys stay in the help (F1).

    It looks and answers the mouse as Textual's ``Tabs`` (a label per area, the active one
    underlined, a label lit under the mouse), but is one widget drawing its two lines
    itself: a bar of ``Tabs`` is ten widgets (tabs, containers, underline), and every area
    screen has one, the dashboard's in the app's first frame.
    """

    COMPONENT_CLASSES = {"area-bar--tab", "area-bar--active", "area-bar--hover", "area-bar--underline"}
    # The colours of Textual's Tab and Underline, so the bar looks as a Tabs bar does.
    DEFAULT_CSS = """
    AreaBar {
        width: 100%;
        height: 2;
        & > .area-bar--tab { color: $foreground 50%; }
        & > .area-bar--active { color: $foreground; }
        & > .area-bar--hover { color: $foreground; }
        & > .area-bar--underline { color: $block-cursor-background; background: $foreground 10%; }
        &:ansi {
            & > .area-bar--tab { text-style: dim; }
            & > .area-bar--active { text-style: not dim bold; }
            & > .area-bar--underline { color: $block-cursor-background; background: $border-blurred; }
        }
    }
    """

    def __init__(self, active: str) -> None:
        from screens.areas import AREAS

        super().__init__()
        self.areas = AREAS
        self.active = active
        self.can_focus = False
        self._hover: int | None = None

    @staticmethod
    def _label(area, *, full: bool) -> str:
        return f"{area.key.upper()} {area.label}" if full else (area.short or area.label)

    def _spans(self) -> list[tuple[int, int, str]]:
        """Each area's tab: its first and last-plus-one column (a space of padding either side) and its label."""
        full = sum(cell_len(self._label(a, full=True)) + 2 for a in self.areas) <= self.size.width
        spans, x = [], 0
        for area in self.areas:
            label = self._label(area, full=full)
            width = cell_len(label) + 2
            spans.append((x, x + width, label))
            x += width
        return spans

    def on_resize(self, event: events.Resize) -> None:
        self.refresh()  # the labels follow the width (see _spans)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        background = Style(bgcolor=self.rich_style.bgcolor)
        spans = self._spans()
        if y == 0:
            segments = []
            for index, ((start, end, label), area) in enumerate(zip(spans, self.areas, strict=True)):
                part = ("area-bar--active" if area.mode == self.active
                        else "area-bar--hover" if index == self._hover else "area-bar--tab")
                style = background + self.get_component_rich_style(part)
                segments += [Segment(" ", background), Segment(label, style), Segment(" ", background)]
            used = spans[-1][1]
            if used < width:
                segments.append(Segment(" " * (width - used), background))
            return Strip(segments).crop(0, width)
        if y == 1:
            index = next(i for i, area in enumerate(self.areas) if area.mode == self.active)
            start, end, _ = spans[index]
            bar_style = self.get_component_rich_style("area-bar--underline")
            bar = Bar(highlight_range=(start + 1, end - 1), highlight_style=Style.from_color(bar_style.color),
                      background_style=Style.from_color(bar_style.bgcolor))
            console = self.app.console
            segments = Segment.apply_style(console.render(bar, console.options.update_width(width)), background)
            return Strip(segments).crop(0, width)
        return Strip.blank(width, background)

    def tab_region(self, mode: str) -> Region:
        """Where the tab of the area ``mode`` is, in the bar (its label with a space either side)."""
        index = next(i for i, area in enumerate(self.areas) if area.mode == mode)
        start, end, _ = self._spans()[index]
        return Region(start, 0, end - start, 1)

    def _area_at(self, x: int) -> int | None:
        return next((i for i, (start, end, _) in enumerate(self._spans()) if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hover = self._area_at(event.x) if event.y == 0 else None
        self.styles.pointer = "default" if self._area_at(event.x) is None else "pointer"
        if hover != self._hover:
            self._hover = hover
            self.refresh(Region(0, 0, self.size.width, 1))

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh(Region(0, 0, self.size.width, 1))

    def on_click(self, event: events.Click) -> None:
        """A click on a label or beneath it goes to that area (as the app's keys do)."""
        event.stop()
        index = self._area_at(event.x)
        if index is not None and self.areas[index].mode != self.app.current_mode:
            self.app.action_area(self.areas[index].mode)  # type: ignore[attr-defined]


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
