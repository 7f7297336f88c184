"""Can this model speak the persona's language? An English-only model answers Chinese with nonsense."""

from __future__ import annotations

from .session import LmSession

CHINESE_SAMPLE = "我记得那天我们在湖边钓鱼，天气很好，你奶奶做了饺子。"
MAX_TOKENS_PER_CJK_CHAR = 1.3
"""An English-only tokenizer splits Chinese into byte pieces (SmolLM2: ~2 tokens per character);
a model trained on Chinese has ~1 token per 1-2 characters."""


def chinese_note(tokens_per_char: float) -> str | None:
    if tokens_per_char > MAX_TOKENS_PER_CJK_CHAR:
        return (f"the language model is English-only ({tokens_per_char:.1f} tokens per Chinese character) "
                "and this persona speaks Chinese")
    return None


def language_note(session: LmSession, language: str) -> str | None:
    """Why this model cannot speak the persona's language (it would answer nonsense), or None."""
    if not language.lower().startswith("zh"):
        return None
    return chinese_note(len(session.encode(CHINESE_SAMPLE)) / len(CHINESE_SAMPLE))
