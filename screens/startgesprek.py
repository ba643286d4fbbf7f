"""The startgesprek form (with the communication plan), the omgekeerd oudergesprek with its timer,
and the conversation support panel both forms can show."""

from __future__ import annotations

import time

import msgspec
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ouder_tui.errors import NotFoundError, OuderTuiError
from ouder_tui.models import from_record
from ouder_tui.startgesprek import (
    STATUSSEN,
    VORMEN,
    WIE,
    Antwoord,
    Communicatieplan,
    Nodig,
    Startgesprek,
    Startgesprekken,
    ezelsbruggetjes,
    kanalen,
)
from ouder_tui.text import format_date
from screens.forms import (
    Field,
    FormScreen,
    check_field,
    choice_field,
    choices_field,
    date_value,
    note_field,
    raise_with_model_errors,
    text_field,
)
from screens.widgets import error_text

CHANNEL_SLOTS = 3


def support_text(service: Startgesprekken) -> str:
    """Open questions and the six mnemonics, as plain text for the side panel."""
    lines = ["Zes ezelsbruggetjes", ""]
    for item in ezelsbruggetjes():
        lines += [f"{item['naam']} ({item['letters']})", f"  {item['uitleg']}", ""]
    lines += ["Open vragen", ""]
    lines += [f"- {v.vraag}" for v in service.vragen()[:10]]
    return "\n".join(lines)


class SupportPanel(VerticalScroll):
    """Conversation support: shown beside a form with ctrl+g."""

    DEFAULT_CSS = """
    SupportPanel { width: 40%; border-left: solid $primary; padding: 0 1; display: none; }
    SupportPanel.-shown { display: block; }
    """

    def __init__(self, service: Startgesprekken) -> None:
        super().__init__(id="support")
        self.service = service

    def compose(self) -> ComposeResult:
        yield Static(support_text(self.service), markup=False)


class _TalkForm(FormScreen[Startgesprek]):
    """What the conversation forms share: saving through the service and the support panel (ctrl+g)."""

    BINDINGS = [*FormScreen.BINDINGS, Binding("ctrl+g", "toggle_support", "Hulp bij het gesprek")]
    service: Startgesprekken
    record: Startgesprek

    def store_value(self, value: Startgesprek, *, overwrite: bool) -> Startgesprek:
        return self.service.bewaar(value, overwrite=overwrite)

    def fill(self, record: dict) -> None:
        self.record = from_record(Startgesprek, record)

    def action_toggle_support(self) -> None:
        self.query_one(SupportPanel).toggle_class("-shown")


