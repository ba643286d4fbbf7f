"""The one list of channels to reach parents, shared by the registry (a parent's preferred channel) and
the communication plan of a startgesprek, so what the registry knows can be proposed in the plan.

The list lives in ``data/startgesprek/kanalen.json`` (id and Dutch name, in the order the app shows
them). Older databases hold a parent's preferred channel in the words of an earlier list
(``sms/WhatsApp``, ``brief/agenda`` ...): :func:`kanaal_id` still recognises them.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from ouder_tui.text import fold

#: Words of the earlier list of preferred channels, and the channel each meant.
_EARLIER = {"smartschool": "smartschool", "telefoon": "telefoon", "sms/whatsapp": "sms", "whatsapp": "sms",
            "e-mail": "email", "mail": "email", "brief/agenda": "brief", "persoonlijk": "schoolpoort"}


@cache
def kanalen() -> dict[str, str]:
    """Every channel: id -> Dutch name, in the app's order."""
    text = resources.files("ouder_tui_data").joinpath("startgesprek/kanalen.json").read_text(encoding="utf-8")
    return {k["id"]: k["naam"] for k in json.loads(text)["kanalen"]}


def kanaal_id(text: str) -> str | None:
    """The channel a text means (an id, a name, or a word of the earlier list), or ``None``."""
    wanted = fold(text.strip())
    if not wanted:
        return None
    for key, name in kanalen().items():
        if wanted in (key, fold(name)):
            return key
    return _EARLIER.get(wanted)


def kanaal_naam(text: str) -> str:
    """The channel's name for a text that means one; other text as it is."""
    key = kanaal_id(text)
    return kanalen()[key] if key else text.strip()
