"""Is a text private? Codes, code words, passwords, PINs, card and account numbers, IBANs, ID
numbers, street addresses and other people's phone numbers or e-mail addresses (issue 19).

``private_reason(text)`` names what it found, or None. The import drops such messages (they are
never stored, so never retrieved or spoken) and the reply guardrails call it on every sentence
before it is spoken. It must be fast (well under 1 ms per sentence) and quiet on ordinary
reminiscence: a number alone is not private ("I was born in 1942", "we had 4 kids", "room 12");
it is private when a secret word announces it ("the code is 4821", "密码是123456"), when it
passes a checksum (Luhn for cards, mod 97 for IBANs, the ID-card check digit), or when it is a
phone number, an e-mail or a street address (see redact). Languages: English and Chinese, plus
Portuguese, French, German and Spanish keywords.
"""

from __future__ import annotations

import re
from itertools import islice

from .redact import FULL_WIDTH, chinese_id_ok, find_sensitive

_SECRET_WORDS = (
    # English
    r"pass ?words?|pass ?codes?|pass ?phrases?|pins?(?: ?(?:number|code|no\.?))?|code ?words?|secret ?words?"
    r"|safe ?words?|security (?:code|question|answer)s?|access codes?|door codes?|alarm codes?|gate codes?"
    r"|lock codes?|safe codes?|combination|login|user ?name|username|verification codes?|otp|cvv|cvc"
    r"|(?:the|my|our|your|his|her|bank|card|atm|phone|wifi|wi-fi) codes?"
    r"|account (?:number|no\.?)|acct\.? (?:number|no\.?)|sort code|routing number|card number"
    r"|social security(?: number)?|ssn|passport (?:number|no\.?)"
    # Portuguese, Spanish, French, German, Italian
    r"|senha|palavra[- ]passe|código(?: secreto| de acesso)?|contraseña|clave|código pin|número de cuenta"
    r"|número da conta|mot de passe|code secret|code pin|code d'accès|numéro de compte|digicode"
    r"|passwort|kennwort|geheimzahl|geheimcode|zugangscode|kontonummer|parola d'ordine|codice"
)
_SECRET = re.compile(rf"(?i:\b(?:{_SECRET_WORDS})\b)")
_CN_SECRET = re.compile(
    r"密码|密碼|口令|暗号|暗號|暗语|验证码|驗證碼|取款码|支付码|银行卡号|卡号|账号|帐号|賬號|身份证号|护照号|门禁码|开锁码|PIN码"
)
# what follows the keyword: "is 4821", ": bluebird", "= 'open sesame'", "是123456", " 4821"
_VALUE = re.compile(
    r"""\s*(?P<link>(?:is|was|are|were|will be|é|es|est|ist|è|:|=|-|→|是|为|為|：|＝)\s*)?"""
    r"""(?:["'“‘«「『]\s*(?P<quoted>[^"'”’»」』\n]{1,40})|(?P<token>[0-9A-Za-z][\w\-*#@!$%&.]{2,39}))""",
    re.I,
)
_NOT_SECRET_VALUES = frozenset(
    "the a an that this it is was my your our his her their what which not never always so very too just "
    "still also here there again now then because when where how why who to in on at of for and or but "
    "like same different written somewhere safe secret hidden changed forgotten correct wrong right simple easy "
    "hard long short new old important private in under behind with by from".split()
)
_WEAK = re.compile(r"(?i:\b(?:codes?|código|codigo|codice|clave|combination)\b)")
"""Words that announce a secret only with a linking "is"/":" and a value holding a digit."""
_GAP = re.compile(r"(?:\s+[^\s:：=]{1,20}){1,4}?(?=\s*(?:is|was|:|=|est|es|é|ist|是|为|：)\s)", re.I)
_CARD = re.compile(r"(?<![\dA-Za-z])\d(?:[ -]?\d){12,18}(?![\dA-Za-z])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b")
_CN_ID = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
_LONG_DIGITS = re.compile(r"\d{6,}")
_QUICK = re.compile(r"[\d@一二三四五六七八九十百零〇两]|[(\[{<]\s?at\s?[)\]}>]|密|口令|暗|码|碼|号|號")
_SECRET_STEMS = (
    "pass", "pin", "code", "word", "secur", "access", "combination", "login", "user", "otp", "cvv", "cvc",
    "account", "acct", "sort", "routing", "card", "social", "ssn", "senha", "palavra", "código", "codigo",
    "contrase", "clave", "cuenta", "conta", "mot de", "compte", "digicode", "kennw", "geheim", "zugang",
    "konto", "parola", "codice",
)  # fmt: skip
"""Lower-case pieces one of which every secret word holds: the (slow) keyword scan runs only
when one is in the text."""
_TAG = re.compile(r"\[(?:phone|email|address|id number)\]")

