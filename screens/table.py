"""A table that draws only the rows on screen, for lists of thousands of records.

Textual's ``DataTable`` measures every cell when it is filled: about 2.5 s for
10,000 rows and 0.7 s per refill, too slow to filter as you type. ``RecordTable``
keeps its rows as plain tuples and renders the visible lines with the line API,
so a refill costs what sorting the rows costs. Cells are drawn as plain text,
never parsed as markup.

A long list can also be given its records themselves (``set_items``) with a function that makes a
record's row: a row is then made only when its line is drawn, so 50,000 pupils cost the list of
them, not 50,000 rows of strings kept in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ouder_tui.sequences import Chunked
from ouder_tui.text import clean_text, fold


@dataclass(frozen=True)
class Column:
    """A column: its header and width in cells (``None`` shares the space left)."""

    label: str
    width: int | None = None
    min_width: int = 6


@dataclass(frozen=True)
class Row:
    """One line of the table: the record's key, its cells and optional sort values."""

    key: Any
    cells: tuple[str, ...]
    sort: tuple[Any, ...] | None = None

    def sort_value(self, column: int) -> Any:
        if self.sort is not None:
            return self.sort[column]
        return fold(self.cells[column])


def _same(row: Any) -> Any:
    return row


_row_key = attrgetter("key")

#: How many rows on either side of where a row probably is are looked at before all of them (see _index_of).
_NEAR = 64
#: How many drawn lines a table keeps (a few screens' worth; see RecordTable._drawn).
DRAWN_KEPT = 512


class _MadeRows(Sequence[Row]):
    """The table's rows in their order, each made when asked for (what ``RecordTable.rows`` gives)."""

    def __init__(self, items: list[Any], make: Callable[[Any], Row]) -> None:
        self._items = items
        self._make = make

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self._make(item) for item in self._items[index]]
        return self._make(self._items[index])

    def __iter__(self) -> Iterator[Row]:
        return map(self._make, self._items)


