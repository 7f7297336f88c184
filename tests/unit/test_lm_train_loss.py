"""`persona train`'s reply-only loss equals the model's own loss, with and without checkpointing.

The training loop skips the output layer for prompt positions and may recompute activations
(gradient checkpointing); neither may change what is learned. A tiny random Llama checks it.
"""

from __future__ import annotations

import torch
from peft import LoraConfig, get_peft_model
from transformers import LlamaConfig, LlamaForCausalLM

from companion.persona.train import _reply_loss


def tiny_lora_model(checkpointing: bool):  # type: ignore[no-untyped-def]
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=97, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64)
    model = LlamaForCausalLM(config)
    if checkpointing:
        model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
    model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, task_type="CAUSAL_LM",
                                             target_modules=["q_proj", "v_proj", "down_proj"]))
    model.train()
    return model


def batch() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    ids = torch.randint(3, 97, (3, 20), generator=generator)
    mask = torch.ones_like(ids)
    labels = ids.clone()
    labels[:, :12] = -100  # the prompt
    mask[2, 16:] = 0  # a shorter, padded sequence
    labels[2, 16:] = -100
    return ids, mask, labels


def lora_grads(model) -> torch.Tensor:  # type: ignore[no-untyped-def]
    return torch.cat([p.grad.flatten() for p in model.parameters() if p.requires_grad])


def test_reply_loss_and_gradients_match_the_models_own() -> None:
    ids, mask, labels = batch()
    reference = tiny_lora_model(checkpointing=False)
    expected = reference(input_ids=ids, attention_mask=mask, labels=labels).loss
    expected.backward()
    for checkpointing in (False, True):
        model = tiny_lora_model(checkpointing)
        loss = _reply_loss(model, ids, mask, labels)
        loss.backward()
        assert torch.allclose(loss, expected, atol=1e-6)
        assert torch.allclose(lora_grads(model), lora_grads(reference), atol=1e-6)

