"""Reusable LLM tasks: generate solutions with the Figure 6 prompt, critique solutions with the Figure 7 prompt (the
paper, OpenCodeReasoning-II §3 and Figures 6-7). Every request goes through the backend's store, so a killed run
resumes without repeating finished requests.

Both tasks take plain items and return plain records. `codecritique run` and `critique-bench` (critique/) and the
dataset pipeline (datagen/) use them the same way; none of them needs the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace

from .parsing import parse_critique, parse_solution
from .prompts import critique_messages, generation_messages, problem_question, solution_for_critique
from .backend import Backend
from .types import SamplingParams, TokenCounter
from ..problems.model import Problem



@dataclass
class PromptOptions:
    """How prompts are built (the paper's Figures 6-7; the question formatting of the authors' evaluation)."""

    question_format: str = "lcb"  # LiveCodeBench's question formatting, as the authors' evaluation uses it
    cpp_comment: str = "ns"  # "ns": `// Your code here` (NeMo-Skills); "paper": `# Your code here` (Fig. 6)
    generation_template: str | None = None  # a file overriding the built-in Fig. 6 template
    critique_template: str | None = None  # a file overriding the built-in Fig. 7 template
    solution_mode: str = "code"  # what fills {solution}: the final code ("code") or the whole answer ("answer")
    think_in_prompt: bool = False  # the chat template opens <think> itself (R1-style)


@dataclass
class GeneratedSolution:
    problem_id: str
    sample_index: int
    language: str
    response: str
    finish_reason: str | None
    code: str | None
    reasoning_tokens: int | None
    completion_tokens: int | None
    truncated: bool
    no_code: bool

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class CritiqueItem:
    """One solution to critique: the question it answers and the text that fills {solution}."""

    problem_id: str
    sample_index: int
    question: str
    solution: str | None  # None: nothing to critique (no code), recorded as an unparsable critique
    meta: dict = field(default_factory=dict)


@dataclass
class Critique:
    problem_id: str
    sample_index: int
    text: str
    judgement: str | None  # "right" | "wrong" | None (unparsable or nothing to critique)
    reasoning_tokens: int | None  # of the <think> block; for a model that does not think, of the critique text
    reasoning_unit: str  # "tokens" or "chars" (no tokenizer available)
    finish_reason: str | None
    truncated: bool
    skipped: str = ""  # why no critique was asked for

    def to_dict(self) -> dict:
        return asdict(self)


def _length(text: str, count_tokens: TokenCounter | None) -> tuple[int, str]:
    return (count_tokens(text), "tokens") if count_tokens else (len(text), "chars")


async def generate_solutions(problems: Sequence[Problem], backend: Backend, k: int, params: SamplingParams,
                             language: str = "python", options: PromptOptions | None = None,
                             count_tokens: TokenCounter | None = None) -> list[GeneratedSolution]:
    """k solutions per problem with the Fig. 6 prompt; all problems are requested concurrently (the backend
    bounds the concurrency)."""
    options = options or PromptOptions()

    async def one(problem: Problem) -> list[GeneratedSolution]:
        messages = generation_messages(problem, language, question_format=options.question_format,
                                       template=options.generation_template, cpp_comment=options.cpp_comment)
        completions = await backend.generate(messages, n=k, params=params,
                                             meta={"stage": "generate", "problem_id": problem.id})
        out = []
        for c in completions:
            parsed = parse_solution(c.text, language=language, finish_reason=c.finish_reason,
                                    think_in_prompt=options.think_in_prompt, count_tokens=count_tokens)
            out.append(GeneratedSolution(problem.id, c.sample_index, language, c.text, c.finish_reason, parsed.code,
                                         parsed.reasoning_tokens, c.completion_tokens, parsed.truncated,
                                         parsed.no_code))
        return out

    batches = await asyncio.gather(*(one(p) for p in problems))
    return [s for batch in batches for s in batch]


def critique_items(problems: dict[str, Problem], solutions: Sequence[GeneratedSolution],
                   options: PromptOptions | None = None) -> list[CritiqueItem]:
    """What to critique for each generated solution: the same question it was generated from, and its code."""
    options = options or PromptOptions()
    questions: dict[tuple[str, str], str] = {}
    items = []
    for s in solutions:
        key = (s.problem_id, s.language)
        if key not in questions:
            questions[key] = problem_question(problems[s.problem_id], s.language, options.question_format)
        solution = solution_for_critique(s.response, s.language, options.solution_mode)
        items.append(CritiqueItem(s.problem_id, s.sample_index, questions[key], solution))
    return items


async def critique_solutions(items: Sequence[CritiqueItem], backend: Backend, params: SamplingParams,
                             options: PromptOptions | None = None,
                             count_tokens: TokenCounter | None = None) -> list[Critique]:
    """One Fig. 7 critique per item, concurrently. Items with nothing to critique get judgement None."""
    options = options or PromptOptions()

    async def one(item: CritiqueItem) -> Critique:
        if item.solution is None:
            return Critique(item.problem_id, item.sample_index, "", None, None, "tokens" if count_tokens else "chars",
                            None, False, skipped="no code to critique")
        messages = critique_messages(item.question, item.solution, template=options.critique_template)
        meta = {"stage": "critique", "problem_id": item.problem_id, "sample_index": item.sample_index, **item.meta}
        # each solution gets its own sampled critique, even when two solutions are identical
        own = replace(params, seed=params.seed_for(item.sample_index))
        (c,) = await backend.generate(messages, n=1, params=own, meta=meta)
        parsed = parse_critique(c.text, finish_reason=c.finish_reason, think_in_prompt=options.think_in_prompt)
        # the paper ranks by the length of the critique's reasoning trace; a model that does not think has only
        # its critique text
        length, unit = _length(parsed.reasoning if parsed.thinking else parsed.answer, count_tokens)
        return Critique(item.problem_id, item.sample_index, c.text, parsed.judgement, length, unit, c.finish_reason,
                        parsed.truncated)

    return list(await asyncio.gather(*(one(i) for i in items)))
