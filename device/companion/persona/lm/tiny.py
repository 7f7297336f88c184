"""A tiny ONNX Runtime GenAI model with the real decoder signature, for tests (like piper's test voice).

The graph has the inputs and outputs the builder produces for a llama model (``input_ids``,
``attention_mask``, ``past_key_values.0.key/value`` -> ``logits``, ``present.0.key/value``), a
byte-level BPE tokenizer with ChatML markers, and a genai_config, so the real runtime code
(session, prefix cache, rewind, streaming, stop control) runs in milliseconds. Its "language"
is deterministic: after any ordinary token it says ``Yes indeed. I remember! Heron Point?``
token by token, then ends the turn. Needs ``onnx`` (the [build]/[dev] extras), not on devices.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

SCRIPT = ("Yes", " indeed", ".", " I", " remember", "!", " Heron", " Point", "?")
"""What the tiny model answers, one added token each."""
SPECIALS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
KV_HEADS = 1
HEAD_SIZE = 4
CHAT_TEMPLATE = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def _byte_alphabet() -> list[str]:
    """GPT-2's reversible byte -> printable character map."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    codes = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    order = sorted(zip(printable, codes))
    return [chr(code) for _, code in order]


def _tokenizer_json(vocab: dict[str, int], added: list[tuple[int, str, bool]]) -> dict:
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": i, "content": text, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": special}
            for i, text, special in added
        ],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": []},
    }


def _graph(vocab_size: int, successor: np.ndarray):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    logits_table = np.zeros((vocab_size, vocab_size), dtype=np.float32)
    logits_table[np.arange(vocab_size), successor] = 10.0
    rng = np.random.default_rng(0)
    kv_table = rng.standard_normal((vocab_size, KV_HEADS * HEAD_SIZE)).astype(np.float32)
    inits = [
        numpy_helper.from_array(logits_table, "logits_table"),
        numpy_helper.from_array(kv_table, "kv_table"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"),
    ]
    nodes = [
        helper.make_node("Gather", ["logits_table", "input_ids"], ["logits"], axis=0),
        helper.make_node("Gather", ["kv_table", "input_ids"], ["kv_new3"], axis=0),
        helper.make_node("Unsqueeze", ["kv_new3", "axis1"], ["kv_new"]),
        helper.make_node("Concat", ["past_key_values.0.key", "kv_new"], ["present.0.key"], axis=2),
        helper.make_node("Concat", ["past_key_values.0.value", "kv_new"], ["present.0.value"], axis=2),
    ]
    kv_past: list[str | int] = ["batch_size", KV_HEADS, "past_sequence_length", HEAD_SIZE]
    kv_total: list[str | int] = ["batch_size", KV_HEADS, "total_sequence_length", HEAD_SIZE]
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]),
        helper.make_tensor_value_info("past_key_values.0.key", TensorProto.FLOAT, kv_past),
        helper.make_tensor_value_info("past_key_values.0.value", TensorProto.FLOAT, kv_past),
    ]
    outputs = [
        helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", "sequence_length", vocab_size]),
        helper.make_tensor_value_info("present.0.key", TensorProto.FLOAT, kv_total),
        helper.make_tensor_value_info("present.0.value", TensorProto.FLOAT, kv_total),
    ]
    graph = helper.make_graph(nodes, "tiny_decoder", inputs, outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="companion-tiny-lm")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def make_tiny_model(out_dir: Path, *, max_length: int = 4096) -> Path:
    """Write the tiny model folder; returns it."""
    import onnx

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    alphabet = _byte_alphabet()
    added: list[tuple[int, str, bool]] = [(i, text, True) for i, text in enumerate(SPECIALS)]
    vocab = {text: i for i, text, _ in added}
    for char in alphabet:
        vocab[char] = len(vocab)
    for text in SCRIPT:
        if text not in vocab:  # "." "!" "?" are byte tokens already
            added.append((len(vocab), text, False))
            vocab[text] = len(vocab)
    vocab_size = len(vocab)
    eos = vocab["<|im_end|>"]
    script_ids = [vocab[t] for t in SCRIPT]
    successor = np.full(vocab_size, script_ids[0], dtype=np.int64)
    for here, after in zip(script_ids, script_ids[1:] + [eos]):
        successor[here] = after
    onnx.save(_graph(vocab_size, successor), str(out_dir / "model.onnx"))
    (out_dir / "tokenizer.json").write_text(json.dumps(_tokenizer_json(vocab, added), ensure_ascii=False))
    (out_dir / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "GPT2Tokenizer", "bos_token": "<|im_start|>", "eos_token": "<|im_end|>",
        "unk_token": "<|endoftext|>", "pad_token": "<|im_end|>", "add_prefix_space": False,
        "model_max_length": max_length, "chat_template": CHAT_TEMPLATE,
    }))
    (out_dir / "chat_template.jinja").write_text(CHAT_TEMPLATE)
    (out_dir / "genai_config.json").write_text(json.dumps({
        "model": {
            "bos_token_id": vocab["<|im_start|>"], "eos_token_id": eos, "pad_token_id": eos,
            "context_length": max_length, "vocab_size": vocab_size, "type": "llama",
            "decoder": {
                "session_options": {"log_id": "onnxruntime-genai", "provider_options": []},
                "filename": "model.onnx", "head_size": HEAD_SIZE, "hidden_size": KV_HEADS * HEAD_SIZE,
                "num_attention_heads": KV_HEADS, "num_key_value_heads": KV_HEADS, "num_hidden_layers": 1,
                "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask",
                           "past_key_names": "past_key_values.%d.key", "past_value_names": "past_key_values.%d.value"},
                "outputs": {"logits": "logits", "present_key_names": "present.%d.key",
                            "present_value_names": "present.%d.value"},
            },
        },
        "search": {"do_sample": False, "max_length": max_length, "num_beams": 1, "num_return_sequences": 1,
                   "past_present_share_buffer": False, "repetition_penalty": 1.0, "temperature": 1.0,
                   "top_k": 1, "top_p": 1.0, "min_length": 0, "early_stopping": True, "length_penalty": 1.0,
                   "no_repeat_ngram_size": 0, "diversity_penalty": 0.0},
    }, indent=2))
    return out_dir
