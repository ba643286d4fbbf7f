"""A short printable invitation per pupil for a startgesprek or an omgekeerd oudergesprek, with an optional
questionnaire, from the command line and from the class overview."""

from __future__ import annotations

import re

from datetime import date

import msgspec
import pytest

from ouder_tui.leerlingen import Gezin, Leerling, Ouder, Registry
from ouder_tui.startgesprek import Startgesprekken
from ouder_tui.startgesprek_uitnodiging import questionnaire, uitnodigingen
from ouder_tui.store import Store


@pytest.fixture
def service(store: Store, registry: Registry) -> Startgesprekken:
    family = registry.add_gezin(Gezin(naam="Benali", ouders=(
        Ouder(relatie="moeder", voornaam="Naima", tolk_nodig=True, tolk_taal="Arabisch"),)))
    registry.add_leerling(Leerling(voornaam="Sara", familienaam="Benali", klas="5A", gezin_id=family.id))
    registry.add_leerling(Leerling(voornaam="Lars", familienaam="Peeters", klas="5A"))
    registry.add_leerling(Leerling(voornaam="Noor", familienaam="Maes", klas="6B"))
    return Startgesprekken(store, registry)


def test_an_invitation_per_pupil_states_the_purpose_and_asks_beforehand(service) -> None:
    sara = next(p for p in service.registry.leerlingen() if p.voornaam == "Sara")
    service.bewaar(msgspec.structs.replace(service.nieuw(sara.id), datum=date(2026, 12, 3)))  # planned
    text = uitnodigingen(service, "md", klas="5a").decode("utf-8")
    assert text.count("Uitnodiging voor een startgesprek over") == 2 and "Noor" not in text
    assert "We stellen voor: donderdag 3 december 2026" in text and "Er is een tolk bij (Arabisch)." in text
    assert "Sara is er altijd bij" in text
    assert all(q in text for q in questionnaire(service))
    reverse = uitnodigingen(service, "html", klas="5A", soort="omgekeerd", vragenlijst=False).decode("utf-8")
    assert "vertel ons over Lars" in reverse and "videogesprek" in reverse and "vooraf" not in reverse
    assert len(re.findall(r'class="[^"]*\bpage"', reverse)) == 1  # one pupil a page


def test_the_questionnaire_takes_one_question_per_theme_first(service) -> None:
    themes = [next(v.thema for v in service.vragen() if v.vraag == q) for q in questionnaire(service)]
    assert len(themes) == 5 and len(set(themes)) == 5


@pytest.mark.file_home
def test_the_command_line_makes_them_for_a_class(store, service, tmp_path, capsys) -> None:
    from ouder_tui.cli import main

    target = tmp_path / "uitnodigingen.html"
    assert main(["--db", str(store.path), "export", "startgesprekken", "--format", "html", "--klas", "5A",
                 "--uitnodiging", "omgekeerd", "--output", str(target)]) == 0
    assert "vertel ons over Sara" in target.read_text(encoding="utf-8")
    assert main(["--db", str(store.path), "export", "startgesprekken", "--format", "html",
                 "--uitnodiging", "startgesprek"]) == 2
    assert "geef ook --klas" in capsys.readouterr().err
    assert main(["--db", str(store.path), "export", "startgesprekken", "--format", "md", "--klas", "5A",
                 "--uitnodiging", "babbel"]) == 2


async def test_from_the_class_overview(store: Store, service, tmp_path) -> None:
    from textual.widgets import Checkbox, Input

    from ouder_tui.app import make_app
    from screens.export_dialog import ExportDialog

    app = make_app(store, ask_user=False)
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        await pilot.press("enter", "down", "down", "enter")  # the format: md (csv, json, md, html)
        await pilot.pause()
        await pilot.press("tab")  # from the format to the first option
        assert isinstance(app.focused, Checkbox) and app.focused.id == "option-uitnodiging"
        await pilot.press("space")
        target = tmp_path / "uitnodigingen.md"
        dialog.query_one("#path", Input).value = str(target)
        dialog.query_one("#path", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
    assert "Uitnodiging voor een startgesprek over Sara" in target.read_text(encoding="utf-8")
