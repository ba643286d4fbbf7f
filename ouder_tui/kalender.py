"""The school calendar of the Flemish Community: holidays and free days, shipped as facts in
``data/kalender/schoolvakanties.json`` (school years 2026-2027 to 2030-2031).

A school adds its own free days (pedagogical study days, optional days off); those are not known here.
For a date outside the known school years only the weekend is known to be free.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources

from ouder_tui.text import school_year_of


@dataclass(frozen=True)
class Vrij:
    """A holiday or a free day: its Dutch name and its first and last day."""

    naam: str
    van: date
    tot: date

    def __contains__(self, day: date) -> bool:
        return self.van <= day <= self.tot


@cache
def _calendar() -> dict[str, list[Vrij]]:
    text = resources.files("ouder_tui_data").joinpath("kalender/schoolvakanties.json").read_text(encoding="utf-8")
    found: dict[str, list[Vrij]] = {}
    for year in json.loads(text)["schooljaren"]:
        periods = [Vrij(v["naam"], date.fromisoformat(v["van"]), date.fromisoformat(v["tot"])) for v in year["vakanties"]]
        periods += [Vrij(d["naam"], date.fromisoformat(d["datum"]), date.fromisoformat(d["datum"]))
                    for d in year["vrije_dagen"]]
        found[year["schooljaar"]] = sorted(periods, key=lambda v: v.van)
    return found


def schooljaren() -> list[str]:
    """The school years the calendar knows."""
    return list(_calendar())


def vrij(schooljaar: str) -> list[Vrij]:
    """The holidays and free days of a school year, in order (empty for a year the calendar does not know)."""
    return list(_calendar().get(schooljaar, ()))


def vrij_op(day: date) -> Vrij | None:
    """The holiday or free day ``day`` falls in, if any (summer: the year that ends with it)."""
    for year in {school_year_of(day), school_year_of(day - timedelta(days=62))}:
        for period in _calendar().get(year, ()):
            if day in period:
                return period
    return None


def is_schooldag(day: date) -> bool:
    """A weekday that is no holiday or free day of the Flemish calendar."""
    return day.weekday() < 5 and vrij_op(day) is None


def schooldagen(start: date, end: date) -> int:
    """The school days from ``start`` up to and including ``end``."""
    days = (end - start).days + 1
    return sum(1 for offset in range(max(days, 0)) if is_schooldag(start + timedelta(days=offset)))
