"""Is TRL's padding-free packing exact for a model? Tested, not assumed.

With ``packing_strategy="bfd"`` TRL concatenates samples into one row and gives ``position_ids`` that restart at 0
for every sample and no attention mask. That is exact only if the model's attention turns restarting position ids
into a block-diagonal causal mask (transformers' ``create_causal_mask`` does for sdpa/eager attention; the varlen
flash-attention kernels do through ``cu_seq_lens``); otherwise samples would attend to each other.

:func:`packing_is_exact` runs the model's own code on a shrunken copy of its config (random weights, 1-2 layers, on
CPU: the check is about the attention code, not the weights) and compares the logits of two sequences run apart with
the logits of the same two packed into one row. Flash-attention implementations cannot run on CPU; their varlen path
is exact by construction and is reported as such.
"""

from __future__ import annotations

import copy
from typing import Any

SHRINK = {"num_hidden_layers": 2, "hidden_size": 64, "intermediate_size": 128, "num_attention_heads": 4,
          "num_key_value_heads": 2, "head_dim": 16, "vocab_size": 512, "max_position_embeddings": 256}


def _shrunk(config: Any) -> Any:
    small = copy.deepcopy(config)
    for key, value in SHRINK.items():
        if hasattr(small, key):
            setattr(small, key, value)
    layers = getattr(config, "layer_types", None)
    if layers:  # keep the kinds of the first layers (full / sliding attention)
        small.layer_types = list(layers[: SHRINK["num_hidden_layers"]])
    return small


def packing_is_exact(config: Any, attn_implementation: str | None = None, *, atol: float = 1e-4) -> tuple[bool, str]:
    """``(exact, reason)`` for padding-free packing with this model config and attention implementation."""
    import torch
    from transformers import AutoModelForCausalLM

    impl = attn_implementation or getattr(config, "_attn_implementation", None) or "sdpa"
    if impl.startswith("flash_attention"):
        return True, f"{impl}: varlen kernels with cu_seq_lens (exact by construction)"
    try:
        small = _shrunk(config)
        small._attn_implementation = impl
        torch.manual_seed(0)
        model = AutoModelForCausalLM.from_config(small, dtype=torch.float32, attn_implementation=impl).eval()
    except Exception as e:  # an architecture whose config cannot be shrunk this way
        return False, f"could not build a small {type(config).__name__} to test packing ({e})"
    vocab = min(getattr(small, "vocab_size", 512) or 512, 512)
    g = torch.Generator().manual_seed(1)
    a = torch.randint(0, vocab, (1, 9), generator=g)
    b = torch.randint(0, vocab, (1, 13), generator=g)
    with torch.no_grad():
        apart = torch.cat([model(input_ids=a, use_cache=False).logits[0],
                           model(input_ids=b, use_cache=False).logits[0]])
        positions = torch.cat([torch.arange(9), torch.arange(13)])[None]
        packed = model(input_ids=torch.cat([a, b], dim=1), position_ids=positions, use_cache=False).logits[0]
    diff = float((apart - packed).abs().max())
    if diff <= atol:
        return True, f"{impl}: packed logits equal separate ones (max diff {diff:.1e})"
    return False, f"{impl}: packed samples would attend to each other (logit diff {diff:.2g})"
