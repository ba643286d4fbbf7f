"""What every save from the interface shares: it runs in a worker of one group and says when it waits.

A save waits for the database's lock while another window or PC holds it (up to the
store's lock timeout). It runs in a thread worker of :data:`SAVE_GROUP`, so the screen
keeps answering; after :data:`SAVE_NOTICE_SECONDS` the screen says that it waits, and
who holds the database when the store knows (:func:`waiting_text`, asked again every
:data:`SAVE_POLL_SECONDS`). The app does not quit while a save runs (:func:`saves_running`).

No Textual widgets here: the app imports this at start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ouder_tui.store import Store

#: A save that is not done after this long says that it waits for the database.
SAVE_NOTICE_SECONDS = 0.3
#: How often a waiting save asks again who holds the database.
SAVE_POLL_SECONDS = 0.5
#: The worker group of every save from the interface.
SAVE_GROUP = "bewaren"


def waiting_text(holder: str | None, seconds: float) -> str:
    """The status line of a save that waits for the database's lock (``holder``: "naam (sinds hh:mm)")."""
    who = (f"de databank is bezet door {holder}" if holder
           else "de databank is bezet (een ander venster of een andere pc)")
    return f"Bewaren … {who}. Even wachten ({seconds:.0f}s)."


def lock_holder(store: Store | None) -> str | None:
    """Who holds ``store``'s database, when the store knows (a file notes it beside its lock)."""
    return store.lock_holder() if store is not None else None


def saves_running(app: Any) -> bool:
    """Whether a save from the interface is still under way in ``app``."""
    return any(worker.group == SAVE_GROUP and not worker.is_finished for worker in app.workers)
