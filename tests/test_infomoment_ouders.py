"""The parents of the infomoment: the target group proposed from the registry, invited with a letter per
family (the interpreter noted for the school), who came, and who to reach another way afterwards."""

from __future__ import annotations

import re

from datetime import date, datetime

import pytest

from ouder_tui.app import make_app
from ouder_tui.bereik import Bereik, ExtraAandacht
from ouder_tui.infomoment import Infomomenten
from ouder_tui.infomoment_brieven import uitnodigingen
from ouder_tui.leerlingen import Gezin, Leerling, Ouder, Registry
from ouder_tui.store import Store
from screens.infomoment import InfomomentScreen
from screens.infomoment_ouders import InfomomentOudersScreen
from screens.table import RecordTable


@pytest.fixture
def school(registry: Registry) -> dict[str, Gezin]:
    found = {}
    for naam, klas, tolk in (("Peeters", "6A", ""), ("Yilmaz", "5B", "Turks"), ("Maes", "4A", ""),
                             ("Claes", "2A", "")):
        gezin = registry.add_gezin(Gezin(naam=naam, ouders=(
            Ouder(relatie="moeder", voornaam="Mama", talen=("Turks",) if tolk else ("Nederlands",),
                  tolk_nodig=bool(tolk), tolk_taal=tolk),
            Ouder(relatie="vader", voornaam="Papa"))))
        registry.add_leerling(Leerling(voornaam="Kind", familienaam=naam, klas=klas, gezin_id=gezin.id))
        found[naam] = gezin
    return found


@pytest.fixture
def service(store: Store, registry: Registry) -> Infomomenten:
    return Infomomenten(store, registry)


def test_the_letters_go_to_each_invited_family_and_tell_the_school_who_needs_an_interpreter(service, school) -> None:
    info = service.nieuw("2026-2027", date(2027, 2, 11), plaats="refter", inschrijvingen_vanaf=date(2027, 3, 1))
    info = service.nodig_uit(info.id, [school["Peeters"].id, school["Yilmaz"].id])
    text = uitnodigingen(service, info, "md").decode("utf-8")
    assert "Yilmaz: Turks" in text and "Peeters:" not in text
    assert "Aan de ouders van Kind (Peeters)" in text and "Aan de ouders van Kind (Yilmaz)" in text
    assert "donderdag 11 februari 2027 om 19:00" in text and "Maes" not in text
    assert len(re.findall(rb'class="[^"]*\bpage"', uitnodigingen(service, info, "html"))) == 2  # a family a page


async def test_invite_the_target_group_tick_who_came_and_see_who_to_follow_up(store: Store, service, school,
                                                                              clock) -> None:
    info = service.nieuw("2026-2027", date(2027, 2, 11), inschrijvingen_vanaf=date(2027, 3, 1))
    Bereik(store, service.registry).markeer(ExtraAandacht(gezin_id=school["Yilmaz"].id, redenen=("nieuwkomer",)))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, InfomomentScreen)
        await pilot.press("o")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InfomomentOudersScreen)
        table = screen.query_one(RecordTable)
        assert [r.cells[0] for r in table.rows] == ["(!) Yilmaz", "(!) Yilmaz", "Peeters", "Peeters"]  # 5th and 6th
        await pilot.press("plus")
        await pilot.pause()
        assert set(service.infomoment(info.id).uitgenodigd) == {school["Yilmaz"].id, school["Peeters"].id}
        await pilot.press("n", *"Maes", "enter")  # a 4th grader heading for the B-stream
        await pilot.pause()
        assert school["Maes"].id in service.infomoment(info.id).uitgenodigd
        clock.moment = datetime(2027, 2, 12, 9, 0).astimezone()
        assert [r.cells[0] for r in table.rows][::2] == ["(!) Yilmaz", "Maes", "Peeters"]
        await pilot.press("down", "down", "down", "down", "space")  # the mother of the Peeters family came
        await pilot.pause()
        assert service.infomoment(info.id).aanwezig == (school["Peeters"].ouders[0].id,)
        summary = str(screen.query_one("#summary").render())
        assert "3 gezinnen uitgenodigd (voorstel: 2), 1 kwamen (1 ouder)" in summary
        assert "Uitgenodigd maar niemand kwam (2), opvolgen (h: huisbezoek): Yilmaz, Maes" in summary
        await pilot.press("home", "h")  # the marked Yilmaz family: plan a home visit
        await pilot.pause()
        from screens.huisbezoek import PlanForm

        assert isinstance(app.screen, PlanForm) and app.screen.record.gezin_id == school["Yilmaz"].id
        assert app.screen.record.tolk and app.screen.record.tolk_taal == "Turks"
    reach = Bereik(store, service.registry).gezin(school["Peeters"].id, "2026-2027")
    assert reach.bereikt and {c.soort for c in reach.contacten} == {"infomoment", "infomoment_uitgenodigd"}
