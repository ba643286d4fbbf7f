"""The information evening (*infomoment*) on the move to secondary school.

For the team that organises it (direction, the class teachers of the 5th and 6th grade,
the care coordinator). One infomoment per school year holds its checklist (from a template
in ``data/infomoment``, deadlines counted back from the event so moving the date moves them
all), the programme with computed times, the tables and their partners, the rotation past
the tables, and the questions parents and pupils asked, merged into a top 5.
"""

from ouder_tui.infomoment.models import (
    BRONNEN,
    INFOMOMENTEN,
    NETTEN,
    ONDERDEEL_SOORTEN,
    TAAK_STATUSSEN,
    TAFEL_SOORTEN,
    Infomoment,
    Onderdeel,
    OpenDag,
    School,
    Taak,
    Tafel,
    Vraag,
    onderwerpen,
    sjabloon,
)
from ouder_tui.infomoment.rotatie import Rooster, groep_naam, rotatie
from ouder_tui.infomoment.service import UITNODIGEN_VOOR, Infomomenten

__all__ = [
    "BRONNEN",
    "INFOMOMENTEN",
    "NETTEN",
    "ONDERDEEL_SOORTEN",
    "TAAK_STATUSSEN",
    "TAFEL_SOORTEN",
    "UITNODIGEN_VOOR",
    "Infomoment",
    "Infomomenten",
    "Onderdeel",
    "OpenDag",
    "Rooster",
    "School",
    "Taak",
    "Tafel",
    "Vraag",
    "groep_naam",
    "onderwerpen",
    "rotatie",
    "sjabloon",
]
