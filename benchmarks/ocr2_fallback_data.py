"""A small training set in the released OCR-2 schema, built without a teacher model (the fallback for
``train_loop.py`` when running ``codecritique datagen`` with the bundled model is too slow on this machine).

What the rows are, honestly:
* ``question``: the statements of the 155 CodeContests problems in ``../shared/data/codecontests`` (each has one
  accepted human Python solution and <= 10 tests).
* ``r1_generation``: NOT a reasoning model's output: a short fixed ``<think>`` note followed by the accepted human
  solution in a ```python fence (the shape of an R1 response, with real, correct code).
* ``solution`` / ``qwq_critique`` / ``judgement``: two rows per problem: the problem's own human solution, and the
  human solution of another problem (a mismatched solution: wrong for this problem). The critique is a fixed
  template ending in ``<judgment>right</judgment>`` / ``<judgment>wrong</judgment>``: NOT a critic model's text; it
  teaches the format of Fig. 7's answer, not how to critique.
* ``pass_rate``: real: each solution judged by our sandboxed judge on all of the problem's tests (so the judgement
  "right" for a human solution that fails a test disagrees with execution, and ``--critique_filter agree`` drops it).

    python benchmarks/ocr2_fallback_data.py --out runs/loop/fallback-data [--problems 60]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO.parent / "shared" / "data" / "codecontests" / "codecontests_155_problems.jsonl"
THINK = ("<think>\nI read the input in the format the statement gives, compute what it asks for, and print the "
         "answer.\n</think>\n")


def critique(right: bool) -> str:
    if right:
        body = ("I check the code against the statement: it reads the input in the given format and computes the "
                "required output for it.")
    else:
        body = ("I check the code against the statement: it does not solve this problem; it reads a different "
                "input and computes something the statement does not ask for.")
    return (f"<think>\n{body}\n</think>\n{'The solution is correct.' if right else 'The solution is incorrect.'}"
            f"\n\n<judgment>{'right' if right else 'wrong'}</judgment>")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--problems", type=int, default=60, help="problems used (shortest statements first)")
    ap.add_argument("--max-chars", type=int, default=1800, help="statement + solution characters at most")
    args = ap.parse_args()
    if not SOURCE.is_file():
        sys.exit(f"{SOURCE} not found")
    from datasets import Dataset

    from codecritique.judge.engine import Judge, JudgeConfig, Submission
    from codecritique.problems.codecontests import read_codecontests_repo

    problems = read_codecontests_repo(SOURCE, [])
    problems = [p for p in problems if p.metadata.get("solutions") and p.statement]
    code = {p.id: p.metadata["solutions"][0]["code"] for p in problems}
    problems = [p for p in problems if len(p.statement) + len(code[p.id]) <= args.max_chars]
    problems.sort(key=lambda p: len(p.statement) + len(code[p.id]))
    problems = problems[: args.problems]
    rng = random.Random(0)
    other = {}
    for p in problems:
        choices = [q for q in problems if q.id != p.id]
        other[p.id] = rng.choice(choices).id
    subs = [Submission(p, code[p.id], "python", tag=(p.id, "own")) for p in problems]
    subs += [Submission(p, code[other[p.id]], "python", tag=(p.id, "other")) for p in problems]
    with Judge(JudgeConfig(all_tests=True)) as judge:
        results = judge.run(subs)
    rate = {s.tag: (r.tests_passed / r.tests_total if r.tests_total else None) for s, r in zip(subs, results)}
    rows = []
    for p in problems:
        for kind in ("own", "other"):
            sol = code[p.id] if kind == "own" else code[other[p.id]]
            pr = rate[(p.id, kind)]
            rows.append({
                "question": p.statement, "r1_generation": f"{THINK}```python\n{code[p.id].strip()}\n```",
                "qwq_critique": critique(kind == "own"), "solution": sol.strip(),
                "judgement": "right" if kind == "own" else "wrong",
                "pass_rate": "" if pr is None else repr(round(pr, 6)), "source": "codecontests",
                "license": "cc-by-4.0", "dataset": "code_contests", "split": "train", "difficulty": p.difficulty,
                "index": "", "id": f"{p.id}-{kind}", "question_id": p.id, "language": "python",
            })
    out = args.out / "data" / "python"
    out.mkdir(parents=True, exist_ok=True)
    # Stage I trains on one generation per problem: keep r1_generation on the "own" row only
    for r in rows:
        if r["id"].endswith("-other"):
            r["r1_generation"] = ""
    Dataset.from_list(rows).to_parquet(str(out / "train-00000-of-00001.parquet"))
    own_pass = sum(rate[(p.id, "own")] == 1.0 for p in problems)
    other_pass = sum(rate[(p.id, "other")] == 1.0 for p in problems)
    print(f"{len(rows)} rows for {len(problems)} problems -> {out}; human solutions passing all tests: "
          f"{own_pass}/{len(problems)}; mismatched solutions passing all tests: {other_pass}/{len(problems)}")


if __name__ == "__main__":
    main()
