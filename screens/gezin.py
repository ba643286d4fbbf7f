"""One family: its children, its parents or guardians, how to reach it, and the forms to edit it."""

from __future__ import annotations

import msgspec
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Label, Static

from ouder_tui.errors import NotFoundError, OuderTuiError
from ouder_tui.kanalen import kanaal_naam
from ouder_tui.leerlingen import KANALEN, RELATIES, Adres, Gezin, Leerling, Ouder, Registry
from ouder_tui.models import from_record
from ouder_tui.text import format_date, plural
from screens.base import DetailScreen
from screens.dialogs import ConfirmDialog
from screens.footer import Footer
from screens.forms import FormScreen, check_field, choice_field, note_field, text_field
from screens.table import Column, RecordTable, Row
from screens.widgets import Card, ModuleCards, error_text, reach_lines


class GezinForm(FormScreen[Gezin]):
    """Add a family or edit its name, address and notes (parents have their own form)."""

    HELP = """
# Gezin bewaren

De naam van het gezin is verplicht (meestal de familienaam van de kinderen).
Ouders en voogden voeg je toe op het scherm van het gezin (toets o).
"""

    def __init__(self, registry: Registry, gezin: Gezin | None = None) -> None:
        self.registry = registry
        self.record = gezin or Gezin()
        super().__init__("Gezin bewerken" if gezin and gezin.id else "Nieuw gezin")

    def compose_fields(self) -> ComposeResult:
        g = self.record
        yield text_field("naam", "Naam van het gezin *", g.naam, max_length=100)
        with Horizontal(classes="row"):
            yield text_field("adres.straat", "Straat", g.adres.straat)
            yield text_field("adres.huisnummer", "Nummer", g.adres.huisnummer)
            yield text_field("adres.bus", "Bus", g.adres.bus)
        with Horizontal(classes="row"):
            yield text_field("adres.postcode", "Postcode", g.adres.postcode)
            yield text_field("adres.gemeente", "Gemeente", g.adres.gemeente)
        yield note_field("notities", "Notities", g.notities)

    def build(self) -> Gezin:
        v = self.values()
        adres = Adres(straat=v["adres.straat"], huisnummer=v["adres.huisnummer"], bus=v["adres.bus"],
                      postcode=v["adres.postcode"], gemeente=v["adres.gemeente"])
        return msgspec.structs.replace(self.record, naam=v["naam"], adres=adres, notities=v["notities"])

    def store_value(self, value: Gezin, *, overwrite: bool) -> Gezin:
        if value.id:
            return self.registry.save_gezin(value, overwrite=overwrite)
        return self.registry.add_gezin(value)

    def fill(self, record: dict) -> None:
        self.record = from_record(Gezin, record)
        g = self.record
        self.field("naam").value = g.naam
        for part in ("straat", "huisnummer", "bus", "postcode", "gemeente"):
            self.field(f"adres.{part}").value = getattr(g.adres, part)
        self.field("notities").value = g.notities


