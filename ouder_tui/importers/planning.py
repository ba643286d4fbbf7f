"""Step three, :func:`plan_import`: what importing a file would change. It only reads.

Rows are read and matched (:mod:`.rows`), grouped into families (:mod:`.families`), and the
result is an :class:`~ouder_tui.importers.plan.ImportPlan`; a dry run or a preview is this plan.
"""

from __future__ import annotations

from datetime import date

import msgspec

from ouder_tui.errors import ValidationError
from ouder_tui.importers.columns import ColumnMapping
from ouder_tui.importers.csvread import CsvFile
from ouder_tui.importers.families import _family_name, _FamilyState, _group
from ouder_tui.importers.plan import ImportPlan, PlannedPupil
from ouder_tui.importers.rows import _Planner, _Row
from ouder_tui.importers.values import _short
from ouder_tui.leerlingen import Adres, Gezin, Registry
from ouder_tui.models import record_data
from ouder_tui.text import clean_text, parse_school_year


def plan_import(registry: Registry, csv_file: CsvFile, mapping: ColumnMapping, *, schooljaar: str,
                vandaag: date, markeer_vertrokken: bool = False) -> ImportPlan:
    """Work out what importing ``csv_file`` would change. Reads the registry, writes nothing.

    ``schooljaar`` is used for rows without a Schooljaar column value; ``vandaag`` dates
    pupils marked as left (only when ``markeer_vertrokken``: active pupils missing from
    the file). Raises :class:`ValidationError` when a required column is missing or the
    school year is invalid; bad rows do not raise but end up in ``plan.skipped``.
    """
    try:
        schooljaar = parse_school_year(schooljaar)
    except ValueError as exc:
        raise ValidationError({"schooljaar": str(exc)}) from None
    if tuple(mapping.headers) != tuple(csv_file.headers):
        raise ValidationError({"kolommen": "De kolomkoppeling hoort bij een ander bestand."})
    if missing := mapping.missing():
        names = ", ".join(f"'{_short(clean_text(h))}'" for h in csv_file.headers if clean_text(h))
        raise ValidationError({"kolommen": (
            f"Geen kolom gevonden voor: {' en '.join(missing)}. Kolommen in het bestand: {names}. "
            f"Koppel ze zelf, bv. --map {missing[0]}=Kolomnaam."
        )})
    planner = _Planner(registry, csv_file, mapping, schooljaar, vandaag, markeer_vertrokken)
    plan = planner.plan
    for header in mapping.dropped:
        planner.warn(csv_file.header_line, f"de kolom '{_short(clean_text(header))}' bevat rijksregisternummers; "
                                           "die worden niet ingelezen of bewaard")
    if "stamboeknummer" not in mapping.columns and "geboortedatum" not in mapping.columns:
        planner.warn(0, "het bestand heeft geen leerlingnummer en geen geboortedatum: leerlingen worden enkel "
                        "op hun naam herkend")

    header_cells = [clean_text(h) for h in csv_file.headers]
    first = header_cells[0] if header_cells else ""
    rows: list[_Row] = []
    for line, cells in csv_file.rows:
        if cells and cells[0].strip() == first and [clean_text(c) for c in cells[:len(header_cells)]] == header_cells:
            planner.warn(line, "herhaalde kopregel overgeslagen")
            continue
        if (row := planner.read_row(line, cells)) is not None:
            rows.append(row)

    targets = _group(planner, rows)
    states: dict[tuple[str, int], _FamilyState] = {}
    for i, row in enumerate(rows):
        target = targets[i]
        state = states.get(target)
        if state is None:
            state = states[target] = _FamilyState(planner.families[target[1]] if target[0] == "old" else None)
        explicit = {state.merge(person, row.leerling.familienaam) for person in row.persons if person.tolk is not None}
        for person in row.persons:
            if person.tolk is None:
                state.merge(person, row.leerling.familienaam)
        state.family_values(row, explicit)
        if state.adres is None and not row.adres.is_empty():
            state.adres = row.adres
        state.names.append(row.leerling.familienaam)
        state.label = state.label or row.gezin_naam

    if lost := sum(state.lost_contact for state in states.values()):
        planner.warn(0, f"bij {lost} gezin(nen) is een telefoonnummer of e-mailadres van het gezin als geheel niet "
                        "bewaard: elke ouder had al een eigen nummer of adres (ouder-tui bewaart er één per ouder)")
    new_index: dict[int, int] = {}
    for target, state in states.items():
        if state.before is None:
            try:
                gezin = Gezin(naam=state.label or _family_name(state.names), adres=state.adres or Adres(),
                              ouders=tuple(state.ouders)).checked()
            except ValidationError as exc:  # values were checked one by one; this is a safety net
                planner.warn(0, f"een nieuw gezin ({_family_name(state.names)}) kon niet gemaakt worden: {exc}")
                continue
            new_index[target[1]] = len(plan.families_new)
            plan.families_new.append(gezin)
            continue
        before = state.before
        if tuple(state.ouders) == before.ouders and (state.adres is None or state.adres == before.adres):
            continue  # nothing changed: skip the (costly) checks
        after = msgspec.structs.replace(before, ouders=tuple(state.ouders))
        if state.adres is not None and state.adres != before.adres:
            after = msgspec.structs.replace(after, adres=state.adres)
        try:
            after = after.checked()
        except ValidationError as exc:
            planner.warn(0, f"het gezin {before.naam} is niet bijgewerkt: {exc}")
            continue
        if record_data(after) != record_data(before):
            plan.families_updated.append((before, after))

    for i, row in enumerate(rows):
        kind, number = targets[i]
        leerling, new_family = row.leerling, None
        if kind == "old":
            if leerling.gezin_id != number:
                leerling = msgspec.structs.replace(leerling, gezin_id=number)
        elif number in new_index:
            new_family = new_index[number]
        if row.existing is None:
            plan.new.append(PlannedPupil(row.line, leerling, None, new_family))
        elif new_family is not None or record_data(leerling) != record_data(row.existing):
            plan.updated.append(PlannedPupil(row.line, leerling, row.existing, new_family))
        else:
            plan.unchanged += 1

    if markeer_vertrokken:
        seen = set(planner.claimed) | planner.protected
        active = [p for p in planner.pupils if p.actief]
        plan.to_mark_left = [p for p in active if p.id not in seen]
        if len(active) >= 10 and len(plan.to_mark_left) > len(active) / 2:
            planner.warn(0, f"let op: {len(plan.to_mark_left)} van de {len(active)} leerlingen staan niet in dit "
                            "bestand en worden als vertrokken gemarkeerd. Is dit wel een volledige lijst?")
    plan.skipped.sort(key=lambda p: p.line)
    plan.warnings.sort(key=lambda p: p.line)
    return plan
