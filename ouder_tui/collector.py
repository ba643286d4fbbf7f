"""Python's cycle collector, held while the app does work someone waits for.

The collector runs when enough objects were made, wherever that happens. With a large database in
memory one of its full passes takes tens of milliseconds (at 50,000 pupils ~60-90 ms), and a save makes
enough objects to start one: it then falls between ctrl+s and the list that shows the change. Holding
the collector moves that pass to just after the moment the user waited for; nothing is lost, since
objects freed by their reference count are freed at once either way, and the cycles that wait are
collected by the first pass after the hold.

Holds nest and may come from several threads (a save runs in a worker while the interface holds too):
the collector runs again when the last hold is released, and only if it ran before the first.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
from collections.abc import Callable, Iterator

_lock = threading.Lock()
_holds = 0
_was_enabled = False


def hold() -> Callable[[], None]:
    """Hold the collector until the returned function is called (once; later calls do nothing)."""
    global _holds, _was_enabled
    with _lock:
        if _holds == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holds += 1
    released = False

    def release(*, freeze: bool = False) -> None:
        global _holds
        nonlocal released
        with _lock:
            if released:
                return
            released = True
            _holds -= 1
            if _holds == 0 and _was_enabled:
                if freeze:
                    gc.freeze()
                gc.enable()

    return release


def release_later(release: Callable[[], None], seconds: float) -> None:
    """Call ``release`` (of :func:`hold`) in ``seconds``, from a timer thread: it runs whatever the caller does
    meanwhile (an app that quits, a screen that is never drawn), so the hold always ends."""
    timer = threading.Timer(seconds, release)
    timer.daemon = True
    timer.start()


@contextlib.contextmanager
def paused_gc(*, freeze: bool = False) -> Iterator[None]:
    """Hold Python's cycle collector while building many long-lived objects at once.

    Parsing a 30 MB file allocates a few million objects; with the collector on
    that takes more than twice as long. Nothing built here forms cycles.

    ``freeze``: on the way out, if no other hold is left, move every object there is out of the collector's
    generations (:func:`gc.freeze`), where the next collections would go through all that was built only to
    find it alive (~0.1 s at 50,000 pupils). For the first read of a file only: a cycle that is garbage when
    it is frozen is never collected, and at the start there is next to none.
    """
    release = hold()
    try:
        yield
    finally:
        release(freeze=freeze)


def give_back_free_memory() -> None:
    """Hand the memory the C allocator keeps free back to the system (glibc's ``malloc_trim``), where there is one.

    Reading a large file leaves freed blocks the allocator keeps for reuse, more so as the store is read in a
    worker thread, whose allocations come from an arena of its own (~5 MB at 50,000 records). Meant for once,
    after the start (and after a large change is taken in); it takes a few milliseconds. Elsewhere than on
    Linux with glibc (Windows, macOS, musl) it does nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)