class StartgesprekForm(_TalkForm):
    """Record a startgesprek and the communication plan agreed in it."""

    DETAILS = {
        "tolk_naam": ("tolk", (True,), "Je typte een tolk, maar 'met tolk' is niet aangevinkt: vink het aan of "
                      "maak dit veld leeg."),
        "plan_tolk_taal": ("plan_tolk", (True,), "Je typte voor welke taal een tolk nodig is, maar 'tolk nodig' is "
                           "niet aangevinkt: vink het aan of maak dit veld leeg."),
    }

    HELP = """
# Startgesprek

Het gesprek met de leerling (altijd aanwezig) en de ouders in de eerste weken van het
schooljaar: de kwaliteiten van de leerling, wat de leerling dit jaar wil bereiken en wat de
leerling nodig heeft van wie (één ding per regel).

Daarna het **communicatieplan**: de kanalen in volgorde van voorkeur, wie wie contacteert, hoe
vaak en wanneer zeker, de taal en een tolk, de beste momenten, de contactpersoon op school en
wanneer jullie het plan herbekijken.

ctrl+g toont open vragen en zes ezelsbruggetjes voor een goed gesprek. ctrl+s bewaart.
"""
    DEFAULT_CSS = """
    StartgesprekForm #form-body { width: 100%; height: 100%; background: $surface; border: thick $primary; }
    StartgesprekForm .section { text-style: bold; margin-top: 1; }
    """

    def __init__(self, service: Startgesprekken, talk: Startgesprek) -> None:
        self.service = service
        self.record = talk
        pupil = service.registry.leerling(talk.leerling_id)
        super().__init__(f"Startgesprek met {pupil.naam} ({pupil.klas})")

    def compose(self) -> ComposeResult:
        with Horizontal(id="form-body"):
            with Vertical():
                yield from super().compose()
            yield SupportPanel(self.service)

    def compose_fields(self) -> ComposeResult:
        t, plan = self.record, self.record.plan
        with Horizontal(classes="row"):
            yield text_field("datum", "Datum (dd/mm/jjjj)", format_date(t.datum))
            yield choice_field("status", "Stand", [(v, k) for k, v in STATUSSEN.items()], t.status, allow_blank=False)
        with Horizontal(classes="row"):
            yield check_field("leerling_aanwezig", "de leerling neemt deel", t.leerling_aanwezig)
            yield check_field("tolk", "met tolk", t.tolk)
            yield text_field("tolk_naam", "Tolk", t.tolk_naam)
        parents = self._parents()
        if parents:
            yield choices_field("ouder_ids", "Welke ouders of voogden nemen deel", parents, t.ouder_ids)
        yield Label("De leerling", classes="section")
        yield note_field("kwaliteiten", "Kwaliteiten van de leerling", t.kwaliteiten)
        yield note_field("doelen", "Wat de leerling dit jaar wil bereiken", t.doelen)
        for key, label in WIE.items():
            items = "\n".join(n.wat for n in t.nodig if n.van == key)
            yield note_field(f"nodig.{key}", f"Wat de leerling nodig heeft van {label} (één per regel)", items)
        yield Label("Communicatieplan", classes="section")
        options = [(name, key) for key, name in kanalen().items()]
        with Horizontal(classes="row"):
            for slot in range(CHANNEL_SLOTS):
                current = plan.kanalen[slot] if slot < len(plan.kanalen) else ""
                yield choice_field(f"kanaal{slot + 1}", f"Kanaal, {slot + 1}e keuze", options, current)
        yield text_field("wie_contacteert", "Wie contacteert wie", plan.wie_contacteert,
                         placeholder="bv. de leerkracht belt mama; papa mailt de leerkracht")
        with Horizontal(classes="row"):
            yield text_field("frequentie", "Hoe vaak", plan.frequentie, placeholder="bv. elke maand kort bellen")
            yield text_field("gelegenheden", "Wanneer zeker", plan.gelegenheden, placeholder="bv. na elke toets")
        with Horizontal(classes="row"):
            yield text_field("plan_taal", "Taal", plan.taal)
            yield check_field("plan_tolk", "tolk nodig", plan.tolk)
            yield text_field("plan_tolk_taal", "Tolk voor", plan.tolk_taal)
        with Horizontal(classes="row"):
            yield text_field("beste_momenten", "Best bereikbaar", plan.beste_momenten)
            yield text_field("contactpersoon", "Contactpersoon op school", plan.contactpersoon)
            yield text_field("evaluatie_op", "Herbekijken op (dd/mm/jjjj)", format_date(plan.evaluatie_op))
        yield note_field("notities", "Notities", t.notities)

    def _parents(self) -> list[tuple[str, str]]:
        pupil = self.service.registry.leerling(self.record.leerling_id)
        if pupil.gezin_id is None:
            return []
        try:
            family = self.service.registry.gezin(pupil.gezin_id)
        except NotFoundError:
            return []
        return [(f"{o.naam} ({o.relatie})", o.id) for o in family.ouders]

    def field_for_error(self, key: str) -> str:
        mapping = {"plan.taal": "plan_taal", "plan.tolk_taal": "plan_tolk_taal", "plan.kanalen": "kanaal1"}
        if key in mapping:
            return mapping[key]
        return key.removeprefix("plan.")

    def build(self) -> Startgesprek:
        v = self.values()
        errors: dict[str, str] = {}
        day = date_value(errors, "datum", v["datum"])
        review = date_value(errors, "evaluatie_op", v["evaluatie_op"])
        channels = tuple(v[f"kanaal{slot + 1}"] for slot in range(CHANNEL_SLOTS) if v[f"kanaal{slot + 1}"])
        nodig = tuple(Nodig(van=key, wat=line) for key in WIE for line in v[f"nodig.{key}"].split("\n") if line.strip())
        plan = Communicatieplan(
            kanalen=channels, wie_contacteert=v["wie_contacteert"], frequentie=v["frequentie"],
            gelegenheden=v["gelegenheden"], taal=v["plan_taal"], tolk=v["plan_tolk"], tolk_taal=v["plan_tolk_taal"],
            beste_momenten=v["beste_momenten"], contactpersoon=v["contactpersoon"], evaluatie_op=review,
        )
        value = msgspec.structs.replace(
            self.record, datum=day, status=v["status"], leerling_aanwezig=v["leerling_aanwezig"],
            ouder_ids=v.get("ouder_ids", self.record.ouder_ids), tolk=v["tolk"],
            tolk_naam=v["tolk_naam"], kwaliteiten=v["kwaliteiten"], doelen=v["doelen"], nodig=nodig, plan=plan,
            notities=v["notities"],
        )
        raise_with_model_errors(value, errors)
        return value

    def fill(self, record: dict) -> None:
        super().fill(record)
        t, plan = self.record, self.record.plan
        values = {"datum": format_date(t.datum), "status": t.status, "leerling_aanwezig": t.leerling_aanwezig,
                  **({"ouder_ids": t.ouder_ids} if self.query("#field-ouder_ids") else {}),
                  "tolk": t.tolk, "tolk_naam": t.tolk_naam, "kwaliteiten": t.kwaliteiten, "doelen": t.doelen,
                  "wie_contacteert": plan.wie_contacteert, "frequentie": plan.frequentie,
                  "gelegenheden": plan.gelegenheden, "plan_taal": plan.taal, "plan_tolk": plan.tolk,
                  "plan_tolk_taal": plan.tolk_taal, "beste_momenten": plan.beste_momenten,
                  "contactpersoon": plan.contactpersoon, "evaluatie_op": format_date(plan.evaluatie_op),
                  "notities": t.notities}
        for key in WIE:
            values[f"nodig.{key}"] = "\n".join(n.wat for n in t.nodig if n.van == key)
        for slot in range(CHANNEL_SLOTS):
            values[f"kanaal{slot + 1}"] = plan.kanalen[slot] if slot < len(plan.kanalen) else ""
        self.set_values(values)


