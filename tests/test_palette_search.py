"""The palette finds a phone number however it is typed, "gezin NAAM" and a class."""

from __future__ import annotations

import pytest

from ouder_tui.app import make_app
from ouder_tui.areas import palette_hits
from ouder_tui.leerlingen import phone_key
from ouder_tui.store import Store
from screens.gezin import GezinScreen


def _a_parent_phone(app) -> tuple[str, str]:
    gezin = next(g for g in app.registry.gezinnen() if any(o.telefoon for o in g.ouders))
    return gezin.naam, next(o.telefoon for o in gezin.ouders if o.telefoon)


@pytest.mark.parametrize("typed", ["+32 {d}", "+32{d}", "0032{d}", "{spaced}", "{dotted}", "0{d}", "0{part}"])
async def test_a_phone_number_in_any_form_finds_the_family(demo_store: Store, typed: str) -> None:
    app = make_app(demo_store, ask_user=False)
    naam, phone = _a_parent_phone(app)
    digits = phone_key(phone)[1:]  # without the leading 0
    query = typed.format(d=digits, spaced=phone, dotted=phone.replace(" ", "."), part=digits[:6])
    hits = palette_hits(app.services, query)
    assert any(h.text.startswith(f"Gezin {naam}") for h in hits), (query, [h.text for h in hits][:5])


async def test_gezin_name_and_a_class_in_the_palette(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    naam, _ = _a_parent_phone(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p", *f"gezin {naam}")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, GezinScreen)
    hits = palette_hits(app.services, "5A")
    assert hits[0].text.startswith("Klas 5A")
