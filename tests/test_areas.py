"""Guards on the areas' descriptors (``ouder_tui/areas.py``): every table has one owner and a label,
erasing a family leaves nothing of it anywhere, and the command line offers exactly the declared exports.

They fail on the next forgotten table: a table nobody owns, a table the erasure misses (a name, a
phone number or a person id left in the file, the recycle bin, the log or a later backup).
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from ouder_tui.areas import all_areas, exports, table_labels
from ouder_tui.cli import main
from ouder_tui.filestore import FileStore
from ouder_tui.inzage import inzage_report
from ouder_tui.leerlingen import Gezin, Leerling, Ouder, Registry
from ouder_tui.maintenance import make_backup
from ouder_tui.oudergroep import Contact, Gast, Oudergroep, Sessie
from ouder_tui.privacy import wis, wisplan_gezin

GUEST_NAME, GUEST_PHONE = ("Zwaantje", "Quirijnsvelde"), "0466 12 39 87"


# -- every table has one owner and a label ---------------------------------------------------------
def _tables_beyond_the_demo(tmp_path: Path, clock) -> set[str]:
    """The tables the demo does not fill: the store's own (settings, users, the bin, the log, the
    metadata) and the school's own questions for the start-of-year conversations."""
    from ouder_tui.startgesprek import Startgesprekken

    store = FileStore.open(tmp_path / "eigen.json", user="Tester", clock=clock)
    store.set_user("Tester")  # who-are-you remembers the name
    store.update_settings(school_naam="De Notelaar")
    registry = Registry(store)
    registry.delete_leerling(registry.add_leerling(Leerling(voornaam="Weg", familienaam="Weg")))
    Startgesprekken(store, registry).voeg_vraag_toe("Wat doet je kind graag na school?")
    tables = set(json.loads(store.path.read_text(encoding="utf-8")))
    assert {"gebruikers", "_prullenbak", "eigen_vragen"} <= tables
    return tables


def test_every_table_in_the_database_belongs_to_exactly_one_area(demo_path: Path, tmp_path: Path, clock) -> None:
    owners = Counter(table for area in all_areas() for table in area.tables)
    assert [t for t, n in owners.items() if n > 1] == []
    present = set(json.loads(demo_path.read_text(encoding="utf-8")))
    present |= _tables_beyond_the_demo(tmp_path, clock)
    assert sorted(present - set(owners)) == []


def test_every_table_has_a_dutch_label_and_the_recycle_bin_shows_it() -> None:
    from screens.prullenbak import KINDS

    labels = table_labels()
    assert all(label.strip() and label.islower() for label in labels.values()), labels
    assert KINDS == labels and KINDS["infomomenten"] == "infomoment"


def test_area_keys_are_unique_and_the_interface_names_them() -> None:
    from screens.areas import AREAS

    keys = [area.key for area in all_areas()]
    assert len(keys) == len(set(keys))
    assert {a.core for a in AREAS if a.core} <= set(keys)


# -- the command line offers what the areas declare ------------------------------------------------
def test_the_command_line_exports_are_the_areas_exports(tmp_path: Path, capsys) -> None:
    specs = exports()
    with pytest.raises(SystemExit):
        main(["export", "huisdieren"])
    offered = re.search(r"kies uit (.*)\)", capsys.readouterr().err).group(1)
    assert offered == ", ".join(repr(spec.name) for spec in specs)
    every_format = dict.fromkeys(f for spec in specs for f in spec.formats)
    missing = str(tmp_path / "nergens.json")
    for spec in specs:
        for fmt in every_format:
            code = main(["--db", missing, "export", spec.name, "--format", fmt])
            err = capsys.readouterr().err
            if fmt in spec.formats:  # accepted: it goes on to open the database, which is not there
                assert code == 1 and "Er is geen databank" in err, (spec.name, fmt, err)
            else:
                assert code == 2 and f"{spec.name} kan je exporteren als {', '.join(spec.formats)}" in err


def test_palette_hits_open_something_the_app_can_open(demo_store) -> None:
    from ouder_tui.app import OuderTuiApp
    from ouder_tui.areas import Services, palette_hits

    services = Services(demo_store)
    kinds = set()
    for query in ("5a", "peeters", "an", "koffie", "a"):
        hits = palette_hits(services, query)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        kinds |= {hit.target[0] for hit in hits}
    assert {"klas", "leerling", "gezin", "huisbezoek", "oudergroep_sessie"} <= kinds
    assert all(callable(getattr(OuderTuiApp, f"open_{kind}", None)) for kind in kinds), kinds


# -- erasure: the guest of the parent group --------------------------------------------------------
@pytest.fixture
def file_store(tmp_path: Path, clock) -> FileStore:
    """These tests read the file's bytes: a database on a temporary file."""
    return FileStore.open(tmp_path / "db.json", user="Tester", clock=clock)