class OmgekeerdForm(_TalkForm):
    """An omgekeerd oudergesprek: the parents tell; pick questions from the bank and type the answers."""

    HELP = """
# Omgekeerd oudergesprek

De ouders vertellen over hun kind (5 à 10 minuten, in de eerste weken). Bovenaan staat wat de school
al weet (broers en zussen, thuistaal, contacten van dit schooljaar): vraag wat je nog niet weet.
Noteer hoe het gesprek liep (in de klas, telefonisch, videogesprek, berichtenapp), of de leerling
erbij was en of er een tolk was. Zet de stand op 'gepland' om het gesprek vooraf in te plannen.
Kies links een vraag (Enter): ze verschijnt rechts met een vak voor het antwoord. Onder de lijst typ
je een eigen vraag (Tab tot bij *eigen vraag*, dan Enter): die hoort bij dit gesprek. Wil je ze ook
in de vragenbank van de school, vink dan eerst *ook in de vragenbank* aan. De klok bovenaan loopt
vanaf het openen van dit scherm. ctrl+g toont de ezelsbruggetjes, ctrl+s bewaart.
"""
    DEFAULT_CSS = """
    OmgekeerdForm { layout: vertical; }
    OmgekeerdForm #form-body { width: 100%; height: 1fr; background: $surface; border: thick $primary; }
    OmgekeerdForm #bank { width: 35%; border-right: solid $primary; }
    OmgekeerdForm #questions { height: 1fr; }
    OmgekeerdForm #own-question { margin-top: 1; }
    OmgekeerdForm #to-bank { height: auto; }
    OmgekeerdForm #timer { text-style: bold; padding: 0 1; height: 1; width: 100%; background: $primary-darken-2; }
    """

    def __init__(self, service: Startgesprekken, talk: Startgesprek) -> None:
        self.service = service
        if not talk.id:  # mostly noted while or right after it is held; set 'gepland' to plan it ahead
            talk = msgspec.structs.replace(talk, status="gehouden", vorm=talk.vorm or "klas",
                                           tolk=talk.tolk or talk.plan.tolk)
        self.record = talk
        self.started = time.monotonic() - talk.duur_seconden
        pupil = service.registry.leerling(talk.leerling_id)
        super().__init__(f"Omgekeerd oudergesprek over {pupil.naam} ({pupil.klas})")

    def compose(self) -> ComposeResult:
        yield Static("", id="timer", markup=False)
        with Horizontal(id="form-body"):
            with Vertical(id="bank"):
                yield Label("Vragenbank (Enter: vraag stellen)")
                yield OptionList(*(Option(Text(f"{v.thema}: {v.vraag}"), id=v.id) for v in self.service.vragen()),
                                 id="questions")
                yield Label("Eigen vraag (Enter)")
                yield Input(id="own-question", compact=True, max_length=300)
                yield Checkbox("ook in de vragenbank", id="to-bank", compact=True)
            with Vertical():
                yield from super().compose()
            yield SupportPanel(self.service)

    def compose_fields(self) -> ComposeResult:
        t = self.record
        yield Static("", id="known", markup=False)
        with Horizontal(classes="row"):
            yield text_field("datum", "Datum (dd/mm/jjjj)", format_date(t.datum))
            yield choice_field("status", "Stand", [(v, k) for k, v in STATUSSEN.items()], t.status, allow_blank=False)
        with Horizontal(classes="row"):
            yield choice_field("vorm", "Hoe", [(v, k) for k, v in VORMEN.items()], t.vorm)
            yield check_field("leerling_aanwezig", "leerling nam deel", t.leerling_aanwezig)
        with Horizontal(classes="row"):
            yield check_field("tolk", "met tolk", t.tolk)
            yield text_field("tolk_naam", "Tolk (naam of dienst)", t.tolk_naam)
        for index, answer in enumerate(self.record.antwoorden):
            yield note_field(f"antwoord.{index}", answer.vraag, answer.antwoord)

    def on_mount(self) -> None:
        self._tick()
        self.set_interval(1, self._tick)
        self.query_one("#known", Static).update("\n".join(self._known()))
        # After the form's own first-field focus: the talk starts in the question bank.
        self.call_after_refresh(self.query_one("#questions", OptionList).focus)

    def _known(self) -> list[str]:
        """What the school already knows before the parents tell: brothers and sisters at school, the home
        language and interpreter need, and this school year's contacts with the family."""
        from ouder_tui.areas import contact_kinds
        from ouder_tui.bereik import contact_line

        registry = self.service.registry
        pupil = registry.leerling(self.record.leerling_id)
        if pupil.gezin_id is None:
            return ["Al bekend: geen gezin in het register."]
        family = registry.gezin(pupil.gezin_id)
        siblings = [f"{k.voornaam} ({k.klas})" for k in registry.kinderen(family.id, ook_vertrokken=False)
                    if k.id != pupil.id]
        language = ", ".join(family.talen()) or "onbekend"
        if family.tolk_talen():
            language += f" (tolk: {', '.join(family.tolk_talen())})"
        lines = ["Al bekend:", f"  broers/zussen op school: {', '.join(siblings) or 'geen'}", f"  thuistaal: {language}"]
        labels = contact_kinds()
        contacts = [c for c in self.app.service("bereik").gezin(family.id).contacten  # type: ignore[attr-defined]
                    if not (c.soort == "omgekeerd" and c.leerling_id == pupil.id)]
        lines += ["  contact dit schooljaar: " + ("; ".join(contact_line(c, labels).replace("  ", " ") for c in contacts)
                                                  if contacts else "nog geen")]
        return lines

    def _tick(self) -> None:
        seconds = int(time.monotonic() - self.started)
        self.query_one("#timer", Static).update(f"Gesprek loopt: {seconds // 60:02d}:{seconds % 60:02d}"
                                                "   (richttijd 5 à 10 minuten)")

    def state_values(self) -> dict[str, object]:
        """An own question typed but not yet asked counts as unsaved too."""
        own = self.query("#own-question")
        return {"Eigen vraag": own.first().value} if own else {}

    def _questions_asked(self) -> list[str]:
        return [f.label for f in self.query(Field) if f.field_name.startswith("antwoord.")]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        question = next(v.vraag for v in self.service.vragen() if v.id == event.option.id)
        self._ask(question)

    def _ask(self, question: str) -> None:
        """Put ``question`` in this talk, with a box for the answer (once)."""
        if question in self._questions_asked():
            return
        index = len(self._questions_asked())
        field = note_field(f"antwoord.{index}", question)
        self.query_one("#form-fields", VerticalScroll).mount(field, before=self.query_one("#typed"))
        field.call_after_refresh(field.control.focus)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """An own question belongs to this talk; only with *ook in de vragenbank* ticked does the school's
        bank get it too (an explicit choice: the bank is shared by every teacher)."""
        if event.input.id != "own-question":
            return
        event.stop()
        question = event.value.strip()
        if not question:
            return
        to_bank = self.query_one("#to-bank", Checkbox)
        if to_bank.value:
            try:
                vraag = self.service.voeg_vraag_toe(question)
            except OuderTuiError as exc:
                self.notify(error_text(exc), severity="error", markup=False)
                return
            questions = self.query_one("#questions", OptionList)
            questions.add_option(Option(Text(f"{vraag.thema}: {vraag.vraag}"), id=vraag.id))
            to_bank.value = False
            self.notify("Vraag ook bewaard in de vragenbank van de school.", timeout=3)
        event.input.value = ""
        self._ask(question)

    def build(self) -> Startgesprek:
        v = self.values()
        errors: dict[str, str] = {}
        held = v["status"] == "gehouden"
        day = date_value(errors, "datum", v["datum"], required=held)
        answers = tuple(Antwoord(vraag=f.label, antwoord=f.value) for f in self.query(Field)
                        if f.field_name.startswith("antwoord."))
        value = msgspec.structs.replace(
            self.record, datum=day, antwoorden=answers, status=v["status"], vorm=v["vorm"],
            leerling_aanwezig=v["leerling_aanwezig"], tolk=v["tolk"], tolk_naam=v["tolk_naam"],
            duur_seconden=int(time.monotonic() - self.started) if held else self.record.duur_seconden)
        raise_with_model_errors(value, errors)
        return value

    def fill(self, record: dict) -> None:
        super().fill(record)
        t = self.record
        self.set_values({"datum": format_date(t.datum), "status": t.status, "vorm": t.vorm,
                         "leerling_aanwezig": t.leerling_aanwezig, "tolk": t.tolk, "tolk_naam": t.tolk_naam})
