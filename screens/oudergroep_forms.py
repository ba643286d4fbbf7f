"""The parent group's smaller forms: a theme, a request to the school, a contact, a walk-in."""

from __future__ import annotations

import msgspec
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Label, Static

from ouder_tui.errors import ValidationError
from ouder_tui.models import from_record
from ouder_tui.oudergroep import (
    CONTACT_MANIEREN,
    THEMA_STATUSSEN,
    VERZOEK_STATUSSEN,
    Contact,
    Gast,
    Oudergroep,
    Persoon,
    Thema,
    Verzoek,
)
from ouder_tui.text import format_date
from screens.forms import (
    FormScreen,
    check_field,
    choice_field,
    date_value,
    note_field,
    raise_with_model_errors,
    text_field,
)
from screens.picker import GezinPicker


class ThemaForm(FormScreen[Thema]):
    """A theme parents asked for."""

    HELP = """
# Thema

Een onderwerp waar ouders om vroegen, bv. meertalig opvoeden. Noteer wie erom vroeg en hoeveel
ouders het willen: zo zie je welk thema eerst aan de beurt is. De status volgt vanzelf: een
sessie plannen over het thema maakt het 'gepland', een gehouden sessie maakt het 'gedaan'.
"""

    def __init__(self, service: Oudergroep, thema: Thema | None = None) -> None:
        self.service = service
        self.record = thema or Thema()
        super().__init__("Thema bewerken" if self.record.id else "Nieuw thema")

    def compose_fields(self) -> ComposeResult:
        t = self.record
        yield text_field("titel", "Thema *", t.titel)
        yield note_field("omschrijving", "Waarover precies", t.omschrijving)
        with Horizontal(classes="row"):
            yield text_field("gevraagd_door", "Gevraagd door", t.gevraagd_door)
            yield text_field("aantal", "Hoeveel ouders willen het", str(t.aantal))
            yield choice_field("status", "Status", [(v, k) for k, v in THEMA_STATUSSEN.items()], t.status,
                               allow_blank=False)

    def build(self) -> Thema:
        v = self.values()
        errors: dict[str, str] = {}
        try:
            aantal = int(v["aantal"].strip() or 0)
        except ValueError:
            errors["aantal"] = "Typ een aantal ouders, bv. 5."
            aantal = 0
        value = msgspec.structs.replace(self.record, titel=v["titel"], omschrijving=v["omschrijving"],
                                        gevraagd_door=v["gevraagd_door"], aantal=aantal, status=v["status"])
        raise_with_model_errors(value, errors)
        return value

    def store_value(self, value: Thema, *, overwrite: bool) -> Thema:
        return self.service.bewaar_thema(value, overwrite=overwrite)

    def fill(self, record: dict) -> None:
        self.record = t = from_record(Thema, record)
        self.set_values({"titel": t.titel, "omschrijving": t.omschrijving, "gevraagd_door": t.gevraagd_door,
                         "aantal": str(t.aantal), "status": t.status})


class VerzoekForm(FormScreen[Verzoek]):
    """A request of the group to the school, followed up to the answer and back to the group."""

    HELP = """
# Verzoek van de oudergroep

Wat vroeg de groep aan de school (bv. een eigen account op het schoolplatform)? Wie van de
school neemt het op? Noteer het antwoord van de school zodra het er is, en vink aan wanneer dat
antwoord in de groep is teruggebracht: pas dan is het verzoek afgerond.
"""

    def __init__(self, service: Oudergroep, verzoek: Verzoek | None = None, *, sessie_id: int | None = None) -> None:
        self.service = service
        self.record = verzoek or Verzoek(sessie_id=sessie_id)
        super().__init__("Verzoek bewerken" if self.record.id else "Nieuw verzoek van de groep")

    def compose_fields(self) -> ComposeResult:
        r = self.record
        yield text_field("wat", "Wat vraagt de groep *", r.wat)
        yield note_field("toelichting", "Toelichting", r.toelichting)
        with Horizontal(classes="row"):
            yield text_field("gevraagd_op", "Gevraagd op (dd/mm/jjjj)", format_date(r.gevraagd_op or
                                                                                    self.service.vandaag()))
            yield text_field("eigenaar", "Wie neemt het op", r.eigenaar)
            yield choice_field("status", "Status", [(v, k) for k, v in VERZOEK_STATUSSEN.items()], r.status,
                               allow_blank=False)
        yield note_field("antwoord", "Wat antwoordde de school", r.antwoord)
        yield check_field("teruggekoppeld", "het antwoord is in de groep teruggebracht", r.teruggekoppeld)

    def build(self) -> Verzoek:
        v = self.values()
        errors: dict[str, str] = {}
        asked = date_value(errors, "gevraagd_op", v["gevraagd_op"])
        value = msgspec.structs.replace(self.record, wat=v["wat"], toelichting=v["toelichting"], gevraagd_op=asked,
                                        eigenaar=v["eigenaar"], status=v["status"], antwoord=v["antwoord"],
                                        teruggekoppeld=v["teruggekoppeld"])
        raise_with_model_errors(value, errors)
        return value

    def store_value(self, value: Verzoek, *, overwrite: bool) -> Verzoek:
        return self.service.bewaar_verzoek(value, overwrite=overwrite)

    def fill(self, record: dict) -> None:
        self.record = r = from_record(Verzoek, record)
        self.set_values({"wat": r.wat, "toelichting": r.toelichting, "gevraagd_op": format_date(r.gevraagd_op),
                         "eigenaar": r.eigenaar, "status": r.status, "antwoord": r.antwoord,
                         "teruggekoppeld": r.teruggekoppeld})


