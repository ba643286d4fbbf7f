"""What an import would change: :class:`ImportPlan` with its :class:`PlannedPupil` and
:class:`RowProblem` entries, and :class:`ImportRefused` for strict mode.

:func:`~ouder_tui.importers.planning.plan_import` makes the plan; making it writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ouder_tui.errors import OuderTuiError
from ouder_tui.importers.columns import ColumnMapping
from ouder_tui.importers.csvread import ENCODING_NAMES, CsvFile
from ouder_tui.importers.values import _short
from ouder_tui.leerlingen import Gezin, Leerling
from ouder_tui.text import clean_text


class ImportRefused(OuderTuiError):
    """Strict mode: the file has unusable rows, so nothing is imported (see :meth:`ImportPlan.refuse_if_skipped`)."""


@dataclass(frozen=True)
class RowProblem:
    """Something wrong with one line of the file (``line`` 0: the file as a whole). ``reason`` is Dutch."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"regel {self.line}: {self.reason}" if self.line else self.reason


@dataclass(frozen=True)
class PlannedPupil:
    """One pupil the import adds or changes.

    ``leerling`` is what will be saved (for an update: with the stored ``id`` and
    ``rev``); ``before`` is the stored version (``None`` for a new pupil).
    ``new_family`` indexes :attr:`ImportPlan.families_new` when the pupil joins a
    family that the import creates (its ``gezin_id`` is then set on saving).
    """

    line: int
    leerling: Leerling
    before: Leerling | None = None
    new_family: int | None = None


@dataclass(eq=False)
class ImportPlan:
    """What an import would change. Making it writes nothing; :func:`apply_import` carries it out."""

    mapping: ColumnMapping
    schooljaar: str
    vandaag: date
    markeer_vertrokken: bool
    rows: int
    new: list[PlannedPupil] = field(default_factory=list)
    updated: list[PlannedPupil] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    to_mark_left: list[Leerling] = field(default_factory=list)
    families_new: list[Gezin] = field(default_factory=list)
    families_updated: list[tuple[Gezin, Gezin]] = field(default_factory=list)  # (before, after)
    csv: CsvFile | None = field(default=None, repr=False)
    generation: int = field(default=-1, repr=False)

    @property
    def new_families(self) -> int:
        """How many families the import creates."""
        return len(self.families_new)

    @property
    def updated_families(self) -> int:
        """How many existing families change (parents added or updated, a new address)."""
        return len(self.families_updated)

    @property
    def changes(self) -> int:
        """How many records applying the plan writes (the progress total)."""
        return (len(self.new) + len(self.updated) + len(self.to_mark_left)
                + len(self.families_new) + len(self.families_updated))

    def refuse_if_skipped(self) -> None:
        """Strict mode: raise :class:`ImportRefused` naming the bad rows when any row would be skipped."""
        if self.skipped:
            shown = "\n".join(f"  {p}" for p in self.skipped[:50])
            more = f"\n  ... en nog {len(self.skipped) - 50}" if len(self.skipped) > 50 else ""
            raise ImportRefused(
                f"Het bestand telt {len(self.skipped)} onbruikbare rij(en); er is niets ingelezen.\n{shown}{more}"
            )

    def summary(self, *, limit: int | None = None) -> str:
        """Dutch multi-line summary: counts, then every skipped row and warning with its line number."""
        lines = [
            f"Leerlingen: {len(self.new)} nieuw, {len(self.updated)} bijgewerkt, {self.unchanged} ongewijzigd, "
            f"{len(self.skipped)} overgeslagen.",
            f"Gezinnen: {self.new_families} nieuw, {self.updated_families} bijgewerkt.",
        ]
        if self.csv is not None:
            lines.append(f"Tekenset van het bestand: {ENCODING_NAMES.get(self.csv.encoding, self.csv.encoding)}.")
        if self.markeer_vertrokken:
            lines.append(f"Als vertrokken gemarkeerd (niet meer in de lijst): {len(self.to_mark_left)}.")
        for title, problems in (("Overgeslagen rijen:", self.skipped), ("Waarschuwingen:", self.warnings)):
            if problems:
                lines.append(title)
                shown = problems if limit is None else problems[:limit]
                lines += [f"  {p}" for p in shown]
                if len(shown) < len(problems):
                    lines.append(f"  ... en nog {len(problems) - len(shown)}")
        if self.mapping.unrecognised:
            lines.append("Niet ingelezen kolommen: " + ", ".join(f"'{_short(clean_text(h))}'"
                                                                 for h in self.mapping.unrecognised))
        return "\n".join(lines)