class OuderForm(FormScreen[Gezin]):
    """Add or edit one parent or guardian of a family; saving saves the family."""

    DETAILS = {
        "tolk_taal": ("tolk_nodig", (True,), "Je typte een taal voor de tolk, maar 'tolk nodig' is niet "
                      "aangevinkt: vink het aan of maak dit veld leeg."),
    }

    HELP = """
# Ouder of voogd

Vul minstens een voornaam of familienaam in. Talen scheid je met komma's
(bv. Turks, Nederlands). Vink 'tolk nodig' aan als een gesprek een tolk vraagt,
en zeg voor welke taal. Het voorkeurkanaal en de beste momenten verschijnen op de
kaart 'Zo bereik je dit gezin'.
"""

    def __init__(self, registry: Registry, gezin: Gezin, ouder_id: str | None = None) -> None:
        self.registry = registry
        self.gezin = gezin
        self.ouder_id = ouder_id
        self.ouder = next((o for o in gezin.ouders if o.id == ouder_id), Ouder())
        super().__init__(f"Ouder of voogd van gezin {gezin.naam}")

    def compose_fields(self) -> ComposeResult:
        o = self.ouder
        with Horizontal(classes="row"):
            yield choice_field("relatie", "Relatie", [(r, r) for r in RELATIES], o.relatie, allow_blank=False)
            yield text_field("voornaam", "Voornaam", o.voornaam, max_length=100)
            yield text_field("familienaam", "Familienaam", o.familienaam, max_length=100)
        with Horizontal(classes="row"):
            yield text_field("talen", "Talen (met komma's)", ", ".join(o.talen))
            yield check_field("tolk_nodig", "tolk nodig", o.tolk_nodig)
            yield text_field("tolk_taal", "Tolk voor taal", o.tolk_taal)
        with Horizontal(classes="row"):
            yield text_field("telefoon", "Telefoon / gsm", o.telefoon)
            yield text_field("email", "E-mail", o.email)
        with Horizontal(classes="row"):
            yield choice_field("voorkeurkanaal", "Voorkeurkanaal", _channel_options(o.voorkeurkanaal),
                               kanaal_naam(o.voorkeurkanaal))
            yield text_field("beste_momenten", "Best bereikbaar", o.beste_momenten, placeholder="bv. na 16 uur")
        yield note_field("notities", "Notities", o.notities)

    def _index(self) -> int:
        ids = [o.id for o in self.gezin.ouders]
        return ids.index(self.ouder_id) if self.ouder_id in ids else len(ids)

    def field_for_error(self, key: str) -> str:
        prefix = f"ouders.{self._index()}."
        return key[len(prefix):] if key.startswith(prefix) else key

    def build(self) -> Gezin:
        v = self.values()
        ouder = msgspec.structs.replace(
            self.ouder, relatie=v["relatie"], voornaam=v["voornaam"], familienaam=v["familienaam"],
            talen=tuple(t.strip() for t in v["talen"].split(",") if t.strip()), tolk_nodig=v["tolk_nodig"],
            tolk_taal=v["tolk_taal"], telefoon=v["telefoon"], email=v["email"],
            voorkeurkanaal=v["voorkeurkanaal"], beste_momenten=v["beste_momenten"], notities=v["notities"],
        )
        ouders = list(self.gezin.ouders)
        index = self._index()
        if index < len(ouders):
            ouders[index] = ouder
        else:
            ouders.append(ouder)
        return msgspec.structs.replace(self.gezin, ouders=tuple(ouders))

    def store_value(self, value: Gezin, *, overwrite: bool) -> Gezin:
        saved = self.registry.save_gezin(value, overwrite=overwrite)
        self.ouder_id = saved.ouders[min(self._index(), len(saved.ouders) - 1)].id
        return saved

    def fill(self, record: dict) -> None:
        self.gezin = from_record(Gezin, record)
        self.ouder = next((o for o in self.gezin.ouders if o.id == self.ouder_id), Ouder())
        o = self.ouder
        self.set_values({"relatie": o.relatie, "voornaam": o.voornaam, "familienaam": o.familienaam,
                         "talen": ", ".join(o.talen), "tolk_nodig": o.tolk_nodig, "tolk_taal": o.tolk_taal,
                         "telefoon": o.telefoon, "email": o.email, "voorkeurkanaal": o.voorkeurkanaal,
                         "beste_momenten": o.beste_momenten, "notities": o.notities})


def _channel_options(current: str) -> list[tuple[str, str]]:
    """The one list of channels, plus a parent's current choice if it is none of them (imported text)."""
    options = [(k, k) for k in KANALEN if k]
    shown = kanaal_naam(current)
    return options if not shown or (shown, shown) in options else [*options, (shown, shown)]


def child_row(kid: Leerling) -> Row:
    return Row(kid.id, (kid.naam, kid.klas, format_date(kid.geboortedatum), kid.status))


def parent_row(ouder: Ouder) -> Row:
    tolk = f"ja ({ouder.tolk_taal})" if ouder.tolk_nodig else "nee"
    return Row(ouder.id, (ouder.relatie, ouder.naam, ", ".join(ouder.talen), tolk, ouder.telefoon))


