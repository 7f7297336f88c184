"""Data minimisation at import (ETHICS.md C7): third parties' phone numbers, e-mail addresses,
street addresses and Chinese ID-card numbers are replaced by tags before anything is stored.

Phone numbers are checked with ``phonenumbers`` (Google's libphonenumber metadata): any number
with a country code ("+351 912 345 678", "0049 30 1234567"), and numbers written the national way
(mobile without country code, landlines, French "06 12 34 56 78") for the regions whose people
write in the languages the importers read (REGIONS). Full-width digits (１３８…) count as digits.
A national number must start with its region's trunk prefix (a German "030 …", a French "06 …")
unless it is a mobile that is written without one (Chinese "138…"), so an order number or a
year is not taken for a phone. A few well-known shapes that the metadata calls invalid (the
fictional NANP 555 range, UK drama numbers, mainland mobile prefixes newer than the metadata) are caught by shape.

Pure functions over one message at a time; a message with no numeral and no "@"/"(at)" returns
at once (every address, phone and ID pattern holds a digit or a Chinese numeral).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from .addresses import cn_address_start, cn_addresses, latin_addresses

PHONE_TAG = "[phone]"
EMAIL_TAG = "[email]"
ADDRESS_TAG = "[address]"
ID_TAG = "[id number]"

REGIONS = (
    "CN", "HK", "TW", "SG", "US", "CA", "GB", "IE", "AU", "NZ", "IN", "ZA", "FR", "BE", "CH",
    "DE", "AT", "ES", "MX", "AR", "CO", "CL", "PE", "PT", "BR", "AO", "MZ", "IT", "NL",
)  # fmt: skip
"""Regions whose national numbers (written without a country code) are recognised."""

FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９＋－（）．　＠", "0123456789+-(). @"
)
"""Full-width digits and signs to ASCII, one character for one (positions stay the same)."""

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}"
    r"(?:@|\s?[(\[{<]\s?(?:at|AT|At)\s?[)\]}>]\s?|\s(?:at|AT)\s(?=[A-Za-z0-9-]+\s?[(\[{<]\s?(?:dot|DOT)))"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:(?:\.|\s?[(\[{<]\s?(?:dot|DOT)\s?[)\]}>]\s?)[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*"
    r"(?:\.|\s?[(\[{<]\s?(?:dot|DOT)\s?[)\]}>]\s?)[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)
_AT_WORD = re.compile(r"@|[(\[{<]\s?at\s?[)\]}>]| at \S+ ?[(\[{<]\s?dot", re.I)
_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z_+/.,:$€£¥#-])(?:\+|00)?\(?\d[\d \u00a0()./-]{4,22}\d(?![0-9A-Za-z_/:-]|[.,]\d)"
)
_NOT_A_PHONE = re.compile(
    r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}"  # dates
    r"|\d+\.\d+\.\d+\.\d+"  # versions, IP addresses
    r"|\d{1,3}(?:\.\d{3}){2,}|\d+\.\d{1,2}"  # thousands with dots, decimals
)
_LEGACY_SHAPE = re.compile(
    r"(?:\(\d{3}\)[ \u00a0]?\d{3}[-.\u00a0 ]\d{4}|\d{3}([-.])\d{3}\1\d{4}|\d{3} \d{3} \d{4}"
    r"|1[3-9]\d([ -]?)\d{4}\2\d{4}"  # mainland mobile shape (newer prefixes lag in the metadata)
    r"|0\d{2,4} \d{3,4} ?\d{3,4}|07\d{9}|0\d{2,3}-\d{7,8}|\(0\d{2,3}\)[ ]?\d{7,8})"
)
_CN_ID = re.compile(r"(?<![\dA-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dA-Za-z])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_NUMERAL = re.compile(r"[0-9０-９一二三四五六七八九十百零〇两]")
"""Every address, phone and ID pattern holds a digit or a Chinese numeral: no numeral, no scan."""
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Redaction:
    """What was found: its kind ("phone", "email", "address", "id") and where in the text."""

    kind: str
    start: int
    end: int


def chinese_id_ok(number: str) -> bool:
    """The ISO 7064 MOD 11-2 check digit of an 18-digit mainland resident ID number."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


