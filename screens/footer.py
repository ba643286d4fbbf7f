"""The footer every screen shows, without Textual 8's leak of replaced keys, made anew only when its keys change.

Textual forgets the watchers of a reactive only when its value changes. Its footer makes
its keys anew whenever the keys on offer change (the focus moves, a form closes), and
each key watches the footer's ``compact``, which never changes: every key ever shown
stayed in memory with its drawn lines (twelve per save at the pupil list), and every
full pass of the cycle collector walked them, a little longer after each save.
A TextArea likewise watches the app's theme. :func:`drop_closed_watchers` forgets the
watchers whose widgets are gone.

Textual's footer also makes its keys anew whenever the screen says its bindings may have changed: at every
move of the focus and every screen's return, though the keys shown are mostly the same. Making them anew
lays the screen out again and draws all of it (a form's ctrl+s, its Tab, the list under a closed form);
this footer keeps its keys when the keys it would show are the ones it shows.
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
    """Textual's footer; made anew only when its keys change, and the keys it replaces are let go (see the
    module's docstring)."""

    _shown: tuple | None = None

    def _keys_to_show(self) -> tuple | None:
        """What :meth:`compose` would show now: the shown bindings with their state and how their keys are
        written (``None`` while the bindings are not ready)."""
        if not self._bindings_ready:
            return None
        display = self.app.get_key_display
        bindings = self.screen.active_bindings
        palette = bindings.get(self.app.COMMAND_PALETTE_BINDING)
        return (self.show_command_palette, self.app.ENABLE_COMMAND_PALETTE, self.combine_groups,
                palette and palette[1:],
                tuple((binding, display(binding), enabled, tooltip)
                      for _node, binding, enabled, tooltip in bindings.values() if binding.show))

    async def recompose(self) -> None:
        if self.is_attached:  # (a removed footer is left to Textual, which does nothing with it)
            shown = self._keys_to_show()
            if shown is not None and shown == self._shown:
                return
            self._shown = shown
        await super().recompose()
        drop_closed_watchers(self, "compact")
