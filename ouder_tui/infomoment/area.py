"""The information evening as an area: its table, its export, and the families invited and the parents
who came (the reach view counts them; an erasure takes a family's invitation and its parents' ticks)."""

from __future__ import annotations

from ouder_tui.areas import (
    SCHOOLJAAR_OPTION,
    AreaDescriptor,
    Contact,
    ErasurePart,
    ExportOption,
    ExportSpec,
    Services,
    Subject,
)
from ouder_tui.infomoment.models import INFOMOMENTEN, Infomoment
from ouder_tui.infomoment.service import Infomomenten
from ouder_tui.store import Store
from ouder_tui.text import format_date, plural


def _export(services: Services, fmt: str, values: dict) -> bytes:
    """``ouder-tui export infomoment``: the top 5 of the questions, or with ``--rotatie`` the rotation."""
    from ouder_tui.infomoment_export import export_infomoment

    return export_infomoment(services.get("infomoment"), fmt, schooljaar=values["schooljaar"],
                             wat="rotatie" if values["rotatie"] else "top5")


def _contacts(services: Services, schooljaar: str) -> list[Contact]:
    """The families invited to the school year's evening (not yet reached), and the parents who came."""
    service: Infomomenten = services.get("infomoment")
    info = service.van_jaar(schooljaar)
    if info is None:
        return []
    found = [Contact(g, "infomoment_uitgenodigd", info.datum, bereikt=False) for g in info.uitgenodigd]
    came = set(info.aanwezig)
    families = services.registry.gezinnen_op_ouder_id()  # the few who came, not every family
    for gezin in {g.id: g for g in map(families.get, info.aanwezig) if g is not None}.values():
        found.append(Contact(gezin.id, "infomoment", info.datum, tuple(o.id for o in gezin.ouders if o.id in came)))
    return found


def _mentions(record: dict, subject: Subject) -> bool:
    return bool(set(record.get("uitgenodigd", ())) & subject.gezin_ids
                or set(record.get("aanwezig", ())) & subject.persoon_ids)


def _forget(record: dict, subject: Subject) -> dict:
    return {**record, "uitgenodigd": [g for g in record.get("uitgenodigd", ()) if g not in subject.gezin_ids],
            "aanwezig": [p for p in record.get("aanwezig", ()) if p not in subject.persoon_ids]}


def _erase(store: Store, subject: Subject) -> ErasurePart:
    """The evenings stay; the family's invitation and its parents' ticks go (see :func:`_scrub`)."""
    found = [r for r in store.all(INFOMOMENTEN) if _mentions(r, subject)]
    return ErasurePart(family_lines=[f"infomoment: uitnodiging of aanwezigheid op "
                                     f"{plural(len(found), 'infomoment', 'infomomenten')}"] if found else [])


def _scrub(store: Store, subject: Subject) -> None:
    """The family leaves the invited and its parents the present, also in an evening in the recycle bin."""
    changes = [(r["id"], _forget({k: v for k, v in r.items() if not k.startswith("_") and k != "id"}, subject), None)
               for r in store.all(INFOMOMENTEN) if _mentions(r, subject)]
    store.update_many(INFOMOMENTEN, changes)
    for entry in store.recycle_bin(INFOMOMENTEN):
        record = entry.get("record", {})
        if _mentions(record, subject):
            store.scrub_bin(entry["id"], _forget(record, subject))


def _report(services: Services, subject: Subject) -> list:
    """Which evenings the family was invited to, and which of its parents came."""
    from ouder_tui.exporters import Bullets, Heading, Para

    lines = []
    for info in services.get("infomoment").alle():
        if set(info.uitgenodigd) & subject.gezin_ids:
            lines.append(f"Uitgenodigd voor het infomoment van {format_date(info.datum)} ({info.schooljaar})")
        for gezin_id in sorted(subject.gezin_ids):
            for parent in services.registry.gezin(gezin_id).ouders:
                if parent.id in info.aanwezig:
                    lines.append(f"{parent.naam} was op het infomoment van {format_date(info.datum)}")
    return [Heading("Infomoment"), Bullets(tuple(lines)) if lines else Para("Niets over dit gezin bij het infomoment.")]


_ROTATIE = ExportOption("--rotatie", "{exports}, md/html: de rotatie (rooster, kaartje per groep, blad per tafel) "
                                     "in plaats van de top 5 van de vragen")

#: The information evening as an area.
AREA = AreaDescriptor(
    key="infomoment",
    tables={INFOMOMENTEN: "infomoment"},
    models={INFOMOMENTEN: Infomoment},
    service=Infomomenten,
    erase=_erase,
    scrub=_scrub,
    report=_report,
    exports=(ExportSpec("infomoment", "het infomoment", ("xlsx", "csv", "json", "ics", "md", "html"), _export,
                        (SCHOOLJAAR_OPTION, _ROTATIE)),),
    contacts=_contacts,
    contact_kinds={"infomoment_uitgenodigd": "uitgenodigd voor het infomoment", "infomoment": "infomoment"},
)
