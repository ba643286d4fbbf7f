"""The command palette (ctrl+p): find any pupil, family, visit, talk or session, and the app's own commands.

Our own screen, not Textual's ``CommandPalette``: that one searches in a worker, passes every hit through
a queue, builds its list on timers and lays the screen out twice per key, about 30 ms a key whatever
the size of the school. The areas' searches themselves take a few milliseconds at 50,000 pupils, so
here the key's own handler searches and refills the list: the typed character and its hits are drawn in
one frame (as the pupil filter does, ``screens/leerlingen.py``). The look is Textual's palette: its
input, search icon and list widgets, and the same styles.

A hit's text goes into the list as plain text (``HitVisual``): a name like ``[bold]`` stays literal, and
so does the help line under it (our own fixed words anyway).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, ClassVar, cast

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import CommandInput, CommandList, SearchIcon
from textual.containers import Horizontal, Vertical
from textual.fuzzy import Matcher
from textual.geometry import Size
from textual.reactive import Reactive
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from ouder_tui.areas import palette_hits
from ouder_tui.text import fold

if TYPE_CHECKING:
    from textual.app import App
    from textual.css.styles import RulesMap

    from ouder_tui.app import OuderTuiApp

#: What the list shows when nothing is found: a line and a hint under it, drawn as a hit is.
NO_MATCHES, NO_MATCHES_HINT = "Niets gevonden.", "Probeer een deel van een naam, een klas of een telefoonnummer."
PLACEHOLDER = "Zoek een leerling, klas, ouder, telefoonnummer of opdracht…"
#: An app command found by its title scores this part of the fuzzy match, so that a record matching as
#: well as a command comes first (as the palette of Textual did it).
COMMAND_WEIGHT = 0.8


@dataclass(frozen=True)
class PaletteHit:
    """One line of the palette: ``title`` (may hold user text, drawn literally), ``help`` under it (our
    own words), ``score`` (highest first) and what Enter or a click runs."""

    title: str
    help: str
    score: float
    run: Callable[[], object]


def app_commands() -> list[tuple[str, str, str]]:
    """The app's commands as (title, action, help): shown when nothing is typed, found by their title."""
    from screens.areas import AREAS

    commands = [(f"Naar {a.label}", f"area('{a.mode}')", f"Toets {a.key.upper()}") for a in AREAS]
    commands += [
        ("Leerlingen importeren (CSV)", "import_leerlingen", "Uit Smartschool, Wisa of Informat"),
        ("Bereik van de gezinnen", "bereik", "Wie de school dit schooljaar bereikte, en wie nog niet"),
        ("Prullenbak", "prullenbak", "Verwijderde leerlingen en gezinnen terugzetten"),
        ("Instellingen", "instellingen", "Naam van de school, vergrendeltijd, bewaartermijn, wachtwoord"),
        ("Wachtwoord van de databank", "instellingen", "Beveiligen, wijzigen of uitzetten, in de instellingen"),
        ("Logboek", "logboek", "Wie wijzigde wat en wanneer"),
        ("Vragenbank", "vragenbank", "Vragen van het omgekeerd oudergesprek verbergen, wijzigen of verwijderen"),
        ("Bewaartermijn", "bewaartermijn", "Gegevens van lang vertrokken leerlingen wissen"),
        ("Gebruiker wisselen", "switch_user", "ctrl+u"),
        ("Scherm vergrendelen", "lock", "ctrl+l"),
        ("Help", "help", "F1"),
        ("Stoppen", "quit", "ctrl+q"),
    ]
    return commands


