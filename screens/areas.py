"""The interface half of the areas: one Textual mode each, with its key. Areas not built yet are not listed.

An area can also add panels to the dashboard and cards to the family view; both
are named lazily, so an area's screens load only when they are needed. What an area
is in the core (its tables, service, erasure, report, exports, palette hits) is its
descriptor in ``ouder_tui/areas.py``, named here by ``core``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen

    from ouder_tui.app import OuderTuiApp
    from ouder_tui.leerlingen import Gezin, Leerling
    from screens.overzicht import DashboardPanel

#: A card on the family view: its title and its lines (plain text, never markup).
FamilyCard = Callable[["OuderTuiApp", "Gezin"], tuple[str, list[str]]]
#: A card on the pupil view, likewise.
PupilCard = Callable[["OuderTuiApp", "Leerling"], tuple[str, list[str]]]


@dataclass(frozen=True)
class Area:
    """An area: its mode name, its label in the bar, its key and how to build its first screen."""

    mode: str
    label: str
    key: str
    build: Callable[[OuderTuiApp], Screen]
    panels: Callable[[], list[type[DashboardPanel]]] = lambda: []
    family_cards: Callable[[], list[FamilyCard]] = lambda: []
    pupil_cards: Callable[[], list[PupilCard]] = lambda: []
    #: The label in a narrow terminal, where the bar leaves out the keys too (default: ``label``).
    short: str = ""
    #: The key of its descriptor in the core (``ouder_tui.areas``); none for the dashboard.
    core: str | None = None


def _overzicht(app: OuderTuiApp) -> Screen:
    from screens.overzicht import OverzichtScreen

    return OverzichtScreen(app.store, lambda: app.registry)


def _leerlingen(app: OuderTuiApp) -> Screen:
    from screens.leerlingen import LeerlingenScreen

    return LeerlingenScreen(app.registry)


def _huisbezoeken(app: OuderTuiApp) -> Screen:
    from screens.huisbezoeken import HuisbezoekenScreen

    return HuisbezoekenScreen(app.service("huisbezoek"))


def _huisbezoek_panels() -> list[type[DashboardPanel]]:
    from screens.panelen import HuisbezoekPanel

    return [HuisbezoekPanel]


def _huisbezoek_cards() -> list[FamilyCard]:
    from screens.huisbezoeken import family_visits_card

    return [family_visits_card]


def _startgesprekken(app: OuderTuiApp) -> Screen:
    from screens.startgesprekken import StartgesprekkenScreen

    return StartgesprekkenScreen(app.service("startgesprek"))


def _startgesprek_panels() -> list[type[DashboardPanel]]:
    from screens.panelen import StartgesprekPanel

    return [StartgesprekPanel]


def _startgesprek_family_cards() -> list[FamilyCard]:
    from screens.startgesprekken import family_plans_card

    return [family_plans_card]


def _startgesprek_pupil_cards() -> list[PupilCard]:
    from screens.startgesprekken import pupil_plan_card

    return [pupil_plan_card]


def _oudergroep(app: OuderTuiApp) -> Screen:
    from screens.oudergroep import OudergroepScreen

    return OudergroepScreen(app.service("oudergroep"))


def _oudergroep_panels() -> list[type[DashboardPanel]]:
    from screens.panelen import OudergroepPanel

    return [OudergroepPanel]


def _oudergroep_family_cards() -> list[FamilyCard]:
    from screens.oudergroep import family_group_card

    return [family_group_card]


def _infomoment(app: OuderTuiApp) -> Screen:
    from screens.infomoment import InfomomentScreen

    return InfomomentScreen(app.service("infomoment"))


def _infomoment_panels() -> list[type[DashboardPanel]]:
    from screens.panelen import InfomomentPanel

    return [InfomomentPanel]


AREAS: list[Area] = [
    Area("overzicht", "Overzicht", "f2", _overzicht),
    Area("leerlingen", "Leerlingen & gezinnen", "f3", _leerlingen, short="Leerlingen", core="leerlingen"),
    Area("huisbezoeken", "Huisbezoeken", "f4", _huisbezoeken, _huisbezoek_panels, _huisbezoek_cards,
         core="huisbezoek"),
    Area("startgesprekken", "Startgesprekken", "f5", _startgesprekken, _startgesprek_panels,
         _startgesprek_family_cards, _startgesprek_pupil_cards, core="startgesprek"),
    Area("oudergroep", "Oudergroep", "f6", _oudergroep, _oudergroep_panels, _oudergroep_family_cards,
         core="oudergroep"),
    Area("infomoment", "Infomoment", "f7", _infomoment, _infomoment_panels, core="infomoment"),
]
