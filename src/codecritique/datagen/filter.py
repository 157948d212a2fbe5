"""Stage 5, filter: the paper's structural checks on each generated solution (OCR-II §2.1.2), every drop counted.

In order, a sample is dropped for the first rule it breaks (the reason names the rule):

1. ``request failed``: the request failed for good (recorded with its error; retried by the next run).
2. ``no </think>``: the reasoning must sit inside ``<think>…</think>`` (an opening tag injected by the chat template
   may be missing, as the authors' filter allows). ``unclosed <think> (truncated)`` when it opened and never closed.
   With ``require_think=False`` (the embedded demo: the bundled model does not reason in tags) the whole response
   is the solution segment.
3. ``empty solution``: nothing after ``</think>``.
4. ``no {language} code block``: the solution segment has no fenced block of the language (untagged blocks count, as
   the code extraction everywhere in the project does); ``code block not closed`` when the last one never closes.
5. ``syntax error``: tree-sitter finds ERROR or MISSING nodes (:mod:`.syntax`).

``recipe=True`` adds the authors' released recipe rules (NeMo-Skills ``filter_code_samples``/``check_generation``):
a solution segment of at most 3 whitespace tokens or starting with a non-ASCII character, ``your code here``,
``#instruction#`` or ``#output#`` in it, the substring ``pass`` in the code, and for Python code containing ``def``
a failing ``ast.parse``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from codecritique.datagen.syntax import syntax_error
from codecritique.problems.extraction import final_code_block
from codecritique.llm.parsing import THINK_CLOSE, THINK_OPEN, parse_solution


@dataclass(frozen=True)
class FilterConfig:
    require_think: bool = True
    syntax_check: bool = True
    recipe: bool = False


@dataclass
class FilterOutcome:
    reason: str | None  # None: kept
    reasoning: str = ""
    answer: str = ""
    code: str = ""
    detail: str = ""


def check(response: str, language: str, config: FilterConfig, *, finish_reason: str | None = None) -> FilterOutcome:
    text = response or ""
    if config.require_think:
        if THINK_CLOSE not in text:
            return FilterOutcome("unclosed <think> (truncated)" if THINK_OPEN in text else "no </think>")
        parsed = parse_solution(text, language=language, finish_reason=finish_reason)
    else:
        body = text.split(THINK_CLOSE, 1)[1] if THINK_CLOSE in text else text
        parsed = parse_solution(body, language=language, finish_reason=finish_reason)
    answer = parsed.answer
    if not answer.strip():
        return FilterOutcome("empty solution", parsed.reasoning)
    if parsed.code is None or not parsed.code.strip():
        return FilterOutcome(f"no {language} code block", parsed.reasoning, answer)
    code = parsed.code
    if _unclosed_last_block(answer, language):
        return FilterOutcome("code block not closed", parsed.reasoning, answer, code)
    if config.recipe:
        reason = _recipe_reason(answer, code, language)
        if reason:
            return FilterOutcome(reason, parsed.reasoning, answer, code)
    if config.syntax_check:
        err = syntax_error(code, language)
        if err:
            return FilterOutcome("syntax error", parsed.reasoning, answer, code, err)
    return FilterOutcome(None, parsed.reasoning, answer, code)


def _unclosed_last_block(answer: str, language: str) -> bool:
    block = final_code_block(answer, language)
    return block is not None and not block.terminated


def _recipe_reason(answer: str, code: str, language: str) -> str | None:
    stripped = answer.strip()
    if len(stripped.split()) <= 3:
        return "recipe: 3 words or fewer"
    if not stripped[0].isascii():
        return "recipe: starts with a non-ASCII character"
    low = answer.lower()
    for marker in ("your code here", "#instruction#", "#output#"):
        if marker in low:
            return f"recipe: contains {marker!r}"
    if "pass" in code:
        return "recipe: code contains 'pass'"
    if language == "python" and "def" in code:
        try:
            ast.parse(code)
        except (SyntaxError, ValueError):
            return "recipe: ast.parse failed"
    return None


def filter_records(generations: list[dict[str, Any]], config: FilterConfig) -> tuple[list[dict[str, Any]],
                                                                                    dict[str, int]]:
    """The kept generation records (with ``reasoning``, ``answer``, ``code`` added) and the drop counts by reason.
    Each generation record has ``language``, ``response`` (None when the request failed) and ``finish_reason``."""
    kept, dropped = [], {}
    for g in generations:
        if g.get("error") or g.get("response") is None:
            reason: str | None = "request failed"
            outcome = None
        else:
            outcome = check(g["response"], g["language"], config, finish_reason=g.get("finish_reason"))
            reason = outcome.reason
        if reason is not None:
            dropped[reason] = dropped.get(reason, 0) + 1
            continue
        assert outcome is not None
        kept.append({**g, "reasoning": outcome.reasoning, "answer": outcome.answer, "code": outcome.code})
    return kept, dropped