class GezinScreen(DetailScreen):
    """A family: children, parents or guardians, and the card a teacher looks at before calling."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Terug"),
        Binding("e", "edit", "Bewerken"),
        Binding("o", "add_parent", "Ouder +"),
        Binding("x", "remove_parent", "Ouder -", show=False),
        Binding("n", "add_child", "Kind +"),
        Binding("delete", "delete", "Verwijderen", show=False),
        Binding("i", "inzage", "Inzage"),
        Binding("a", "aandacht", "Aandacht", show=False),
        Binding("A", "aandacht_weg", "Markering weg", show=False),
        Binding("h", "historiek", "Historiek", show=False),
        Binding("w", "wissen", "Wissen", show=False),
    ]
    HELP = """
# Gezin

De kinderen van het gezin, de ouders of voogden met hun talen en tolknood, en de kaart
**Zo bereik je dit gezin**: kanaal, nummer, taal en beste momenten.

Enter op een kind opent de leerling; Enter op een ouder opent het formulier van die ouder.
Tab springt tussen de lijsten.

**i** maakt het inzageverslag voor ouders die vragen wat de school over hen bewaart: alles over
het gezin en de kinderen uit elk deel van ouder-tui, ook vertrouwelijke notities (gemarkeerd) en wat
in de prullenbak zit. Lees het na voor je het meegeeft.

De kaart **Bereik** (onderaan) toont de contacten van dit schooljaar over alle delen heen. **a** markeert het
gezin voor extra aandacht (met de reden); **A** (shift+a) haalt die markering weg.