@pytest.fixture
def family(file_store: FileStore) -> Gezin:
    """A family with a parent and a child."""
    registry = Registry(file_store)
    gezin = registry.add_gezin(Gezin(naam="Vandenbroele", ouders=(
        Ouder(relatie="moeder", voornaam="Ilse", familienaam="Vandenbroele", telefoon="0499 99 88 77"),)))
    registry.add_leerling(Leerling(voornaam="Lotte", familienaam="Vandenbroele", klas="4A", gezin_id=gezin.id))
    return gezin


def _link_guest(group: Oudergroep, gezin_id: int, voornaam: str, familienaam: str, telefoon: str) -> tuple[str, int]:
    """A walk-in guest, ticked present and phoned, then linked to the family as the facilitator does it
    (the guest record goes to the recycle bin); returns the person id and the guest record's id."""
    session = group.sessies()[0] if group.sessies() else group.plan(Sessie(datum=date(2026, 11, 17), titel="Koffie"))
    person = group.voeg_gast_toe(session.id, Gast(voornaam=voornaam, familienaam=familienaam, telefoon=telefoon))
    group.noteer_contact(Contact(persoon_id=person.id, datum=date(2026, 11, 19), notitie="Gebeld"))
    record = group.gast(person.id)
    group.koppel_gast(record, gezin_id)
    return person.id, record.id


def test_erasing_a_family_takes_the_walk_in_guest_linked_to_it(file_store: FileStore, family: Gezin,
                                                                 tmp_path: Path) -> None:
    """The defect of issue 13: the guest's name and phone stayed in the recycle bin after the erasure."""
    registry = Registry(file_store)
    person_id, guest_id = _link_guest(Oudergroep(file_store, registry), family.id, *GUEST_NAME, GUEST_PHONE)
    plan = wisplan_gezin(registry, family.id)
    assert "1 item in de prullenbak" in plan.regels
    wis(registry, plan)
    raw = file_store.path.read_text(encoding="utf-8")
    for needle in (*GUEST_NAME, GUEST_PHONE, person_id, "Vandenbroele"):
        assert needle not in raw, needle
    data = json.loads(raw)
    assert data["_prullenbak"] == {}
    assert not any(e["tabel"] == "oudergroep_gasten" and e["record"] == guest_id for e in data["_logboek"].values())
    backup = make_backup(file_store.path, tmp_path / "na-wissen.json").read_text(encoding="utf-8")
    assert GUEST_NAME[1] not in backup and GUEST_PHONE not in backup and person_id not in backup


def test_a_guest_record_of_a_parent_is_in_the_report_and_goes_with_the_family(file_store: FileStore,
                                                                              family: Gezin) -> None:
    """A linked guest taken back out of the bin is a second record of the same person."""
    registry = Registry(file_store)
    person_id, _ = _link_guest(Oudergroep(file_store, registry), family.id, *GUEST_NAME, GUEST_PHONE)
    file_store.restore(file_store.recycle_bin("oudergroep_gasten")[0]["id"])
    report = inzage_report(registry, family.id, "md").decode("utf-8")
    assert "Ook als gast van de oudergroep genoteerd" in report and GUEST_PHONE in report
    plan = wisplan_gezin(registry, family.id)
    assert "oudergroep: aanwezigheden of uitnodigingen in 1 sessie, 1 contact, 1 gast" in plan.regels
    wis(registry, plan)
    assert GUEST_NAME[1] not in file_store.path.read_text(encoding="utf-8")


def test_a_deleted_session_in_the_bin_forgets_an_erased_parent(file_store: FileStore, family: Gezin) -> None:
    """A session in the recycle bin can be restored: it must not bring back an erased parent's id."""
    registry = Registry(file_store)
    group = Oudergroep(file_store, registry)
    parent_id = family.ouders[0].id
    session = group.plan(Sessie(datum=date(2026, 11, 17), titel="Opvoeden in twee talen"))
    group.zet_aanwezig(session.id, parent_id)
    group.nodig_uit(session.id, [parent_id], "brief")
    group.verwijder(group.sessie(session.id))
    assert parent_id in file_store.path.read_text(encoding="utf-8")
    wis(registry, wisplan_gezin(registry, family.id))
    assert parent_id not in file_store.path.read_text(encoding="utf-8")
    [entry] = file_store.recycle_bin("oudergroep_sessies")  # the session itself stays, without them
    assert entry["record"]["titel"] == "Opvoeden in twee talen" and entry["record"]["aanwezig"] == []


# -- erasure: every family of the demo school ------------------------------------------------------
_WORD = r"(?<![\w]){}(?![\w])"


