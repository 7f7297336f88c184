"""National crisis lines, so the help number spoken in a crisis (ETHICS C9) is the local one.

Each entry: ISO 3166-1 alpha-2 country -> (number as dialled there, service, public source).
The table is a starting point, not an authority: numbers change, so `companion doctor` prints
the one in use and the source to check it against, and ``[ethics] help_number`` always wins.
"""

from __future__ import annotations

from typing import NamedTuple


class HelpLine(NamedTuple):
    number: str
    service: str
    source: str


HELPLINES: dict[str, HelpLine] = {
    "US": HelpLine("988", "988 Suicide & Crisis Lifeline", "https://988lifeline.org"),
    "CA": HelpLine("988", "9-8-8 Suicide Crisis Helpline", "https://988.ca"),
    "GB": HelpLine("116 123", "Samaritans", "https://www.samaritans.org"),
    "IE": HelpLine("116 123", "Samaritans Ireland", "https://www.samaritans.org/ireland"),
    "AU": HelpLine("13 11 14", "Lifeline Australia", "https://www.lifeline.org.au"),
    "NZ": HelpLine("1737", "Need to talk? 1737", "https://1737.org.nz"),
    "DE": HelpLine("0800 111 0 111", "TelefonSeelsorge", "https://www.telefonseelsorge.de"),
    "AT": HelpLine("142", "TelefonSeelsorge Österreich", "https://www.telefonseelsorge.at"),
    "CH": HelpLine("143", "Die Dargebotene Hand / La Main Tendue", "https://www.143.ch"),
    "FR": HelpLine("3114", "3114, numéro national de prévention du suicide", "https://3114.fr"),
    "BE": HelpLine("1813", "Zelfmoordlijn 1813", "https://www.zelfmoord1813.be"),
    "NL": HelpLine("113", "113 Zelfmoordpreventie", "https://www.113.nl"),
    "ES": HelpLine("024", "Línea 024 de atención a la conducta suicida", "https://www.sanidad.gob.es/linea024/"),
    "IT": HelpLine("02 2327 2327", "Telefono Amico Italia", "https://www.telefonoamico.it"),
    "PT": HelpLine("213 544 545", "SOS Voz Amiga", "https://www.sosvozamiga.org"),
    "PL": HelpLine("116 123", "Telefon zaufania dla dorosłych w kryzysie emocjonalnym", "https://116123.pl"),
    "SE": HelpLine("90101", "Mind Självmordslinjen", "https://mind.se/hitta-hjalp/sjalvmordslinjen/"),
    "NO": HelpLine("116 123", "Mental Helse hjelpetelefonen", "https://mentalhelse.no"),
    "DK": HelpLine("70 201 201", "Livslinien", "https://www.livslinien.dk"),
    "FI": HelpLine("09 2525 0111", "MIELI Kriisipuhelin", "https://mieli.fi"),
    "JP": HelpLine("0570-783-556", "いのちの電話 (Inochi no Denwa)", "https://www.inochinodenwa.org"),
    "KR": HelpLine("109", "자살예방상담전화 109", "https://www.mohw.go.kr"),
    "CN": HelpLine("12356", "全国心理援助热线 12356", "http://www.nhc.gov.cn"),
    "TW": HelpLine("1925", "安心專線 1925", "https://www.mohw.gov.tw"),
    "HK": HelpLine("2389 2222", "撒瑪利亞防止自殺會 (Samaritan Befrienders Hong Kong)", "https://sbhk.org.hk"),
    "SG": HelpLine("1767", "Samaritans of Singapore", "https://www.sos.org.sg"),
    "IN": HelpLine("14416", "Tele-MANAS", "https://telemanas.mohfw.gov.in"),
    "BR": HelpLine("188", "CVV, Centro de Valorização da Vida", "https://cvv.org.br"),
    "MX": HelpLine("800 911 2000", "Línea de la Vida", "https://www.gob.mx/salud/conadic"),
    "ZA": HelpLine("0800 567 567", "SADAG Suicide Crisis Helpline", "https://www.sadag.org"),
}
"""Sources checked when the table was written (2026-12); `companion doctor` shows them."""

DEFAULT = HELPLINES["US"]
"""Spoken when neither a number nor a country is configured (and `doctor` warns about it)."""


def line_for(country: str) -> HelpLine | None:
    """The national line for a country code ("gb", "GB"), None when the table has none."""
    return HELPLINES.get(country.strip().upper())