def find(app: OuderTuiApp, query: str) -> list[PaletteHit]:
    """What the palette shows for ``query``: nothing typed, the app's commands; else what every area finds
    (pupils by name, class, number, parent or phone; families by name, parent, phone or address; home
    visits, talks and sessions; ``ouder_tui/areas.py``) and the commands whose title matches, best first
    (among equal scores the areas' order, then the commands)."""
    if app.locked:
        return []
    query = query.strip()
    if not query:
        return [PaletteHit(title, help_text, 0.0, partial(app.run_action, action))
                for title, action, help_text in app_commands()]
    hits = [PaletteHit(hit.text, hit.help, hit.score, partial(getattr(app, f"open_{hit.target[0]}"), hit.target[1]))
            for hit in palette_hits(app.services, query)]
    matcher = Matcher(query)
    for title, action, help_text in app_commands():
        score = matcher.match(title)
        if score > 0:
            hits.append(PaletteHit(title, help_text, score * COMMAND_WEIGHT, partial(app.run_action, action)))
    hits.sort(key=lambda hit: -hit.score)
    return hits


def _marks(text: str, query: str) -> list[tuple[int, int]]:
    """Where ``text`` holds the query's words (the first occurrence of each), merged, in order."""
    folded = fold(text)
    if len(folded) != len(text):  # folding changed the length: positions would not match the text
        return []
    spans = sorted((at, at + len(word)) for word in fold(query).split() if (at := folded.find(word)) >= 0)
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


class HitVisual(Visual):
    """A hit as the list draws it: its title (the query's words underlined) and the help line below.

    Drawn straight into two strips, cropped with "…" when too wide: Textual's ``Content`` wraps and
    styles text in general and took ~0.25 ms a hit, half of the palette's time a key. The text goes into
    the strips as it is: nothing in it is read as markup.
    """

    def __init__(self, title: str, marks: list[tuple[int, int]], help_text: str, help_style: Style) -> None:
        self.title = title
        self.marks = marks
        self.help_text = help_text
        self.help_style = help_style

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max(cell_len(self.title), cell_len(self.help_text))

    def get_height(self, rules: RulesMap, width: int) -> int:
        return 2

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        base = style.rich_style
        marked = base + RichStyle(bold=True, underline=True)
        segments, at = [], 0
        for start, end in self.marks:
            segments += [Segment(self.title[at:start], base), Segment(self.title[start:end], marked)]
            at = end
        segments.append(Segment(self.title[at:], base))
        help_line = Strip([Segment(self.help_text, (style + self.help_style).rich_style)])
        return [_fit(Strip(segments), width, base), _fit(help_line, width, base)][:height]


def _fit(strip: Strip, width: int, style: RichStyle) -> Strip:
    """``strip`` exactly ``width`` cells wide: padded, or cropped with "…"."""
    if strip.cell_length > width:
        strip = Strip.join([strip.crop(0, max(width - 1, 0)), Strip([Segment("…", style)])])
    return strip.extend_cell_length(width, style)


class PaletteInput(CommandInput):
    """The palette's input. Textual's ``Input`` sets its virtual size (the text's width, for scrolling
    sideways) on every key, and for any widget that lays the whole screen out again: the list's scroll
    bar is then redrawn in a second frame. The input has a fixed size here, so a new virtual size needs
    only a repaint."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)


class Palette(ModalScreen[None]):
    """ctrl+p: type to find, ↑/↓ to choose, Enter (or a click) to open, Esc to close."""

    AUTO_FOCUS = "#palette-input"
    BINDINGS: ClassVar = [
        Binding("ctrl+end", "hits('last')", "Naar het laatste", show=False),
        Binding("ctrl+home", "hits('first')", "Naar het eerste", show=False),
        Binding("down", "hits('cursor_down')", "Volgende", show=False),
        Binding("escape", "close", "Zoeken sluiten"),
        Binding("pagedown", "hits('page_down')", "Volgende bladzijde", show=False),
        Binding("pageup", "hits('page_up')", "Vorige bladzijde", show=False),
        Binding("up", "hits('cursor_up')", "Vorige", show=False),
    ]
    HELP = """
# Zoeken