**h** toont wie dit gezin wanneer wijzigde (welke velden). **w** wist het gezin definitief, op vraag
van de ouders: de kinderen, hun gesprekken en huisbezoeken, wat de ouders in de oudergroep deden, wat
in de prullenbak zit en hun regels in het logboek. Je ziet eerst alles wat verdwijnt.
"""
    DEFAULT_CSS = """
    GezinScreen VerticalScroll { padding: 0 1; }
    GezinScreen .name { text-style: bold; height: 1; }
    GezinScreen RecordTable { height: auto; max-height: 8; margin-bottom: 1; }
    GezinScreen Label { color: $text-muted; }
    """

    def __init__(self, registry: Registry, gezin_id: int) -> None:
        super().__init__()
        self.registry = registry
        self.gezin_id = gezin_id

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("", classes="name", id="name", markup=False)
            yield Card("Zo bereik je dit gezin", id="reach-card")
            yield ModuleCards(self._module_cards())  # e.g. the plan agreed, the visits
            yield Label("Kinderen")
            yield RecordTable([Column("Naam"), Column("Klas", 6), Column("Geboren", 10), Column("Status", 10)],
                              id="children", empty_text="Geen kinderen.")
            yield Label("Ouders en voogden")
            yield RecordTable([Column("Relatie", 10), Column("Naam"), Column("Talen"), Column("Tolk", 14),
                               Column("Telefoon", 16)], id="parents", empty_text="Nog geen ouders (o: toevoegen).")
            yield Card("Gezin", id="family-card")
            yield ModuleCards(self._reach_cards())  # this school year's contacts and the mark, under the rest
        yield Footer(show_command_palette=False, compact=True)

    @staticmethod
    def _module_cards() -> list:
        from screens.areas import AREAS

        return [card for area in AREAS for card in area.family_cards()]

    @staticmethod
    def _reach_cards() -> list:
        from screens.bereik import family_reach_card

        return [family_reach_card]

    @property
    def gezin(self) -> Gezin:
        return self.registry.gezin(self.gezin_id)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#children", RecordTable).focus()

    def reload(self) -> None:
        try:
            g = self.gezin
        except NotFoundError:
            if self.app.screen is self:  # not when it was closed already (e.g. right after an erasure)
                self.notify("Dit gezin bestaat niet meer.", severity="warning")
            self.close()
            return
        self.query_one("#name", Static).update(f"Gezin {g.naam}")
        self.query_one("#reach-card", Card).set_lines(reach_lines(g) or ["Nog geen ouders of voogden."])
        self.query_one("#children", RecordTable).set_rows([child_row(k) for k in self.registry.kinderen(g.id)])
        self.query_one("#parents", RecordTable).set_rows([parent_row(o) for o in g.ouders])
        lines = [g.adres.regel() or "(geen adres)"]
        if g.notities:
            lines += ["Notities:", g.notities]
        lines.append(f"Laatst gewijzigd door {g.changed_by or '-'}")
        self.query_one("#family-card", Card).set_lines(lines)
        for cards in self.query(ModuleCards):
            cards.show(self.app, g)

    def on_record_table_selected(self, event: RecordTable.Selected) -> None:
        if event.table.id == "children":
            from screens.leerling import LeerlingScreen

            self.app.push_screen(LeerlingScreen(self.registry, event.key))
        else:
            self.app.push_screen(OuderForm(self.registry, self.gezin, event.key), lambda _: self.reload())

    def action_edit(self) -> None:
        self.app.push_screen(GezinForm(self.registry, self.gezin), lambda _: self.reload())

    def action_add_parent(self) -> None:
        self.app.push_screen(OuderForm(self.registry, self.gezin), lambda _: self.reload())

    def action_add_child(self) -> None:
        from screens.leerling import LeerlingForm

        familienaam = self.gezin.naam
        self.app.push_screen(LeerlingForm(self.registry, Leerling(familienaam=familienaam, gezin_id=self.gezin_id)),
                             lambda _: self.reload())

    def action_remove_parent(self) -> None:
        ouder_id = self.query_one("#parents", RecordTable).current_key
        g = self.gezin
        ouder = next((o for o in g.ouders if o.id == ouder_id), None)
        if ouder is None:
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.registry.save_gezin(msgspec.structs.replace(g, ouders=tuple(o for o in g.ouders if o.id != ouder.id)))
            except OuderTuiError as exc:
                self.notify(error_text(exc), severity="error", markup=False)
            self.reload()

        self.app.push_screen(ConfirmDialog("Ouder of voogd weghalen?", f"{ouder.naam} ({ouder.relatie}) weghalen uit gezin {g.naam}?",
                                           yes="Weghalen"), confirmed)

    def action_inzage(self) -> None:
        from ouder_tui.inzage import FORMATS, inzage_report
        from screens.export_dialog import ExportDialog

        gezin = self.registry.gezin(self.gezin_id)

        def produce(fmt: str, options: dict[str, bool]) -> bytes:
            return inzage_report(self.registry, self.gezin_id, fmt)

        self.app.push_screen(ExportDialog(f"Inzage voor gezin {gezin.naam}", f"inzage-gezin-{self.gezin_id}",
                                          FORMATS, produce))

    def action_aandacht(self) -> None:
        from screens.bereik import AandachtForm

        self.app.push_screen(AandachtForm(self.app.service("bereik"), self.gezin), lambda _: self.reload())

    def action_aandacht_weg(self) -> None:
        from screens.bereik import remove_mark

        remove_mark(self.app, self.app.service("bereik"), self.gezin, self.reload)

    def action_historiek(self) -> None:
        from screens.privacy import LogboekScreen

        gezin = self.registry.gezin(self.gezin_id)
        self.app.push_screen(LogboekScreen(self.registry.store, tabel="gezinnen", record_id=self.gezin_id,
                                           titel=f"Historiek van gezin {gezin.naam}"))

    def action_wissen(self) -> None:
        from ouder_tui.privacy import wis, wisplan_gezin

        plan = wisplan_gezin(self.registry, self.gezin_id)
        self.confirm_and_close(
            f"Het {plan.titel} definitief wissen?",
            "Dit verdwijnt voorgoed en kan niet ongedaan gemaakt worden:\n" + "\n".join(f"- {r}" for r in plan.regels),
            lambda: wis(self.registry, plan), yes="Definitief wissen",
            done=lambda count: f"Het {plan.titel} is gewist ({plural(count, 'record', 'records')}).")

    def action_delete(self) -> None:
        g = self.gezin
        self.confirm_and_close("Gezin verwijderen?", f"Gezin {g.naam} gaat naar de prullenbak.",
                               lambda: self.registry.delete_gezin(g),
                               done=lambda _: f"Gezin {g.naam} staat in de prullenbak.")
