"""Forced-choice judgements: after a critique's text, which of ``right``/``wrong`` the model would write next.

The paper keeps only critiques that end in ``<judgment>right</judgment>`` or ``<judgment>wrong</judgment>``. A model
that writes no tag (the bundled SmolLM2 never does) still has a preference: append ``<judgment>`` to its own critique
and compare the probabilities of the two continuations. ``p_right = P(right) / (P(right) + P(wrong))``, each the
product of its tokens' probabilities given the prompt, the critique and the tag.

* :func:`local_choice_logprobs` scores the continuations with a transformers model in this process: one forward pass
  over the prefix when every option is a single token (only the last position's logits), else one over a batch of
  the continuations.
* :func:`endpoint_p_right` asks an OpenAI-compatible server for the next token's top log-probabilities after the
  critique, continued as the assistant's message (vLLM/SGLang ``continue_final_message``); it returns None when the
  server gives no log-probabilities or neither word is among them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from codecritique.llm.types import Messages

TAG = "<judgment>"
OPTIONS = ("right", "wrong")
_TAG_RE = re.compile(r"<judge?ment>", re.IGNORECASE)


def forced_prefix(critique: str) -> str:
    """The critique cut before its last (unparsable) judgement tag, followed by ``\\n\\n<judgment>``."""
    text = critique or ""
    matches = list(_TAG_RE.finditer(text))
    if matches:
        text = text[:matches[-1].start()]
    return text.rstrip() + "\n\n" + TAG


def p_right_from_logprobs(right: float, wrong: float) -> float:
    m = max(right, wrong)
    a, b = math.exp(right - m), math.exp(wrong - m)
    return a / (a + b)


def local_choice_logprobs(model: Any, tokenizer: Any, messages: Messages, critique: str,
                          options: Sequence[str] = OPTIONS) -> list[float]:
    """Log-probability of each option after the chat prompt + the critique + ``<judgment>``."""
    import torch

    prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_dict=True)["input_ids"]
    prefix = list(prompt) + tokenizer(forced_prefix(critique), add_special_tokens=False)["input_ids"]
    conts = [tokenizer(o, add_special_tokens=False)["input_ids"] for o in options]
    if all(len(c) == 1 for c in conts):
        # every option is one token (right/wrong are, for SmolLM2): one row over the prefix, the last position's
        # logits only (the LM head over every position of a long critique cost as much as the model itself)
        with torch.inference_mode():
            out = model(input_ids=torch.tensor([prefix]), logits_to_keep=1)
        last = torch.log_softmax(out.logits[0, -1].float(), dim=-1)
        return [float(last[c[0]]) for c in conts]
    width = len(prefix) + max(len(c) for c in conts)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    rows = [prefix + c + [pad] * (width - len(prefix) - len(c)) for c in conts]
    mask = [[1] * (len(prefix) + len(c)) + [0] * (width - len(prefix) - len(c)) for c in conts]
    with torch.inference_mode():
        logits = model(input_ids=torch.tensor(rows), attention_mask=torch.tensor(mask)).logits.float()
    logp = torch.log_softmax(logits, dim=-1)
    out = []
    for r, c in enumerate(conts):
        total = 0.0
        for t, token in enumerate(c):
            total += float(logp[r, len(prefix) + t - 1, token])
        out.append(total)
    return out


async def endpoint_p_right(client: Any, model: str, messages: Messages, critique: str, *,
                           top_logprobs: int = 20) -> float | None:
    """``p_right`` from an OpenAI-compatible chat endpoint's next-token log-probabilities, or None."""
    payload = list(messages) + [{"role": "assistant", "content": forced_prefix(critique)}]
    response = await client.chat.completions.create(
        model=model, messages=payload, max_tokens=1, temperature=0.0, logprobs=True, top_logprobs=top_logprobs,
        extra_body={"continue_final_message": True, "add_generation_prompt": False})
    try:
        tops = response.choices[0].logprobs.content[0].top_logprobs
    except (AttributeError, IndexError, TypeError):
        return None
    found: dict[str, float] = {}
    for t in tops or ():
        word = (t.token or "").strip().lower()
        if word in OPTIONS and word not in found:
            found[word] = t.logprob
    if not found:
        return None
    floor = min(t.logprob for t in tops) - math.log(2) if tops else -30.0
    return p_right_from_logprobs(found.get("right", floor), found.get("wrong", floor))
