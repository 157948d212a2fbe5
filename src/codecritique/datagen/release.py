"""``--from-release SRC``: rows of the published ``nvidia/OpenCodeReasoning-2``, their questions rebuilt, as datagen
samples, so that the execute stage fills the pass rates the release lacks (about 40% of its rows) or the critique
stage re-critiques them with another model.

:func:`release_samples` turns OCR-2 rows (:mod:`codecritique.problems.ocr2`) into the three record kinds the later
stages read: question records (with the source row's tests, which execution needs), samples (the release's
``r1_generation`` and ``solution``) and the release's own critiques (``qwq_critique`` and ``judgement``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from codecritique.datagen.questions import question_record
from codecritique.problems.extraction import extract_code


def release_samples(path: str, *, language: str | None = None, sources: Mapping[str, str] | None = None,
                    with_tests: bool = True, hub_offline: bool = True,
                    limit: int = 0) -> tuple[list[dict], list[dict], list[dict], dict[str, Any]]:
    from codecritique.problems.hub import HubOptions
    from codecritique.problems.ocr2 import SourceRows, question_problems, read_ocr2, rebuild_questions

    rows = read_ocr2(path, language=language)
    if limit:
        rows = rows[:limit]
    src = SourceRows(sources or {}, HubOptions(offline=hub_offline) if not sources else None)
    rebuild_questions(rows, src)
    problems = {p.id: p for p in question_problems(rows, src if with_tests else None, with_tests=with_tests)}
    questions, seen = [], set()
    samples, critiques = [], []
    per_q: dict[tuple[str, str], int] = {}
    dropped: dict[str, int] = {}
    for r in rows:
        if r.language not in ("python", "cpp"):
            dropped["unknown language"] = dropped.get("unknown language", 0) + 1
            continue
        if r.question_id not in seen:
            seen.add(r.question_id)
            p = problems[r.question_id]
            q = question_record(p, dataset=r.dataset, split=r.split, index=r.index)
            q["source"], q["license"] = r.source, r.license
            questions.append(q)
        code = extract_code(r.solution, r.language) if "```" in r.solution else r.solution
        if not code or not code.strip():
            dropped["no code"] = dropped.get("no code", 0) + 1
            continue
        k = per_q.get((r.question_id, r.language), 0)
        per_q[(r.question_id, r.language)] = k + 1
        samples.append({"id": r.id, "question_id": r.question_id, "language": r.language, "sample_index": k,
                        "model": "DeepSeek-R1 (OCR-2 release)", "response": r.r1_generation, "code": code,
                        "finish_reason": "", "completion_tokens": None, "error": "",
                        "release_pass_rate": r.pass_rate})
        judgement = r.judgement.strip().lower() if r.judgement else None
        critiques.append({"id": r.id, "critique": r.qwq_critique, "judgement": judgement if judgement in (
            "right", "wrong") else None, "forced": False, "p_right": None, "finish_reason": "",
            "completion_tokens": None, "model": "QwQ-32B (OCR-2 release)", "error": ""})
    stats = {"rows": len(rows), "questions": len(questions), "samples": len(samples), "dropped": dropped,
             "with_release_pass_rate": sum(1 for s in samples if s["release_pass_rate"] not in ("", None))}
    return questions, samples, critiques, stats
