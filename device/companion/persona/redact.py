"""Data minimisation at import (ETHICS.md C7): third parties' phone numbers, e-mail addresses
and street addresses are replaced by tags before anything is stored.

Pure functions over one message at a time; they run on every imported message (100k+), so a
message with no digit and no "@" returns at once, and every pattern is anchored on something
rare (an "@", a digit run of phone shape, a street word) to stay linear. Ordinary numbers
(years, prices, times, dates, counts) are left alone: a phone needs a "+" country code, a
known grouping (NANP "555-123-4567", Chinese "138 0013 8000"/"010-12345678", UK "020 7946
0958"), or the exact shape of a mobile number (Chinese "13800138000", "07700900123").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

PHONE_TAG = "[phone]"
EMAIL_TAG = "[email]"
ADDRESS_TAG = "[address]"

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)
_SEP = r"[ \-.\u00a0]"
_PHONE = re.compile(
    r"(?<![0-9A-Za-z+/.:,$€£¥_-])(?:"
    # international: +CC then 6-14 more digits in groups, optional (0) / (area)
    r"(?:\+|00)[1-9]\d{0,2}(?:[ \-.\u00a0]?\(\d{1,4}\))?(?:[ \-.\u00a0]?\d{1,5}){2,5}"
    # North American: (555) 123-4567, 555-123-4567, 555.123.4567, 555 123 4567
    r"|\(\d{3}\)[ \u00a0]?\d{3}[-.\u00a0 ]\d{4}"
    r"|\d{3}([-.])\d{3}\1\d{4}"
    r"|\d{3} \d{3} \d{4}"
    # Chinese mobile: 13800138000, 138-0013-8000, 138 0013 8000
    r"|1[3-9]\d(?:" + _SEP + r"?\d{4}){2}"
    # Chinese landline: 010-12345678, 0755-1234567, (010)12345678
    r"|0\d{2,3}-\d{7,8}|\(0\d{2,3}\)[ ]?\d{7,8}"
    # UK and other trunk-prefixed numbers: 020 7946 0958, 07700 900123, 0161 496 0000
    r"|0\d{2,4} \d{3,4} ?\d{3,4}|0\d{9,10}"
    r")(?![0-9A-Za-z_/:-]|[.,]\d)"
)
_STREET_WORDS = (
    r"Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Place|Pl|Way"
    r"|Terrace|Close|Crescent|Square|Sq|Highway|Hwy|Parkway|Pkwy|Row|Gardens|Walk|Mews|Hill"
)
_UNIT = r"(?:Apt|Apartment|Suite|Ste|Unit|Flat)\.?\s?#?\d{1,5}[A-Za-z]?\b"
_EN_ADDRESS = re.compile(
    r"\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][A-Za-z'\-]+\s+){1,3}(?:" + _STREET_WORDS + r")\b\.?"
    r"(?:,?\s+" + _UNIT + r")?"
    r"|\b" + _UNIT
)
_CN_NUMBER = r"(?:\d{1,5}|[一二三四五六七八九十百零〇两]{1,5})"
_CN_ADDRESS = re.compile(
    r"[\u4e00-\u9fff]{1,6}(?:路|街|大道|大街|巷|弄|胡同)" + _CN_NUMBER + r"(?:号|號)"
    r"(?:(?:院|楼|栋|幢|座)?\s?" + _CN_NUMBER + r"(?:号楼|栋|幢|座|单元|层|楼|室|号|户))*"
    r"|[\u4e00-\u9fff]{1,6}(?:小区|花园|公寓|大厦|新村)" + _CN_NUMBER + r"(?:号楼|栋|幢|座)"
    r"(?:" + _CN_NUMBER + r"(?:单元|层|楼|室|号|户))*"
)
# words before a street name that are the writer's, not the address ("我住在中山路8号")
_CN_LEAD = frozenset("我你他她它们住在到去来是的从往了和跟与就还也都要想搬家门口对面附近离")
_QUICK = re.compile(r"[\d@一二三四五六七八九十百零〇两]|Apt|Apartment|Suite|Unit|Flat")


@dataclass(frozen=True)
class Redaction:
    """What was found: its kind ("phone", "email", "address") and where in the text."""

    kind: str
    start: int
    end: int


def _cn_address_start(text: str, start: int, end: int) -> int:
    while start < end and text[start] in _CN_LEAD:
        start += 1
    return start


def find_sensitive(text: str) -> list[Redaction]:
    """Phone numbers, e-mail and street addresses in ``text``, without overlaps, in order."""
    if not _QUICK.search(text):
        return []
    found: list[Redaction] = []
    if "@" in text:
        found.extend(Redaction("email", m.start(), m.end()) for m in _EMAIL.finditer(text))
    for match in _CN_ADDRESS.finditer(text):
        start = _cn_address_start(text, match.start(), match.end())
        found.append(Redaction("address", start, match.end()))
    for match in _EN_ADDRESS.finditer(text):
        found.append(Redaction("address", match.start(), match.end()))
    for match in _PHONE.finditer(text):
        if 7 <= sum(ch.isdigit() for ch in match.group()) <= 15:
            found.append(Redaction("phone", match.start(), match.end()))
    if len(found) < 2:
        return found
    found.sort(key=lambda item: (item.start, -item.end))
    merged: list[Redaction] = []
    for item in found:
        if merged and item.start < merged[-1].end:
            continue  # overlaps an earlier, longer find (e.g. digits inside an e-mail)
        merged.append(item)
    return merged


_TAGS = {"phone": PHONE_TAG, "email": EMAIL_TAG, "address": ADDRESS_TAG}


def redact(text: str) -> str:
    """``text`` with phone numbers, e-mail and street addresses replaced by tags."""
    found = find_sensitive(text)
    if not found:
        return text
    pieces, position = [], 0
    for item in found:
        pieces.append(text[position : item.start])
        pieces.append(_TAGS[item.kind])
        position = item.end
    pieces.append(text[position:])
    return "".join(pieces)


def redact_counting(text: str, counts: Counter[str]) -> str:
    """``redact`` that also adds what it replaced to ``counts`` (for the import summary)."""
    found = find_sensitive(text)
    for item in found:
        counts[item.kind] += 1
    if not found:
        return text
    return redact(text)
