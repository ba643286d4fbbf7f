"""For pilot tests: a form's save (and recording who you are) runs in a worker, so a test waits for it."""

from __future__ import annotations

from screens.saving import SAVE_GROUP


async def saves_done(pilot) -> None:
    """Wait until the saves started by the keys pressed so far are done, then until the screen has caught up."""
    app = pilot.app
    running = [worker for worker in app.workers if worker.group == SAVE_GROUP]
    if running:  # (an empty list would mean: wait for every worker of the app)
        await app.workers.wait_for_complete(running)
    await pilot.pause()
