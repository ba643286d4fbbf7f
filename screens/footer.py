"""The footer every screen shows, without Textual 8's leak of replaced keys.

Textual forgets the watchers of a reactive only when its value changes. Its footer makes
its keys anew whenever the keys on offer change (the focus moves, a form closes), and
each key watches the footer's ``compact``, which never changes: every key ever shown
stayed in memory with its drawn lines (twelve per save at the pupil list), and every
full pass of the cycle collector walked them, a little longer after each save.
A TextArea likewise watches the app's theme. :func:`drop_closed_watchers` forgets the
watchers whose widgets are gone.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer as TextualFooter


def drop_closed_watchers(obj: Any, attribute: str) -> None:
    """Forget the watchers of ``obj``'s reactive ``attribute`` whose widgets were removed."""
    watchers = getattr(obj, "__watchers", {}).get(attribute)  # where Textual keeps them (textual.reactive)
    if watchers:
        watchers[:] = [(node, callback) for node, callback in watchers
                       if not getattr(node, "_closing", False) and getattr(node, "is_attached", True)]


class Footer(TextualFooter):
    """Textual's footer; the keys it replaces are let go (see the module's docstring)."""

    async def recompose(self) -> None:
        await super().recompose()
        drop_closed_watchers(self, "compact")
