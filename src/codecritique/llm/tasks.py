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


# ---------------------------------------------------------------- model-written tests


@dataclass
class GeneratedTestSample:
    """One response to the test-generation prompt, parsed (:mod:`.test_generation`)."""

    problem_id: str
    sample_index: int
    kind: str  # "stdin" (inputs only) | "functional" (assert lines)
    entry_point: str | None
    tests: list[str]  # inputs or asserts, in order, duplicates kept
    found: int  # candidates seen in the response
    dropped: dict[str, int]  # why the others were not kept
    response: str
    finish_reason: str | None

    def to_dict(self) -> dict:
        return asdict(self)


async def generate_tests(problems: Sequence[Problem], backend: Backend, samples: int, params: SamplingParams,
                         n_tests: int, template: str | None = None) -> list[GeneratedTestSample]:
    """``samples`` responses per problem to the test-generation prompt asking for ``n_tests`` tests, each parsed
    (never raising on broken output: what cannot be used is counted in ``dropped``). Problems that are neither
    stdin nor functional are skipped."""
    from .test_generation import entry_point, parse_tests, generated_test_messages, generated_test_kind

    async def one(problem: Problem) -> list[GeneratedTestSample]:
        kind = generated_test_kind(problem)
        if kind is None:
            return []
        messages = generated_test_messages(problem, n_tests, template=template)
        completions = await backend.generate(messages, n=samples, params=params,
                                             meta={"stage": "testgen", "problem_id": problem.id})
        fn = entry_point(problem)
        out = []
        for c in completions:
            parsed = parse_tests(c.text, kind, fn, n_tests)
            out.append(GeneratedTestSample(problem.id, c.sample_index, kind, fn, parsed.tests, parsed.found,
                                           parsed.dropped, c.text, c.finish_reason))
        return out

    batches = await asyncio.gather(*(one(p) for p in problems))
    return [s for batch in batches for s in batch]


# ---------------------------------------------------------------- P(right) of a judgement


FORCED_CHOICE_VERSION = 1  # part of each stored score's key: bump when the scoring changes


def _choice_request(model: str, method: str, messages: list, critique: str) -> dict:
    return {"model": model, "endpoint": f"forced-choice:{method}", "payload": {"messages": messages,
                                                                               "critique": critique},
            "params": {"options": ["right", "wrong"], "version": FORCED_CHOICE_VERSION}, "sample_index": 0}


async def judgement_p_right(items: Sequence[CritiqueItem], critiques: Sequence[Critique], backend: Backend,
                            store=None, options: PromptOptions | None = None, concurrency: int = 16,
                            on_score=None) -> list[float | None]:
    """``P(right)`` of each critique's judgement: the probability of ``right`` against ``wrong`` right after the
    critique text and ``<judgment>`` (:mod:`.forced_choice`), whatever judgement the critique wrote.

    * a local transformers model (``choice_logprobs``): both continuations scored in one forward pass;
    * an OpenAI-compatible endpoint: one request continuing the critique with ``max_tokens=1``, ``logprobs`` and
      ``top_logprobs`` on the judgement token; None when the server returns no log-probabilities or neither word is
      among them (not every server can continue an assistant message or return log-probabilities: ``transformers
      serve`` refuses ``continue_final_message`` with 422 and returns ``logprobs: null``). One critique is scored
      first; when it gets no score, the others are not asked (every score is then None).

    Each score is persisted in ``store`` (a :class:`~.store.Store`; keyed by model, messages and critique) as it is
    computed, so a resumed run scores only what is missing. Critiques with no text (nothing was critiqued) get None.
    ``on_score(cached)`` is called after each critique scored (or read back from the store).
    """
    import json

    from .forced_choice import endpoint_p_right, p_right_from_logprobs
    from .store import request_key

    options = options or PromptOptions()
    local = hasattr(backend, "choice_logprobs")
    client = getattr(backend, "openai_client", None)
    method = "local" if local else "endpoint"
    gate = asyncio.Semaphore(concurrency)

    async def one(item: CritiqueItem, crit: Critique) -> float | None:
        if item.solution is None or not crit.text:
            return None
        messages = critique_messages(item.question, item.solution, template=options.critique_template)
        request = _choice_request(backend.model, method, messages, crit.text)
        key = request_key(request)
        stored = store.get(key) if store is not None else None
        if stored is not None:
            if on_score:
                on_score(True)
            return json.loads(stored.text)["p_right"]
        if local:
            right, wrong = await asyncio.to_thread(backend.choice_logprobs, messages, crit.text)  # type: ignore
            p, extra = p_right_from_logprobs(right, wrong), {"logprobs": [right, wrong]}
        elif client is not None:
            async with gate:
                try:
                    p, extra = await endpoint_p_right(client(), backend.model, messages, crit.text), {}
                except Exception as e:  # noqa: BLE001 - no score; a refusal of the request itself is remembered
                    status = getattr(e, "status_code", None)
                    if not (isinstance(status, int) and 400 <= status < 500 and status not in (408, 409, 429)):
                        if on_score:
                            on_score(False)
                        return None  # down or overloaded: asked again by the next run
                    p, extra = None, {"error": f"{type(e).__name__}: {str(e)[:200]}"}
        else:
            return None
        if store is not None:
            from .types import Completion

            await store.aput(request, Completion(text=json.dumps({"p_right": p, **extra}), key=key, model=backend.model),
                             {"stage": "p_right", "problem_id": item.problem_id, "sample_index": item.sample_index})
        if on_score:
            on_score(False)
        return p

    by_key = {(c.problem_id, c.sample_index): c for c in critiques}
    pairs = [(i, by_key[(i.problem_id, i.sample_index)]) for i in items]
    if local or not pairs:
        return list(await asyncio.gather(*(one(i, c) for i, c in pairs)))
    # an endpoint: score one critique first; a server that gives no log-probabilities (or refuses to continue an
    # assistant message) is not asked once per critique
    first = next((n for n, (i, c) in enumerate(pairs) if i.solution is not None and c.text), None)
    if first is None:
        return [None] * len(pairs)
    probe = await one(*pairs[first])
    if probe is None:
        if on_score:
            for _ in range(sum(1 for i, c in pairs if i.solution is not None and c.text) - 1):
                on_score(False)
        return [None] * len(pairs)
    rest = await asyncio.gather(*(one(i, c) for n, (i, c) in enumerate(pairs) if n != first))
    out = list(rest)
    out.insert(first, probe)
    return out
