"""Judging a file's worth of generations against a set of problems: what ``codecritique judge`` runs (the CLI adds
the pass@k summary from ``metrics.judge_summary``).

Results are appended to ``OUT.partial.jsonl`` as they arrive (one line per sample, flushed), so a run killed at any
point resumes where it stopped without judging anything twice; the final ``OUT`` (LiveCodeBench's ``eval_all``
shape plus per-sample verdicts) is written atomically at the end.

A system error (SE: the judge itself failed) is never a wrong answer: stored SE results are judged again when a run
resumes, samples still SE after the run are judged once more, and those that stay SE are left out of pass@1 and
pass@k and counted apart (``system_errors`` in the summary; the CLI exits non-zero unless ``--allow-se``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..io import write_json
from ..problems.model import Problem
from .config import JudgeConfig
from .engine import Judge, Submission
from .generations import Generations
from .verdict import SampleResult, Verdict

LCB_ERROR_CODES = {Verdict.WA: -2, Verdict.TLE: -3, Verdict.RE: -4, Verdict.MLE: -4, Verdict.OLE: -2,
                   Verdict.CE: -4, Verdict.SE: -5}


class MissingProblems(KeyError):
    """Generations for problem ids that are not among the problems."""

    def __init__(self, ids: list[str]):
        self.ids = ids
        super().__init__(f"{len(ids)} generation ids have no problem, e.g. {ids[:5]}")


def sample_key(problem_id: str, index: int, code: str) -> str:
    """A sample's identity in the partial file (problem, position, code)."""
    return hashlib.sha256(f"{problem_id}\0{index}\0{code}".encode("utf-8", "surrogateescape")).hexdigest()[:24]


def _load_partial(path: Path) -> dict[str, SampleResult]:
    done: dict[str, SampleResult] = {}
    if not path.exists():
        return done
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                rec = json.loads(line)
                res = SampleResult.from_dict(rec["result"])
            except (ValueError, KeyError):
                continue  # a torn last line from a crash: that sample is judged again
            if res.verdict is Verdict.SE:
                done.pop(rec["key"], None)  # the judge's own failure: judged again
            else:
                done[rec["key"]] = res
    return done


@dataclass
class Batch:
    """What a judging run has to do: every sample, with the results an interrupted earlier run left."""

    problems: dict[str, Problem]
    generations: dict[str, Generations]
    out: Path
    results: dict[tuple[str, int], SampleResult] = field(default_factory=dict)  # known already
    todo: list[tuple[str, int, str]] = field(default_factory=list)  # (problem id, sample index, code)

    @property
    def partial_path(self) -> Path:
        return self.out.with_name(self.out.name + ".partial.jsonl")

    @property
    def total(self) -> int:
        return sum(len(g.codes) for g in self.generations.values())


def plan_batch(problems: dict[str, Problem], generations: dict[str, Generations], out: str | Path) -> Batch:
    """The batch for ``out``; raises :class:`MissingProblems` if a generation's problem is not in ``problems``."""
    missing = sorted(set(generations) - set(problems))
    if missing:
        raise MissingProblems(missing)
    batch = Batch(problems, generations, Path(out))
    done = _load_partial(batch.partial_path)
    for pid, gens in generations.items():
        for i, code in enumerate(gens.codes):
            key = sample_key(pid, i, code)
            if key in done:
                batch.results[(pid, i)] = done[key]
            else:
                batch.todo.append((pid, i, code))
    return batch


def judge_batch(batch: Batch, config: JudgeConfig, progress: Callable[[int, int], None] | None = None,
                language: str | None = None) -> tuple[list[dict], dict]:
    """Judge what is left, write ``batch.out``; returns (records, the judge's record: isolation, checker and
    counters)."""
    problems, generations, results = batch.problems, batch.generations, batch.results
    total = batch.total
    finished = total - len(batch.todo)
    if progress:
        progress(finished, total)
    with Judge(config) as judge, open(batch.partial_path, "a", encoding="utf-8") as log:
        subs = [Submission(problems[pid], code, language=generations[pid].language or language or "python",
                           tag=(pid, i)) for pid, i, code in batch.todo]

        def on_result(_: int, sub: Submission, res: SampleResult) -> None:
            nonlocal finished
            pid, i = sub.tag
            results[(pid, i)] = res
            log.write(json.dumps({"key": sample_key(pid, i, sub.code), "result": res.to_dict()}) + "\n")
            log.flush()
            finished += 1
            if progress:
                progress(finished, total)

        judge.run(subs, on_result=on_result)
        retry = [s for s in subs if results[s.tag].verdict is Verdict.SE]
        if retry:  # once more: a transient failure of the judge must not decide a sample
            judge.run(retry, on_result=on_result)
        isolation = judge.isolation
        stats = dict(judge.stats)
    records = build_records(problems, generations, results, isolation)
    write_json(batch.out, records)
    batch.partial_path.unlink(missing_ok=True)
    return records, {"isolation": isolation, "checker": config.checker, **stats}


def judge_generations(problems: dict[str, Problem], generations: dict[str, Generations], config: JudgeConfig,
                      out: str | Path, progress: Callable[[int, int], None] | None = None,
                      language: str | None = None) -> tuple[list[dict], dict]:
    """:func:`plan_batch` then :func:`judge_batch`."""
    return judge_batch(plan_batch(problems, generations, out), config, progress=progress, language=language)


def build_records(problems: dict[str, Problem], generations: dict[str, Generations],
                  results: dict[tuple[str, int], SampleResult], isolation: str) -> list[dict]:
    records = []
    for pid, gens in generations.items():
        p = problems[pid]
        res = [results[(pid, i)] for i in range(len(gens.codes))]
        graded = [r.passed for r in res]
        rec = {
            "question_id": pid,
            "question_title": p.title,
            "platform": p.platform,
            "difficulty": p.difficulty,
            "contest_date": p.contest_date,
            "code_list": gens.codes,
            "graded_list": graded,
            "pass@1": sum(graded) / len(graded) if graded else 0.0,
            "metadata": [json.dumps(_lcb_metadata(r)) for r in res],
            "verdicts": [r.to_dict() for r in res],
            "sandbox": isolation,
        }
        if gens.outputs is not None:
            rec["output_list"] = gens.outputs
        records.append(rec)
    return records


def _lcb_metadata(r: SampleResult) -> dict:
    if r.passed:
        return {"execution time": r.cpu_time}
    return {"error_code": LCB_ERROR_CODES.get(r.verdict, -1), "error_message": f"{r.verdict.value}: {r.message}",
            "failed_test": r.failed_test}
