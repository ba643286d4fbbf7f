"""The school calendar of the Flemish Community as facts in data/, checked against the rules it follows and
against published dates; the parent group warns for sessions on a free day and for two sessions at the
same time and place; the golden weeks count school days of that calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ouder_tui.kalender import is_schooldag, schooldagen, schooljaren, vrij, vrij_op
from ouder_tui.oudergroep import Oudergroep, Sessie
from ouder_tui.startgesprek import school_days_between


def _easter(y: int) -> date:
    """Easter Sunday (Gregorian), independent of the shipped facts."""
    a, b, c = y % 19, y // 100, y % 100
    h = (19 * a + b - b // 4 - (b - (b + 8) // 25 + 1) // 3 + 15) % 30
    l_ = (32 + 2 * (b % 4) + 2 * (c // 4) - h - c % 4) % 7
    m = (a + 11 * h + 22 * l_) // 451
    return date(y, (h + l_ - 7 * m + 114) // 31, (h + l_ - 7 * m + 114) % 31 + 1)


def test_five_school_years_are_known() -> None:
    assert schooljaren() == ["2026-2027", "2027-2028", "2028-2029", "2029-2030", "2030-2031"]


@pytest.mark.parametrize("year", range(2026, 2031))
def test_the_holidays_follow_the_rules_of_the_flemish_community(year: int) -> None:
    periods = {v.naam: v for v in vrij(f"{year}-{year + 1}")}
    herfst, kerst, krokus, paas = (periods[n] for n in ("herfstvakantie", "kerstvakantie", "krokusvakantie",
                                                        "paasvakantie"))
    assert date(year, 11, 1) in herfst or (date(year, 11, 1).weekday() == 6 and herfst.van == date(year, 11, 2))
    assert (herfst.tot - herfst.van).days == 6 and (kerst.tot - kerst.van).days == 13
    assert date(year, 12, 25) in kerst or kerst.van == date(year, 12, 25) + timedelta(days=7 - date(year, 12, 25).weekday())
    easter = _easter(year + 1)
    assert krokus.van == easter + timedelta(days=1 - 49) and (krokus.tot - krokus.van).days == 6
    assert paas.van.weekday() == 0 and (paas.tot - paas.van).days == 13
    assert (easter in paas or easter + timedelta(days=1) == paas.van)  # Easter falls in it, or it starts the day after
    assert periods["zomervakantie"].van == date(year + 1, 7, 1) and periods["zomervakantie"].tot == date(year + 1, 8, 31)
    ascension = easter + timedelta(days=39)
    assert periods["Hemelvaartsdag"].van == ascension and periods["vrijdag na Hemelvaart"].van == ascension + timedelta(1)
    assert periods["pinkstermaandag"].van == easter + timedelta(days=50)


def test_published_dates_of_2027_2028() -> None:
    """As the Flemish school holidays of 2027-2028 are published."""
    assert [(v.naam, v.van, v.tot) for v in vrij("2027-2028")][:5] == [
        ("herfstvakantie", date(2027, 11, 1), date(2027, 11, 7)),
        ("Wapenstilstand", date(2027, 11, 11), date(2027, 11, 11)),
        ("kerstvakantie", date(2027, 12, 27), date(2028, 1, 9)),
        ("krokusvakantie", date(2028, 2, 28), date(2028, 3, 5)),
        ("paasvakantie", date(2028, 4, 3), date(2028, 4, 16))]
    assert vrij_op(date(2028, 4, 17)).naam == "paasmaandag" and vrij_op(date(2028, 6, 5)).naam == "pinkstermaandag"


def test_school_days() -> None:
    assert not is_schooldag(date(2026, 11, 4))  # herfstvakantie
    assert not is_schooldag(date(2026, 11, 11)) and is_schooldag(date(2026, 11, 12))
    assert schooldagen(date(2026, 10, 26), date(2026, 11, 13)) == 5 + 0 + 4  # a week, the holiday, a week minus 11/11
    assert school_days_between(date(2026, 9, 1), date(2026, 10, 5)) == 25
    assert schooldagen(date(2031, 11, 3), date(2031, 11, 7)) == 5  # beyond the known years: only weekends


def test_the_parent_group_warns_for_a_free_day_and_a_double_booking(store, registry) -> None:
    group = Oudergroep(store, registry)
    holiday = group.plan(Sessie(datum=date(2026, 11, 3), titel="Koffie", plaats="refter"))
    assert any("valt in de herfstvakantie" in w for w in group.waarschuwingen(holiday))
    armistice = group.plan(Sessie(datum=date(2026, 11, 11), titel="Koffie", plaats="refter"))
    assert any("vrije dag voor de Vlaamse scholen (Wapenstilstand)" in w for w in group.waarschuwingen(armistice))
    first = group.plan(Sessie(datum=date(2026, 12, 8), begin="09:00", einde="11:00", titel="Schermtijd", plaats="Refter"))
    other = group.plan(Sessie(datum=date(2026, 12, 8), begin="10:30", einde="12:00", titel="Taal", plaats="refter"))
    elsewhere = group.plan(Sessie(datum=date(2026, 12, 8), begin="10:30", einde="12:00", titel="Taal", plaats="turnzaal"))
    later = group.plan(Sessie(datum=date(2026, 12, 8), begin="11:00", einde="12:00", titel="Taal", plaats="refter"))
    assert group.dubbel(other) == [first, later] and group.dubbel(elsewhere) == []
    assert "Op 08/12/2026 is er om 09:00-11:00 al een sessie in Refter: Schermtijd." in group.waarschuwingen(other)
    assert group.dubbel(later) == [other]  # 11:00 starts as the first one ends
    series = group.herhaal(group.plan(Sessie(datum=date(2026, 12, 15), titel="Reeks")), "week", 3)
    assert any("Ook in deze reeks vallen sessies op een vrije dag: 22/12/2026 (kerstvakantie), 29/12/2026 "
               "(kerstvakantie)" in w for w in group.waarschuwingen(series[0]))