@lru_cache(maxsize=64)
def _trunk_prefix(region: str) -> str:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    return (metadata.national_prefix or "") if metadata is not None else ""


@lru_cache(maxsize=8192)
def is_phone_number(candidate: str, regions: tuple[str, ...] = REGIONS) -> bool:
    """Whether ``candidate`` (digits with the usual separators) is a phone number.

    Cached: asking the metadata costs up to ~1 ms for a number valid nowhere, and a chat
    repeats its numbers (and a damaged file its digit runs)."""
    digits = sum(ch.isdigit() for ch in candidate)
    if not 7 <= digits <= 17 or _NOT_A_PHONE.fullmatch(candidate):
        return False
    if candidate.startswith(("+", "00")):
        try:
            number = phonenumbers.parse("+" + candidate[2:] if candidate.startswith("00") else candidate, None)
        except NumberParseException:
            return False
        # a "+" or "00" says "phone" already: a number of possible length for its country is one
        return phonenumbers.is_possible_number(number)
    if _LEGACY_SHAPE.fullmatch(candidate):
        return True  # a shape only phones have: no need to ask the metadata
    national = candidate.lstrip("(")
    for region in regions:
        try:
            number = phonenumbers.parse(candidate, region)
        except NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        prefix = _trunk_prefix(region)
        if (
            not prefix
            or national.startswith(prefix)
            or phonenumbers.number_type(number) in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
            and region not in ("DE", "AT", "CH", "NL", "BE", "GB", "IE", "FR", "IT")
        ):
            return True
    return False


def _phones(text: str) -> list[Redaction]:
    found = []
    for match in _CANDIDATE.finditer(text):
        candidate = match.group().rstrip(" .-/(")
        start = match.start()
        if candidate.count("(") != candidate.count(")"):
            if candidate.startswith("("):
                candidate, start = candidate[1:], start + 1
            else:
                continue
        if is_phone_number(candidate):
            found.append(Redaction("phone", start, start + len(candidate)))
    return found


def find_sensitive(text: str) -> list[Redaction]:
    """Phones, e-mail, street addresses and ID numbers in ``text``, without overlaps, in order."""
    numeral = _NUMERAL.search(text) is not None
    at = _AT_WORD.search(text) is not None
    if not numeral and not at:
        return []
    text = text.translate(FULL_WIDTH)
    found: list[Redaction] = []
    if at:
        found.extend(Redaction("email", m.start(), m.end()) for m in _EMAIL.finditer(text))
    if not numeral:
        return found
    for match in cn_addresses(text):
        found.append(Redaction("address", cn_address_start(text, match.start(), match.end()), match.end()))
    found.extend(Redaction("address", m.start(), m.end()) for m in latin_addresses(text))
    if len(_DIGIT.findall(text)) >= 7:
        found.extend(Redaction("id", m.start(), m.end()) for m in _CN_ID.finditer(text) if chinese_id_ok(m.group()))
        found.extend(_phones(text))
    if len(found) < 2:
        return found
    found.sort(key=lambda item: (item.start, -item.end))
    merged: list[Redaction] = []
    for item in found:
        if merged and item.start < merged[-1].end:
            continue  # overlaps an earlier, longer find (e.g. digits inside an e-mail)
        merged.append(item)
    return merged


_TAGS = {"phone": PHONE_TAG, "email": EMAIL_TAG, "address": ADDRESS_TAG, "id": ID_TAG}


def _replace(text: str, found: list[Redaction]) -> str:
    pieces, position = [], 0
    for item in found:
        pieces.append(text[position : item.start])
        pieces.append(_TAGS[item.kind])
        position = item.end
    pieces.append(text[position:])
    return "".join(pieces)


def redact(text: str) -> str:
    """``text`` with phone numbers, e-mail, street addresses and ID numbers replaced by tags."""
    found = find_sensitive(text)
    return _replace(text, found) if found else text


def redact_counting(text: str, counts: Counter[str]) -> str:
    """``redact`` that also adds what it replaced to ``counts`` (for the import summary)."""
    found = find_sensitive(text)
    for item in found:
        counts[item.kind] += 1
    return _replace(text, found) if found else text
