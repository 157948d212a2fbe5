"""The critique-accuracy benchmark of the OCR-II paper's Appendix B: can a model tell an accepted human
solution from a rejected one?

Procedure (the paper's Appendix B), for each problem and each language:

1. **pick** one accepted and one rejected human solution, uniformly with a seeded generator
   (``random.Random(f"{seed}:{problem_id}:{language}")``, so a problem's pick does not depend on which other
   problems are in the run); a problem without both kinds in a language gives no pair in it;
2. **drop** a picked solution longer than ``max_solution_tokens`` (4096 in the paper, Qwen2.5 tokenizer) tokens of
   the given tokenizer. Picking happens first, then dropping, which is how the paper's counts come out (165 test
   problems -> 329 C++ samples: one C++ solution was dropped, not replaced);
3. **critique** each kept solution once with the Fig. 7 prompt (question = the problem statement as the dataset
   gives it; solution = the code in a fenced block) through any model backend, via :mod:`codecritique.llm.tasks` (every
   request is stored, so a killed run resumes);
4. **score**: a critique is correct iff its judgement matches the ground truth (accepted -> ``right``,
   rejected -> ``wrong``). An unparsable critique (no ``<judgment>right|wrong</judgment>`` in its answer) is counted
   separately *and* as incorrect in ``accuracy``: the paper does not say (Appendix B is silent), and this is the only
   choice that cannot inflate accuracy; ``accuracy_parsed`` is the accuracy over parsable critiques only.

Pair sources:

* CodeContests (the paper's setting): ``solutions`` / ``incorrect_solutions`` of each problem (loaded with
  ``with_solutions=True``). Language codes: ``python`` means Python 3 (code 3; add Python 2, code 1, with
  ``python2_as_python``), ``cpp`` is code 2; Java is not used (the paper reports Python and C++);
* DebugBench (``../shared/data/debugbench``, offline): per LeetCode problem (slug) and language, the accepted
  ``oracle_code`` and the ``buggy_code`` of its records (one record per implanted bug category).

Outputs (a whole run is :mod:`.bench_run`), in the run folder: ``config.json``, ``requests.jsonl`` (the request
store), ``items.jsonl`` (every picked solution, with its token count and whether it was dropped),
``results.jsonl`` (one line per critiqued solution: ground truth, judgement, correct, the critique),
``metrics.json`` and ``report.html``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CodecritiqueError
from ..llm.backend import Backend
from ..llm.tasks import CritiqueItem, PromptOptions, critique_solutions
from ..llm.types import SamplingParams, TokenCounter
from ..metrics.critique import Confusion
from ..metrics.records import Sample
from ..problems.model import Problem

LANGUAGES = ("python", "cpp")
SOURCES = ("debugbench", "codecontests", "code_contests")
LABELS = ("accepted", "rejected")
GROUND_TRUTH = {"accepted": "right", "rejected": "wrong"}
PAPER_MAX_TOKENS = 4096
_FENCE = {"python": "python", "cpp": "cpp"}


@dataclass
class Candidates:
    """The human solutions of one problem that a pair can be drawn from, per language."""

    problem_id: str
    question: str
    difficulty: str
    accepted: dict[str, list[str]] = field(default_factory=dict)  # language -> codes
    rejected: dict[str, list[str]] = field(default_factory=dict)
    refs: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (language, label) -> where each came from


@dataclass
class BenchItem:
    """One picked human solution."""

    problem_id: str
    language: str
    label: str  # "accepted" | "rejected"
    code: str
    difficulty: str
    ref: str  # where the solution came from ("solutions[12]", "double/3/two-sum:buggy_code", ...)
    question: str = field(repr=False, default="")
    tokens: int | None = None
    dropped: str = ""  # why it is not critiqued ("" = critiqued)

    @property
    def sample_index(self) -> int:
        """A stable index per (language, label) within the problem: request identity and per-critique seed."""
        return LANGUAGES.index(self.language) * 2 + LABELS.index(self.label)

    def to_dict(self, with_question: bool = False) -> dict[str, Any]:
        d = asdict(self)
        if not with_question:
            d.pop("question")
        return d


# ---------------------------------------------------------------------------------------------------------------
# pair sources


def codecontests_candidates(problems: Iterable[Problem], *, python2_as_python: bool = False) -> list[Candidates]:
    """Candidates from CodeContests problems loaded with their human solutions (``with_solutions=True``)."""
    python_codes = {"python3", "python2"} if python2_as_python else {"python3"}
    out = []
    for p in problems:
        if "solutions" not in p.metadata or "incorrect_solutions" not in p.metadata:
            raise CodecritiqueError(f"problem {p.id} carries no human solutions: load CodeContests with "
                                    f"with_solutions=True")
        c = Candidates(p.id, p.statement, p.difficulty or "unknown")
        for key, label in (("solutions", "accepted"), ("incorrect_solutions", "rejected")):
            for s in p.metadata[key]:
                lang = "python" if s["language"] in python_codes else "cpp" if s["language"] == "cpp" else None
                if lang is None:
                    continue
                getattr(c, label).setdefault(lang, []).append(s["code"])
                c.refs.setdefault((lang, label), []).append(f"{key}[{s['index']}] ({s['language']})")
        out.append(c)
    return out


def debugbench_candidates(path: str | Path, languages: Sequence[str] = LANGUAGES) -> list[Candidates]:
    """Candidates from DebugBench: per slug and language, its accepted solutions and its buggy variants."""
    from ..problems.debugbench import read_debugbench

    by_slug: dict[str, Candidates] = {}
    for lang in languages:
        for rec in read_debugbench(path, lang):
            c = by_slug.get(rec.slug)
            if c is None:
                c = by_slug[rec.slug] = Candidates(rec.slug, rec.statement(), rec.level or "unknown")
            for label, code, which in (("accepted", rec.oracle_code, "oracle_code"),
                                       ("rejected", rec.buggy_code, "buggy_code")):
                codes = getattr(c, label).setdefault(lang, [])
                if code not in codes:  # the accepted solution repeats across a slug's bug categories
                    codes.append(code)
                    c.refs.setdefault((lang, label), []).append(f"{rec.id}:{which}")
    return [by_slug[s] for s in sorted(by_slug)]


def select_pairs(candidates: Iterable[Candidates], *, seed: int = 0,
                 languages: Sequence[str] = LANGUAGES) -> list[BenchItem]:
    """One accepted and one rejected solution per problem and language, drawn uniformly (see the module
    docstring); problems lacking either kind in a language contribute nothing in it."""
    for lang in languages:
        if lang not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, got {lang!r}")
    items = []
    for c in candidates:
        for lang in languages:
            acc, rej = c.accepted.get(lang, []), c.rejected.get(lang, [])
            if not acc or not rej:
                continue
            rng = random.Random(f"{seed}:{c.problem_id}:{lang}")
            for label, codes in (("accepted", acc), ("rejected", rej)):
                k = rng.randrange(len(codes))
                items.append(BenchItem(c.problem_id, lang, label, codes[k], c.difficulty,
                                       c.refs[(lang, label)][k], question=c.question))
    return items


def apply_length_limit(items: Sequence[BenchItem], count_tokens: TokenCounter | None,
                       max_tokens: int | None = PAPER_MAX_TOKENS) -> None:
    """Count each solution's tokens and mark those over ``max_tokens`` as dropped (in place). Without a token
    counter nothing is dropped and ``tokens`` stays None (the report says so)."""
    for it in items:
        if count_tokens is not None:
            it.tokens = count_tokens(it.code)
            if max_tokens is not None and it.tokens > max_tokens:
                it.dropped = f"{it.tokens} tokens > {max_tokens}"


def limit_problems(items: Sequence[BenchItem], n: int | None, seed: int = 0) -> list[BenchItem]:
    """The items of ``n`` problems drawn uniformly with ``seed`` (all when n is None), in their original order."""
    if n is None:
        return list(items)
    ids = sorted({it.problem_id for it in items})
    keep = set(random.Random(f"{seed}:problems").sample(ids, min(n, len(ids))))
    return [it for it in items if it.problem_id in keep]


# ---------------------------------------------------------------------------------------------------------------
# critiquing and scoring


def critique_item(it: BenchItem) -> CritiqueItem:
    solution = f"```{_FENCE[it.language]}\n{it.code.rstrip()}\n```"
    return CritiqueItem(it.problem_id, it.sample_index, it.question, solution,
                        meta={"bench": "critique-accuracy", "language": it.language, "label": it.label})


async def critique_items(items: Sequence[BenchItem], backend: Backend, params: SamplingParams,
                         options: PromptOptions | None = None, count_tokens: TokenCounter | None = None) -> list:
    """One Fig. 7 critique per kept item, through :func:`codecritique.llm.tasks.critique_solutions`, in item order."""
    kept = [it for it in items if not it.dropped]
    return await critique_solutions([critique_item(it) for it in kept], backend, params, options, count_tokens)


def result_rows(items: Sequence[BenchItem], critiques: Sequence[Any]) -> list[dict[str, Any]]:
    """One row per critiqued item: ground truth, judgement, correct (unparsable = incorrect)."""
    kept = [it for it in items if not it.dropped]
    if len(kept) != len(critiques):
        raise ValueError(f"{len(kept)} items but {len(critiques)} critiques")
    rows = []
    for it, c in zip(kept, critiques):
        if (c.problem_id, c.sample_index) != (it.problem_id, it.sample_index):
            raise ValueError(f"critique {c.problem_id}#{c.sample_index} answers item {it.problem_id}#{it.sample_index}")
        truth = GROUND_TRUTH[it.label]
        rows.append({
            "problem_id": it.problem_id, "language": it.language, "label": it.label, "difficulty": it.difficulty,
            "ref": it.ref, "tokens": it.tokens, "ground_truth": truth, "judgement": c.judgement,
            "parsed": c.judgement is not None, "correct": c.judgement == truth,
            "finish_reason": c.finish_reason, "truncated": c.truncated, "critique": c.text,
            "critique_skipped": c.skipped, "code": it.code,
        })
    return rows


def _summary(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    samples = [Sample(r["problem_id"], i, r["difficulty"], r["label"] == "accepted", r["judgement"],
                      0 if r["judgement"] is not None else None) for i, r in enumerate(rows)]
    conf = Confusion.of(samples)
    n = len(rows)
    parsed = [r for r in rows if r["parsed"]]
    acc = [r for r in rows if r["label"] == "accepted"]
    rej = [r for r in rows if r["label"] == "rejected"]

    def rate(xs: Sequence[dict[str, Any]]) -> float | None:
        return sum(r["correct"] for r in xs) / len(xs) if xs else None

    return {
        "n": n,
        "correct": sum(r["correct"] for r in rows),
        "accuracy": rate(rows),
        "accuracy_parsed": rate(parsed),
        "unparsable": n - len(parsed),
        "accuracy_on_accepted": rate(acc),  # judged right when accepted (recall of "right")
        "accuracy_on_rejected": rate(rej),  # judged wrong when rejected
        "judged_right": sum(r["judgement"] == "right" for r in rows),
        "confusion": conf.to_dict(),
    }


def score(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Accuracy overall, per language, per difficulty and per (language, difficulty), with confusion matrices
    (``right`` = positive; ``tp`` = accepted judged right, ``fp`` = rejected judged right, ``fn`` = accepted judged
    wrong, ``tn`` = rejected judged wrong, and unparsable critiques by ground truth)."""
    by_lang: dict[str, list] = defaultdict(list)
    by_diff: dict[str, list] = defaultdict(list)
    by_both: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        by_lang[r["language"]].append(r)
        by_diff[r["difficulty"]].append(r)
        by_both[r["language"]][r["difficulty"]].append(r)
    return {
        "overall": _summary(rows),
        "by_language": {k: _summary(v) for k, v in sorted(by_lang.items(), key=lambda kv: LANGUAGES.index(kv[0]))},
        "by_difficulty": {k: _summary(v) for k, v in sorted(by_diff.items(), key=lambda kv: _difficulty_key(kv[0]))},
        "by_language_difficulty": {lang: {k: _summary(v) for k, v in sorted(d.items(),
                                                                            key=lambda kv: _difficulty_key(kv[0]))}
                                   for lang, d in sorted(by_both.items(), key=lambda kv: LANGUAGES.index(kv[0]))},
    }


