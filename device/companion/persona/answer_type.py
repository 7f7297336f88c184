"""Does a reply hold the kind of answer a question asks for? (a name, a number or date, a place).

"Where did you grow up?" is not answered by "Milking at five, feeding the chickens", however close
the two are as sentences: it wants a place. When a memory is found by its own words (what was asked
of the person unknown, answer_route.py), this cheap check is what keeps a neighbouring story from
being spoken: who / what name -> a name; when / what year / how old / how many -> a number or a
time; where -> a place; how often -> a frequency; what colour -> a colour. A question that asks for
nothing in particular ("What was your wedding like?") is held by any reply.

Pure string work, no model: ``wants`` comes from understand.py (``Understanding.wants``).
"""

from __future__ import annotations

import re

from .answerable import holds_wanted

PLACE_WORDS = frozenset("""
house home farm farmhouse cabin cottage apartment flat town city village county state country street road
lane avenue drive highway lake river creek pond shore beach coast ocean sea bay island point falls mountain
hill hills woods forest field fields valley prairie church chapel school college university hospital shop
store factory mill plant office station garage barn yard porch garden kitchen basement attic park hall
dance-hall pub bar restaurant cafe diner market camp base harbour harbor dock port north south east west
abroad overseas downtown uptown upstate place bridge
""".split())
"""Nouns that name a place ("the old mill", "down by the creek")."""
_CAPITAL_INSIDE = re.compile(r"(?<=[\w,;:] )[A-Z][a-z]+")
_ZH_PLACE = re.compile(r"[省市县镇村区街路]|北京|上海|老家|家里|学校|医院|厂")
_OFTEN = re.compile(r"\b(?:every|each|once|twice|times?|daily|weekly|monthly|yearly|always|never|usually|often|rarely"
                    r"|sometimes|mostly|most (?:days|nights|mornings|weeks)|mondays|tuesdays|wednesdays|thursdays|fridays"
                    r"|saturdays|sundays|weekends|nights|mornings|evenings)\b|\d|每|次|经常|总是|从来", re.IGNORECASE)
_COLOUR = re.compile(r"\b(?:red|orange|yellow|green|blue|purple|violet|pink|brown|black|white|gr[ae]y|silver|gold|golden"
                     r"|beige|cream|navy|maroon|turquoise|teal)\b|[红橙黄绿蓝紫粉棕黑白灰]色?", re.IGNORECASE)


def holds_place(text: str) -> bool:
    """The text names a place: a capitalised name inside a sentence ("off Heron Point") or a place
    noun ("by the creek", "the farmhouse")."""
    if _CAPITAL_INSIDE.search(text) or _ZH_PLACE.search(text):
        return True
    words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]*", text)}
    return bool(words & PLACE_WORDS)


def holds_kind(wants: str | None, text: str, names: frozenset[str] = frozenset()) -> bool:
    """The reply holds the kind of answer asked for (``wants``: "name", "time", "number", "place",
    "often", "colour" or None); True when the question asks for nothing in particular."""
    if wants in ("name", "number", "time"):
        return holds_wanted(wants, text, names)
    if wants == "place":
        return holds_place(text)
    if wants == "often":
        return bool(_OFTEN.search(text))
    if wants == "colour":
        return bool(_COLOUR.search(text))
    return True
