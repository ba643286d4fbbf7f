"""The infomoment's forms: the evening itself, a task, a table, a part of the programme, the rotation,
a question."""

from __future__ import annotations

import msgspec
from textual.app import ComposeResult
from textual.containers import Horizontal

from ouder_tui.infomoment import (
    BRONNEN,
    NETTEN,
    TAAK_STATUSSEN,
    TAFEL_SOORTEN,
    Infomoment,
    Infomomenten,
    Onderdeel,
    OpenDag,
    School,
    Taak,
    Tafel,
    Vraag,
    onderwerpen,
)
from ouder_tui.models import from_record
from ouder_tui.text import fold, format_date, parse_date
from screens.forms import (
    FormScreen,
    check_field,
    choice_field,
    date_value,
    note_field,
    raise_with_model_errors,
    text_field,
)


def _number(errors: dict[str, str], name: str, text: str, example: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        errors[name] = f"Typ een getal, bv. {example}."
        return 0


def parse_open_days(errors: dict[str, str], text: str) -> tuple[OpenDag, ...]:
    """One open day per line: ``school; dd/mm/jjjj``."""
    found = []
    for line in text.splitlines():
        school, _, day = line.rpartition(";") if ";" in line else (line, "", "")
        if not (school.strip() or day.strip()):
            continue
        try:
            found.append(OpenDag(school=school.strip(), datum=parse_date(day) if day.strip() else None))
        except ValueError as exc:
            errors["opendeurdagen"] = f"{line.strip()}: {exc}."
    return tuple(found)


def open_days_text(days: tuple[OpenDag, ...]) -> str:
    return "\n".join(f"{d.school}; {format_date(d.datum)}" for d in days)


class InfomomentForm(FormScreen[Infomoment]):
    """The evening: when, where, for whom, and the dates it must come before."""

    HELP = """
# Het infomoment

Kies een datum ruim vóór de start van de inschrijvingen in je regio en vóór de opendeurdagen van
de secundaire scholen in de buurt: ouder-tui waarschuwt als dat niet zo is. Een nieuw infomoment
krijgt de taken, het programma en de tafels uit het sjabloon; de deadlines tellen terug vanaf de
datum, dus een andere datum verschuift ze allemaal mee.

Opendeurdagen: één per regel, `school; dd/mm/jjjj`.
"""

    def __init__(self, service: Infomomenten, info: Infomoment) -> None:
        self.service = service
        self.record = info
        super().__init__(f"Infomoment {info.schooljaar}" + (" bewerken" if info.id else ": nieuw uit het sjabloon"))

    def compose_fields(self) -> ComposeResult:
        i = self.record
        with Horizontal(classes="row"):
            yield text_field("datum", "Datum * (dd/mm/jjjj)", format_date(i.datum))
            yield text_field("begin", "Begin", i.begin)
            yield text_field("plaats", "Plaats", i.plaats)
        yield text_field("doelgroep", "Voor wie", i.doelgroep)
        yield text_field("inschrijvingen_vanaf", "Start van de inschrijvingen in de regio (dd/mm/jjjj)",
                         format_date(i.inschrijvingen_vanaf))
        yield note_field("opendeurdagen", "Opendeurdagen in de buurt (school; dd/mm/jjjj)",
                         open_days_text(i.opendeurdagen))

    def build(self) -> Infomoment:
        v = self.values()
        errors: dict[str, str] = {}
        day = date_value(errors, "datum", v["datum"], required=True)
        registrations = date_value(errors, "inschrijvingen_vanaf", v["inschrijvingen_vanaf"])
        value = msgspec.structs.replace(
            self.record, datum=day, begin=v["begin"], plaats=v["plaats"], doelgroep=v["doelgroep"],
            inschrijvingen_vanaf=registrations, opendeurdagen=parse_open_days(errors, v["opendeurdagen"]))
        raise_with_model_errors(value, errors)
        return value

    def store_value(self, value: Infomoment, *, overwrite: bool) -> Infomoment:
        if value.id:
            return self.service.bewaar(value, overwrite=overwrite)
        with self.service.store.transaction():  # made and completed together, or not at all
            created = self.service.nieuw(value.schooljaar, value.datum, begin=value.begin, plaats=value.plaats,
                                         inschrijvingen_vanaf=value.inschrijvingen_vanaf)
            return self.service.bewaar(msgspec.structs.replace(
                created, doelgroep=value.doelgroep or created.doelgroep, opendeurdagen=value.opendeurdagen))

    def fill(self, record: dict) -> None:
        self.record = i = from_record(Infomoment, record)
        self.set_values({"datum": format_date(i.datum), "begin": i.begin, "plaats": i.plaats,
                         "doelgroep": i.doelgroep, "inschrijvingen_vanaf": format_date(i.inschrijvingen_vanaf),
                         "opendeurdagen": open_days_text(i.opendeurdagen)})


class _PartForm(FormScreen[Infomoment]):
    """A form for one item of the infomoment; saved on the stored version, so it never conflicts."""

    def __init__(self, service: Infomomenten, info: Infomoment, title: str) -> None:
        self.service = service
        self.info = info
        super().__init__(title)

    def field_for_error(self, key: str) -> str:
        return key.rsplit(".", 1)[-1]

    def fill(self, record: dict) -> None:
        pass


class TaakForm(_PartForm):
    HELP = """
# Taak

Wat moet er gebeuren, wie doet het, en hoeveel dagen vóór het infomoment moet het klaar zijn
(een negatief getal: zoveel dagen erna). Verschuift het infomoment, dan verschuift de deadline mee.
"""

    def __init__(self, service: Infomomenten, info: Infomoment, taak: Taak | None = None) -> None:
        self.taak = taak or Taak(eigenaar=service.store.user)
        super().__init__(service, info, "Taak bewerken" if self.taak.id else "Taak toevoegen")

    def compose_fields(self) -> ComposeResult:
        t = self.taak
        yield text_field("wat", "Wat moet er gebeuren *", t.wat)
        with Horizontal(classes="row"):
            yield text_field("dagen_voor", "Dagen vóór het infomoment", str(t.dagen_voor))
            yield text_field("eigenaar", "Wie", t.eigenaar)
            yield choice_field("status", "Status", [(v, k) for k, v in TAAK_STATUSSEN.items()], t.status,
                               allow_blank=False)
        yield note_field("notitie", "Notitie", t.notitie)

    def build(self) -> Taak:  # type: ignore[override]
        v = self.values()
        errors: dict[str, str] = {}
        days = _number(errors, "dagen_voor", v["dagen_voor"], "14")
        taak = msgspec.structs.replace(self.taak, wat=v["wat"], dagen_voor=days, eigenaar=v["eigenaar"],
                                       status=v["status"], notitie=v["notitie"])
        raise_with_model_errors(msgspec.structs.replace(self.info, taken=(taak,)), errors)
        return taak

    def store_value(self, value, *, overwrite: bool) -> Infomoment:  # type: ignore[override]
        return self.service.bewaar_taak(self.info.id, value)


def _schools_text(schools: tuple[School, ...]) -> str:
    return "\n".join(f"{s.naam}; {NETTEN[s.net].split(' ')[0]}" if s.net else s.naam for s in schools)


def _net_key(text: str) -> str | None:
    """A network typed in words (``katholiek``, ``GO!``, ``stedelijk``...) as its key; ``""`` for none."""
    wanted = fold(text.strip()).rstrip("!")
    if not wanted:
        return ""
    for key, label in NETTEN.items():
        if wanted == key or fold(label).startswith(wanted):
            return key
    return None


def _parse_schools(errors: dict[str, str], text: str) -> tuple[School, ...]:
    """One school a line: ``name; network``."""
    found = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _, net = line.partition(";")
        key = _net_key(net)
        if key is None:
            errors["scholen"] = (f"Onbekend net '{net.strip()}' bij {name.strip()}: kies GO!, katholiek, stedelijk, "
                                 "provinciaal of andere.")
            key = ""
        found.append(School(naam=name.strip(), net=key))
    return tuple(found)


class TafelForm(_PartForm):
    HELP = """
# Tafel

Een tafel van het doorschuifsysteem: het CLB, een klasleerkracht, de zorgleerkracht,
oud-leerlingen of een secundaire school. Noteer wie de tafel houdt en hoe je hem of haar bereikt,
en vink aan hoe ver het staat: uitgenodigd, bevestigd, gebriefd. Bij een secundaire school kies
je ook het onderwijsnet: nodig liefst scholen van verschillende netten uit. Delen meer scholen
een tafel, zet ze onder 'Meer scholen aan deze tafel', een per regel: de naam, een puntkomma en het
net (GO!, katholiek, stedelijk, provinciaal of andere), bv. `Sint-Lutgart; katholiek`.
"""

    def __init__(self, service: Infomomenten, info: Infomoment, tafel: Tafel | None = None) -> None:
        self.tafel = tafel or Tafel(soort="school")
        super().__init__(service, info, "Tafel bewerken" if self.tafel.id else "Tafel toevoegen")

    def compose_fields(self) -> ComposeResult:
        t = self.tafel
        with Horizontal(classes="row"):
            yield choice_field("soort", "Soort", [(v, k) for k, v in TAFEL_SOORTEN.items()], t.soort,
                               allow_blank=False)
            yield choice_field("net", "Onderwijsnet (scholen)", [(v, k) for k, v in NETTEN.items()], t.net)
        yield text_field("naam", "Naam van de tafel of de school *", t.naam)
        with Horizontal(classes="row"):
            yield text_field("gastheer", "Wie houdt de tafel", t.gastheer)
            yield text_field("telefoon", "Telefoon", t.telefoon)
            yield text_field("email", "E-mail", t.email)
        with Horizontal(classes="row"):
            yield check_field("uitgenodigd", "uitgenodigd", t.uitgenodigd)
            yield check_field("bevestigd", "bevestigd", t.bevestigd)
            yield check_field("gebriefd", "gebriefd", t.gebriefd)
        yield note_field("scholen", "Meer scholen aan deze tafel (een per regel: naam; net)", _schools_text(t.scholen))

    def build(self) -> Tafel:  # type: ignore[override]
        v = self.values()
        errors: dict[str, str] = {}
        tafel = msgspec.structs.replace(self.tafel, soort=v["soort"], net=v["net"], naam=v["naam"],
                                        gastheer=v["gastheer"], telefoon=v["telefoon"], email=v["email"],
                                        uitgenodigd=v["uitgenodigd"], bevestigd=v["bevestigd"],
                                        gebriefd=v["gebriefd"], scholen=_parse_schools(errors, v["scholen"]))
        if errors:
            raise_with_model_errors(msgspec.structs.replace(self.info, tafels=(tafel,)), errors)
        msgspec.structs.replace(self.info, tafels=(tafel,)).checked()
        return tafel

    def store_value(self, value, *, overwrite: bool) -> Infomoment:  # type: ignore[override]
        return self.service.bewaar_tafel(self.info.id, value)


class OnderdeelForm(_PartForm):
    HELP = """
# Onderdeel van het programma

Een titel en hoelang het duurt. Het doorschuiven langs de tafels rekent zijn eigen duur uit
(rondes maal minuten per ronde, plus het wisselen): die stel je in bij de rotatie (toets r).
"""

    def __init__(self, service: Infomomenten, info: Infomoment, index: int | None) -> None:
        self.index = index
        self.part = info.programma[index] if index is not None else Onderdeel(minuten=15)
        super().__init__(service, info, "Onderdeel bewerken" if index is not None else "Onderdeel toevoegen")

    def compose_fields(self) -> ComposeResult:
        yield text_field("titel", "Onderdeel *", self.part.titel)
        if self.part.soort != "rotatie":
            yield text_field("minuten", "Minuten", str(self.part.minuten))

    def build(self) -> Infomoment:  # type: ignore[override]
        v = self.values()
        errors: dict[str, str] = {}
        minutes = _number(errors, "minuten", v["minuten"], "20") if "minuten" in v else self.part.minuten
        part = msgspec.structs.replace(self.part, titel=v["titel"], minuten=minutes)
        parts = list(self.info.programma)
        if self.index is None:
            parts.insert(max(len(parts) - 1, 0), part)  # before the drink that closes the evening
        else:
            parts[self.index] = part
        value = msgspec.structs.replace(self.info, programma=tuple(parts))
        raise_with_model_errors(value, errors)
        return value

    def store_value(self, value, *, overwrite: bool) -> Infomoment:  # type: ignore[override]
        current = self.service.infomoment(self.info.id)
        return self.service.bewaar(msgspec.structs.replace(current, programma=value.programma), overwrite=True)


class RotatieForm(_PartForm):
    HELP = """
# Rotatie

Hoeveel groepjes ouders en leerlingen, hoelang een ronde aan een tafel duurt, en hoeveel minuten
het wisselen kost. Elke groep komt aan elke tafel één keer, en nooit zitten twee groepen tegelijk aan
dezelfde tafel. Zijn er meer groepen dan tafels, dan heeft elke groep een of meer rondes pauze.
"""

    def __init__(self, service: Infomomenten, info: Infomoment) -> None:
        super().__init__(service, info, "Rotatie instellen")

    def compose_fields(self) -> ComposeResult:
        i = self.info
        with Horizontal(classes="row"):
            yield text_field("groepen", "Aantal groepen", str(i.groepen))
            yield text_field("minuten_per_ronde", "Minuten per ronde", str(i.minuten_per_ronde))
            yield text_field("wissel_minuten", "Minuten om te wisselen", str(i.wissel_minuten))

    def field_for_error(self, key: str) -> str:
        return key

    def build(self) -> Infomoment:  # type: ignore[override]
        v = self.values()
        errors: dict[str, str] = {}
        numbers = {name: _number(errors, name, v[name], example)
                   for name, example in (("groepen", "5"), ("minuten_per_ronde", "12"), ("wissel_minuten", "2"))}
        value = msgspec.structs.replace(self.info, **numbers)
        raise_with_model_errors(value, errors)
        return value

    def store_value(self, value, *, overwrite: bool) -> Infomoment:  # type: ignore[override]
        current = self.service.infomoment(self.info.id)
        return self.service.bewaar(msgspec.structs.replace(
            current, groepen=value.groepen, minuten_per_ronde=value.minuten_per_ronde,
            wissel_minuten=value.wissel_minuten), overwrite=True)


class VraagForm(_PartForm):
    HELP = """
# Vraag

Een vraag van ouders of leerlingen, vooraf verzameld (invulstrookje, schoolpoort) of gesteld tijdens
het infomoment. Geef ze een onderwerp; dezelfde vraag meerdere keren? Verhoog het aantal, of voeg
dubbele vragen later samen (spatie om aan te duiden, m om samen te voegen). Het korte antwoord komt
in de top 5 voor de website.
"""

    def __init__(self, service: Infomomenten, info: Infomoment, vraag: Vraag | None = None) -> None:
        self.vraag = vraag or Vraag(bron="avond" if info.datum and service.vandaag() >= info.datum else "vooraf")
        super().__init__(service, info, "Vraag bewerken" if self.vraag.id else "Vraag toevoegen")

    def compose_fields(self) -> ComposeResult:
        q = self.vraag
        yield text_field("tekst", "Vraag *", q.tekst)
        topics = list(dict.fromkeys([*onderwerpen(), *([q.onderwerp] if q.onderwerp else [])]))
        with Horizontal(classes="row"):
            yield choice_field("onderwerp", "Onderwerp", [(t, t) for t in topics], q.onderwerp)
            yield choice_field("bron", "Wanneer gesteld", [(v, k) for k, v in BRONNEN.items()], q.bron,
                               allow_blank=False)
            yield text_field("aantal", "Hoe vaak gesteld", str(q.aantal))
        yield note_field("antwoord", "Kort antwoord (voor de top 5)", q.antwoord)

    def build(self) -> Vraag:  # type: ignore[override]
        v = self.values()
        errors: dict[str, str] = {}
        count = _number(errors, "aantal", v["aantal"], "1")
        vraag = msgspec.structs.replace(self.vraag, tekst=v["tekst"], onderwerp=v["onderwerp"], bron=v["bron"],
                                        aantal=count, antwoord=v["antwoord"])
        raise_with_model_errors(msgspec.structs.replace(self.info, vragen=(vraag,)), errors)
        return vraag

    def store_value(self, value, *, overwrite: bool) -> Infomoment:  # type: ignore[override]
        return self.service.bewaar_vraag(self.info.id, value)

