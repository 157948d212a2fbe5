"""Split model responses into reasoning, answer, code and judgement. Never raises on malformed or truncated text.

Reasoning (OCR-II paper §2.1.2, NeMo-Skills ``check_generation``):

* ``<think>R</think>A``: reasoning ``R``, answer ``A``. The answer starts after the *first* ``</think>`` (as the
  authors' filter does); later think tags stay in the answer.
* ``R</think>A`` (the opening tag was part of the prompt, as R1-style chat templates inject it): the same split.
* ``<think>R`` with no closing tag: the reasoning was cut off; reasoning ``R``, empty answer, ``truncated``.
* no tags at all: the model did not think; empty reasoning, the whole text is the answer, unless
  ``think_in_prompt=True`` says the prompt opened a think block, in which case the text is unfinished reasoning.

Judgement (Fig. 7 asks for ``<judgment>right/wrong</judgment>``; the dataset field is spelled ``judgement``):
both spellings, the value case-insensitive with surrounding whitespace, searched in the answer only (a tag inside
the reasoning is the model thinking aloud), and the LAST tag wins. Any other value (``right/wrong`` echoed from the
prompt, ``partially correct``, ``**right**``) makes the judgement ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codecritique.problems.extraction import final_code_block
from codecritique.llm.types import TokenCounter

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"

_JUDGEMENT = re.compile(r"<judge?ment>(.*?)</judge?ment>", re.IGNORECASE | re.DOTALL)



@dataclass
class ParsedSolution:
    """A solution response split into its parts, with flags for what is missing."""

    reasoning: str
    answer: str  # the text after </think>, or all of it for a model that does not think
    code: str | None  # the final fenced block of the answer in the requested language
    code_language: str | None  # the block's normalised tag ("" when untagged), None without code
    thinking: bool  # a think block was found (opened and/or closed)
    truncated: bool  # finish_reason "length", an unclosed think block, or an unclosed final fence
    no_code: bool
    reasoning_chars: int
    reasoning_tokens: int | None  # None without a token counter


@dataclass
class ParsedCritique:
    """A critique response: its reasoning, answer and binary judgement (None when unparsable)."""

    reasoning: str
    answer: str
    judgement: str | None  # "right" | "wrong" | None
    thinking: bool
    truncated: bool
    no_judgement: bool
    reasoning_chars: int
    reasoning_tokens: int | None


def split_reasoning(text: str, *, think_in_prompt: bool = False) -> tuple[str, str, bool, bool]:
    """``(reasoning, answer, thinking, cut_off)`` of a response; ``cut_off`` means the think block never closed."""
    close = text.find(THINK_CLOSE)
    if close >= 0:
        head = text[:close]
        start = head.find(THINK_OPEN)
        reasoning = head[start + len(THINK_OPEN):] if start >= 0 else head
        return reasoning.strip(), text[close + len(THINK_CLOSE):].strip(), True, False
    start = text.find(THINK_OPEN)
    if start >= 0:
        return text[start + len(THINK_OPEN):].strip(), "", True, True
    if think_in_prompt:
        return text.strip(), "", True, True
    return "", text.strip(), False, False


def _count(text: str, count_tokens: TokenCounter | None) -> int | None:
    if count_tokens is None:
        return None
    return count_tokens(text) if text else 0


def parse_solution(
    text: str,
    *,
    language: str | None = None,
    finish_reason: str | None = None,
    think_in_prompt: bool = False,
    count_tokens: TokenCounter | None = None,
) -> ParsedSolution:
    """Split a generation response; ``language`` ("python"/"cpp") restricts which fenced block is the code."""
    text = text or ""
    reasoning, answer, thinking, cut_off = split_reasoning(text, think_in_prompt=think_in_prompt)
    block = final_code_block(answer, language)
    truncated = cut_off or finish_reason == "length" or (block is not None and not block.terminated)
    return ParsedSolution(
        reasoning=reasoning,
        answer=answer,
        code=None if block is None else block.code,
        code_language=None if block is None else block.language,
        thinking=thinking,
        truncated=truncated,
        no_code=block is None or not block.code.strip(),
        reasoning_chars=len(reasoning),
        reasoning_tokens=_count(reasoning, count_tokens),
    )


def parse_judgement(answer: str) -> str | None:
    """``"right"``/``"wrong"`` from the last ``<judgment>``/``<judgement>`` tag of ``answer``; None otherwise."""
    matches = _JUDGEMENT.findall(answer or "")
    if not matches:
        return None
    value = matches[-1].strip().lower()
    return value if value in ("right", "wrong") else None


def parse_critique(
    text: str,
    *,
    finish_reason: str | None = None,
    think_in_prompt: bool = False,
    count_tokens: TokenCounter | None = None,
) -> ParsedCritique:
    """Split a critique response and read its judgement from the answer part."""
    text = text or ""
    reasoning, answer, thinking, cut_off = split_reasoning(text, think_in_prompt=think_in_prompt)
    judgement = parse_judgement(answer)
    return ParsedCritique(
        reasoning=reasoning,
        answer=answer,
        judgement=judgement,
        thinking=thinking,
        truncated=cut_off or finish_reason == "length",
        no_judgement=judgement is None,
        reasoning_chars=len(reasoning),
        reasoning_tokens=_count(reasoning, count_tokens),
    )
