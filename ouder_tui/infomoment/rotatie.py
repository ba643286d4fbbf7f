"""The rotation (*doorschuifsysteem*): groups of parents and pupils move past the tables.

Every group visits every table exactly once and a table never has two groups at once.
With at most as many groups as tables that takes one round per table (some tables wait
a round when there are fewer groups). With more groups than tables no plan can do it in
fewer rounds than there are groups (each table has to see every group, one at a time):
the plan then takes one round per group and each group waits at the drink for the rounds
it has no table.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_GROEPEN = 12
MAX_TAFELS = 12


@dataclass(frozen=True)
class Rooster:
    """``plan[r][g]`` is the table (0-based) group ``g`` sits at in round ``r``, or ``None`` (a pause)."""

    groepen: int
    tafels: int
    plan: tuple[tuple[int | None, ...], ...]

    @property
    def rondes(self) -> int:
        return len(self.plan)

    @property
    def met_pauzes(self) -> bool:
        return self.groepen > self.tafels

    def tafel_van(self, ronde: int, groep: int) -> int | None:
        return self.plan[ronde][groep]

    def groep_aan(self, ronde: int, tafel: int) -> int | None:
        """Which group sits at ``tafel`` in ``ronde`` (``None``: the table waits)."""
        for groep, at in enumerate(self.plan[ronde]):
            if at == tafel:
                return groep
        return None


def rotatie(groepen: int, tafels: int) -> Rooster:
    """The rotation for ``groepen`` groups and ``tafels`` tables (each at least 1).

    Round ``r`` puts group ``g`` in slot ``(g + r) mod n`` with ``n = max(groepen, tafels)``. With more
    groups than tables, ``n - tafels`` of the slots are pauses, spread evenly over the cycle; the other
    slots are the tables in order. For a fixed round the groups get different slots (no clash, and as
    many pauses in every round), and over the ``n`` rounds each group gets every slot once (every table
    once, and its pauses apart instead of back to back). ``n`` rounds is also the least possible, as
    each table must see every group.
    """
    if groepen < 1 or tafels < 1:
        raise ValueError("Er is minstens één groep en één tafel nodig.")
    n = max(groepen, tafels)
    pauses = n - tafels
    pause_slots = {(2 * k + 1) * n // (2 * pauses) for k in range(pauses)} if pauses else set()
    table_of = {}
    for slot in range(n):
        if slot not in pause_slots:
            table_of[slot] = len(table_of)
    plan = tuple(tuple(table_of.get((g + r) % n) for g in range(groepen)) for r in range(n))
    return Rooster(groepen=groepen, tafels=tafels, plan=plan)


def groep_naam(groep: int) -> str:
    """Group 0 -> ``A``, 1 -> ``B`` ...: letters read better on a card than numbers."""
    return chr(ord("A") + groep) if groep < 26 else str(groep + 1)
