"""The infomoment comes well before ("ruim voor") the registrations and the open days: how many days that
is, is a setting (default 14); a missing registration date and open days after the registrations start
are pointed out."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from ouder_tui.errors import ValidationError
from ouder_tui.infomoment import Infomomenten, OpenDag
from ouder_tui.settings import load_settings, save_settings
from ouder_tui.store import Store


@pytest.fixture
def service(store: Store) -> Infomomenten:
    return Infomomenten(store)


def test_too_close_to_the_registrations_or_the_first_open_day(service, store) -> None:
    info = service.nieuw("2026-2027", date(2027, 2, 18), inschrijvingen_vanaf=date(2027, 3, 1))
    warnings = service.waarschuwingen(info)
    assert any("maar 11 dagen voor de start van de inschrijvingen (01/03/2027); reken op minstens 14 dagen" in w
               for w in warnings)
    info = service.bewaar(msgspec.structs.replace(info, opendeurdagen=(
        OpenDag(school="Atheneum", datum=date(2027, 2, 23)), OpenDag(school="Sint-Jozef", datum=date(2027, 3, 13)))))
    warnings = service.waarschuwingen(info)
    assert any("De eerste opendeurdag (Atheneum, 23/02/2027) volgt maar 5 dagen na het infomoment" in w
               for w in warnings)
    assert "Opendeurdagen na de start van de inschrijvingen (01/03/2027): Sint-Jozef 13/03/2027. Zeg ouders dat " \
           "ze daarop niet hoeven te wachten." in warnings
    save_settings(store, msgspec.structs.replace(load_settings(store), infomoment_ruim_voor_dagen=5))
    warnings = service.waarschuwingen(info)
    assert not any("reken op minstens" in w for w in warnings)


def test_a_missing_registration_date_is_a_warning(service) -> None:
    info = service.nieuw("2026-2027", date(2027, 2, 11))
    assert any("startdatum van de inschrijvingen ontbreekt" in w for w in service.waarschuwingen(info))


def test_well_before_is_a_number_of_days_within_reason(store) -> None:
    assert load_settings(store).infomoment_ruim_voor_dagen == 14
    with pytest.raises(ValidationError) as caught:
        save_settings(store, msgspec.structs.replace(load_settings(store), infomoment_ruim_voor_dagen=400))
    assert "infomoment_ruim_voor_dagen" in caught.value.errors
