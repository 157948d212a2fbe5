"""The question pool shipped with the package: every problem's tests pass its reference solution in the judge."""

from __future__ import annotations

from codecritique.datagen.questions import POOL_BENCHMARK_PATH, POOL_PATH
from codecritique.judge.engine import Judge, JudgeConfig, Submission
from codecritique.problems.load import load_problems


def test_every_pool_problem_passes_its_reference_solution():
    problems = load_problems(POOL_PATH)
    assert len(problems) >= 12
    assert len({p.id for p in problems}) == len(problems)
    assert sum(len(p.tests) >= 5 for p in problems) >= 0.75 * len(problems)  # most have pass rates
    subs = [Submission(p, p.metadata["solutions"][0]["code"], "python") for p in problems]
    with Judge(JudgeConfig(all_tests=True, sandbox="rlimit")) as judge:
        results = judge.run(subs)
    failed = [(p.id, r.verdict.value, r.message) for p, r in zip(problems, results) if not r.passed]
    assert not failed
    assert all(r.tests_passed == len(p.tests) for p, r in zip(problems, results))


def test_a_wrong_solution_fails_the_pool_tests():
    # the tests check something: a constant answer passes none of the sum problem's non-trivial tests
    p = next(p for p in load_problems(POOL_PATH) if p.id == "pool-sum-list")
    with Judge(JudgeConfig(all_tests=True, sandbox="rlimit")) as judge:
        (r,) = judge.run([Submission(p, "print(6)", "python")])
    assert not r.passed and r.tests_passed == 1


def test_benchmark_sample_loads():
    assert {p.id for p in load_problems(POOL_BENCHMARK_PATH)} == {"bench-pair-count", "bench-matrix-rotate"}
