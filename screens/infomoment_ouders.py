"""The parents of the infomoment: the target group from the registry, who is invited, who came, and after
the evening the invited families nobody of came (to reach another way). Opened with o from the infomoment."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Static

from ouder_tui.errors import OuderTuiError
from ouder_tui.infomoment import Infomoment, Infomomenten
from ouder_tui.text import format_date, plural
from screens.footer import Footer
from screens.table import Column, RecordTable, Row
from screens.widgets import error_text


class InfomomentOudersScreen(Screen[None]):
    """One row per parent of the families in the target group (proposed from the registry, or invited)."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Terug"),
        Binding("u", "invite", "Uitnodigen"),
        Binding("space", "came", "Kwam"),
        Binding("plus", "invite_all", "Voorstel uitnodigen", show=False),
        Binding("n", "add_family", "Gezin +", show=False),
        Binding("x", "letters", "Brieven", show=False),
        Binding("h", "visit", "Huisbezoek plannen", show=False),
    ]
    HELP = """
# Ouders van het infomoment

De doelgroep komt uit het register: de gezinnen met een kind in het vijfde of zesde leerjaar. Wie er
nog bij hoort (bv. een vierdejaars die naar de B-stroom gaat), voeg je toe met **n**. Gezinnen met extra
aandacht staan eerst, met (!).

- **+** nodigt alle gezinnen van het voorstel uit.
- **u** zet het gezin van de geselecteerde ouder wel of niet op de lijst van uitgenodigden.
- **Spatie** duidt na de avond aan dat deze ouder kwam (nog eens: toch niet).
- **Enter** opent het gezin.
- **x** maakt de uitnodigingsbrieven: een blad per gezin, met vooraan voor de school wie een tolk nodig heeft.

Na de avond staat bovenaan welke uitgenodigde gezinnen niemand stuurden: bereik hen op een andere
manier. **h** plant een huisbezoek bij het gezin van de geselecteerde ouder. Wie kwam, telt mee in het
bereik.
"""
    DEFAULT_CSS = """
    InfomomentOudersScreen #summary { height: auto; padding: 0 1; }
    InfomomentOudersScreen RecordTable { height: 1fr; }
    """

    def __init__(self, service: Infomomenten, info_id: int) -> None:
        super().__init__()
        self.service = service
        self.info_id = info_id

    @property
    def info(self) -> Infomoment:
        return self.service.infomoment(self.info_id)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static("", id="summary", markup=False)
            yield RecordTable([Column("Gezin", 20), Column("Ouder", 22), Column("Kinderen"), Column("Tolk", 10),
                               Column("Uitgen.", 7), Column("Kwam", 4)], id="ouders-table",
                              empty_text="Geen gezinnen met een kind in het vijfde of zesde leerjaar.")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.reload()
        self.query_one(RecordTable).focus()

    def reload(self) -> None:
        info = self.info
        proposal = self.service.doelgroep_voorstel()
        invited = self.service.doelgroep(info)
        families = invited + [g for g in proposal if g.id not in set(info.uitgenodigd)]
        from ouder_tui.bereik import marked_first, marks

        families = marked_first(self.service.store, families)
        marked = marks(self.service.store)
        came = set(info.aanwezig)
        rows = []
        for gezin in families:
            kids = ", ".join(f"{k.voornaam} ({k.klas})" for k in self.service.registry.kinderen(gezin.id, ook_vertrokken=False))
            name = f"(!) {gezin.naam}" if gezin.id in marked else gezin.naam
            for ouder in gezin.ouders or ():
                rows.append(Row((gezin.id, ouder.id), (
                    name, f"{ouder.relatie} {ouder.naam}", kids,
                    (ouder.tolk_taal or "ja") if ouder.tolk_nodig else "", "ja" if gezin.id in info.uitgenodigd else "",
                    "ja" if ouder.id in came else "")))
        table = self.query_one(RecordTable)
        table.set_rows(rows, keep_key=table.current_key)
        families_came = sum(1 for g in invited if any(o.id in came for o in g.ouders))
        lines = [f"Infomoment {format_date(info.datum)}: {plural(len(invited), 'gezin', 'gezinnen')} uitgenodigd "
                 f"(voorstel: {len(proposal)}), {families_came} kwamen ({plural(len(came), 'ouder', 'ouders')})."]
        follow = self.service.opvolgen(info)
        if follow:
            names = ", ".join(g.naam for g in follow[:6]) + (" ..." if len(follow) > 6 else "")
            lines.append(f"Uitgenodigd maar niemand kwam ({len(follow)}), opvolgen (h: huisbezoek): {names}")
        lines.append("u: (niet) uitnodigen  ·  +: heel het voorstel  ·  n: gezin erbij  ·  spatie: kwam  ·  x: brieven")
        self.query_one("#summary", Static).update("\n".join(lines))

    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        from screens.gezin import GezinScreen

        self.app.push_screen(GezinScreen(self.service.registry, event.key[0]))

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.reload()

    def _run(self, change) -> None:
        try:
            change()
        except OuderTuiError as exc:
            self.notify(error_text(exc), severity="error", markup=False)
        self.reload()

    def action_invite(self) -> None:
        key = self.query_one(RecordTable).current_key
        if key is None:
            return
        gezin_id = key[0]
        self._run(lambda: self.service.nodig_uit(self.info_id, [gezin_id],
                                                  uitnodigen=gezin_id not in self.info.uitgenodigd))

    def action_invite_all(self) -> None:
        proposal = [g.id for g in self.service.doelgroep_voorstel() if g.id not in self.info.uitgenodigd]
        self._run(lambda: self.service.nodig_uit(self.info_id, proposal))
        self.notify(f"{plural(len(proposal), 'gezin', 'gezinnen')} erbij uitgenodigd.", timeout=3, markup=False)

    def action_came(self) -> None:
        key = self.query_one(RecordTable).current_key
        if key is None:
            return
        _, ouder_id = key
        info = self.info
        self._run(lambda: self.service.zet_aanwezig(self.info_id, ouder_id, ouder_id not in info.aanwezig))

    def action_add_family(self) -> None:
        """Invite a family from outside the proposal (chosen from the registry)."""
        from screens.picker import GezinPicker

        def chosen(gezin_id: int | None) -> None:
            if gezin_id is not None:
                self._run(lambda: self.service.nodig_uit(self.info_id, [gezin_id]))

        self.app.push_screen(GezinPicker(self.service.registry), chosen)

    def action_visit(self) -> None:
        """Plan a home visit for the family of the selected parent (to reach who did not come)."""
        from screens.huisbezoek import PlanForm

        key = self.query_one(RecordTable).current_key
        if key is not None:
            visits = self.app.huisbezoeken  # type: ignore[attr-defined]
            self.app.push_screen(PlanForm(visits, visits.voorstel(key[0])),
                                 lambda saved: saved is not None and self.notify("Huisbezoek gepland.", timeout=3))

    def action_letters(self) -> None:
        from ouder_tui.infomoment_brieven import FORMATS, uitnodigingen
        from screens.export_dialog import ExportDialog

        info = self.info

        def produce(fmt: str, options: dict[str, bool]) -> bytes:
            return uitnodigingen(self.service, self.service.infomoment(self.info_id), fmt)

        self.app.push_screen(ExportDialog(f"Uitnodigingen infomoment {info.schooljaar}",
                                          f"uitnodigingen-infomoment-{info.schooljaar}", FORMATS, produce))
