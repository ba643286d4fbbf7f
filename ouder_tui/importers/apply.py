"""Step four, :func:`apply_import`: the plan written in one store transaction.

Progress is reported and a cancel is checked between chunks of :data:`CHUNK` records; a cancel
(:class:`ImportCancelled`) or a crash leaves the database as it was. When the database changed
since the preview, the plan is made again inside the transaction (:class:`ImportResult.replanned`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from ouder_tui.errors import OuderTuiError
from ouder_tui.importers.plan import ImportPlan, PlannedPupil
from ouder_tui.importers.planning import plan_import
from ouder_tui.leerlingen import GEZINNEN, LEERLINGEN, STATUS_VERTROKKEN, Registry
from ouder_tui.models import record_data

CHUNK = 500  # records per store call while applying; progress and cancel are checked between chunks


class ImportCancelled(OuderTuiError):
    """The user cancelled the import before it was saved; the database is unchanged."""

    def __init__(self) -> None:
        super().__init__("Het inlezen is geannuleerd. Er is niets gewijzigd.")


@dataclass(frozen=True)
class ImportResult:
    """What :func:`apply_import` saved. ``replanned``: the database changed after the preview, so the
    plan was made again inside the transaction (the counts are those of the new plan)."""

    plan: ImportPlan
    replanned: bool = False

    @property
    def new(self) -> int:
        """Pupils added."""
        return len(self.plan.new)

    @property
    def updated(self) -> int:
        """Pupils changed."""
        return len(self.plan.updated)

    @property
    def unchanged(self) -> int:
        """Rows that matched a pupil whose data was already the same."""
        return self.plan.unchanged

    @property
    def skipped(self) -> int:
        """Rows that could not be used."""
        return len(self.plan.skipped)

    @property
    def marked_left(self) -> int:
        """Pupils marked as left the school."""
        return len(self.plan.to_mark_left)

    def summary(self, *, limit: int | None = None) -> str:
        """The plan's summary, noting when the database had changed since the preview."""
        text = self.plan.summary(limit=limit)
        if self.replanned:
            text += "\nDe databank was intussen gewijzigd; de cijfers hierboven zijn opnieuw berekend."
        return text


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def apply_import(registry: Registry, plan: ImportPlan, *, progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None, bestand: str = "") -> ImportResult:
    """Carry out ``plan`` in one store transaction: everything is saved, or nothing.

    ``progress(done, total)`` is called as records are prepared; ``cancelled()`` is
    asked between chunks and once more just before saving, and when it returns true
    :class:`ImportCancelled` is raised and the database stays as it was. When the
    database changed since the plan was made (another window, another PC), the plan
    is made again inside the transaction so nothing is duplicated or overwritten.
    """
    store = registry.store
    report = progress or (lambda done, total: None)
    is_cancelled = cancelled or (lambda: False)
    replanned = False

    def check() -> None:
        if is_cancelled():
            raise ImportCancelled()

    with store.transaction():
        if store.generation != plan.generation:
            if plan.csv is None:
                raise OuderTuiError("De databank is gewijzigd sinds de voorvertoning; lees het bestand opnieuw in.")
            plan = plan_import(registry, plan.csv, plan.mapping, schooljaar=plan.schooljaar, vandaag=plan.vandaag,
                               markeer_vertrokken=plan.markeer_vertrokken)
            replanned = True
        total, done = plan.changes, 0
        report(0, total)
        check()
        family_ids: list[int] = []
        for chunk in _chunks(plan.families_new):
            family_ids += [r["id"] for r in store.insert_many(GEZINNEN, [record_data(g) for g in chunk])]
            done += len(chunk)
            report(done, total)
            check()
        for chunk in _chunks(plan.families_updated):
            store.update_many(GEZINNEN, [(after.id, record_data(after), before.rev) for before, after in chunk])
            done += len(chunk)
            report(done, total)
            check()

        def with_family(planned: PlannedPupil) -> dict:
            record = record_data(planned.leerling)
            if planned.new_family is not None:
                record["gezin_id"] = family_ids[planned.new_family]
            return record

        for chunk in _chunks(plan.new):
            store.insert_many(LEERLINGEN, [with_family(p) for p in chunk])
            done += len(chunk)
            report(done, total)
            check()
        left = [PlannedPupil(0, msgspec.structs.replace(p, status=STATUS_VERTROKKEN, vertrokken_op=plan.vandaag), p)
                for p in plan.to_mark_left]
        for chunk in _chunks([*plan.updated, *left]):
            store.update_many(LEERLINGEN, [(p.leerling.id, with_family(p), p.before.rev) for p in chunk])
            done += len(chunk)
            report(done, total)
            check()
        result = ImportResult(plan=plan, replanned=replanned)
        # What the dashboard shows as "the last import"; saved with the import itself.
        store.update_settings(laatste_import={
            "op": store.clock().isoformat(), "door": store.user, "bestand": bestand,
            "nieuw": result.new, "bijgewerkt": result.updated, "ongewijzigd": result.unchanged,
            "overgeslagen": result.skipped, "vertrokken": result.marked_left,
        })
    return result