Typ een deel van een naam, een klas (5A), een telefoonnummer (in elke vorm: 0499 12 34 56,
+32499123456, een begin ervan), "gezin NAAM" of een opdracht. Enter opent wat je kiest.
"""
    COMPONENT_CLASSES: ClassVar = {"palette--help"}
    # Textual's palette, as its own styles draw it (they are scoped to its class, so repeated here). The
    # see-through background is in app.tcss: its rule for every Screen would win over one here.
    DEFAULT_CSS = """
    Palette {
        color: $foreground;
        align-horizontal: center;
    }
    Palette > .palette--help { color: transparent; text-style: dim not bold; }
    Palette > Vertical {
        margin-top: 3;
        height: 100%;
        visibility: hidden;
        background: $surface;
        &:dark { background: $panel-darken-1; }
    }
    Palette #palette-row {
        height: auto;
        visibility: visible;
        border: hkey black 50%;
    }
    Palette #palette-row.-with-hits { border-bottom: none; }
    /* A fixed height (what "auto" gives: a line and the blank edges): an input of auto height lays the
       screen out again on every key. */
    Palette #palette-input { height: 3; }
    Palette #palette-hits { height: auto; }
    Palette #palette-hits.-shown { visibility: visible; }
    """

    def __init__(self, placeholder: str = PLACEHOLDER) -> None:
        super().__init__()
        self.placeholder = placeholder
        #: What each line of the list runs, by its position.
        self.hits: list[PaletteHit] = []

    @staticmethod
    def is_open(app: App[object]) -> bool:
        """Whether the palette is the screen on top."""
        return isinstance(app.screen, Palette)

    @property
    def ouder_app(self) -> OuderTuiApp:
        return cast("OuderTuiApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical():
            with Horizontal(id="palette-row"):
                yield SearchIcon()
                yield PaletteInput(placeholder=self.placeholder, select_on_focus=False, id="palette-input")
            yield CommandList(id="palette-hits")

    def on_mount(self) -> None:
        self.search("")
        # The list follows the text while the key is handled (a watcher runs at once; Input.Changed would
        # come after the input was drawn): the character and its hits appear in one frame.
        self.watch(self.query_one("#palette-input", Input), "value", self.search, init=False)

    # -- searching -----------------------------------------------------------------------------------
    def search(self, query: str) -> None:
        """Fill the list with what ``query`` finds, the best hit highlighted."""
        self.hits = find(self.ouder_app, query)
        hit_list = self.query_one("#palette-hits", CommandList)
        help_style = Style.from_styles(self.get_component_styles("palette--help"))
        if self.hits:
            hit_list.set_options([Option(HitVisual(hit.title, _marks(hit.title, query), hit.help, help_style))
                                  for hit in self.hits])
            hit_list.highlighted = 0
        elif query.strip():
            hit_list.set_options([Option(HitVisual(NO_MATCHES, [], NO_MATCHES_HINT, help_style), disabled=True)])
        else:
            hit_list.clear_options()
        shown = hit_list.option_count > 0
        # Every option is two lines high: the list's height is set here (CSS caps it at 70% of the screen)
        # rather than left to "auto", which lays the screen out again for every key. Now that happens only
        # when the number of hits changes.
        hit_list.styles.height = 2 * hit_list.option_count + 2  # and the list's top and bottom edge
        hit_list.set_class(shown, "-shown")
        self.query_one("#palette-row").set_class(shown, "-with-hits")

    # -- choosing ------------------------------------------------------------------------------------
    def action_hits(self, action: str) -> None:
        """Move in the list (the input keeps the focus, so typing goes on)."""
        if self.hits:
            getattr(self.query_one("#palette-hits", CommandList), f"action_{action}")()

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        highlighted = self.query_one("#palette-hits", CommandList).highlighted
        if self.hits:
            self._run(highlighted or 0)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        """A click on a hit (Enter comes through the input)."""
        event.stop()
        if event.option_index < len(self.hits):
            self._run(event.option_index)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()

    def _run(self, index: int) -> None:
        hit = self.hits[index]
        self.hits = []  # a second Enter before the palette is gone runs nothing
        self.app.delay_update()  # the palette goes and what it opens comes in one frame
        self.dismiss()
        self.app.call_later(hit.run)

    def action_close(self) -> None:
        self.dismiss()

    def on_click(self, event: events.Click) -> None:
        """A click beside the palette closes it."""
        if self.get_widget_at(event.screen_x, event.screen_y)[0] is self:
            self.dismiss()
