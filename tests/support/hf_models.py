"""Tiny randomly initialised Hugging Face model folders (Qwen2, Llama) with their own chat templates.

No model may come from a hub, so the user-supplied-model path (`companion models build-lm --from
HF_FOLDER`) is proven on folders made here: the same files a downloaded Qwen2.5-Instruct or
Llama-3.2-Instruct folder holds (config.json, model.safetensors, tokenizer.json,
tokenizer_config.json with its chat_template, generation_config.json), with random weights and
a small byte-level BPE tokenizer trained on a few sentences. Needs the [build] extra.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

# Each family's real template shape, with a marker of its own so a test can tell it was kept.
QWEN_TEMPLATE = (
    "{%- for message in messages %}{%- if loop.first and message['role'] != 'system' %}"
    "{{- '<|im_start|>system\\nYou are a tiny test model (qwen2 template).<|im_end|>\\n' }}{%- endif %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)
LLAMA3_TEMPLATE = (
    "{{- bos_token }}{%- for message in messages %}"
    "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}"
    "{%- endfor %}{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}"
    "{#- tiny test model (llama3 template) #}"
)
FAMILIES = {
    "qwen2": (("<|endoftext|>", "<|im_start|>", "<|im_end|>"), "<|im_end|>", "<|endoftext|>", QWEN_TEMPLATE),
    "llama": (("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"),
              "<|eot_id|>", "<|begin_of_text|>", LLAMA3_TEMPLATE),
}
CORPUS = [
    "Hello, how are you today? I remember the lake and the old truck.",
    "We went fishing every summer at Heron Point, kiddo. Your grandma baked pies.",
    "The first car I had was a 1962 Ford. I don't remember that one.",
] * 20


def make_hf_model(out_dir: Path, family: str = "qwen2", *, vocab_size: int = 4000, seed: int = 0,
                  corpus: Sequence[str] = ()) -> Path:
    """Write a tiny random ``family`` ("qwen2" or "llama") model folder; returns it. ``corpus``: text the
    tokenizer learns its merges from (a persona's messages keep its prompt short in tokens)."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import (
        LlamaConfig,
        LlamaForCausalLM,
        PreTrainedTokenizerFast,
        Qwen2Config,
        Qwen2ForCausalLM,
    )

    specials, eos, bos, template = FAMILIES[family]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.train_from_iterator(list(corpus) + CORPUS, trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=list(specials), initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False))
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, bos_token=bos, eos_token=eos, pad_token=eos,
                                   model_max_length=2048)
    fast.chat_template = template
    fast.save_pretrained(out_dir)
    size = tokenizer.get_vocab_size()
    common = {"vocab_size": size, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                  "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 2048,
                  "bos_token_id": tokenizer.token_to_id(bos), "eos_token_id": tokenizer.token_to_id(eos),
                  "pad_token_id": tokenizer.token_to_id(eos), "tie_word_embeddings": True}
    torch.manual_seed(seed)
    if family == "qwen2":
        model = Qwen2ForCausalLM(Qwen2Config(**common))
    else:
        model = LlamaForCausalLM(LlamaConfig(**common))
    model.save_pretrained(out_dir)
    return out_dir
