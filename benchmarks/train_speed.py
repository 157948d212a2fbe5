"""Tokens/s of one training step on CPU for the bundled SmolLM2-135M, at 512 and 2048 tokens, with and without packing.

Each step trains on one budget of sequence length L (512 or 2048): the same samples (lengths drawn uniformly from
L/8..L/2, like SFT data of mixed lengths) either packed by TRL (``pack_dataset`` with ``bfd``, padding-free: one row,
position ids restart per sample, so attention stays within each sample) or as a padded batch (TRL's collator, padded
to the longest sample). A step = forward + backward + AdamW step in float32 (bf16 matmuls are ~5x slower on CPU).
Tokens/s counts real (non-padding) tokens. Configurations are interleaved round by round and the median step is
reported, so load from other processes on this shared machine hits them alike; the ratios are the result.

    python benchmarks/train_speed.py [--steps 2] [--rounds 2] [--lengths 512 2048]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def batches(length: int, tokenizer, seed: int):
    """The samples of one step's token budget, as a packed row and as a padded batch."""
    from datasets import Dataset
    from trl.data_utils import pack_dataset
    from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

    rng = random.Random(seed)
    vocab = tokenizer.vocab_size
    samples, total = [], 0
    while True:
        n = rng.randint(length // 8, length // 2)
        if total + n > length:
            break
        samples.append([rng.randrange(100, vocab) for _ in range(n)])
        total += n
    ds = Dataset.from_dict({"input_ids": samples, "labels": samples})
    packed = pack_dataset(ds, length, "bfd")
    assert len(packed) == 1, len(packed)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    packed_batch = DataCollatorForLanguageModeling(pad_token_id=pad, padding_free=True)([packed[0]])
    padded_batch = DataCollatorForLanguageModeling(pad_token_id=pad)([{"input_ids": s} for s in samples])
    return total, packed_batch, padded_batch


def step_seconds(model, optimizer, batch) -> float:
    inputs = {k: v for k, v in batch.items() if k in ("input_ids", "labels", "attention_mask", "position_ids")}
    t0 = time.perf_counter()
    loss = model(**inputs, use_cache=False).loss
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lengths", type=int, nargs="+", default=[512, 2048])
    ap.add_argument("--steps", type=int, default=2, help="timed steps per configuration and round")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--model", default=None, help="HF model folder (default: the bundled SmolLM2-135M)")
    args = ap.parse_args()

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from codecritique.llm.local import bundled_model_dir

    folder = args.model or str(bundled_model_dir())
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True, dtype=torch.float32,
                                                 attn_implementation="sdpa")
    model.train()
    model.config.use_cache = False
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-6)
    configs = {}
    for length in args.lengths:
        real, packed, padded = batches(length, tokenizer, seed=length)
        configs[(length, "packed")] = (real, packed)
        configs[(length, "padded")] = (real, padded)
    print(f"model {folder}, torch threads {torch.get_num_threads()}, os cores {os.cpu_count()}; "
          f"load average at start {os.getloadavg()[0]:.1f} (shared machine)")
    for key, (real, batch) in configs.items():
        shape = tuple(batch["input_ids"].shape)
        print(f"  L={key[0]:5d} {key[1]:6s}: {real} real tokens in input {shape}")
        step_seconds(model, optimizer, batch)  # warm-up (allocations, first-call overheads)
    times: dict[tuple[int, str], list[float]] = {k: [] for k in configs}
    for _ in range(args.rounds):
        for key, (_, batch) in configs.items():
            for _ in range(args.steps):
                times[key].append(step_seconds(model, optimizer, batch))
    print(f"\n{'L':>6} {'mode':>7} {'median step s':>14} {'tokens/s':>10}")
    rates = {}
    for key, (real, _) in configs.items():
        med = statistics.median(times[key])
        rates[key] = real / med
        print(f"{key[0]:>6} {key[1]:>7} {med:>14.2f} {rates[key]:>10.0f}")
    print("\nratios (same samples, same run):")
    for length in args.lengths:
        print(f"  L={length}: packed / padded tokens/s = {rates[(length, 'packed')] / rates[(length, 'padded')]:.2f}x")
    if len(args.lengths) > 1:
        a, b = args.lengths[0], args.lengths[-1]
        print(f"  packed L={b} / packed L={a} tokens/s = {rates[(b, 'packed')] / rates[(a, 'packed')]:.2f}x")
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
