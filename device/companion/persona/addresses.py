"""Street-address patterns for the languages the importers read (en, zh, pt, fr, de, es, it, nl).

An address here is a street (or building) with a house number: "12 Elm Street", "Rua das
Flores, 123", "12 bis rue de la Paix", "Hauptstraße 5", "Calle Mayor 5, 3º B", "中山路123号",
plus a postal code with its town ("1000-001 Lisboa", "75008 Paris", "10115 Berlin"). A
street named without a number ("we walked down Rue de la Paix") is a memory, not an address,
and stays. Every pattern is anchored on a street word or a digit, so the scan stays linear.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_CAP = r"[A-ZÀ-ÖØ-Þ][\w'’.\-]*"
"""A capitalised name word (Latin letters with accents)."""
_NAME_WORDS = rf"(?:(?:{_CAP}|d[aeo]s?|de|del|la|le|les|du|des|von|van|der|am|an|di|della|y|e|of|the)\s+){{0,4}}{_CAP}"
_NUMBER = r"\d{1,5}(?:\s?[A-Za-z](?![\w]))?(?:\s?(?:bis|ter))?"

_EN_STREET = (
    r"Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Place|Pl|Way"
    r"|Terrace|Close|Crescent|Square|Sq|Highway|Hwy|Parkway|Pkwy|Row|Gardens|Walk|Mews|Hill"
)
_UNIT = r"(?:Apt|Apartment|Suite|Ste|Unit|Flat)\.?\s?#?\d{1,5}[A-Za-z]?\b"
_EN = rf"\b\d{{1,5}}[A-Za-z]?\s+(?:[A-Z][A-Za-z'\-]+\s+){{1,3}}(?:{_EN_STREET})\b\.?(?:,?\s+{_UNIT})?"

# Romance languages: street word, name, then the number ("Rua das Flores, 123", "Calle Mayor 5",
# "Via Roma 12", "Avenida da Liberdade, n.º 45, 3.º Esq."), or French "12 rue de la Paix".
_ROMANCE_STREET = (
    r"Rua|R\.|Avenida|Av\.|Avda\.?|Travessa|Tv\.|Praça|Largo|Estrada|Alameda|Calçada|Beco|Rodovia"
    r"|Calle|C/|Plaza|Pza\.|Paseo|Camino|Carrera|Callejón|Ronda|Glorieta|Pasaje"
    r"|Via|Viale|Piazza|Corso|Vicolo|Piazzale"
)
_NUMBER_WORD = r"(?:n\.?\s?[º°o]\.?|nº|n°|no\.|núm\.|num\.|número|numero)"
_ROMANCE = (
    rf"(?i:\b(?:{_ROMANCE_STREET}))\s+{_NAME_WORDS},?\s+(?:{_NUMBER_WORD}\s?)?\d{{1,5}}[A-Za-z]?\b"
    rf"(?:,?\s*\d{{1,2}}\.?\s?[º°ª]\.?\s?(?:[A-Za-z]{{1,4}}\.?)?)?"
)
_FR_STREET = r"rue|avenue|av\.|boulevard|bd|allée|impasse|place|chemin|quai|cours|route|square|passage"
_FR = rf"\b{_NUMBER},?\s+(?i:{_FR_STREET})\b\s+(?:{_NAME_WORDS}|\w+(?:\s+\w+){{0,3}})"
_DE_SUFFIX = r"straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer|steig|chaussee|straat|laan|plein|gracht|kade"
_DE = rf"\b[A-ZÄÖÜ][\wäöüß\-]*(?:{_DE_SUFFIX})\s+\d{{1,4}}[a-z]?\b|\b(?:Am|An der|Auf dem|Im|Zum|Zur)\s+{_CAP}\s+\d{{1,4}}[a-z]?\b"
_POSTCODE = (
    r"\b\d{4}-\d{3}\s+" + _CAP  # Portugal: 1000-001 Lisboa
    + r"|\b\d{5}-\d{3}\b"  # Brazil CEP
)
_UK_POSTCODE = r"\b(?:[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2})\b"
LATIN_ADDRESS = re.compile("|".join(f"(?:{p})" for p in (_EN, rf"\b{_UNIT}", _ROMANCE, _FR, _DE, _POSTCODE, _UK_POSTCODE)))
"""Every Latin pattern at once (for reference and tests); the scan uses the two below."""
_STARTS_AT_NUMBER = re.compile("|".join(f"(?:{p})" for p in (_EN, _FR, _POSTCODE)))
"""Patterns that begin with the number: tried only where a number begins."""
_ENDS_NEAR_NUMBER = re.compile("|".join(f"(?:{p})" for p in (rf"\b{_UNIT}", _ROMANCE, _DE, _UK_POSTCODE)))
"""Patterns with words before the number: searched in a short window ending past it."""

_CN_NUMBER = r"(?:\d{1,5}|[一二三四五六七八九十百零〇两]{1,5})"
CN_ADDRESS = re.compile(
    r"(?:[\u4e00-\u9fff]{2,8}(?:省|市|自治区))?(?:[\u4e00-\u9fff]{1,8}(?:市|区|县|镇|乡))?"
    r"[\u4e00-\u9fff]{1,6}(?:路|街|大道|大街|巷|弄|胡同|里)" + _CN_NUMBER + r"(?:号|號)"
    r"(?:(?:院|楼|栋|幢|座)?\s?" + _CN_NUMBER + r"(?:号楼|栋|幢|座|单元|层|楼|室|号|户))*"
    r"|[\u4e00-\u9fff]{1,6}(?:小区|花园|公寓|大厦|新村|家园|苑)" + _CN_NUMBER + r"(?:号楼|栋|幢|座|期)"
    r"(?:" + _CN_NUMBER + r"(?:号楼|单元|层|楼|室|号|户))*"
    r"|[\u4e00-\u9fff]{1,6}村" + _CN_NUMBER + r"(?:组|号)(?:" + _CN_NUMBER + r"号)?"
)
CN_LEAD = frozenset("我你他她它们住在到去来是的从往了和跟与就还也都要想搬家门口对面附近离")
"""Words before a street name that are the writer's, not the address ("我住在中山路8号")."""


