"""What a generated sentence may say: the fact guard of the LM engine (pure functions).

A 135M model invents names, places, years and whole events in plain words. A generated sentence
is spoken only if every name and number in it (``fact_words``) and most of its content words
(``content_words``) come from the memories shown, the question or the persona card
(``known_words``), and it is not a repeat or a loop. Prompt markup leaking into the output ends
the reply. The names keep their leading underscore for the callers that import them from engine.py.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from .grounding import GroundingSource, Memory

logger = logging.getLogger(__name__)


_MARKUP = ("<|", "Question:", "问题：", "Your memories", "你关于这件事的回忆")


def _leaks_markup(text: str) -> bool:
    return any(marker in text for marker in _MARKUP)


def _strip_markup(text: str) -> str:
    cut = min((text.find(m) for m in _MARKUP if m in text), default=len(text))
    return text[:cut].strip()


_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_COMMON = frozenset("""i im i'm i'd i'll i've you your kiddo oh well yes no hmm ah mr mrs dr ok okay sure
the a and but so god lord grandpa grandma dear honey sweetheart""".split())


def _fact_words(sentence: str) -> set[str]:
    """Words that carry facts: capitalised names (not sentence-initial) and numbers.

    A 135M model invents names, places and years; every one of those must come from the
    memories, the question or the persona card. Chinese text is not checked word by word
    (no capitalisation); its grounding rests on the retrieval thresholds.
    """
    found = set()
    tokens = _WORD.findall(sentence)
    for position, token in enumerate(tokens):
        if token.isdigit() or (position > 0 and token[0].isupper()):
            word = token.casefold().removesuffix("'s")
            if word not in _COMMON:
                found.add(word)
    return found


SUPPORT_FRACTION = 0.5
"""At least this share of a generated sentence's content words must come from the memories, the
question or the card: a 135M model otherwise invents events in plain words ("a big family of
five, all dressed in white") that no name-or-number check catches."""
_CONVERSATIONAL = frozenset("""remember indeed really think know knew course always never sure guess
would could should little while about there their thing things something anything nothing good great
love loved dear kiddo honey sweetheart yeah right maybe those these that this what when where which
with from have been were just well very much more some your yours mine ours them they then than
tell told said says back still again time times long years year days every""".split())


def _content_words(sentence: str) -> set[str]:
    """Words that carry meaning (4+ letters, not conversational glue), lower case."""
    words = {w.casefold().removesuffix("'s") for w in _WORD.findall(sentence) if len(w) >= 4}
    return {w for w in words if w not in _CONVERSATIONAL}


def _known_words(question: str, memories: Sequence[Memory], source: GroundingSource) -> set[str]:
    texts = [question, source.display_name, source.name, source.description]
    texts += [m.text for m in memories] + [m.context or "" for m in memories]
    words = {w.casefold().removesuffix("'s") for text in texts for w in _WORD.findall(text)}
    return words | {w.removesuffix("s") for w in words} | {w + "s" for w in words}  # plural either way


def _covers(question: str, memories: Sequence[Memory], source: GroundingSource) -> bool:
    """Every name or number the question asks about appears in the memories (or the card)."""
    asked = _fact_words(question)
    return not asked or asked <= _known_words("", memories, source)


_FOLLOW_UP_WORDS = frozenset("it its that this those these there then he she they them him her why".split())
_FOLLOW_UP_ZH = ("那", "这", "他", "她", "它", "为什么", "后来")


def _is_follow_up(question: str) -> bool:
    """Words that point back at the previous exchange ("Why that name?"), or a very short question."""
    words = [w.casefold() for w in _WORD.findall(question)]
    if any(marker in question for marker in _FOLLOW_UP_ZH):
        return True
    return bool(words) and (len(words) <= 4 or bool(_FOLLOW_UP_WORDS & set(words)))


def _repetitive(sentence: str) -> bool:
    words = sentence.casefold().split()
    return len(words) >= 6 and len(set(words)) <= len(words) // 3


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _same(a: Sequence[tuple[str, str]], b: Sequence[tuple[str, str]]) -> bool:
    return len(a) == len(b) and all(_norm(x[0]) == _norm(y[0]) and _norm(x[1]) == _norm(y[1]) for x, y in zip(a, b))


def accept(sentence: str, allowed: set[str], spoken: Sequence[str]) -> bool:
    """A sentence may be spoken if it names nothing the memories do not, and is not a repeat."""
    unknown = _fact_words(sentence) - allowed
    if unknown:
        logger.info("dropped a generated sentence naming %d unsupported word(s)", len(unknown))
        return False
    content = _content_words(sentence)
    if content and len(content & allowed) < SUPPORT_FRACTION * len(content):
        logger.info("dropped a generated sentence: %d of %d content words unsupported",
                    len(content - allowed), len(content))
        return False
    if _norm(sentence) in {_norm(s) for s in spoken} or _repetitive(sentence):
        return False
    return True
