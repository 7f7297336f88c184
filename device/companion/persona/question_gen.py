"""The questions a reply answers, written from its own words ("doc2query", rule-made, English).

A memory whose stored question is unknown (a chat line the person started, a letter, `persona
eval` hiding it) can only be found by its own words, and a question is much closer to another
question than to its answer: MiniLM ranks "When did you get married?" far nearer "When did you get
married?" than "We got married in June 1962, in the little Lutheran church". So each such reply is
turned, once at index time, into the questions it answers, in the listener's voice (the person is
"you", the listener "I"):

- the reply itself in the second person ("you got married in June 1962 ..."), the statement a
  question about it paraphrases;
- for each answer it holds, the question that asks for it, the answer taken out: a date or season
  -> "When did you get married?", a number -> "How many ...", a place after a preposition ->
  "Where did you get married?", a name -> "Who ...", a number of years -> "How old ...".

Pure string work, no model, a few hundred microseconds a reply; bounded (``MOST`` questions, the
first ``SENTENCES`` sentences). The questions are derived from the person's words, so they are
never written anywhere in plain text: only their vectors are kept (generated_index.py), beside the
persona's other vectors and in the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MOST = 8
"""At most this many questions per reply (the statement and its answers' questions)."""
SENTENCES = 4
"""Only the first sentences are read (the answer comes first in speech; a letter is bounded)."""
MAX_WORDS = 24
"""A clause longer than this is cut (embedding a whole paragraph as one question helps nothing)."""

_PERSON = {
    "i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "we": "you", "us": "you",
    "our": "your", "ours": "yours", "ourselves": "yourselves", "i'm": "you're", "i've": "you've", "i'd": "you'd",
    "i'll": "you'll", "we're": "you're", "we've": "you've", "we'd": "you'd", "we'll": "you'll", "am": "are",
    "your": "my", "yours": "mine", "yourself": "myself", "you're": "I'm", "you've": "I've", "you'll": "I'll",
}
"""The person's words in the listener's mouth: their "I" and "we" become "you", the listener's "you" "I"."""

_IRREGULAR = dict(pair.split(":") for pair in """was:be were:be had:have did:do got:get went:go made:make took:take
came:come saw:see gave:give found:find knew:know thought:think told:tell said:say met:meet left:leave felt:feel kept:keep
bought:buy brought:bring built:build caught:catch taught:teach fought:fight sold:sell ran:run began:begin grew:grow
drove:drive wrote:write rode:ride ate:eat drank:drink sang:sing swam:swim won:win lost:lose sent:send spent:spend
stood:stand sat:sit slept:sleep heard:hear held:hold paid:pay read:read put:put let:let set:set cut:cut hit:hit
became:become fell:fall broke:break chose:choose wore:wear stole:steal threw:throw flew:fly forgot:forget lit:light
led:lead meant:mean dug:dig hung:hang shot:shoot struck:strike taught:teach understood:understand woke:wake""".split())
_MODALS = frozenset("""is are was were be been am has have had do does did can could will would shall should may might
must used 're 've 'd 'll""".split())
_VERB_HINT = re.compile(r"^[a-z]+(?:ed|ied)$")

_MONTHS = "january february march april may june july august september october november december".split()
_TIME = re.compile(
    r"\b(?:(?:in|on|at|by|around|about|since|until|during|every|each|last|that|the)\s+)?(?:"
    r"(?:(?:early|late|mid)[ -])?(?:" + "|".join(m.capitalize() for m in _MONTHS) + r")(?:\s+\d{1,2}(?:st|nd|rd|th)?)?(?:,?\s+\d{4})?"
    r"|(?:the\s+)?(?:summer|winter|spring|fall|autumn)(?:\s+of\s+(?:'?\d{2,4}|[a-z]+-[a-z]+|[a-z]+))?"
    r"|(?:19|20)\d{2}s?|'\d0s|the\s+(?:twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)"
    r"|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)days?|Christmas(?:\s+Eve)?|Easter|Thanksgiving|New\s+Year'?s?(?:\s+Eve)?"
    r"|[A-Z][a-z]+\s+Day(?:\s+weekend)?|first\s+light|dawn|sunrise|sunset|noon|midnight"
    r"|\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?|o'clock)|(?:morning|evening|night|weekend)s?"
    r"|when\s+(?:you|I|we|he|she)\s+(?:was|were)\s+[a-z]+(?:\s+[a-z]+)?"
    r")\b")
_NUMBER_WORD = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
                "eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred dozen").split()
