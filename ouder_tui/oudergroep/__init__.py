"""The parent group (*oudergroep*): themes, sessions, invitations, attendance, follow-up, requests.

For the facilitator. Parents ask for themes; a session is planned on a theme
(daytime, with partners, facilitators, interpreters and childcare), parents are
invited, and attendance is ticked per person: a parent or guardian from the
registry (by the parent's stable id, so it survives a re-import) or a walk-in who
is not in the registry yet (a *gast*, who can later be linked to a family while
keeping the same person id). Parents who came and then stayed away are listed
until someone contacts them; the group's requests to the school are followed up
until the answer is brought back to the group.
"""

from ouder_tui.oudergroep.models import (
    CONTACT_MANIEREN,
    CONTACTEN,
    GASTEN,
    HERHALINGEN,
    MAX_REEKS,
    SESSIE_STATUSSEN,
    SESSIES,
    THEMA_STATUSSEN,
    THEMAS,
    UITNODIGING_KANALEN,
    VERZOEK_STATUSSEN,
    VERZOEKEN,
    Contact,
    Gast,
    Partner,
    Sessie,
    Thema,
    Tolk,
    Uitnodiging,
    Verzoek,
    reeks_data,
)
from ouder_tui.oudergroep.service import (
    VASTE_KERN,
    Jaaroverzicht,
    Oudergroep,
    Persoon,
    SessieCijfers,
    Weggebleven,
    onbekende_persoon,
)
from ouder_tui.text import lange_datum, staaf

__all__ = [
    "CONTACT_MANIEREN", "CONTACTEN", "GASTEN", "HERHALINGEN", "MAX_REEKS", "SESSIE_STATUSSEN", "SESSIES",
    "THEMA_STATUSSEN", "THEMAS", "UITNODIGING_KANALEN", "VASTE_KERN", "VERZOEK_STATUSSEN", "VERZOEKEN", "Contact",
    "Gast", "Jaaroverzicht", "Oudergroep", "Partner", "Persoon", "Sessie", "SessieCijfers", "Thema", "Tolk",
    "Uitnodiging", "Verzoek", "Weggebleven", "lange_datum", "onbekende_persoon", "reeks_data", "staaf",
]
