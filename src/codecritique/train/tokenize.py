"""Examples -> token ids with a loss mask, with the base model's chat template; over-long samples dropped.

For each example: ``prompt_ids`` = the chat template on the prompt turns with the generation prompt; ``ids`` = the
template on prompt + response. The prompt must be a prefix of the whole (it is for ChatML/Qwen2.5/Llama-style
templates); the loss mask (``completion_mask``) is 0 on the prompt and 1 on the response, its end-of-turn token
included (so the model learns to stop). TRL's SFTTrainer turns the mask into labels (-100 on the prompt). A sample
longer than ``max_length`` is dropped and counted, never truncated (a truncated reasoning trace loses its final
code block); the dropped samples are listed by id. The first examples are also checked to keep the response text
verbatim (a template that rewrites the assistant turn, e.g. one that strips ``<think>`` reasoning, is an error).

:func:`tokenize_dataset` does it with ``datasets.map`` (``num_proc`` worker processes) into an Arrow cache file named
by a fingerprint of the examples and the tokenizer: under a distributed launch the main process tokenizes first
(``first``: the trainer arguments' ``main_process_first``) and every other rank loads its cache instead of tokenizing
again; a resumed stage reuses it too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codecritique.train.data import Example

CHECKED_VERBATIM = 16  # examples whose decoded response is compared with the target text
LISTED_IN_LOG = 10  # over-long ids a log line names (stage.json lists them all)


class TemplateError(ValueError):
    """The chat template cannot be used for masked training (prompt not a prefix, response rewritten)."""


@dataclass
class TokenStats:
    kept: Counter = field(default_factory=Counter)  # kind -> samples
    over_long: Counter = field(default_factory=Counter)  # kind -> samples dropped for length
    tokens: Counter = field(default_factory=Counter)  # kind -> tokens of kept samples
    response_tokens: Counter = field(default_factory=Counter)
    longest_dropped: int = 0
    over_long_ids: list[dict[str, Any]] = field(default_factory=list)  # {"id", "kind", "tokens"} of each drop

    def to_dict(self) -> dict[str, Any]:
        return {"kept": dict(self.kept), "over_long": dict(self.over_long), "tokens": dict(self.tokens),
                "response_tokens": dict(self.response_tokens), "longest_dropped": self.longest_dropped,
                "over_long_ids": list(self.over_long_ids)}

    def count(self, kind: str, sample_id: str, length: int, response: int, max_length: int | None) -> bool:
        """Count one tokenized sample; False if it is over-long (dropped)."""
        if max_length is not None and length > max_length:
            self.over_long[kind] += 1
            self.longest_dropped = max(self.longest_dropped, length)
            self.over_long_ids.append({"id": sample_id, "kind": kind, "tokens": length})
            return False
        self.kept[kind] += 1
        self.tokens[kind] += length
        self.response_tokens[kind] += response
        return True

    def dropped_line(self) -> str:
        """The over-long samples for a log line (the first few ids)."""
        if not self.over_long_ids:
            return "none"
        ids = ", ".join(f"{d['id']} ({d['kind']}, {d['tokens']})" for d in self.over_long_ids[:LISTED_IN_LOG])
        more = len(self.over_long_ids) - LISTED_IN_LOG
        return ids + (f" and {more} more (stage.json lists them all)" if more > 0 else "")


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
        if stats.count(example.kind, example.id, len(ids), sum(mask), max_length):
            rows.append({"input_ids": ids, "completion_mask": mask, "kind": example.kind, "id": example.id})
    return rows, stats


def _tokenize_row(row: dict[str, Any], index: int, tokenizer: Any) -> dict[str, Any]:
    example = Example(row["kind"], row["id"], row["prompt"], row["completion"])
    ids, mask = tokenize_example(tokenizer, example, check_text=index < CHECKED_VERBATIM)
    return {"input_ids": ids, "completion_mask": mask, "length": len(ids), "response": sum(mask)}


def fingerprint(tokenizer: Any, examples: list[Example]) -> str:
    """What the tokenized rows depend on: the examples, the tokenizer (vocabulary, template) and this module's
    rules."""
    h = hashlib.sha256()
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:  # a fast tokenizer: its whole definition as JSON (stable across processes)
        h.update(backend.to_str().encode())
    else:
        from datasets.fingerprint import Hasher

        h.update(Hasher.hash(tokenizer).encode())
    h.update(json.dumps([type(tokenizer).__name__, tokenizer.chat_template, str(tokenizer.special_tokens_map)],
                        default=str).encode())
    h.update(str(CHECKED_VERBATIM).encode())
    for e in examples:
        h.update(json.dumps(e.to_dict(), sort_keys=True, ensure_ascii=False).encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


def tokenize_dataset(tokenizer: Any, examples: list[Example], max_length: int | None, *,
                     cache_dir: str | Path | None = None, num_proc: int | None = None,
                     first: Callable[[], Any] = contextlib.nullcontext) -> tuple[Any, TokenStats]:
    """A ``datasets.Dataset`` of ``input_ids``/``completion_mask`` for the examples that fit in ``max_length``
    (tokenized with ``datasets.map``, ``num_proc`` processes, cached in ``cache_dir``), and its counts. ``first()``
    is entered around the tokenization (e.g. ``args.main_process_first(local=False)``: the main process tokenizes
    and writes the cache, the other ranks then load it)."""
    from datasets import Dataset

    if not examples:
        raise ValueError("no training samples (all rows filtered out)")
    raw = Dataset.from_dict({"kind": [e.kind for e in examples], "id": [e.id for e in examples],
                             "prompt": [e.prompt for e in examples],
                             "completion": [e.completion for e in examples]})
    cache_file = None
    if cache_dir is not None:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        cache_file = str(Path(cache_dir) / f"tokenized-{fingerprint(tokenizer, examples)}.arrow")
    procs = num_proc if num_proc and num_proc > 1 and len(examples) >= 2 * num_proc else None
    with first():
        tokenized = raw.map(_tokenize_row, with_indices=True, fn_kwargs={"tokenizer": tokenizer},
                            remove_columns=["prompt", "completion"], num_proc=procs, cache_file_name=cache_file,
                            desc="tokenize")
    stats = TokenStats()
    keep = [i for i, (kind, sid, length, response) in enumerate(zip(
        tokenized["kind"], tokenized["id"], tokenized["length"], tokenized["response"]))
        if stats.count(kind, sid, length, response, max_length)]
    if not keep:
        raise ValueError(f"no training samples left: all {len(examples)} are longer than max_length {max_length}")
    dataset = tokenized.select(keep) if len(keep) < len(tokenized) else tokenized
    return dataset.select_columns(["input_ids", "completion_mask"]), stats
