"""The areas of the app: one Textual mode each, with its key. Areas not built yet are not listed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen

    from ouder_tui.app import OuderTuiApp


@dataclass(frozen=True)
class Area:
    """An area: its mode name, its label in the bar, its key and how to build its first screen."""

    mode: str
    label: str
    key: str
    build: Callable[[OuderTuiApp], Screen]


def _overzicht(app: OuderTuiApp) -> Screen:
    from screens.overzicht import OverzichtScreen

    return OverzichtScreen(app.registry)


def _leerlingen(app: OuderTuiApp) -> Screen:
    from screens.leerlingen import LeerlingenScreen

    return LeerlingenScreen(app.registry)


AREAS: list[Area] = [
    Area("overzicht", "Overzicht", "f2", _overzicht),
    Area("leerlingen", "Leerlingen & gezinnen", "f3", _leerlingen),
]
