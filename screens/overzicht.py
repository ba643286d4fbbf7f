"""The dashboard (*overzicht*): what needs attention, one panel per area.

A module adds its panel by subclassing :class:`DashboardPanel` and calling
:func:`register_panel`; the dashboard shows every registered panel in that order
and refreshes them whenever it comes back into view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.widgets import Static

from ouder_tui.collector import give_back_free_memory
from ouder_tui.store import Store
from ouder_tui.text import format_datetime, plural
from screens.base import AreaScreen

if TYPE_CHECKING:
    from ouder_tui.leerlingen import Registry


class DashboardPanel(Static):
    """One panel on the dashboard: a title and lines computed from the services.

    Subclasses set ``TITLE`` and implement :meth:`lines`; every line is shown
    literally (never as markup), so names are safe in it.
    """

    TITLE: ClassVar[str] = ""
    #: Tab walks the panels; the dashboard scrolls the one with the focus into view (at 80x24 not all fit).
    can_focus = True
    DEFAULT_CSS = """
    DashboardPanel { border: round $primary; border-title-style: bold; padding: 0 1; height: auto; min-height: 5; }
    DashboardPanel:focus { border: double $accent; }
    """

    def __init__(self, registry: Registry) -> None:
        super().__init__(markup=False)
        self.registry = registry
        self.border_title = self.TITLE
        self._filled = False

    @property
    def filled(self) -> bool:
        """Whether the panel shows its figures (not "Laden ...")."""
        return self._filled

    def lines(self) -> list[str]:
        raise NotImplementedError

    def reload(self) -> None:
        if not self.registry.store.loaded:
            self.update("Laden ...")
            return
        self.update("\n".join(self.lines()) or "Niets te melden.")
        self._filled = True

    def on_mount(self) -> None:
        if not self._filled:  # the frame first, the figures right after
            self.call_after_refresh(self.reload)


PANELS: list[type[DashboardPanel]] = []


def register_panel(panel: type[DashboardPanel]) -> type[DashboardPanel]:
    """Add a panel to the dashboard (usable as a class decorator)."""
    if panel not in PANELS:
        PANELS.append(panel)
    return panel


@register_panel
class LeerlingenPanel(DashboardPanel):
    """How many pupils, per class."""

    TITLE = "Leerlingen"

    def lines(self) -> list[str]:
        per_class = self.registry.leerlingen_per_klas()
        total = sum(per_class.values())
        families = len(self.registry.gezinnen_op_id())
        lines = [f"{plural(total, 'leerling', 'leerlingen')} in {plural(len(per_class), 'klas', 'klassen')}, "
                 f"{plural(families, 'gezin', 'gezinnen')}"]
        entries = [f"{klas} {count:>3}" for klas, count in per_class.items()]
        for start in range(0, len(entries), 4):
            lines.append("   ".join(entries[start:start + 4]))
        return lines


@register_panel
class ContactPanel(DashboardPanel):
    """Families that cannot be reached, and where an interpreter is needed."""

    TITLE = "Bereikbaarheid"

    def lines(self) -> list[str]:
        missing = self.registry.gezinnen_zonder_contact()
        lines = [f"{plural(len(missing), 'gezin', 'gezinnen')} zonder telefoon of e-mail"]
        if missing:
            names = ", ".join(g.naam for g in missing[:5])
            lines.append(f"  {names}{' ...' if len(missing) > 5 else ''}")
        per_language = self.registry.tolk_per_taal()
        if per_language:
            needing = sum(per_language.values())
            lines.append(f"{plural(needing, 'gezin heeft', 'gezinnen hebben')} een tolk nodig:")
            lines.append("  " + ", ".join(f"{taal} {n}" for taal, n in per_language.items()))
        else:
            lines.append("Geen gezin heeft een tolk nodig.")
        return lines


@register_panel
class ImportPanel(DashboardPanel):
    """When the pupil list was last imported, by whom, with what result."""

    TITLE = "Laatste import"

    def lines(self) -> list[str]:
        last = self.registry.store.settings().get("laatste_import")
        if not last:
            return ["Nog geen leerlingenlijst geïmporteerd.", "Importeren: toets i."]
        return [
            f"{format_datetime(last.get('op'))} door {last.get('door', 'onbekend')}",
            f"{last.get('bestand', '')}",
            f"{last.get('nieuw', 0)} nieuw, {last.get('bijgewerkt', 0)} bijgewerkt, "
            f"{last.get('overgeslagen', 0)} overgeslagen",
        ]


class OverzichtScreen(AreaScreen):
    """The school at a glance: a panel per area."""

    AREA = "overzicht"
    BINDINGS = [
        Binding("i", "app.import_leerlingen", "Leerlingen importeren"),
        Binding("s", "app.instellingen", "Instellingen"),
        Binding("b", "app.bereik", "Bereik", show=False),  # the panel says so
    ]
    HELP = """
