"""Textual's own words in Dutch: key names and the footer of a dropdown.

Textual ships English texts in a few places a user sees: the names of keys in footers
and help (``escape``, ``delete``, ``space``) and the
footer line of an open dropdown ("Dismiss menu"). This module replaces them; the App
imports it at start (:func:`install`), so every screen and dialog gets them.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.binding import Binding
from textual.content import Content
from textual.strip import Strip
from textual.style import Style
from textual.widgets import RadioButton, SelectionList
from textual.widgets._select import SelectOverlay
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

#: How a key is named to a Dutch user (footer, help): what the keycap says, or an arrow.
KEY_NAMES = {
    "escape": "Esc",
    "enter": "⏎",
    "tab": "Tab",
    "shift+tab": "shift+Tab",
    "space": "spatie",
    "delete": "Del",
    "backspace": "⌫",
    "left": "←",
    "right": "→",
    "up": "↑",
    "down": "↓",
    "home": "Home",
    "end": "End",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "insert": "Ins",
    "minus": "-",
    "plus": "+",
    "slash": "/",
    "question_mark": "?",
}


def key_name(key: str) -> str:
    """``key`` (a Textual key such as ``ctrl+s`` or ``escape``) as a Dutch user reads it."""
    key = key.strip()
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    *modifiers, base = key.split("+")
    if not modifiers:
        if len(base) >= 2 and base[0] == "f" and base[1:].isdigit():
            return base.upper()
        return KEY_NAMES.get(base, base)
    return "+".join([*modifiers, KEY_NAMES.get(base, base.upper() if base[:1] == "f" and base[1:].isdigit() else base)])


def binding_keys(binding: Binding) -> str:
    """All keys of a binding (``"escape,f1,q"``) named in Dutch: ``Esc / F1 / q``."""
    if binding.key_display:
        return binding.key_display
    return " / ".join(key_name(k) for k in binding.key.split(","))


#: A box's state as a shape (legible in 16 colours, in monochrome and without seeing colour).
TICKED, UNTICKED = "☑", "☐"
CHOSEN, NOT_CHOSEN = "◉", "○"


def _toggle_button(self: ToggleButton) -> Content:
    """A checkbox as ☐/☑ (a radio button as ○/◉) in the text colour, instead of an X that only changes colour."""
    on = bool(self.value)
    if isinstance(self, RadioButton):
        mark = CHOSEN if on else NOT_CHOSEN
    else:
        mark = TICKED if on else UNTICKED
    return Content.assemble(" ", (mark, Style(bold=on)), " ")


_selection_render_line = SelectionList.render_line


def _selection_line(self: SelectionList, y: int) -> Strip:
    """A line of a list of ticks, its box drawn as ☐/☑ instead of Textual's coloured X."""
    strip = _selection_render_line(self, y)
    segments = list(strip)
    try:
        selection = self.get_option_at_index(self.scroll_offset.y + y)
    except OptionDoesNotExist:
        return strip
    if len(segments) < 4:
        return strip
    on = selection.value in self._selected
    base = segments[3].style or RichStyle()
    meta = segments[1].style.meta if segments[1].style else {}
    mark = RichStyle(bold=on, meta=meta)
    return Strip([Segment(" ", base + RichStyle(meta=meta)), Segment(TICKED if on else UNTICKED, base + mark),
                  Segment(" ", base + RichStyle(meta=meta)), *segments[3:]])


_installed = False


def install() -> None:
    """Put the Dutch texts into Textual's own widgets (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    # An open dropdown puts its one key in the footer; Textual merges BINDINGS when the class is made.
    SelectOverlay.BINDINGS = [Binding("escape", "dismiss", "Lijst sluiten")]
    SelectOverlay._merged_bindings = SelectOverlay._merge_bindings()
    # Checkboxes, radio buttons and lists of ticks show their state as a shape, not only as a colour.
    ToggleButton._button = property(_toggle_button)  # type: ignore[method-assign,assignment]
    SelectionList.render_line = _selection_line  # type: ignore[method-assign]
