"""Operations on infomomenten: create one from the template, work the checklist, move the date,
keep the tables and partners, collect and merge questions, and start next year from last year's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import msgspec

from ouder_tui.errors import NotFoundError, ValidationError
from ouder_tui.infomoment.models import (
    INFOMOMENTEN,
    NETTEN,
    Infomoment,
    Onderdeel,
    Taak,
    Tafel,
    Vraag,
    new_id,
    sjabloon,
)
from ouder_tui.infomoment.rotatie import Rooster, rotatie
from ouder_tui.leerlingen import Gezin, Registry
from ouder_tui.models import from_record, record_data
from ouder_tui.settings import load_settings
from ouder_tui.store import Store
from ouder_tui.text import format_date, plural, school_year_of

#: Parents should be invited at least this many days before the evening.
UITNODIGEN_VOOR = 14
#: A year on, on the same weekday.
JAAR = timedelta(days=364)


class Infomomenten:
    """The information evenings, one per school year."""

    def __init__(self, store: Store, registry: Registry | None = None) -> None:
        self.store = store
        self._registry = registry

    @property
    def registry(self) -> Registry:
        """The registry the target group comes from (made on first use when none was given)."""
        if self._registry is None:
            self._registry = Registry(self.store)
        return self._registry

    def vandaag(self) -> date:
        return self.store.clock().date()

    # -- reading --------------------------------------------------------------------------------
    def alle(self) -> list[Infomoment]:
        """Every infomoment, the latest school year first."""
        def build() -> list[Infomoment]:
            found = msgspec.convert(self.store.all(INFOMOMENTEN), list[Infomoment], strict=False)
            return sorted(found, key=lambda i: (i.schooljaar, i.id), reverse=True)

        return list(self.store.derived("infomomenten", build, tables=(INFOMOMENTEN,)))

    def infomoment(self, info_id: int) -> Infomoment:
        found = next((i for i in self.alle() if i.id == info_id), None)
        if found is None:
            raise NotFoundError("Dit infomoment bestaat niet (meer).")
        return found

    def van_jaar(self, schooljaar: str) -> Infomoment | None:
        return next((i for i in self.alle() if i.schooljaar == schooljaar), None)

    def huidig(self) -> Infomoment | None:
        """This school year's infomoment, if there is one."""
        return self.van_jaar(school_year_of(self.vandaag()))

    # -- the target group and who came -------------------------------------------------------------
    def doelgroep_voorstel(self) -> list[Gezin]:
        """The families the evening is for: those with a pupil in the 5th or 6th grade, families marked for
        extra attention first (4th graders heading for the B-stream the team adds by hand)."""
        from ouder_tui.bereik import marked_first

        found = [g for g, kids in self.registry.gezinnen_met_kinderen() if any(k.leerjaar in (5, 6) for k in kids)]
        return marked_first(self.store, found)

    def doelgroep(self, info: Infomoment) -> list[Gezin]:
        """The families invited, marked families first, then by name (families gone from the registry left out)."""
        from ouder_tui.bereik import marked_first

        wanted = set(info.uitgenodigd)
        return marked_first(self.store, [g for g in self.registry.gezinnen() if g.id in wanted])

    def nodig_uit(self, info_id: int, gezin_ids: list[int], *, uitnodigen: bool = True) -> Infomoment:
        """Add families to the invited (or take them out with ``uitnodigen=False``)."""
        def change(info: Infomoment) -> Infomoment:
            if uitnodigen:
                return msgspec.structs.replace(info, uitgenodigd=(*info.uitgenodigd, *gezin_ids))
            gone = set(gezin_ids)
            return msgspec.structs.replace(info, uitgenodigd=tuple(g for g in info.uitgenodigd if g not in gone))

        return self._change(info_id, change)

    def zet_aanwezig(self, info_id: int, persoon_id: str, aanwezig: bool = True) -> Infomoment:
        """Tick (or untick) a parent as present at the evening."""
        def change(info: Infomoment) -> Infomoment:
            kept = tuple(p for p in info.aanwezig if p != persoon_id)
            return msgspec.structs.replace(info, aanwezig=(*kept, persoon_id) if aanwezig else kept)

        return self._change(info_id, change)

    def opvolgen(self, info: Infomoment) -> list[Gezin]:
        """After the evening: the invited families of whom nobody came (to reach another way: a home visit or
        a talk), marked families first. Before the evening: none."""
        if info.datum is None or info.datum > self.vandaag():
            return []
        came = set(info.aanwezig)
        return [g for g in self.doelgroep(info) if not any(o.id in came for o in g.ouders)]

    # -- checks ---------------------------------------------------------------------------------
    def waarschuwingen(self, info: Infomoment) -> list[str]:
        """What the source documents warn about: timing, one network only, no CLB, parents not invited."""
        found = []
        day = info.datum
        ahead = load_settings(self.store).infomoment_ruim_voor_dagen
        start = info.inschrijvingen_vanaf
        if start is None:
            found.append("De startdatum van de inschrijvingen ontbreekt: het infomoment hoort er ruim voor te "
                         "vallen.")
        elif day and day >= start:
            found.append(f"Het infomoment valt niet vóór de start van de inschrijvingen ({format_date(start)}):"
                         " ouders moeten dan al kiezen voor ze geïnformeerd zijn.")
        elif day and (start - day).days < ahead:
            found.append(f"Het infomoment valt maar {plural((start - day).days, 'dag', 'dagen')} voor de start van de "
                         f"inschrijvingen ({format_date(start)}); reken op minstens {ahead} dagen, zodat ouders nog "
                         "scholen kunnen bezoeken.")
        open_days = sorted((o for o in info.opendeurdagen if o.datum), key=lambda o: o.datum)
        for open_day in open_days:
            if day and day >= open_day.datum:
                found.append(f"Het infomoment valt niet vóór de opendeurdag van {open_day.school or 'een school'} "
                             f"({format_date(open_day.datum)}).")
        first = open_days[0] if open_days else None
        if day and first and day < first.datum and (first.datum - day).days < ahead:
            found.append(f"De eerste opendeurdag ({first.school or 'een school'}, {format_date(first.datum)}) volgt "
                         f"maar {plural((first.datum - day).days, 'dag', 'dagen')} na het infomoment; reken op "
                         f"minstens {ahead} dagen.")
        after = [f"{o.school or 'een school'} {format_date(o.datum)}" for o in open_days if start and o.datum > start]
        if after:
            found.append(f"Opendeurdagen na de start van de inschrijvingen ({format_date(start)}): {', '.join(after)}. "
                         "Zeg ouders dat ze daarop niet hoeven te wachten.")
        schools = [school for t in info.tafels for school in t.alle_scholen()]  # schools, not tables
        networks = {school.net for school in schools if school.net}
        if schools and all(school.net for school in schools) and len(networks) == 1:  # an unknown one could differ
            found.append(f"Alle {plural(len(schools), 'secundaire school komt', 'secundaire scholen komen')} uit "
                         f"hetzelfde net ({NETTEN[networks.pop()]}): nodig ook scholen van andere netten uit.")
        if not any(t.soort == "clb" for t in info.tafels):
            found.append("Er is geen tafel met het CLB.")
        invite = next((t for t in info.taken if t.sleutel == "ouders_uitnodigen"), None)
        today = self.vandaag()
        if day and invite and not invite.klaar and day - timedelta(days=UITNODIGEN_VOOR) <= today <= day:
            left = (day - today).days
            when = f"over {plural(left, 'dag', 'dagen')}" if left else "vandaag"
            found.append(f"Het infomoment is {when} en de ouders zijn nog niet uitgenodigd.")
        return found

    def achterstallig(self, info: Infomoment) -> list[Taak]:
        """Tasks not done whose deadline has passed, the oldest first."""
        today = self.vandaag()
        late = [t for t in info.taken if not t.klaar and info.datum and t.deadline(info.datum) < today]
        return sorted(late, key=lambda t: -t.dagen_voor)

    def rooster(self, info: Infomoment) -> Rooster:
        return rotatie(info.groepen, max(len(info.tafels), 1))

    def top(self, info: Infomoment, n: int = 5) -> list[Vraag]:
        """The most asked questions (ties: the one entered first)."""
        order = {v.id: i for i, v in enumerate(info.vragen)}
        return sorted(info.vragen, key=lambda v: (-v.aantal, order[v.id]))[:n]

    # -- creating -------------------------------------------------------------------------------
    def nieuw(self, schooljaar: str, datum: date | None, *, begin: str = "19:00", plaats: str = "",
              inschrijvingen_vanaf: date | None = None) -> Infomoment:
        """A new infomoment from the template: its checklist, programme and tables."""
        template = sjabloon()
        info = Infomoment(
            schooljaar=schooljaar, datum=datum, begin=begin, plaats=plaats, doelgroep=template["doelgroep"],
            inschrijvingen_vanaf=inschrijvingen_vanaf,
            taken=tuple(Taak(id=new_id(), **t) for t in template["taken"]),
            programma=tuple(Onderdeel(**p) for p in template["programma"]),
            tafels=tuple(Tafel(id=new_id(), **t) for t in template["tafels"]),
        )
        return self._insert(info)

    def volgend_jaar(self, vorig: Infomoment) -> Infomoment:
        """Next school year's infomoment from ``vorig``: every date a year on (same weekday), the same
        tasks (open again), programme and tables (to invite again), but no questions yet."""
        start = int(vorig.schooljaar[:4]) + 1
        shift = (lambda d: d + JAAR if d else None)  # noqa: E731
        info = msgspec.structs.replace(
            vorig, id=0, rev=0, schooljaar=f"{start}-{start + 1}", datum=shift(vorig.datum),
            inschrijvingen_vanaf=shift(vorig.inschrijvingen_vanaf),
            opendeurdagen=tuple(msgspec.structs.replace(o, datum=shift(o.datum)) for o in vorig.opendeurdagen),
            taken=tuple(msgspec.structs.replace(t, id=new_id(), status="open", notitie="") for t in vorig.taken),
            tafels=tuple(msgspec.structs.replace(t, id=new_id(), uitgenodigd=False, bevestigd=False, gebriefd=False)
                         for t in vorig.tafels),
            vragen=())
        return self._insert(info)

    def _insert(self, info: Infomoment) -> Infomoment:
        info = info.checked()
        with self.store.transaction():
            if any(r.get("schooljaar") == info.schooljaar for r in self.store.all(INFOMOMENTEN)):
                raise ValidationError({"schooljaar": f"Er is al een infomoment voor {info.schooljaar}."})
            return from_record(Infomoment, self.store.insert(INFOMOMENTEN, record_data(info)))

    # -- changing -------------------------------------------------------------------------------
    def bewaar(self, info: Infomoment, *, overwrite: bool = False) -> Infomoment:
        """Save an edited infomoment; a stale revision raises ConflictError unless ``overwrite``."""
        info = info.checked()
        record = self.store.update(INFOMOMENTEN, info.id, record_data(info),
                                   expected_rev=None if overwrite else info.rev)
        return from_record(Infomoment, record)

    def _change(self, info_id: int, change: Callable[[Infomoment], Infomoment]) -> Infomoment:
        """Apply ``change`` to the stored version under the lock: ticks and additions never conflict."""
        with self.store.transaction():
            record = self.store.get(INFOMOMENTEN, info_id)
            if record is None:
                raise NotFoundError("Dit infomoment bestaat niet (meer).")
            changed = change(from_record(Infomoment, record)).checked()
            return from_record(Infomoment, self.store.update(INFOMOMENTEN, info_id, record_data(changed),
                                                             expected_rev=None))

    def verplaats(self, info_id: int, datum: date) -> Infomoment:
        """Move the evening; every deadline counts from the date, so they all move with it."""
        return self._change(info_id, lambda i: msgspec.structs.replace(i, datum=datum))

    def zet_taak(self, info_id: int, taak_id: str, status: str) -> Infomoment:
        return self._change(info_id, lambda i: msgspec.structs.replace(i, taken=tuple(
            msgspec.structs.replace(t, status=status) if t.id == taak_id else t for t in i.taken)))

    def bewaar_taak(self, info_id: int, taak: Taak) -> Infomoment:
        """Add a task, or replace the one with the same id."""
        return self._change(info_id, lambda i: msgspec.structs.replace(i, taken=_upsert(i.taken, taak)))

    def verwijder_taak(self, info_id: int, taak_id: str) -> Infomoment:
        return self._change(info_id, lambda i: msgspec.structs.replace(
            i, taken=tuple(t for t in i.taken if t.id != taak_id)))

    def bewaar_tafel(self, info_id: int, tafel: Tafel) -> Infomoment:
        return self._change(info_id, lambda i: msgspec.structs.replace(i, tafels=_upsert(i.tafels, tafel)))

    def verwijder_tafel(self, info_id: int, tafel_id: str) -> Infomoment:
        return self._change(info_id, lambda i: msgspec.structs.replace(
            i, tafels=tuple(t for t in i.tafels if t.id != tafel_id)))

    def bewaar_vraag(self, info_id: int, vraag: Vraag) -> Infomoment:
        return self._change(info_id, lambda i: msgspec.structs.replace(i, vragen=_upsert(i.vragen, vraag)))

    def verwijder_vraag(self, info_id: int, vraag_id: str) -> Infomoment:
        return self._change(info_id, lambda i: msgspec.structs.replace(
            i, vragen=tuple(v for v in i.vragen if v.id != vraag_id)))

    def voeg_samen(self, info_id: int, houden: str, andere: list[str]) -> Infomoment:
        """Merge duplicate questions into ``houden``: their counts add up, their wording is kept as variants."""
        def change(info: Infomoment) -> Infomoment:
            by_id = {v.id: v for v in info.vragen}
            if houden not in by_id:
                raise NotFoundError("Deze vraag bestaat niet (meer).")
            others = [by_id[o] for o in andere if o in by_id and o != houden]
            if not others:
                raise ValidationError({"vragen": "Duid minstens twee vragen aan om samen te voegen."})
            keep = by_id[houden]
            variants = tuple(dict.fromkeys((*keep.varianten, *(t for o in others for t in (o.tekst, *o.varianten)))))
            merged = msgspec.structs.replace(
                keep, aantal=keep.aantal + sum(o.aantal for o in others), varianten=variants,
                onderwerp=keep.onderwerp or next((o.onderwerp for o in others if o.onderwerp), ""),
                antwoord=keep.antwoord or next((o.antwoord for o in others if o.antwoord), ""))
            gone = {o.id for o in others}
            return msgspec.structs.replace(info, vragen=tuple(merged if v.id == houden else v for v in info.vragen
                                                              if v.id not in gone))

        return self._change(info_id, change)

    def verwijder(self, info: Infomoment) -> int:
        return self.store.delete(INFOMOMENTEN, info.id, label=f"Infomoment {info.schooljaar}", expected_rev=info.rev)


def _upsert(items: tuple, item) -> tuple:
    if not item.id:
        return (*items, msgspec.structs.replace(item, id=new_id()))
    if any(x.id == item.id for x in items):
        return tuple(item if x.id == item.id else x for x in items)
    return (*items, item)
