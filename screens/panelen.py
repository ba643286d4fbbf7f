"""The areas' panels on the dashboard, kept apart from the areas' screens.

The dashboard is the first screen anyone sees; its panels need only the areas' services. Here they
import nothing of the forms, dialogs and lists, which load when an area is first opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ouder_tui.errors import NotFoundError
from ouder_tui.huisbezoek import action_text
from ouder_tui.oudergroep.models import VERZOEK_STATUSSEN
from ouder_tui.text import format_date, plural, shortened
from screens.overzicht import DashboardPanel

if TYPE_CHECKING:
    from ouder_tui.bereik import Bereik
    from ouder_tui.huisbezoek import Huisbezoeken
    from ouder_tui.infomoment import Infomomenten
    from ouder_tui.oudergroep import Oudergroep
    from ouder_tui.startgesprek import Startgesprekken


class BereikPanel(DashboardPanel):
    """This school year's reach in a few lines."""

    TITLE = "Bereik"

    def lines(self) -> list[str]:
        service: Bereik = self.app.service("bereik")  # type: ignore[attr-defined]
        c = service.samenvatting()
        total = c.gezinnen
        marked = c.niet_bereikt_met_aandacht
        moeders, vaders, anderen = c.ouders
        return [f"{total.bereikt} van {plural(total.totaal, 'gezin', 'gezinnen')} bereikt ({total.procent}%)",
                f"{c.niet_bereikt} nog door niemand" + (f", {marked} met (!)" if marked else ""),
                f"Moeders {moeders.bereikt}/{moeders.totaal}, vaders {vaders.bereikt}/{vaders.totaal}",
                f"Andere opvoeders {anderen.bereikt}/{anderen.totaal}",
                "b: bereik per gezin"]


class HuisbezoekPanel(DashboardPanel):
    """Upcoming visits, visits to log, and follow-up actions that are due or overdue."""

    TITLE = "Huisbezoeken"

    def lines(self) -> list[str]:
        service: Huisbezoeken = self.app.huisbezoeken  # type: ignore[attr-defined]
        today = service.vandaag()
        planned = service.gepland()
        lines = [f"{plural(len(planned), 'bezoek', 'bezoeken')} gepland"]
        for visit in planned[:3]:
            lines.append(f"  {format_date(visit.datum)} {visit.tijd}  gezin {service.gezin_naam(visit)}")
        to_log = service.te_loggen()
        if to_log:
            lines.append(f"{plural(len(to_log), 'bezoek', 'bezoeken')} nog te loggen")
        overdue = service.achterstallige_acties()
        due = service.acties_deze_week()
        if overdue:
            lines.append(f"{plural(len(overdue), 'actie', 'acties')} te laat:")
            for item in overdue[:3]:
                what = action_text(item.bezoek, item.actie)
                lines.append(f"  {format_date(item.actie.tegen)}  {what} ({item.actie.eigenaar or '?'})")
        if due:
            lines.append(f"{plural(len(due), 'actie', 'acties')} deze week")
        if not overdue and not due and not to_log:
            lines.append(f"Geen acties die aandacht vragen (stand {format_date(today)}).")
        return lines


class StartgesprekPanel(DashboardPanel):
    """The golden weeks, and plans whose review date has passed."""

    TITLE = "Startgesprekken"

    def lines(self) -> list[str]:
        service: Startgesprekken = self.app.startgesprekken  # type: ignore[attr-defined]
        days = service.gouden_weken_resterend()
        lines = [f"Gouden weken: nog {plural(days, 'schooldag', 'schooldagen')}" if days
                 else "De gouden weken zijn voorbij."]
        overdue = service.evaluatie_verlopen()
        if overdue:
            lines.append(f"{plural(len(overdue), 'plan', 'plannen')} te herbekijken:")
            for talk in overdue[:3]:
                try:
                    pupil = service.registry.leerling(talk.leerling_id)
                except NotFoundError:
                    continue
                lines.append(f"  {format_date(talk.plan.evaluatie_op)}  {pupil.naam} ({pupil.klas})")
        return lines


class OudergroepPanel(DashboardPanel):
    """The next session, sessions whose attendance is still to record, parents to follow up, open requests."""

    TITLE = "Oudergroep"

    def lines(self) -> list[str]:
        service: Oudergroep = self.app.oudergroep  # type: ignore[attr-defined]
        upcoming = service.volgende()
        lines = []
        if upcoming:
            extra = f", {plural(len(upcoming.uitnodigingen), 'ouder', 'ouders')} uitgenodigd"
            lines.append(f"Volgende sessie {format_date(upcoming.datum)} {upcoming.begin}: {upcoming.titel}{extra}")
        else:
            lines.append("Geen sessie gepland.")
        to_record = service.zonder_aanwezigheden()
        if to_record:
            lines.append(f"{plural(len(to_record), 'sessie', 'sessies')} zonder aanwezigheden")
        away = service.weggebleven()
        if away:
            lines.append(f"{plural(len(away), 'ouder', 'ouders')} weggebleven: opvolgen")
        requests = service.open_verzoeken()
        lines.append(f"{plural(len(requests), 'open verzoek', 'open verzoeken')} van de groep")
        for verzoek in requests[:3]:
            what = shortened(verzoek.wat, 38)
            lines.append(f"  {what} ({VERZOEK_STATUSSEN.get(verzoek.status, verzoek.status)})")
        return lines


class InfomomentPanel(DashboardPanel):
    """This year's infomoment: when, how far the preparation is, overdue tasks, warnings."""

    TITLE = "Infomoment"

    def lines(self) -> list[str]:
        service: Infomomenten = self.app.infomomenten  # type: ignore[attr-defined]
        info = service.huidig()
        if info is None:
            return ["Nog geen infomoment voor dit schooljaar (F7)."]
        done, total = info.voortgang()
        lines = [f"{format_date(info.datum)} {info.begin}: {done} van {total} taken klaar"]
        late = service.achterstallig(info)
        if late:
            lines.append(f"{plural(len(late), 'taak', 'taken')} te laat:")
            for taak in late[:3]:
                what = shortened(taak.wat, 44)
                lines.append(f"  {format_date(taak.deadline(info.datum))}  {what}")
        for warning in service.waarschuwingen(info)[:2]:
            lines.append(f"! {warning}")
        return lines
