"""The persona prompt: a fixed prefix (cached once) and small per-turn additions.

The prefix is the system message (who the person is, how they talk, the rules) followed by a
few real exchanges as earlier turns, so the model copies the person's voice. A turn adds the
memories retrieved for this question inside the user message, then opens the assistant turn.
The chat markup comes from the model's own template (ChatML for SmolLM2/Qwen, Llama 3 headers),
rendered piecewise so the prefix tokens stay byte-identical across turns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ...build.chat_format import CHATML, LLAMA3, ChatFormat, detect_chat_format
from .grounding import GroundingSource, Memory

__all__ = ["CHATML", "LLAMA3", "ChatFormat", "detect_chat_format"]  # the markups live with the model build


@dataclass(frozen=True)
class Phrases:
    """The fixed words of the prompt, per language."""

    system: str
    memories_intro: str
    no_memories: str
    question_label: str


ENGLISH = Phrases(
    system=(
        "You are {name}. {description}\n"
        "Talk the way {name} talked in the examples: warm, plain, first person, one to three short "
        "sentences, as if speaking aloud. Use only the facts in the memories given with a question. "
        "If the memories do not contain the answer, say you don't remember. Never invent names, places, "
        "dates or events."
    ),
    memories_intro="Your memories about this:",
    no_memories="(no memories about this)",
    question_label="Question:",
)
CHINESE = Phrases(
    system=(
        "你是{name}。{description}\n"
        "像例子里的{name}那样说话：亲切、朴实、用第一人称，一到三句短句，像在说话。只使用提问时给出的回忆里的事实。"
        "如果回忆里没有答案，就说你不记得了。不要编造人名、地名、日期或事情。"
    ),
    memories_intro="你关于这件事的回忆：",
    no_memories="（没有相关回忆）",
    question_label="问题：",
)


def phrases_for(language: str) -> Phrases:
    return CHINESE if language.lower().startswith("zh") else ENGLISH


_SPACES = re.compile(r"\s+")


def _clean(text: str) -> str:
    """One line, no chat markup smuggled in by a message."""
    text = text.replace("<|", "< |").replace("|>", "| >")
    return _SPACES.sub(" ", text).strip()


def build_prefix(source: GroundingSource, chat: ChatFormat, examples: Sequence[Memory]) -> str:
    """System message plus real example exchanges: the part cached in the KV cache."""
    phrases = phrases_for(source.language)
    system = phrases.system.format(name=source.display_name, description=_clean(source.description))
    parts = [chat.begin, chat.message("system", system)]
    for example in examples:
        if example.context:
            parts.append(chat.message("user", _clean(example.context)))
            parts.append(chat.message("assistant", _clean(example.text)))
    return "".join(parts)


def build_user_turn(question: str, memories: Sequence[Memory], language: str) -> str:
    """The user message of a turn: the retrieved memories, then the question."""
    phrases = phrases_for(language)
    if memories:
        lines = [phrases.memories_intro] + [f"- {_clean(m.text)}" for m in memories]
    else:
        lines = [phrases.no_memories]
    space = " " if phrases.question_label.endswith(":") else ""  # no space after a full-width colon
    lines.append(f"{phrases.question_label}{space}{_clean(question)}")
    return "\n".join(lines)


def closing_after(chat: ChatFormat, *, ended_by_eos: bool) -> str:
    """What must follow a generated reply before the next message: the rest of the end marker."""
    return chat.end[len(chat.eos):] if ended_by_eos else chat.end


def render_turn(chat: ChatFormat, user: str, *, closing: str = "") -> str:
    """What a turn appends: the end of the previous reply, the user message, the reply opening."""
    return closing + chat.message("user", user) + chat.open_assistant()


def render_history(chat: ChatFormat, exchanges: Sequence[tuple[str, str]]) -> str:
    """Earlier turns, compact (no memories), when the window must be rebuilt."""
    return "".join(chat.message("user", _clean(q)) + chat.message("assistant", _clean(r)) for q, r in exchanges)