_DIGIT_RUN = re.compile(r"\d+")
_CN_GATE = re.compile(r"[路街巷弄胡同号號村区苑楼]")
_NUMBER_THEN_WORD = re.compile(r"\d+(?=[ ,.\u00a0ºª]{0,4}[^\W\d_]|-\d)")
_UK_HINT = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b")
_BEFORE = 70
_AFTER = 14
_STEMS = (
    "rua", "r.", "av", "tv.", "trav", "praça", "largo", "estrada", "alameda", "calçada", "beco", "rodovia",
    "calle", "c/", "plaza", "pza", "paseo", "camino", "carrera", "callej", "ronda", "glorieta", "pasaje",
    "via", "piazz", "corso", "vicolo", "apt", "apartment", "suite", "ste", "unit", "flat",
    "stra", "str.", "weg", "gasse", "platz", "allee", "ring", "damm", "ufer", "steig", "chaussee",
    "laan", "plein", "gracht", "kade", "am ", "an der", "auf dem", "im ", "zum ", "zur ",
)  # fmt: skip
"""Lower-case pieces one of which every street-name-first pattern holds: a window without any
is not searched (the search costs ~15 us, the check ~1 us)."""


def latin_addresses(text: str) -> list[re.Match[str]]:
    """Latin-script address matches, looked for only around the text's numbers.

    Every pattern holds a number (a house number or a postal code). The ones that begin with
    it are tried where a number is followed by a word or a "-"; the ones with a street name
    before it are searched in a window of ~70 characters before each number (never twice over
    the same characters), when the text holds a street word at all. Linear in the text.
    """
    found = [
        match
        for number in _NUMBER_THEN_WORD.finditer(text)
        if (match := _STARTS_AT_NUMBER.match(text, number.start())) is not None
    ]
    lowered = text.lower()
    if any(stem in lowered for stem in _STEMS):
        searched_to = 0
        for number in _DIGIT_RUN.finditer(text):
            lo = max(searched_to, number.start() - _BEFORE)
            match = _ENDS_NEAR_NUMBER.search(text, lo, min(len(text), number.end() + _AFTER))
            searched_to = max(searched_to, number.start())
            if match is not None:
                found.append(match)
    elif _UK_HINT.search(text):
        found.extend(_ENDS_NEAR_NUMBER.finditer(text))
    found.sort(key=lambda match: match.start())
    return found


def cn_addresses(text: str) -> Iterator[re.Match[str]]:
    """CN_ADDRESS matches, when the text has a street or building character at all."""
    if _CN_GATE.search(text) is None:
        return iter(())
    return CN_ADDRESS.finditer(text)


def cn_address_start(text: str, start: int, end: int) -> int:
    """Move a Chinese address match past the writer's own leading words."""
    while start < end and text[start] in CN_LEAD:
        start += 1
    return start
