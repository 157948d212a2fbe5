"""Stage 7, execute: pass rates from the judge (OCR-II §2.1.4).

Only questions with at least ``min_tests`` (5) tests are executed; a question with more than ``max_tests`` (50) has
that many drawn at random, seeded by the run's seed and the question id (the same draw for every solution of the
question and on every rerun). The pass rate is the fraction of the drawn tests passed, every test run (the judge's
``all_tests``); the paper does not say whether its pass rate is this fraction or a 0/1 verdict, which the card
states. The question's own time and memory limits apply. A sample not executed has no pass rate (None, written as
an empty string in the released schema); one the judge could not run (system error) has none either, with the
error kept.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from codecritique.problems.model import Problem


@dataclass(frozen=True)
class ExecuteConfig:
    min_tests: int = 5
    max_tests: int = 50
    seed: int = 0
    workers: int = 0  # judge workers (0: one per core)
    sandbox: str = "bwrap"
    time_limit: float | None = None  # None: the question's
    memory_mb: int | None = None  # None: the question's


def drawn_tests(problem: Problem, config: ExecuteConfig) -> list[int] | None:
    """Indices of the tests this question is executed on, in test order; None when it has too few tests."""
    n = len(problem.tests)
    if n < config.min_tests:
        return None
    if n <= config.max_tests:
        return list(range(n))
    digest = hashlib.sha256(f"{config.seed}\0{problem.id}".encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "little"))
    return sorted(rng.sample(range(n), config.max_tests))


def execute_samples(samples: Sequence[dict[str, Any]], problems: dict[str, Problem], config: ExecuteConfig, *,
                    on_result: Callable[[int], None] | None = None) -> list[dict[str, Any]]:
    """One execution row per sample (``id``, ``question_id``, ``language``, ``code``): ``pass_rate`` (float or
    None), ``tests_passed``, ``tests_run``, ``verdict``, ``executed``, ``error``."""
    from codecritique.judge.engine import Judge, JudgeConfig, Submission

    rows: list[dict[str, Any] | None] = [None] * len(samples)
    subs, where = [], []
    for i, s in enumerate(samples):
        problem = problems[s["question_id"]]
        picked = drawn_tests(problem, config)
        if picked is None:
            rows[i] = _row(s, None, reason=f"fewer than {config.min_tests} tests ({len(problem.tests)})")
            continue
        sub_problem = replace(problem, tests=[problem.tests[j] for j in picked])
        subs.append(Submission(sub_problem, s["code"], s["language"], tag=i))
        where.append(i)
    if subs:
        jc = JudgeConfig(all_tests=True, workers=config.workers, sandbox=config.sandbox,
                         time_limit=config.time_limit, memory_mb=config.memory_mb)
        with Judge(jc) as judge:
            def done(k: int, sub: Any, result: Any) -> None:
                if on_result:
                    on_result(1)

            results = judge.run(subs, on_result=done)
        for i, sub, res in zip(where, subs, results):
            if res.verdict.value == "SE":
                rows[i] = _row(samples[i], None, verdict="SE", error=res.message or "judge system error")
                continue
            total = res.tests_total or len(sub.problem.tests)
            rate = res.tests_passed / total if total else 0.0
            rows[i] = _row(samples[i], rate, passed=res.tests_passed, run=total, verdict=res.verdict.value)
    return [r for r in rows if r is not None]


def _row(s: dict[str, Any], rate: float | None, *, passed: int | None = None, run: int | None = None,
         verdict: str = "", error: str = "", reason: str = "") -> dict[str, Any]:
    return {"id": s["id"], "question_id": s["question_id"], "language": s["language"], "pass_rate": rate,
            "tests_passed": passed, "tests_run": run, "verdict": verdict, "executed": rate is not None,
            "error": error, "not_executed": reason}
