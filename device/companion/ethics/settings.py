"""The checks of the [ethics] settings that need the ethics layer's own knowledge.

The settings tree (config/care.py) checks ranges and shapes; what only this layer knows (the
fixed disclosure sentence and what contradicts it, the table of national crisis lines) is checked
here, by the start-up gate (setup.check_can_start) before anything is spoken, and by `companion
doctor`. The number spoken in a crisis is worked out here too, so every speaker of it agrees.
"""

from __future__ import annotations

from ..config import EthicsSettings
from ..config.check import check
from ..errors import ConfigError
from .disclosure import FIXED, inverts_disclosure
from .helplines import DEFAULT, HELPLINES, line_for


def help_line(ethics: EthicsSettings, where: str = "ethics") -> str:
    """The number spoken in a crisis (C9): ``help_number``, else the national line of ``country``,
    else 988 (US); ConfigError for a country the table has no line for, never a silent 988."""
    if ethics.help_number.strip():
        return ethics.help_number.strip()
    if not ethics.country.strip():
        return DEFAULT.number
    line = line_for(ethics.country)
    if line is None:
        raise ConfigError(f"setting {where}.country: no crisis line is known for {ethics.country!r}",
                          hint=f"set ethics.help_number to your country's line (known: {', '.join(sorted(HELPLINES))})")
    return line.number


def check_ethics_settings(ethics: EthicsSettings, where: str = "ethics") -> None:
    """ConfigError naming the key for a disclosure that would be replaced or contradicted, or a
    crisis line that cannot be found (ETHICS C3, C9)."""
    check(ethics.disclosure.strip() in ("", FIXED["en"]), f"{where}.disclosure",
          "can no longer replace the spoken AI disclosure: its sentence is fixed per language (ETHICS C3). "
          "Delete this key; to say more, put one sentence in ethics.disclosure_addition (spoken after it)")
    check(not inverts_disclosure(ethics.disclosure_addition), f"{where}.disclosure_addition",
          "must not contradict the disclosure (no \"it is really me\", \"I never left\", \"not an AI\"): "
          "it is spoken right after \"It is not {name}\"")
    help_line(ethics, where)
