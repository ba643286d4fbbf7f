"""For pilot tests: a form's save (and recording who you are) runs in a worker, so a test waits for it."""

from __future__ import annotations

import contextlib

from textual.worker import WorkerCancelled

from screens.saving import SAVE_GROUP


async def saves_done(pilot) -> None:
    """Wait until the saves started by the keys pressed so far are done, then until the screen has caught up.

    A save's worker hands its outcome back and waits there while the screen applies it; when that closes the
    screen, Textual cancels the screen's workers, this one too, though its save is done. So a cancelled save
    counts as finished here (the tests then check what was saved); a save that failed still raises."""
    app = pilot.app
    for worker in [worker for worker in app.workers if worker.group == SAVE_GROUP]:
        with contextlib.suppress(WorkerCancelled):
            await worker.wait()
    await pilot.pause()
