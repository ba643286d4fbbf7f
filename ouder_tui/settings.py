"""The database's settings that every area shares: the school's name, the idle lock time, the
number of missed parent-group sessions after which a parent is followed up, the retention period and
how many days the infomoment should come before registrations and open days."""

from __future__ import annotations

import msgspec

from ouder_tui.models import Checker
from ouder_tui.store import Store

DEFAULT_IDLE_MINUTES = 5
MAX_IDLE_MINUTES = 120
DEFAULT_WEGGEBLEVEN_NA = 2
MAX_WEGGEBLEVEN_NA = 10
DEFAULT_BEWAARTERMIJN = 1
MAX_BEWAARTERMIJN = 10
#: Days the infomoment should come before the start of the registrations and the first open day.
DEFAULT_RUIM_VOOR = 14
MAX_RUIM_VOOR = 120


class Settings(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """What a school sets once; stored in the ``instellingen`` record with who changed it last."""

    school_naam: str = ""
    vergrendel_na_minuten: int = DEFAULT_IDLE_MINUTES
    oudergroep_weggebleven_na: int = DEFAULT_WEGGEBLEVEN_NA
    #: School years after leaving that a pupil's data is kept; after that they are listed for erasure.
    bewaartermijn_schooljaren: int = DEFAULT_BEWAARTERMIJN
    #: How many days "well before" means for the infomoment (registrations, open days).
    infomoment_ruim_voor_dagen: int = DEFAULT_RUIM_VOOR
    changed_by: str = ""
    changed_at: str = ""

    def checked(self) -> Settings:
        check = Checker()
        name = check.text("school_naam", self.school_naam, limit=100)
        if not 1 <= self.vergrendel_na_minuten <= MAX_IDLE_MINUTES:
            check.fail("vergrendel_na_minuten", f"Kies tussen 1 en {MAX_IDLE_MINUTES} minuten.")
        if not 1 <= self.oudergroep_weggebleven_na <= MAX_WEGGEBLEVEN_NA:
            check.fail("oudergroep_weggebleven_na", f"Kies tussen 1 en {MAX_WEGGEBLEVEN_NA} sessies.")
        if not 0 <= self.bewaartermijn_schooljaren <= MAX_BEWAARTERMIJN:
            check.fail("bewaartermijn_schooljaren", f"Kies tussen 0 en {MAX_BEWAARTERMIJN} schooljaren.")
        if not 0 <= self.infomoment_ruim_voor_dagen <= MAX_RUIM_VOOR:
            check.fail("infomoment_ruim_voor_dagen", f"Kies tussen 0 en {MAX_RUIM_VOOR} dagen.")
        check.done()
        return msgspec.structs.replace(self, school_naam=name)


def load_settings(store: Store) -> Settings:
    record = store.settings()
    minutes = record.get("vergrendel_na_minuten", DEFAULT_IDLE_MINUTES)
    missed = record.get("oudergroep_weggebleven_na", DEFAULT_WEGGEBLEVEN_NA)
    keep = record.get("bewaartermijn_schooljaren", DEFAULT_BEWAARTERMIJN)
    ahead = record.get("infomoment_ruim_voor_dagen", DEFAULT_RUIM_VOOR)
    return Settings(
        school_naam=record.get("school_naam", ""),
        vergrendel_na_minuten=minutes if isinstance(minutes, int) else DEFAULT_IDLE_MINUTES,
        oudergroep_weggebleven_na=missed if isinstance(missed, int) and missed >= 1 else DEFAULT_WEGGEBLEVEN_NA,
        bewaartermijn_schooljaren=keep if isinstance(keep, int) and keep >= 0 else DEFAULT_BEWAARTERMIJN,
        infomoment_ruim_voor_dagen=ahead if isinstance(ahead, int) and ahead >= 0 else DEFAULT_RUIM_VOOR,
        changed_by=record.get("_changed_by", ""),
        changed_at=record.get("_changed_at", ""),
    )


def save_settings(store: Store, settings: Settings) -> Settings:
    """Check and save; raises ValidationError with a Dutch message per field."""
    settings = settings.checked()
    store.update_settings(school_naam=settings.school_naam, vergrendel_na_minuten=settings.vergrendel_na_minuten,
                          oudergroep_weggebleven_na=settings.oudergroep_weggebleven_na,
                          bewaartermijn_schooljaren=settings.bewaartermijn_schooljaren,
                          infomoment_ruim_voor_dagen=settings.infomoment_ruim_voor_dagen)
    return load_settings(store)
