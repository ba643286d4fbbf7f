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

from ouder_tui.areas import palette_hits
from ouder_tui.text import fold

if TYPE_CHECKING:
    from ouder_tui.app import OuderTuiApp


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
    """What the areas find: pupils by name, class, number, parent or phone; families by name, parent,
    phone or address; home visits, conversations and sessions. Each area's ``search`` gives plain hits
    (``ouder_tui/areas.py``); here they become Textual hits that open their target in the App."""

    @property
    def ouder_app(self) -> OuderTuiApp:
        return cast("OuderTuiApp", self.app)

    async def search(self, query: str) -> Hits:
        """Every area's hits, best first (Textual keeps that order among equal scores)."""
        app = self.ouder_app
        if app.locked or not query.strip():
            return
        for hit in palette_hits(app.services, query):
            kind, value = hit.target
            yield Hit(hit.score, _display(hit.text, query), partial(getattr(app, f"open_{kind}"), value),
                      text=hit.text, help=hit.help)


class AppCommands(Provider):
    """The app's commands in Dutch (Textual's own English system commands are left out)."""

    def _commands(self) -> list[tuple[str, str, str]]:
        from screens.areas import AREAS

        commands = [(f"Naar {a.label}", f"area('{a.mode}')", f"Toets {a.key.upper()}") for a in AREAS]
        commands += [
            ("Leerlingen importeren (CSV)", "import_leerlingen", "Uit Smartschool, Wisa of Informat"),
            ("Bereik van de gezinnen", "bereik", "Wie de school dit schooljaar bereikte, en wie nog niet"),
            ("Prullenbak", "prullenbak", "Verwijderde leerlingen en gezinnen terugzetten"),
            ("Instellingen", "instellingen", "Naam van de school, vergrendeltijd, bewaartermijn, wachtwoord"),
            ("Wachtwoord van de databank", "instellingen", "Beveiligen, wijzigen of uitzetten, in de instellingen"),
            ("Logboek", "logboek", "Wie wijzigde wat en wanneer"),
            ("Vragenbank", "vragenbank", "Vragen van het omgekeerd oudergesprek verbergen, wijzigen of verwijderen"),
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
