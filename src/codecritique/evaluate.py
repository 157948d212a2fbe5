"""Judge a file of generations against a set of problems and summarize: what ``codecritique judge`` does.

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
import os
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .io import write_json
from .judge.engine import Judge, JudgeConfig, Submission
from .judge.generations import Generations
from .judge.verdict import SampleResult, Verdict
from .metrics.passk import pass_at_k
from .problems.model import Problem

LCB_ERROR_CODES = {Verdict.WA: -2, Verdict.TLE: -3, Verdict.RE: -4, Verdict.MLE: -4, Verdict.OLE: -2,
                   Verdict.CE: -4, Verdict.SE: -5}


@dataclass
class SampleOutcome:
    problem_id: str
    index: int
    code: str
    result: SampleResult


def _sample_key(problem_id: str, index: int, code: str) -> str:
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


def judge_generations(problems: dict[str, Problem], generations: dict[str, Generations], config: JudgeConfig,
                      out: str | Path, progress: Callable[[int, int], None] | None = None,
                      language: str | None = None) -> tuple[list[dict], dict]:
    """Judge everything, write ``out``; returns (records, summary)."""
    out = Path(out)
    partial_path = out.with_name(out.name + ".partial.jsonl")
    done = _load_partial(partial_path)
    missing = sorted(set(generations) - set(problems))
    if missing:
        raise KeyError(f"{len(missing)} generation ids have no problem, e.g. {missing[:5]}")
    todo: list[tuple[str, int, str]] = []
    results: dict[tuple[str, int], SampleResult] = {}
    for pid, gens in generations.items():
        for i, code in enumerate(gens.codes):
            key = _sample_key(pid, i, code)
            if key in done:
                results[(pid, i)] = done[key]
            else:
                todo.append((pid, i, code))
    total = sum(len(g.codes) for g in generations.values())
    finished = total - len(todo)
    if progress:
        progress(finished, total)
    with Judge(config) as judge, open(partial_path, "a", encoding="utf-8") as log:
        subs = [Submission(problems[pid], code, language=generations[pid].language or language or "python",
                           tag=(pid, i)) for pid, i, code in todo]

        def on_result(_: int, sub: Submission, res: SampleResult) -> None:
            nonlocal finished
            pid, i = sub.tag
            results[(pid, i)] = res
            log.write(json.dumps({"key": _sample_key(pid, i, sub.code), "result": res.to_dict()}) + "\n")
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
    write_json(out, records)
    partial_path.unlink(missing_ok=True)
    summary = summarize(records)
    summary["judge"] = {"isolation": isolation, "checker": config.checker, **stats}
    return records, summary


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


def summarize(records: list[dict]) -> dict:
    """pass@1 (mean over samples), unbiased pass@k for k = 1, 5, 10, ... up to the smallest n, verdict counts;
    overall and by difficulty."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for rec in records:
        groups["overall"].append(rec)
        groups[rec.get("difficulty") or "unknown"].append(rec)
    return {name: _group_summary(recs) for name, recs in groups.items()}


def _judged(rec: dict) -> list[bool]:
    """The graded samples of a record without its system errors (which are no verdict on the solution)."""
    return [g for g, v in zip(rec["graded_list"], rec["verdicts"]) if v["verdict"] != Verdict.SE.value]


def _group_summary(records: list[dict]) -> dict:
    verdicts = Counter(v["verdict"] for r in records for v in r["verdicts"])
    se = verdicts.get(Verdict.SE.value, 0)
    graded = [g for g in (_judged(r) for r in records) if g]
    ns = [len(g) for g in graded]
    if not ns:
        return {"n_problems": len(records), "n_samples": 0, "system_errors": se,
                "verdicts": dict(sorted(verdicts.items()))}
    n_min = min(ns)
    ks = [k for k in (1, 5, 10, 20, 50, 100) if k <= n_min] + ([n_min] if n_min not in (1, 5, 10, 20, 50, 100)
                                                               else [])
    passk = {}
    for k in sorted(set(ks)):
        vals = [pass_at_k(len(g), sum(g), k) for g in graded]
        passk[f"pass@{k}"] = sum(vals) / len(vals)
    pass1 = [sum(g) / len(g) for g in graded]
    return {"n_problems": len(graded), "n_samples": sum(ns), "pass@1": sum(pass1) / len(pass1), **passk,
            "system_errors": se, "verdicts": dict(sorted(verdicts.items()))}