class ContactForm(FormScreen[Contact]):
    """A contact with a parent who stayed away."""

    HELP = """
# Contact noteren

Je belde een ouder die wegbleef, of sprak hem of haar aan aan de schoolpoort. Noteer hoe en
wat eruit kwam (bv. werkt nu overdag, komt terug in maart). De ouder verdwijnt dan uit de lijst
'Weggebleven', tot hij of zij opnieuw een sessie mist.

Komt de ouder niet meer (verhuisd, werkt voltijds), vink dan 'niet meer opvolgen' aan: dan blijft
hij of zij uit de lijst, tot hij of zij toch weer eens komt.
"""

    def __init__(self, service: Oudergroep, persoon: Persoon) -> None:
        self.service = service
        self.persoon = persoon
        super().__init__(f"Contact met {persoon.naam}")

    def compose_fields(self) -> ComposeResult:
        person = self.persoon
        attended = self.service.aanwezigheden(person.id)
        history = [f"{person.omschrijving}. Telefoon: {person.telefoon or 'onbekend'}.",
                   f"Kwam {len(attended)} keer" + (f", laatst op {format_date(attended[-1].datum)}." if attended
                                                    else ".")]
        for contact in self.service.contacten(person.id)[-3:]:
            history.append(f"Eerder contact {format_date(contact.datum)} ({contact.hoe_tekst}): {contact.notitie}")
        yield Static("\n".join(history), markup=False, id="person-history")
        with Horizontal(classes="row"):
            yield choice_field("hoe", "Hoe had je contact", [(v, k) for k, v in CONTACT_MANIEREN.items()], "telefoon",
                               allow_blank=False)
            yield text_field("datum", "Datum (dd/mm/jjjj)", format_date(self.service.vandaag()))
        yield note_field("notitie", "Wat kwam eruit")
        yield check_field("niet_meer_opvolgen", "niet meer opvolgen (verhuisd, werkt voltijds ...): uit de lijst, "
                          "tot de ouder opnieuw komt")

    def build(self) -> Contact:
        v = self.values()
        errors: dict[str, str] = {}
        day = date_value(errors, "datum", v["datum"], required=True)
        value = Contact(persoon_id=self.persoon.id, datum=day, hoe=v["hoe"], notitie=v["notitie"],
                        niet_meer_opvolgen=v["niet_meer_opvolgen"])
        raise_with_model_errors(value, errors)
        return value

    def store_value(self, value: Contact, *, overwrite: bool) -> Contact:
        return self.service.noteer_contact(value)

    def fill(self, record: dict) -> None:  # a new contact never conflicts
        pass


class GastForm(FormScreen[Persoon]):
    """Someone who came in passing: add them as a parent of a family, or as a guest of the group."""

    HELP = """
# Iemand die binnenliep

Noteer de naam (en liefst een telefoonnummer om later eens te bellen). Hoort de persoon bij een
gezin van de school, kies dan het gezin: hij of zij komt er als ouder bij in het register. Anders
wordt het een gast van de oudergroep; die kan je later nog aan een gezin koppelen, en wat hij of
zij bijwoonde blijft bewaard.
"""
    DEFAULT_CSS = """
    GastForm #gezin-naam { width: 1fr; padding: 1 0 0 0; }
    """

    def __init__(self, service: Oudergroep, sessie_id: int | None) -> None:
        self.service = service
        self.sessie_id = sessie_id
        self.gezin_id: int | None = None
        super().__init__("Iemand die binnenliep")

    def compose_fields(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield text_field("voornaam", "Voornaam")
            yield text_field("familienaam", "Familienaam")
        with Horizontal(classes="row"):
            yield text_field("telefoon", "Telefoon")
            yield text_field("talen", "Talen (met komma's)")
        yield Label("Gezin (leeg: gast van de oudergroep)", classes="field-label")
        with Horizontal(classes="row"):
            yield Static("(geen gezin: gast)", id="gezin-naam", markup=False)
            yield Button("Kies gezin", id="kies-gezin")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "kies-gezin":
            event.stop()
            self.app.push_screen(GezinPicker(self.service.registry), self._family_chosen)
            return
        super().on_button_pressed(event)

    def _family_chosen(self, gezin_id: int | None) -> None:
        if gezin_id is None:
            return
        self.gezin_id = gezin_id
        self.query_one("#gezin-naam", Static).update(f"Gezin {self.service.registry.gezin(gezin_id).naam}")

    def build(self) -> Gast:  # type: ignore[override]
        v = self.values()
        value = Gast(voornaam=v["voornaam"], familienaam=v["familienaam"], telefoon=v["telefoon"],
                     talen=tuple(t.strip() for t in v["talen"].split(",")))
        return value.checked()

    def store_value(self, value, *, overwrite: bool) -> Persoon:  # type: ignore[override]
        try:
            return self.service.voeg_gast_toe(self.sessie_id, value, self.gezin_id)
        except ValidationError as exc:
            raise ValidationError({("voornaam" if k == "gezin_id" else k): m for k, m in exc.errors.items()}) from None

    def fill(self, record: dict) -> None:
        pass
