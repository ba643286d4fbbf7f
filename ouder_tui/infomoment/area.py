"""The information evening as an area: its table and its export. It holds nothing about a family
(its questions are anonymous, its tables' hosts are partners of the school), so an erasure or an
inspection report has nothing to take from it."""

from __future__ import annotations

from ouder_tui.areas import SCHOOLJAAR_OPTION, AreaDescriptor, ExportOption, ExportSpec, Services
from ouder_tui.infomoment.models import INFOMOMENTEN, Infomoment
from ouder_tui.infomoment.service import Infomomenten


def _export(services: Services, fmt: str, values: dict) -> bytes:
    """``ouder-tui export infomoment``: the top 5 of the questions, or with ``--rotatie`` the rotation."""
    from ouder_tui.infomoment_export import export_infomoment

    return export_infomoment(services.get("infomoment"), fmt, schooljaar=values["schooljaar"],
                             wat="rotatie" if values["rotatie"] else "top5")


_ROTATIE = ExportOption("--rotatie", "{exports}, md/html: de rotatie (rooster, kaartje per groep, blad per tafel) "
                                     "in plaats van de top 5 van de vragen")

#: The information evening as an area.
AREA = AreaDescriptor(
    key="infomoment",
    tables={INFOMOMENTEN: "infomoment"},
    models={INFOMOMENTEN: Infomoment},
    service=lambda store, registry: Infomomenten(store),
    exports=(ExportSpec("infomoment", "het infomoment", ("xlsx", "csv", "json", "ics", "md", "html"), _export,
                        (SCHOOLJAAR_OPTION, _ROTATIE)),),
)