def _owned(data: dict, gezin_id: int) -> dict[str, set[int]]:
    """Which records are the family's, worked out here independently of the areas (for the log)."""
    family = data["gezinnen"][str(gezin_id)]
    parents = {o["id"] for o in family.get("ouders", [])}
    kids = {int(k) for k, r in data["leerlingen"].items() if r.get("gezin_id") == gezin_id}
    kids |= {e["record_id"] for e in data.get("_prullenbak", {}).values()
             if e["table"] == "leerlingen" and e["record"].get("gezin_id") == gezin_id}
    owned = {"gezinnen": {gezin_id}, "leerlingen": kids,
             "huisbezoeken": {int(k) for k, r in data.get("huisbezoeken", {}).items() if r.get("gezin_id") == gezin_id},
             "startgesprekken": {int(k) for k, r in data.get("startgesprekken", {}).items()
                                 if r.get("leerling_id") in kids}}
    for table in ("oudergroep_contacten", "oudergroep_gasten"):
        owned[table] = {int(k) for k, r in data.get(table, {}).items() if r.get("persoon_id") in parents}
        owned[table] |= {e["record_id"] for e in data.get("_prullenbak", {}).values()
                         if e["table"] == table and e["record"].get("persoon_id") in parents}
    return owned


def _needles(data: dict, gezin_id: int, background: str) -> set[str]:
    """What identifies the family: its parents' person ids, phones and e-mails, the pupils' numbers (each
    unless another family or pupil shares it), and the names of its people and of the family itself,
    unless they also occur in ``background`` (what the school keeps besides families: a CLB host may
    carry a family's surname)."""
    family = data["gezinnen"][str(gezin_id)]
    pupils = [r for r in data["leerlingen"].values() if r.get("gezin_id") == gezin_id]
    others = json.dumps([r for k, r in data["gezinnen"].items() if k != str(gezin_id)]
                        + [r for r in data["leerlingen"].values() if r.get("gezin_id") != gezin_id],
                        ensure_ascii=False)
    strong, names = set(), {family["naam"]}
    for parent in family.get("ouders", []):
        strong |= {parent["id"], parent.get("telefoon", ""), parent.get("email", "")}
        names.add(f"{parent.get('voornaam', '')} {parent.get('familienaam', '')}".strip())
    for pupil in pupils:
        strong.add(pupil.get("stamboeknummer", ""))
        names.add(f"{pupil.get('voornaam', '')} {pupil.get('familienaam', '')}".strip())
    return {n for n in strong if len(n) >= 4 and not _left({n}, others)} | {
        n for n in names if len(n) >= 4 and not _left({n}, others + background)}


def _left(needles: set[str], text: str) -> list[str]:
    """The needles found in ``text`` as whole words (the plain search first: it is much faster)."""
    return sorted(n for n in needles if n in text and re.search(_WORD.format(re.escape(n)), text))


def test_erasing_each_demo_family_leaves_nothing_of_it_anywhere(demo_template: Path, tmp_path: Path, clock) -> None:
    """Every family of the demo school, one after the other on one copy, each with a guest linked to it."""
    path = tmp_path / "demo.json"
    shutil.copyfile(demo_template, path)
    school = json.loads(path.read_text(encoding="utf-8"))
    background = json.dumps({t: r for t, r in school.items() if t not in ("gezinnen", "leerlingen")},
                            ensure_ascii=False)
    store = FileStore.open(path, user="Tester", clock=clock, make_backup=False)
    registry = Registry(store)
    group = Oudergroep(store, registry)
    families = [g.id for g in registry.gezinnen()]
    with store.transaction():  # one save for all the guests
        for n, gezin_id in enumerate(families):
            code = "".join(chr(ord("a") + (n // 26 ** i) % 26) for i in range(3))
            _link_guest(group, gezin_id, "Gastje", f"Kwaaitest{code}", f"0466 {n:06d}")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert all(any(o["familienaam"].startswith("Kwaaitest") for o in data["gezinnen"][str(g)]["ouders"])
               for g in families)
    all_needles: set[str] = set()
    for gezin_id in families:
        needles, owned = _needles(data, gezin_id, background), _owned(data, gezin_id)
        assert any(n.startswith("0466 ") for n in needles)  # the guest's phone at least
        all_needles |= needles
        wis(registry, wisplan_gezin(registry, gezin_id))
        raw = path.read_text(encoding="utf-8")
        assert _left(needles, raw) == [], gezin_id
        data = json.loads(raw)
        assert not any(e["tabel"] in owned and e["record"] in owned[e["tabel"]] for e in data["_logboek"].values())
        assert not any(e["table"] in owned and e["record_id"] in owned[e["table"]]
                       for e in data["_prullenbak"].values())
    assert data["gezinnen"] == {} and data["_prullenbak"] == {}
    backup = make_backup(path, tmp_path / "na-wissen.json").read_text(encoding="utf-8")
    assert _left(all_needles, backup) == []