# Overzicht

Wat aandacht vraagt, in één oogopslag: per deel van ouder-tui een paneel met cijfers,
wat binnenkort gepland is en wat over tijd is. De panelen worden bijgewerkt telkens je
naar dit scherm terugkomt.

Staan niet alle panelen op het scherm, dan ga je met Tab van paneel naar paneel (of
scroll je met de muis of PgDn).

Met **s** stel je de naam van de school en de vergrendeltijd in; met **i** importeer je
de leerlingenlijst. **b** toont het bereik: welke gezinnen de school dit schooljaar bereikte en
welke nog door niemand.
"""
    DEFAULT_CSS = """
    OverzichtScreen #panels { grid-size: 2; grid-gutter: 0 1; height: auto; padding: 0 1; }
    OverzichtScreen #school { text-style: bold; padding: 0 1; height: 1; }
    """

    def __init__(self, store: Store, registry: Callable[[], Registry]) -> None:
        """``registry`` gives the pupil registry when the panels first need it: the dashboard of an app that
        starts before its file is read draws its first frame without the registry's modules."""
        super().__init__()
        self.store = store
        self._registry = registry
        self._sharing = False

    @property
    def registry(self) -> Registry:
        return self._registry()

    def compose_body(self) -> ComposeResult:
        yield Static(self._school_name(), id="school", markup=False)
        with VerticalScroll(id="dashboard", can_focus=False):
            # Before the data is read the panels would only say "Laden ...": the first frame comes sooner
            # without them (at the start of the app they are mounted once the database is open).
            if self.store.loaded:
                yield Grid(*self._panels(), id="panels")
            else:
                yield Grid(Static("Laden ...", id="laden", markup=False), id="panels")

    def _share_when_shown(self, tries: int = 20) -> None:
        """Once every panel shows its figures and that frame is drawn, the registry's repeated values are shared in
        a worker (see Registry.share_repeated_values): memory, which neither the start nor the figures wait for.
        After the start only when the pupils or families were read again as a whole (a large import)."""
        panels = self.query(DashboardPanel)
        if panels and all(panel.filled for panel in panels):
            if not self._sharing and not self.registry.repeated_values_shared():
                self._sharing = True
                self.call_after_refresh(self.run_worker, self._share, thread=True, name="herhaalde waarden delen",
                                        exit_on_error=False)
        elif tries:  # the figures come right after a refresh (see DashboardPanel.on_mount)
            self.call_after_refresh(self._share_when_shown, tries - 1)

    def _share(self) -> None:
        """In a worker thread."""
        try:
            self.registry.share_repeated_values()
            give_back_free_memory()  # what reading the file and the sharing freed
        finally:
            self._sharing = False

    def _panels(self) -> list[DashboardPanel]:
        from screens.areas import AREAS
        from screens.panelen import BereikPanel

        return [panel(self.registry) for panel in [*PANELS, BereikPanel, *(p for area in AREAS for p in area.panels())]]

    def _school_name(self) -> str:
        if not self.store.loaded:
            return ""
        return self.store.settings().get("school_naam") or "(nog geen schoolnaam: toets s)"

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self.store_ready()

    def store_ready(self) -> None:
        """Fill in everything that needs the data (also called when the database finished loading)."""
        if self.store.loaded and not self._sharing:
            self.call_after_refresh(self._share_when_shown)
        for school in self.query("#school").results(Static):  # nothing yet before the first compose
            school.update(self._school_name())
        waiting = self.query("#laden")
        if waiting and self.store.loaded:  # the app started before the data was read: now the panels
            waiting.remove()
            panels = self._panels()
            for panel in panels:  # filled before they are mounted: "Laden ..." stays until they come, in one frame
                panel.reload()
            self.query_one("#panels", Grid).mount_all(panels)
            if self.focused is None:  # as when the dashboard is built with its panels: the first has the focus
                self.call_after_refresh(panels[0].focus)
            return
        for panel in self.query(DashboardPanel):
            panel.reload()
