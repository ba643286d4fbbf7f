"""Closed forms and replaced footer keys are let go (issue 19: save and see).

Textual keeps a widget that watches a reactive of a widget that stays (the footer's keys watch the
footer, a note field watches the app's theme) until that reactive changes. Each save at the pupil list
then kept a dozen footer keys and the form's note field, with their drawn lines; every full pass of the
cycle collector walked them all, and a save took longer the longer the app ran.
"""

from __future__ import annotations

import gc
from pathlib import Path

from textual.widgets import TextArea
from textual.widgets._footer import FooterKey

from ouder_tui.app import make_app
from ouder_tui.filestore import FileStore
from ouder_tui.leerlingen import Leerling, Registry
from screens.leerling import LeerlingForm
from screens.leerlingen import LeerlingenScreen


def _gone_but_kept(kind: type) -> list:
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, kind) and not o.is_attached]


async def test_saving_pupils_keeps_no_footer_keys_or_note_fields_of_closed_forms(tmp_path: Path) -> None:
    store = FileStore.open(tmp_path / "db.json", user="Tester")
    registry = Registry(store)
    for name in ("Ann", "Bram", "Cas"):
        registry.add_leerling(Leerling(voornaam=name, familienaam="Peeters", klas="1A"))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3", "down")
        kept_after: list[tuple[int, int]] = []
        for round_ in range(4):
            await pilot.press("e")
            await pilot.pause()
            assert isinstance(app.screen, LeerlingForm)
            await pilot.press("end", *f"x{round_}", "ctrl+s")
            for _ in range(100):
                if isinstance(app.screen, LeerlingenScreen):
                    break
                await pilot.pause(0.05)
            assert isinstance(app.screen, LeerlingenScreen)
            await pilot.pause(0.2)
            kept_after.append((len(_gone_but_kept(FooterKey)), len(_gone_but_kept(TextArea))))
        assert [p.voornaam for p in registry.leerlingen()] == ["Annx0x1x2x3", "Bram", "Cas"]
        # At most the last footer's replaced keys and the last form's note field are still on their way out;
        # nothing piles up from one save to the next.
        assert kept_after[-1] <= kept_after[0], kept_after
        assert kept_after[-1][1] <= 1