def _difficulty_key(d: str) -> tuple[int, str]:
    order = {"easy": 0, "medium": 1, "hard": 2}
    return (order.get(d.lower(), 3 if d != "unknown" else 4), d)


def selection_summary(items: Sequence[BenchItem], candidates: Sequence[Candidates],
                      languages: Sequence[str]) -> dict[str, Any]:
    """How many problems and solutions went in, per language, and what was dropped."""
    out: dict[str, Any] = {"problems": len(candidates), "languages": {}}
    for lang in languages:
        mine = [it for it in items if it.language == lang]
        out["languages"][lang] = {
            "problems_with_pair": len({it.problem_id for it in mine}),
            "problems_without_pair": sum(1 for c in candidates if not (c.accepted.get(lang) and c.rejected.get(lang))),
            "picked": len(mine),
            "dropped": sum(1 for it in mine if it.dropped),
            "critiqued": sum(1 for it in mine if not it.dropped),
        }
    return out


def format_summary(metrics: dict[str, Any]) -> str:
    """A few lines for the terminal: accuracy per language and overall, unparsable counts."""
    lines = [f"{'':<10}{'solutions':>10}{'accuracy %':>12}{'parsed only %':>15}{'unparsable':>12}"]

    def line(name: str, s: dict[str, Any]) -> str:
        pct = lambda x: "-" if x is None else f"{100 * x:.1f}"  # noqa: E731
        return f"{name:<10}{s['n']:>10}{pct(s['accuracy']):>12}{pct(s['accuracy_parsed']):>15}{s['unparsable']:>12}"

    lines += [line(lang, s) for lang, s in metrics["by_language"].items()]
    lines.append(line("all", metrics["overall"]))
    return "\n".join(lines)