_NUMBER = re.compile(r"\b((?:\d[\d,.]*|(?:" + "|".join(_NUMBER_WORD) + r")(?:[- ](?:" + "|".join(_NUMBER_WORD)
                     + r"))*))\s+([a-z]+(?:\s+[a-z]+)?)", re.IGNORECASE)
_AGE = re.compile(r"\b(?:\d+|[a-z]+(?:-[a-z]+)?)\s+years?\s+old\b|\bat\s+(?:age\s+)?(?:\d+|[a-z]+(?:-[a-z]+)?)\b(?=[,.;!?]|$)",
                  re.IGNORECASE)
_PLACE = re.compile(r"\b(?:in|at|on|by|near|from|to|off|behind|across|outside|inside|past|up|down)\s+(?:(?:by|at|in|on|to)\s+)?"
                    r"(?:the\s+(?:old\s+|little\s+|big\s+)?)?((?:[A-Z][a-z'-]+\s*){1,3}"
                    r"|(?:[a-z]+\s+)?(?:" + "|".join(sorted("""house home farm farmhouse cabin cottage apartment town city village
county street road lake river creek pond shore beach coast ocean bay island point falls mountain hill woods forest field valley
church chapel school college university hospital shop store factory mill plant office station garage barn yard porch garden
kitchen basement attic park hall pub bar restaurant cafe diner market camp base harbor harbour dock port""".split())) + r"))\b")
_NAME = re.compile(r"(?:\b(?:named|called)\s+|(?<=[a-z,;] ))([A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)")
_NOT_NAMES = frozenset("""I I'm I've I'd I'll Grandpa Grandma Mom Dad God Lord Sunday Monday Tuesday Wednesday Thursday Friday
Saturday Christmas Easter Thanksgiving OK Mr Mrs Miss Dr""".split()) | frozenset(m.capitalize() for m in _MONTHS)
_NOT_UNITS = frozenset("""years year o'clock when and or but the a of to in on at for with as if so then
that times time more less or than""".split())
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\s+(?:but|and then|so)\s+(?=[a-z])|(?<=,)\s+(?=(?:and|but)\s)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d[\d,.:]*|[^\sA-Za-z\d]")


def second_person(text: str) -> str:
    """The person's words as the listener would put them back to them ("my dad" -> "your dad").

    "I was"/"we were" become "you were"; the listener's "you" becomes "me" (or "I" as a subject)."""
    tokens = _WORD.findall(text)
    out: list[str] = []
    for i, token in enumerate(tokens):
        lower = token.lower()
        swapped = _PERSON.get(lower)
        if lower == "you":
            after = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
            subject = after in _MODALS or bool(_VERB_HINT.match(after)) or after in _IRREGULAR
            swapped = "I" if subject else "me"
        elif lower == "was" and out and out[-1].lower() == "you":
            swapped = "were"
        if swapped is None:
            out.append(token)
        else:
            out.append(swapped.capitalize() if token[:1].isupper() and swapped != "I" and i == 0 else swapped)
    return _join(out)


def _join(tokens: list[str]) -> str:
    text = " ".join(tokens)
    return re.sub(r"\s+([,.;:!?])", r"\1", text).strip()


def base_form(verb: str) -> str:
    """A past-tense verb's base form, by rule (for "did you ..." questions; an unknown word is kept)."""
    lower = verb.lower()
    if lower in _IRREGULAR:
        return _IRREGULAR[lower]
    if lower.endswith("ied") and len(lower) > 4:
        return lower[:-3] + "y"
    if lower.endswith("ed") and len(lower) > 4:
        stem = lower[:-2]
        if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
            return stem[:-1]  # stopped -> stop
        if stem.endswith(("at", "iv", "ak", "ur", "ok", "ag", "ov", "uc", "ad", "ic", "ir", "ar", "id", "it", "as", "ag")):
            return stem + "e"  # baked -> bake, moved -> move
        return stem
    return lower