class RecordTable(ScrollView, can_focus=True):
    """A keyboard-first list of records with a header, a cursor and sorting."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Omhoog", show=False),
        Binding("down", "cursor(1)", "Omlaag", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "edge(0)", show=False),
        Binding("end", "edge(1)", show=False),
        Binding("enter", "select", "Openen"),
        Binding("s", "next_sort", "Sorteren", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "record-table--header",
        "record-table--cursor",
        "record-table--odd",
        "record-table--empty",
    }

    DEFAULT_CSS = """
    RecordTable {
        height: 1fr;
        overflow-x: hidden;
        background: $surface;
    }
    RecordTable > .record-table--header { text-style: bold; background: $panel; color: $text; }
    RecordTable > .record-table--cursor { background: $block-cursor-blurred-background; }
    RecordTable:focus > .record-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    RecordTable > .record-table--odd { background: $surface-lighten-1; }
    RecordTable > .record-table--empty { color: $text-muted; text-style: italic; }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    class _RowMessage(Message):
        def __init__(self, table: RecordTable, key: Any) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> RecordTable:
            return self.table

    class Selected(_RowMessage):
        """The user opened a row (enter or double click)."""

    class Highlighted(_RowMessage):
        """The cursor moved to another row."""

    def __init__(self, columns: Sequence[Column], *, empty_text: str = "Niets gevonden.",
                 name: str | None = None, id: str | None = None, classes: str | None = None,
                 enter_label: str | None = "Openen", enter_shown: bool = True) -> None:
        super().__init__(name=name, id=id, classes=classes)
        #: What Enter does on a row, as the footer says it; ``None``: Enter does nothing here (not shown).
        self.enter_label = enter_label
        if enter_label and (enter_label != "Openen" or not enter_shown):
            self._bindings.key_to_bindings["enter"] = [Binding("enter", "select", enter_label, show=enter_shown)]
        self.columns = list(columns)
        self.empty_text = empty_text
        self._source: Sequence[Any] = []
        self._rows: Sequence[Any] = []  # the items (rows or records) in the order shown
        self._make: Callable[[Any], Row] = _same
        self._key: Callable[[Any], Any] = _row_key
        self._sort_value: Callable[[Any, int], Any] | None = None
        self.sort_column: int | None = None
        self.sort_reverse = False
        #: The styles a line is drawn in, worked out once per style change (not per line drawn).
        self._line_styles: dict[str, Style] | None = None
        self._widths_for: tuple[int, list[int]] | None = None
        #: Lines drawn lately, by their cells, style and width: after a save or a typed letter most rows in view
        #: are the same text, and making a line is most of drawing it (~1 ms of a full list at 120x40).
        self._drawn: dict[tuple[tuple[str, ...], Style, int], Strip] = {}

    # -- data --------------------------------------------------------------------------
    @property
    def rows(self) -> Sequence[Row]:
        """The rows as shown, in their current order (made when asked for, for records given with ``set_items``)."""
        if self._make is _same:
            return self._rows
        return _MadeRows(self._rows, self._make)

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def current_key(self) -> Any:
        """The key of the row under the cursor, or ``None`` for an empty table."""
        return self._key(self._rows[self.cursor]) if self._rows else None

    def set_rows(self, rows: Sequence[Row], *, keep_key: Any = None) -> None:
        """Replace the rows; the cursor stays on ``keep_key`` (or the current row) if present."""
        self.set_items(rows, keep_key=keep_key)

    def set_items(self, items: Sequence[Any], *, row: Callable[[Any], Row] = _same,
                  key: Callable[[Any], Any] = _row_key, sort_value: Callable[[Any, int], Any] | None = None,
                  keep_key: Any = None) -> None:
        """Show ``items``, each as the row ``row(item)`` (made only when its line is drawn); ``key(item)`` is
        its key (cheap: it is asked of many items), ``sort_value(item, column)`` what a column sorts it by
        (by default the made row's). The cursor stays on ``keep_key`` (or the current row) if present."""
        wanted = keep_key if keep_key is not None else self.current_key
        self._make, self._key, self._sort_value = row, key, sort_value
        # what nobody can change is kept as it is (the registry's lists: 50,000 pupils are not copied per save)
        self._source = items if isinstance(items, (tuple, Chunked)) else list(items)
        self._show(wanted)

    def _show(self, wanted: Any) -> None:
        had_rows = bool(self._rows)
        self._rows = self._sorted(self._source)
        self.virtual_size = Size(self.size.width, len(self._rows) + 1)
        self.cursor = min(self._index_of(wanted, self.cursor) or 0, max(len(self._rows) - 1, 0))
        self.refresh()
        if self.is_mounted and had_rows != bool(self._rows):
            # Enter comes and goes with the rows (check_action); only then: the footer is made anew each time
            self.screen.refresh_bindings()

    def _index_of(self, key: Any, hint: int | None = None) -> int | None:
        """Where the row with ``key`` is shown (``None``: it is not); ``hint``: where it probably is (looked at
        first, then the rows around it: after a save the list is mostly the same, a renamed pupil mostly
        moves past a few namesakes, and 50,000 keys need not be read)."""
        rows, key_of = self._rows, self._key
        if key is None or not rows:
            return None
        if hint is not None and 0 <= hint < len(rows):
            if key_of(rows[hint]) == key:
                return hint
            for at in range(max(hint - _NEAR, 0), min(hint + _NEAR + 1, len(rows))):
                if key_of(rows[at]) == key:
                    return at
        try:
            return list(map(key_of, rows)).index(key)
        except ValueError:
            return None

    def move_to(self, key: Any) -> None:
        """Put the cursor on the row with ``key``, if the table shows it."""
        at = self._index_of(key, self.cursor)
        if at is not None and at != self.cursor:
            self.cursor = at

    def sort_by(self, column: int | None, reverse: bool = False) -> None:
        """Sort on a column (``None``: the order the rows came in)."""
        self.sort_column = column
        self.sort_reverse = reverse
        self._show(self.current_key)

    def _sorted(self, rows: Sequence[Any]) -> Sequence[Any]:
        if self.sort_column is None:
            return rows  # (neither list is ever changed in place)
        column = self.sort_column
        if self._sort_value is not None:
            value = self._sort_value
            return sorted(rows, key=lambda r: value(r, column), reverse=self.sort_reverse)
        make = self._make
        return sorted(rows, key=lambda r: make(r).sort_value(column), reverse=self.sort_reverse)

    # -- cursor and scrolling ---------------------------------------------------------
    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._rows) - 1)) if self._rows else 0

    def watch_cursor(self, old: int, new: int) -> None:
        visible = max(self.size.height - 1, 1)
        top = round(self.scroll_offset.y)
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif new >= top + visible:
            self.scroll_to(y=new - visible + 1, animate=False)
        self.refresh()
        if self._rows:
            self.post_message(self.Highlighted(self, self._key(self._rows[new])))

    def action_cursor(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(self.size.height - 2, 1)

    def action_edge(self, end: int) -> None:
        self.cursor = len(self._rows) - 1 if end else 0

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter is offered (and shown in the footer) only where it does something: on a row, in a list
        where a row opens or toggles."""
        if action == "select" and (self.enter_label is None or not self._rows):
            return False
        return True

    def action_select(self) -> None:
        if self._rows:
            self.post_message(self.Selected(self, self._key(self._rows[self.cursor])))

    def action_next_sort(self) -> None:
        """Cycle: each column ascending, then descending, then back to the first."""
        if self.sort_column is None:
            self.sort_by(0)
        elif not self.sort_reverse:
            self.sort_by(self.sort_column, True)
        else:
            self.sort_by((self.sort_column + 1) % len(self.columns))

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self._rows) + 1)

    async def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            column = self._column_at(event.x)
            if column is not None:
                same = column == self.sort_column
                self.sort_by(column, reverse=same and not self.sort_reverse)
            return
        index = round(self.scroll_offset.y) + event.y - 1
        if 0 <= index < len(self._rows):
            self.cursor = index
            if event.chain >= 2:
                self.action_select()

    # -- drawing ----------------------------------------------------------------------------
    @property
    def _width(self) -> int:
        """The width to draw in: without the vertical scrollbar, so the last column is never cut."""
        return max(self.scrollable_content_region.width, 1)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_styles = None
        self._drawn.clear()

    def _style(self, part: str) -> Style:
        """The style of a line: ``""`` plain, else the component ``record-table--{part}`` over it."""
        if self._line_styles is None:
            base = self.rich_style
            self._line_styles = {"": base, **{name: base + self.get_component_rich_style(f"record-table--{name}")
                                              for name in ("header", "cursor", "odd", "empty")}}
        return self._line_styles[part]

    def _widths(self, total: int | None = None) -> list[int]:
        total = self._width if total is None else total
        if self._widths_for is not None and self._widths_for[0] == total:
            return self._widths_for[1]
        widths = self._column_widths(total)
        self._widths_for = (total, widths)
        return widths

    def _column_widths(self, total: int) -> list[int]:
        gaps = len(self.columns) - 1
        fixed = sum(c.width for c in self.columns if c.width is not None)
        flexible = [c for c in self.columns if c.width is None]
        left = max(total - fixed - gaps, 0)
        share = left // len(flexible) if flexible else 0
        widths = []
        for column in self.columns:
            widths.append(column.width if column.width is not None else max(share, column.min_width))
        if flexible:  # give the rounding rest to the last flexible column
            last = max(i for i, c in enumerate(self.columns) if c.width is None)
            widths[last] += max(left - share * len(flexible), 0)
        return widths

    def _column_at(self, x: int) -> int | None:
        start = 0
        for index, width in enumerate(self._widths()):
            if start <= x < start + width + 1:
                return index
            start += width + 1
        return None

    def _line(self, cells: Sequence[str], style: Style) -> Strip:
        total = self._width  # (the scrollbar's region, worked out anew at each ask)
        key: tuple | None = (tuple(cells), style, total)
        try:
            found = self._drawn.get(key)  # type: ignore[arg-type]
        except TypeError:  # a cell that is no plain text (rich Text): drawn each time
            found = key = None
        if found is not None:
            return found
        segments = []
        for index, (text, width) in enumerate(zip(cells, self._widths(total), strict=False)):
            if index:
                segments.append(Segment(" ", style))
            segments.append(Segment(set_cell_size(clean_text(text), width), style))
        found = Strip(segments).adjust_cell_length(total, style).crop(0, total)
        if key is not None:
            if len(self._drawn) >= DRAWN_KEPT:
                self._drawn.clear()
            self._drawn[key] = found
        return found

    def render_line(self, y: int) -> Strip:
        base = self._style("")
        if y == 0:
            labels = []
            for index, column in enumerate(self.columns):
                arrow = ""
                if index == self.sort_column:
                    arrow = " ▼" if self.sort_reverse else " ▲"
                labels.append(column.label + arrow)
            return self._line(labels, self._style("header"))
        index = round(self.scroll_offset.y) + y - 1
        if not self._rows:
            if y == 1:
                style = self._style("empty")
                text = set_cell_size(" " + self.empty_text, self.size.width)
                return Strip([Segment(text, style)], cell_len(text))
            return Strip.blank(self.size.width, base)
        if index >= len(self._rows):
            return Strip.blank(self.size.width, base)
        if index == self.cursor:
            style = self._style("cursor")
        elif index % 2:
            style = self._style("odd")
        else:
            style = base
        return self._line(self._make(self._rows[index]).cells, style)
