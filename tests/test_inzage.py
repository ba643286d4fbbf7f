"""Inspection for a parent: everything about one family and its children, from every module,
confidential notes included and marked, the recycle bin too, and nothing about other families."""

from __future__ import annotations

from datetime import date

import pytest

from ouder_tui.app import make_app
from ouder_tui.errors import NotFoundError
from ouder_tui.huisbezoek import Huisbezoek, Huisbezoeken
from ouder_tui.inzage import inzage_report
from ouder_tui.leerlingen import Gezin, Leerling, Ouder, Registry
from ouder_tui.oudergroep import Contact, Oudergroep, Sessie
from ouder_tui.startgesprek import Startgesprekken
from ouder_tui.store import Store
from screens.export_dialog import ExportDialog
from screens.gezin import GezinScreen

SECRET = "Moeder is ernstig ziek; enkel de zorgcoördinator weet het."


@pytest.fixture
def family(store: Store, registry: Registry) -> Gezin:
    gezin = registry.add_gezin(Gezin(naam="Benali", notities="Liever bellen na 17 uur.", ouders=(
        Ouder(relatie="moeder", voornaam="Naima", familienaam="Benali", telefoon="0470 12 34 56", talen=("Arabisch",),
              tolk_nodig=True, tolk_taal="Arabisch"),)))
    kid = registry.add_leerling(Leerling(voornaam="Sara", familienaam="Benali", klas="5A", gezin_id=gezin.id,
                                         geboortedatum=date(2016, 4, 3), notities="Leest graag."))
    other = registry.add_gezin(Gezin(naam="Peeters", ouders=(Ouder(voornaam="Lien", familienaam="Peeters"),)))
    visits = Huisbezoeken(store, registry)
    visits.plan(Huisbezoek(gezin_id=gezin.id, datum=date(2026, 10, 5), status="gehouden", vertrouwelijk=True,
                           besproken=SECRET))
    visits.plan(Huisbezoek(gezin_id=other.id, datum=date(2026, 10, 6), besproken="Over een ander gezin."))
    talks = Startgesprekken(store, registry)
    talk = talks.nieuw(kid.id)
    talks.bewaar(talk.__class__(**{**{f: getattr(talk, f) for f in talk.__struct_fields__},
                                  "status": "gehouden", "datum": date(2026, 9, 10), "kwaliteiten": "behulpzaam"}))
    group = Oudergroep(store, registry)
    session = group.plan(Sessie(datum=date(2026, 10, 13), titel="Meertalig opvoeden"))
    group.zet_aanwezig(session.id, gezin.ouders[0].id)
    group.noteer_contact(Contact(persoon_id=gezin.ouders[0].id, datum=date(2026, 11, 2), notitie="Komt graag terug."))
    removed = visits.plan(Huisbezoek(gezin_id=gezin.id, datum=date(2026, 11, 3), besproken="Foutief ingevoerd."))
    visits.verwijder(removed)
    return gezin


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_everything_about_the_family_and_nothing_else(registry: Registry, family: Gezin, fmt: str) -> None:
    text = inzage_report(registry, family.id, fmt).decode("utf-8")
    for expected in ("Benali", "Liever bellen na 17 uur.", "0470 12 34 56", "Arabisch", "Sara", "03/04/2016",
                     "Leest graag.", SECRET.split(";")[0], "VERTROUWELIJK", "waar het kind sterk in is: behulpzaam",
                     "aanwezig op: 13/10/2026 (Meertalig opvoeden)", "Komt graag terug.", "Foutief ingevoerd.",
                     "In de prullenbak"):
        assert expected in text, expected
    assert "Peeters" not in text and "Over een ander gezin." not in text


def test_an_unknown_family_is_a_dutch_error(registry: Registry, family: Gezin) -> None:
    with pytest.raises(NotFoundError, match="bestaat niet"):
        inzage_report(registry, 999, "md")


def test_hostile_text_is_escaped(registry: Registry) -> None:
    gezin = registry.add_gezin(Gezin(naam="<script>x</script> [/]", notities="*vet* # kop"))
    html = inzage_report(registry, gezin.id, "html").decode()
    assert "<script>x" not in html and "&lt;script&gt;x" in html
    md = inzage_report(registry, gezin.id, "md").decode()
    assert "\\*vet\\*" in md and "\\[/\\]" in md


async def test_the_family_view_offers_the_inspection_report(store: Store, family: Gezin) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(110, 40)) as pilot:
        app.push_screen(GezinScreen(app.registry, family.id))
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog) and dialog.formats == ("html", "md")
        assert SECRET in dialog.produce("html", {}).decode()


@pytest.mark.file_home
def test_inspection_on_the_command_line(store: Store, family: Gezin, tmp_path, capsys) -> None:
    from ouder_tui.cli import main

    path = str(store.path)
    store.close()
    out = tmp_path / "inzage.html"
    assert main(["--db", path, "--gebruiker", "Directie", "inzage", str(family.id), "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and SECRET in text and "door Directie" in text
    assert main(["--db", path, "inzage", "999"]) == 1
    assert "bestaat niet" in capsys.readouterr().err
