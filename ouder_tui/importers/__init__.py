"""Import the school's pupil list from the administration package's CSV export.

Smartschool, Wisa, Informat and hand-made Excel lists all differ, so the import
runs in four steps that the command line and the import screen share:

1. :func:`read_csv` decodes the file strictly, one encoding for the whole file (UTF-8 with or
   without BOM, UTF-16 with BOM, Windows-1252 only when all of it reads plausibly as such; a mixture
   or a Mac-Roman file is refused), finds the delimiter (``;``, ``,``, tab, ``|``) and the header row.
2. :func:`detect_mapping` recognises the columns; ``--map veld=Kolom`` adjusts it
   (:func:`parse_map_options`).
3. :func:`plan_import` works out what would change. It only reads: a dry run or a
   preview is the plan without step 4.
4. :func:`apply_import` writes the plan in one store transaction, reporting
   progress; a cancel or a crash leaves the database as it was.

Column names
    Headers are compared after folding: case, accents, punctuation, ``_`` and
    spacing are ignored, camelCase is split (``GSM_moeder``, ``Gsm moeder`` and
    ``gsmMoeder`` are the same). A parent column names its role anywhere in the
    header: ``GSM moeder``, ``Moeder GSM``, ``E-mail co-account 1``, ``Naam ouder 2``.
    Field keys (for ``--map``) are listed in :data:`FIELDS`: pupil fields
    (``voornaam`` ...), family fields (``straat``, ``telefoon`` ...) and per parent
    ``<rol>.<veld>`` with a role of :data:`ROLES` and a field of :data:`PERSON_FIELDS`.
    Columns with national register numbers are never read.

Rules the school can count on
    * A value that is empty in the file never erases what is stored.
    * Pupils are matched on their number (leading zeros and spaces ignored), else on
      first name, family name and birth date. Existing pupils keep their family.
    * Parents in a family are matched on relation and name and updated in place, so
      their ``id`` (which attendance and notes point at) stays.

Modules
    :mod:`.fields` the field keys, :mod:`.columns` the column recognition,
    :mod:`.csvread` reading the file, :mod:`.values` reading one cell, :mod:`.plan` the
    plan's data classes, :mod:`.rows` and :mod:`.families` the two steps of
    :mod:`.planning`, and :mod:`.apply` saving. Import from this package, not from them.
"""

from __future__ import annotations

# Reachable here as before, though not in __all__: the limits, the required fields, and the value
# parsers the tests call as ``importers._parse_*``. Rebinding them here does not change the submodules.
from ouder_tui.importers.apply import (
    CHUNK,  # noqa: F401
    ImportCancelled,
    ImportResult,
    apply_import,
)
from ouder_tui.importers.columns import ColumnMapping, detect_mapping, parse_map_options
from ouder_tui.importers.csvread import (
    MAX_FILE_BYTES,  # noqa: F401
    CsvFile,
    CsvFormatError,
    read_csv,
)
from ouder_tui.importers.fields import (
    FIELDS,
    PERSON_FIELDS,
    REQUIRED,  # noqa: F401
    ROLES,
    fields_help,
)
from ouder_tui.importers.plan import ImportPlan, ImportRefused, PlannedPupil, RowProblem
from ouder_tui.importers.planning import plan_import
from ouder_tui.importers.values import _parse_adres, _parse_relatie, _parse_talen, _parse_tolk  # noqa: F401

__all__ = [
    "FIELDS", "PERSON_FIELDS", "ROLES", "ColumnMapping", "CsvFile", "CsvFormatError", "ImportCancelled",
    "ImportPlan", "ImportRefused", "ImportResult", "PlannedPupil", "RowProblem", "apply_import", "detect_mapping",
    "fields_help", "parse_map_options", "plan_import", "read_csv",
]
