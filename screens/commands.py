"""The command palette (ctrl+p): find any pupil or family, and the app's own commands.

Hits show user text as plain ``Content``: a name like ``[bold]`` stays literal.
The help line under a hit is parsed as markup by Textual, so it only ever holds
our own fixed words.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from ouder_tui.huisbezoek import summary_line
from ouder_tui.text import fold, format_date

if TYPE_CHECKING:
    from ouder_tui.app import OuderTuiApp

MAX_HITS = 12


def _display(text: str, query: str) -> Content:
    """``text`` literally, with the first occurrence of each query word underlined."""
    content = Content(text)
    folded = fold(text)
    for word in fold(query).split():
        at = folded.find(word)
        if at >= 0 and len(folded) == len(text):
            content = content.stylize("bold underline", at, at + len(word))
    return content


class RegistryCommands(Provider):
    """Pupils by name, class, number, parent or phone; families by name, parent, phone or address."""

    @property
    def ouder_app(self) -> OuderTuiApp:
        return cast("OuderTuiApp", self.app)

    async def search(self, query: str) -> Hits:
        app = self.ouder_app
        if app.locked or not query.strip():
            return
        registry = app.registry
        wanted = fold(query.strip())
        for klas, count in registry.leerlingen_per_klas().items():
            if fold(klas) == wanted or fold(f"klas {klas}") == wanted:
                text = f"Klas {klas}  ·  {count} leerlingen"
                yield Hit(1.0, _display(text, query), partial(app.open_klas, klas), text=text, help="Klas tonen")
        for rank, pupil in enumerate(registry.zoek_leerlingen(query, ook_vertrokken=True)[:MAX_HITS]):
            family = registry.gezin(pupil.gezin_id).naam if pupil.gezin_id else ""
            parts = [pupil.naam, pupil.klas or "geen klas"]
            if family:
                parts.append(f"gezin {family}")
            if not pupil.actief:
                parts.append("vertrokken")
            text = "  ·  ".join(parts)
            yield Hit(0.99 - rank / 100, _display(text, query), partial(app.open_leerling, pupil.id),
                      text=text, help="Leerling openen")
        for rank, visit in enumerate(app.huisbezoeken.zoek(query)[:MAX_HITS]):
            # Only the summary line: never notes, so confidential visits are safe here too.
            text = "Huisbezoek  ·  " + summary_line(visit, app.huisbezoeken.gezin_naam(visit))
            yield Hit(0.79 - rank / 100, _display(text, query), partial(app.open_huisbezoek, visit.id),
                      text=text, help="Huisbezoek openen")
        for rank, talk in enumerate(app.startgesprekken.zoek(query)[:MAX_HITS]):
            pupil = registry.leerling(talk.leerling_id)
            text = f"{talk.soort_tekst.capitalize()}  ·  {pupil.naam} ({pupil.klas})  ·  {format_date(talk.datum)}"
            yield Hit(0.75 - rank / 100, _display(text, query), partial(app.open_startgesprek, talk.id),
                      text=text, help="Gesprek en communicatieplan openen")
        for rank, session in enumerate(app.oudergroep.zoek(query)[:MAX_HITS]):
            text = (f"Oudergroep  ·  {format_date(session.datum)} {session.begin}  ·  {session.titel}  ·  "
                    f"{session.status_tekst}")
            yield Hit(0.7 - rank / 100, _display(text, query), partial(app.open_oudergroep_sessie, session.id),
                      text=text, help="Sessie van de oudergroep openen")
        for rank, family in enumerate(registry.zoek_gezinnen(query)[:MAX_HITS]):
            parents = ", ".join(o.naam for o in family.ouders)
            text = f"Gezin {family.naam}" + (f"  ·  {parents}" if parents else "")
            yield Hit(0.89 - rank / 100, _display(text, query), partial(app.open_gezin, family.id),
                      text=text, help="Gezin openen")


class AppCommands(Provider):
    """The app's commands in Dutch (Textual's own English system commands are left out)."""

    def _commands(self) -> list[tuple[str, str, str]]:
        from screens.areas import AREAS

        commands = [(f"Naar {a.label}", f"area('{a.mode}')", f"Toets {a.key.upper()}") for a in AREAS]
        commands += [
            ("Leerlingen importeren (CSV)", "import_leerlingen", "Uit Smartschool, Wisa of Informat"),
            ("Prullenbak", "prullenbak", "Verwijderde leerlingen en gezinnen terugzetten"),
            ("Instellingen", "instellingen", "Naam van de school, vergrendeltijd, bewaartermijn, wachtwoord"),
            ("Wachtwoord van de databank", "instellingen", "Beveiligen, wijzigen of uitzetten, in de instellingen"),
            ("Logboek", "logboek", "Wie wijzigde wat en wanneer"),
            ("Bewaartermijn", "bewaartermijn", "Gegevens van lang vertrokken leerlingen wissen"),
            ("Gebruiker wisselen", "switch_user", "ctrl+u"),
            ("Scherm vergrendelen", "lock", "ctrl+l"),
            ("Help", "help", "F1"),
            ("Stoppen", "quit", "ctrl+q"),
        ]
        return commands

    async def discover(self) -> Hits:
        if cast("OuderTuiApp", self.app).locked:
            return
        for title, action, help_text in self._commands():
            yield DiscoveryHit(Content(title), partial(self.app.run_action, action), text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        if cast("OuderTuiApp", self.app).locked:
            return
        matcher = self.matcher(query)
        for title, action, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score * 0.8, _display(title, query), partial(self.app.run_action, action),
                          text=title, help=help_text)
