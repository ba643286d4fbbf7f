"""The app starts on a database, shows the school, and quits cleanly."""

from __future__ import annotations

from textual.widgets import Static

from ouder_tui.app import make_app


async def test_the_app_shows_the_school_and_its_pupil_count(demo_store) -> None:
    app = make_app(store=demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.current_mode == "overzicht"
        assert "Basisschool De Notelaar (demo)" in str(app.screen.query_one("#school", Static).render())
        assert "263 leerlingen" in str(app.screen.query_one("#figures", Static).render())
        await pilot.press("ctrl+q")
    assert app.return_code == 0
