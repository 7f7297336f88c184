"""The chat markups the persona LM engine can render (ChatML: SmolLM2, Qwen2.5; Llama 3 headers).

They live here, beside the model build, because `build-lm` checks at build time that a model's own
chat template is one of them, and the persona's prompt renders with the same definitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError


@dataclass(frozen=True)
class ChatFormat:
    """How one message is marked up: ``{start}{role}{mid}{content}{end}``."""

    name: str
    begin: str
    start: str
    mid: str
    end: str
    eos: str
    """The end-of-turn token the model generates (the start of ``end``)."""

    def message(self, role: str, content: str) -> str:
        return f"{self.start}{role}{self.mid}{content}{self.end}"

    def open_assistant(self) -> str:
        return f"{self.start}assistant{self.mid}"


CHATML = ChatFormat("chatml", "", "<|im_start|>", "\n", "<|im_end|>\n", "<|im_end|>")
LLAMA3 = ChatFormat("llama3", "<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>\n\n", "<|eot_id|>", "<|eot_id|>")


def detect_chat_format(model_dir: Path) -> ChatFormat:
    """Read the model's chat template (chat_template.jinja or tokenizer_config.json)."""
    texts = []
    for name in ("chat_template.jinja", "tokenizer_config.json"):
        path = Path(model_dir) / name
        if path.is_file():
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    joined = "\n".join(texts)
    if "<|im_start|>" in joined:
        return CHATML
    if "<|start_header_id|>" in joined:
        return LLAMA3
    raise ModelError("the model's chat template is not one this engine knows (ChatML, Llama 3)", where=str(model_dir),
                     hint="use a model with a ChatML or Llama 3 chat template")