def _question(wh: str, clause: str) -> str | None:
    """``wh`` + the clause turned into a question: "you got married" -> "When did you get married?"."""
    words = clause.split()
    if not words:
        return None
    if words[0].lower() in ("you", "your") and len(words) > 1:
        subject_end = 1 if words[0].lower() == "you" else 2
        if len(words) <= subject_end:
            return f"{wh} {clause}?"
        verb = words[subject_end].lower()
        subject = " ".join(words[:subject_end])
        rest = " ".join(words[subject_end + 1 :])
        if verb in _MODALS:
            return _tidy(f"{wh} {verb} {subject} {rest}")
        if verb in _IRREGULAR or _VERB_HINT.match(verb):
            return _tidy(f"{wh} did {subject} {base_form(verb)} {rest}")
    return _tidy(f"{wh} {clause}")


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,;:-")
    text = re.sub(r"\s+([,.;:!?])", r"\1", text).rstrip(",.;:!? ")
    return text + "?"


def _without(clause: str, span: tuple[int, int]) -> str:
    return re.sub(r"\s+", " ", clause[: span[0]] + " " + clause[span[1] :]).strip(" ,;:-")


def _clauses(text: str) -> Iterator[str]:
    count = 0
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        if count >= SENTENCES:
            return
        count += 1
        for part in _SENTENCE.split(sentence):
            words = part.strip().split()
            if words:
                yield " ".join(words[:MAX_WORDS]).strip(" .!?;")


def _spans(clause: str) -> list[tuple[str, tuple[int, int]]]:
    """The answers a clause holds, as (question word, span), none overlapping: times first, then
    places, numbers and names (a capitalised word after "in" is a place, "June" is a time)."""
    taken: list[tuple[str, tuple[int, int]]] = []

    def free(span: tuple[int, int]) -> bool:
        return all(span[1] <= s[0] or span[0] >= s[1] for _, s in taken)

    for match in _TIME.finditer(clause):
        taken.append(("When", match.span()))
    for match in _PLACE.finditer(clause):
        if free(match.span()) and match.group(1).split()[0] not in _NOT_NAMES:
            taken.append(("Where", match.span()))
    if (age := _AGE.search(clause)) is not None and free(age.span()):
        taken.append(("How old were you when", age.span()))
    for match in _NUMBER.finditer(clause):
        unit = match.group(2).split()[0].lower()
        if free(match.span()) and unit not in _NOT_UNITS:
            taken.append((f"How many {unit}", match.span()))
    for match in _NAME.finditer(clause):
        if free(match.span(1)) and match.group(1).split()[0] not in _NOT_NAMES:
            taken.append(("Who", match.span(1)))
    return taken


def _core(clause: str, spans: list[tuple[int, int]]) -> str:
    """The clause with every answer taken out, up to its first remaining comma."""
    kept, last = [], 0
    for start, end in sorted(spans):
        kept.append(clause[last:start])
        last = end
    kept.append(clause[last:])
    text = re.sub(r"\s+", " ", " ".join(kept))
    text = re.sub(r"(\s*,)+", ",", text).strip(" ,;:-")
    return text.split(",")[0].strip()


def questions(text: str, most: int = MOST) -> list[str]:
    """The questions ``text`` (a reply of the person's) answers, in the listener's words, best first;
    empty for a text with no words. Deterministic: the same reply always gives the same questions."""
    found: list[str] = []

    def add(question: str | None) -> None:
        if question and len(found) < most and re.search(r"[A-Za-z]{3}", question) and question not in found:
            found.append(question)

    clauses = [_lower_you(second_person(c)) for c in _clauses(text)]
    if not clauses:
        return []
    add(" ".join(clauses)[:300])  # the whole reply, put back to the person
    for clause in clauses:
        spans = _spans(clause)
        core = _core(clause, [s for _, s in spans])
        if len(core.split()) < 2:
            continue
        for wh in dict.fromkeys(w for w, _ in spans):
            add(_question(wh, core) if not wh.startswith("How old") else _question(wh, core.removeprefix("you ")))
    return found


def _lower_you(text: str) -> str:
    return re.sub(r"^You\b", "you", re.sub(r"^Your\b", "your", text))
