"""The guidance card of a home visit: ctrl+g on the visit form shows the attitude and the six mnemonics,
Esc goes back to the form with what was typed."""

from __future__ import annotations

from datetime import date

from ouder_tui.app import make_app
from ouder_tui.huisbezoek import Huisbezoek, Huisbezoeken
from ouder_tui.leerlingen import Gezin, Leerling, Registry
from ouder_tui.store import Store
from screens.huisbezoek import LogForm
from screens.huisbezoek_gids import GidsScreen, gids_lines


def test_the_card_holds_the_attitude_and_the_six_mnemonics() -> None:
    text = "\n".join(gids_lines())
    assert "goede band" in text and "Je bent te gast" in text
    for name in ("OMA", "DIK", "OEN", "ANNA", "NIVEA", "LSD"):
        assert f"\n{name}" in text


async def test_ctrl_g_on_the_log_form_shows_the_card_and_esc_keeps_what_was_typed(store: Store,
                                                                                  registry: Registry) -> None:
    gezin = registry.add_gezin(Gezin(naam="Benali"))
    registry.add_leerling(Leerling(voornaam="Sara", familienaam="Benali", klas="5A", gezin_id=gezin.id))
    service = Huisbezoeken(store, registry)
    visit = service.plan(Huisbezoek(gezin_id=gezin.id, datum=date(2026, 11, 20)))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(100, 34)) as pilot:
        app.push_screen(LogForm(app.huisbezoeken, visit))
        await pilot.pause()
        form = app.screen
        assert "ctrl+g: gids" in form.form_title
        await pilot.press("tab", "tab", *"gaat goed")  # past the status to the reason, then typed something
        typed = form.values()
        assert "gaat goed" in typed.values()
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, GidsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is form and form.values() == typed
