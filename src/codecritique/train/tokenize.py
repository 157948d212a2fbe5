"""Examples -> token ids with a loss mask, with the base model's chat template; over-long samples dropped.

For each example: ``prompt_ids`` = the chat template on the prompt turns with the generation prompt; ``ids`` = the
template on prompt + response. The prompt must be a prefix of the whole (it is for ChatML/Qwen2.5/Llama-style
templates); the loss mask (``completion_mask``) is 0 on the prompt and 1 on the response, its end-of-turn token
included (so the model learns to stop). TRL's SFTTrainer turns the mask into labels (-100 on the prompt). A sample
longer than ``max_length`` is dropped and counted, never truncated (a truncated reasoning trace loses its final
code block). The first examples are also checked to keep the response text verbatim (a template that rewrites the
assistant turn, e.g. one that strips ``<think>`` reasoning, is an error).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from codecritique.train.data import Example

CHECKED_VERBATIM = 16  # examples whose decoded response is compared with the target text


class TemplateError(ValueError):
    """The chat template cannot be used for masked training (prompt not a prefix, response rewritten)."""


@dataclass
class TokenStats:
    kept: Counter = field(default_factory=Counter)  # kind -> samples
    over_long: Counter = field(default_factory=Counter)  # kind -> samples dropped for length
    tokens: Counter = field(default_factory=Counter)  # kind -> tokens of kept samples
    response_tokens: Counter = field(default_factory=Counter)
    longest_dropped: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"kept": dict(self.kept), "over_long": dict(self.over_long), "tokens": dict(self.tokens),
                "response_tokens": dict(self.response_tokens), "longest_dropped": self.longest_dropped}


def _ids(tokenizer: Any, messages: list[dict[str, str]], generation_prompt: bool) -> list[int]:
    out = tokenizer.apply_chat_template(messages, add_generation_prompt=generation_prompt, tokenize=True,
                                        return_dict=True)
    return list(out["input_ids"])


def tokenize_example(tokenizer: Any, example: Example, *, check_text: bool = False) -> tuple[list[int], list[int]]:
    """``(input_ids, completion_mask)`` of one example."""
    prompt_ids = _ids(tokenizer, example.prompt, True)
    ids = _ids(tokenizer, example.prompt + example.completion, False)
    if ids[: len(prompt_ids)] != prompt_ids:
        raise TemplateError(
            f"example {example.id}: the chat template renders the prompt differently with and without the response "
            f"(the prompt is not a prefix), so the response cannot be masked exactly; use another chat template")
    mask = [0] * len(prompt_ids) + [1] * (len(ids) - len(prompt_ids))
    if check_text:
        target = example.completion[-1]["content"].strip()
        response = tokenizer.decode(ids[len(prompt_ids):], skip_special_tokens=False)
        if target and target not in response:
            raise TemplateError(
                f"example {example.id}: the chat template rewrites the response (e.g. drops its <think> reasoning); "
                f"the target would not be the teacher's whole response")
    return ids, mask


def tokenize_examples(tokenizer: Any, examples: list[Example], max_length: int | None,
                      stats: TokenStats | None = None) -> tuple[list[dict[str, Any]], TokenStats]:
    """Rows ``{input_ids, completion_mask, kind, id}`` for the examples that fit in ``max_length``."""
    stats = stats or TokenStats()
    rows = []
    for i, example in enumerate(examples):
        ids, mask = tokenize_example(tokenizer, example, check_text=i < CHECKED_VERBATIM)
        if max_length is not None and len(ids) > max_length:
            stats.over_long[example.kind] += 1
            stats.longest_dropped = max(stats.longest_dropped, len(ids))
            continue
        stats.kept[example.kind] += 1
        stats.tokens[example.kind] += len(ids)
        stats.response_tokens[example.kind] += sum(mask)
        rows.append({"input_ids": ids, "completion_mask": mask, "kind": example.kind, "id": example.id})
    return rows, stats


def to_dataset(rows: list[dict[str, Any]]) -> Any:
    """A ``datasets.Dataset`` of pre-tokenized rows (TRL skips its own tokenization for ``input_ids``)."""
    from datasets import Dataset

    if not rows:
        raise ValueError("no training samples left (all rows filtered out or longer than max_length)")
    return Dataset.from_dict({"input_ids": [r["input_ids"] for r in rows],
                              "completion_mask": [r["completion_mask"] for r in rows]})