_KINDS = {
    "phone": "a phone number",
    "email": "an e-mail address",
    "address": "a street address",
    "id": "an ID-card number",
}


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum of a card number (digits only)."""
    total, double = 0, False
    for character in reversed(digits):
        value = ord(character) - 48
        if double:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
        double = not double
    return total % 10 == 0


def iban_ok(candidate: str) -> bool:
    """The ISO 13616 mod-97 check of an IBAN (spaces allowed)."""
    compact = candidate.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    try:
        return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1
    except ValueError:
        return False


def _secret_value(text: str, end: int, weak: bool = False) -> bool:
    """Whether a secret word ending at ``end`` is followed by its value.

    A quoted value, a value with a digit ("the code is 4821", "PIN 4821"), or a word after an
    explicit "is"/":" ("the code word is bluebird"); not "the password is in the drawer".
    """
    for start in (end, _gap_end(text, end)):
        if start is None:
            continue
        match = _VALUE.match(text, start)
        if match is None:
            continue
        value = (match.group("quoted") or match.group("token") or "").strip()
        if not value or value.lower() in _NOT_SECRET_VALUES:
            continue
        if start != end and not match.group("link"):
            continue  # "the code word for the bank is bluebird": after a gap, only with "is"
        if (weak and not (match.group("link") and any(ch.isdigit() for ch in value))):
            continue
        if match.group("quoted") or any(ch.isdigit() for ch in value) or match.group("link"):
            return True
    return False


def _gap_end(text: str, end: int) -> int | None:
    """Where the value may start after a few words ("code word *for the bank* is ...")."""
    gap = _GAP.match(text, end)
    return gap.end() if gap else None


def private_reason(text: str) -> str | None:
    """What makes ``text`` private ("a password", "a card number", ...), or None."""
    if not text:
        return None
    lowered = text.lower()
    keywords = any(stem in lowered for stem in _SECRET_STEMS)
    if not keywords and not _QUICK.search(text):
        return None
    text = _TAG.sub(" ", text.translate(FULL_WIDTH))
    if keywords:
        for match in _SECRET.finditer(text):
            if _secret_value(text, match.end()):
                return f"a secret ({match.group().lower()})"
        for match in _WEAK.finditer(text):
            if _secret_value(text, match.end(), weak=True):
                return f"a code ({match.group().lower()})"
    for match in _CN_SECRET.finditer(text):
        rest = text[match.end() : match.end() + 24]
        if re.search(r"[0-9A-Za-z]{3,}", rest) or re.match(r"\s*(?:是|为|：|:)\s*[「“\"']", rest):
            return f"a secret ({match.group()})"
    if _LONG_DIGITS.search(text.replace(" ", "").replace("-", "")):
        for match in islice(_CARD.finditer(text), 32):  # a table of numbers is not 32 cards
            digits = re.sub(r"\D", "", match.group())
            if 13 <= len(digits) <= 19 and luhn_ok(digits) and len(set(digits)) > 1:
                return "a card number"
        for match in _CN_ID.finditer(text):
            if chinese_id_ok(match.group()):
                return "an ID-card number"
    for match in _IBAN.finditer(text):
        if iban_ok(match.group()):
            return "a bank account number (IBAN)"
    for item in find_sensitive(text):
        return _KINDS[item.kind]
    return None
