"""Plain words for idioms, and the spelling slips of speech recognition and children, before a line is understood.

"How did you pop the question to Grandma?" is "How did you propose to Grandma?" to any listener,
but not to the answer check: it asks a memory to speak to the question's own rare words, and
"pop" and "question" are nowhere in "How did you propose to grandma?". Sentence and phrase
similarity do not rescue it either (MiniLM: "pop question" to "propose" 0.12, "first lay eyes"
to "meet" 0.20). An idiom is a fixed expression of the language, so the fix is a fixed table:
each common English idiom about the things people ask a loved one (marrying, work, retiring,
learning, travel, health, food, pets, growing up) is rewritten to its plain words before the
line is understood, embedded and checked. Likewise the slips a transcript or a child's typing
makes in a question ("whats ur dogs name", "where did you meat grandma").

Nothing here knows a persona; the table is about English, not about any question set. It runs
only on English (ASCII) lines and never changes a Chinese one. A line with no idiom is returned
unchanged (the same object), so the rest of the engine sees exactly what it saw before.
"""

from __future__ import annotations

import re

_OBJECT = r"(?:you|her|him|them|me|grandma|grandpa|grandad|granddad|nana|gran|granny|mum|mom|dad|each other|one another)"
_POSSESSIVE = r"(?:your|his|her|my|their|our|the)"

IDIOMS: tuple[tuple[str, str], ...] = (
    # marrying and courting
    (r"\b(?:tie|ties|tying) the knot\b", "get married"),
    (r"\btied the knot\b", "got married"),
    (r"\b(?:get|gets|getting) hitched\b", "get married"),
    (r"\bgot hitched\b", "got married"),
    (r"\bhitched\b", "married"),
    (r"\b(?:walk|walks|walking) down the aisle\b", "get married"),
    (r"\bwalked down the aisle\b", "got married"),
    (r"\b(?:pop|pops|popping) the question\b", "propose"),
    (r"\bpopped the question\b", "proposed"),
    (rf"\bask(?:ed)? (?:for )?{_POSSESSIVE} hand(?: in marriage)?\b", "propose"),
    (r"\b(?:first )?(?:lay|laid|set|clapped) eyes on\b", "first meet"),
    (r"\b(?:went|go|going) steady\b", "dated"),
    (r"\bnuptials\b", "wedding"),
    (r"\bget wed\b", "get married"),
    (r"\bgot wed\b", "got married"),
    # work and retiring
    (r"\bline of work\b", "job"),
    (r"\b(?:earn|earns|earned|earning|make|makes|made|making) (?:a|your|his|her|their|my) living\b", "work"),
    (r"\bfor a living\b", "for work"),
    (r"\b(?:bring|brought|bringing) home the bacon\b", "earn money"),
    (r"\b(your|his|her|my) (?:very )?first (?:pay ?check|pay ?packet|wage packet|wages?|pay)\b", r"\1 first job"),
    (r"\b(?:call|called|calling) it (?:quits|a day)\b", "retire"),
    (rf"\b(?:hang|hanging) up {_POSSESSIVE} (?:tools|boots|gloves|apron|hat|overalls)\b", "retire"),
    (rf"\b(?:hung|hanged) up {_POSSESSIVE} (?:tools|boots|gloves|apron|hat|overalls)\b", "retired"),
    (r"\bput out to pasture\b", "retired"),
    (rf"\b(?:show|shows|showing) ({_OBJECT}) the ropes\b", r"teach \1"),
    (rf"\b(?:showed|shown) ({_OBJECT}) the ropes\b", r"taught \1"),
    (r"\b(?:learn|learned|learnt|learning) the ropes\b", "learn the trade"),
    (r"\b(?:run|ran) (?:a|your|his|her) (?:own )?(?:company|firm|outfit)\b", "have your own business"),
    (r"\bbe your own boss\b", "have your own business"),
    # growing up, family
    (r"\b(?:were|was) (you|he|she|they) (?:brought up|raised up|raised|reared)\b", r"did \1 grow up"),
    (r"\b(?:as|when you were) (?:a )?(?:nipper|tot|young ?un|little ?un)\b", "as a child"),
    (r"\b(?:bun in the oven|in the family way)\b", "pregnant"),
    (r"\b(?:furry|four-legged) (?:friend|friends|companion|companions)\b", "pets"),
    # travel, the forces, health
    (r"\bleft the country\b", "gone abroad"),
    (r"\b(?:leave|leaving) the country\b", "go abroad"),
    (r"\b(?:see|saw|seen) the world\b", "travel"),
    (r"\bhit the road\b", "travel"),
    (r"\b(?:drafted|called up for (?:the army|service|national service))\b(?! into)", "drafted into the army"),
    (r"\b(?:go|went|gone|going) under the knife\b", "have surgery"),
    (r"\bunder the weather\b", "ill"),
    # food, home, pastimes (British and American everyday words)
    (r"\b(?:roasties)\b", "roast potatoes"),
    (r"\b(?:spuds|taters|tatties)\b", "potatoes"),
    (r"\b(?:brekkie|brekky)\b", "breakfast"),
    (r"\b(eat|have|had|ate)(?: for)? first thing in the morning\b", r"\1 for breakfast"),
    (r"\b(?:grub|chow|tucker|nosh)\b", "food"),
    (r"\bcuppa\b", "cup of tea"),
    (r"\btelly\b", "TV"),
    (r"\bwoollies\b", "knitting"),
    (r"\bset of wheels\b", "car"),
    (r"\b(first|own) wheels\b", r"\1 car"),
    (r"\b(?:jalopy|old banger)\b", "car"),
    (r"\b(?:wet|drop|dropped|wetting) a line\b", "go fishing"),
    (r"\b(?:reel|reeled|reeling) in\b", "catch"),
    (r"\b(?:green thumb|green fingers)\b", "gardening"),
    (r"\btickle the ivories\b", "play the piano"),
    (r"\b(?:hit|hitting) the (?:books)\b", "study"),
    (r"\bsweet tooth\b", "love of sweets"),
    # speech-recognition and typing slips in questions
    (r"\bwhats\b", "what's"),
    (r"\b(?:wat|wot|wut)\b", "what"),
    (r"\bur\b", "your"),
    (r"(?<![\w-])u(?![\w-])", "you"),
    (r"\b(?:gonna)\b", "going to"),
    (r"\b(?:wanna)\b", "want to"),
    (r"\b(?:furst|fist)(?= (?:car|job|time|day|house|home|dog|cat|pet|kiss|date|girlfriend|boyfriend|teacher|school|word|memory)\b)",
     "first"),
    (rf"\bmeat(?= {_OBJECT}\b)", "meet"),
    (rf"\bpurpose to(?= {_OBJECT}\b)", "propose to"),
)
"""(pattern, plain words): applied in this order, case-insensitively, to English lines only."""

_COMPILED = tuple((re.compile(pattern, re.IGNORECASE), plain) for pattern, plain in IDIOMS)
_ENGLISH = re.compile(r"^[\x00-\x7f\u2018\u2019\u201c\u201d]*$")


def plain_words(text: str) -> str:
    """The line with its idioms and slips in plain words (unchanged when it has none, or is not English)."""
    if not text or not _ENGLISH.match(text):
        return text
    said = text.replace("\u2019", "'")
    out = said
    for rx, plain in _COMPILED:
        out = rx.sub(plain, out)
    return text if out == said else out
