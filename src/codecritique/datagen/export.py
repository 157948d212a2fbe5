"""Stage 8, export: Parquet in the released OCR-2 schema plus our own columns.

``RELEASED_FIELDS`` are the 14 string fields of ``nvidia/OpenCodeReasoning-2`` (in the release's order), written as
strings exactly as the release types them; ``EXTRA_FIELDS`` follow, typed. One folder per language (the release's
``python``/``cpp`` splits): ``data/python/train-00000-of-00004.parquet`` ..., which
``datasets.load_dataset("parquet", data_files={"python": "DIR/data/python/*.parquet"})`` and
``load_dataset(DIR)`` (through the card's ``configs``) read as they are.

Differences from the release, all deliberate and stated in the card: ``question`` holds the question text (the
release writes the placeholder ``"-"`` and expects it rebuilt from dataset/split/index); ``pass_rate`` is the
fraction of tests passed as a decimal string, ``""`` where not executed; ``solution`` is the extracted code without
its fence.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

RELEASED_FIELDS = ("question", "r1_generation", "qwq_critique", "solution", "judgement", "pass_rate", "source",
                   "license", "dataset", "split", "difficulty", "index", "id", "question_id")
# name -> pyarrow type name, description
EXTRA_FIELDS: dict[str, tuple[str, str]] = {
    "language": ("string", "python or cpp (the release's split)"),
    "sample_index": ("int32", "which of the question's samples in this language"),
    "teacher_model": ("string", "the model that wrote r1_generation"),
    "critic_model": ("string", "the model that wrote qwq_critique"),
    "generation_finish_reason": ("string", "the server's finish reason for the solution"),
    "generation_tokens": ("int32", "completion tokens of the solution (null if unknown)"),
    "critique_finish_reason": ("string", "the server's finish reason for the critique"),
    "critique_tokens": ("int32", "completion tokens of the critique (null if unknown)"),
    "judgement_forced": ("bool_", "the critic wrote no binary judgement tag; judgement is the forced choice"),
    "p_right": ("float64", "P(right) / (P(right) + P(wrong)) after the critique and <judgment> (null if unknown)"),
    "pass_rate_value": ("float64", "pass_rate as a number (null where not executed)"),
    "tests_passed": ("int32", "tests passed (null where not executed)"),
    "tests_run": ("int32", "tests executed: all of the question's, at most 50 drawn (null where not executed)"),
    "verdict": ("string", "the judge's verdict on the first failing test (AC when all passed; empty if not run)"),
    "think_required": ("bool_", "whether the filter required the <think>...</think> structure"),
}


def sample_id(question_id: str, language: str, sample_index: int, teacher: str, seed: int) -> str:
    """A stable 32-hex-digit id of one sample (the release's ids are hex digests too)."""
    blob = f"{question_id}\0{language}\0{sample_index}\0{teacher}\0{seed}".encode()
    return hashlib.sha256(blob).hexdigest()[:32]


def schema() -> Any:
    import pyarrow as pa

    fields = [pa.field(name, pa.string()) for name in RELEASED_FIELDS]
    fields += [pa.field(name, getattr(pa, kind)()) for name, (kind, _) in EXTRA_FIELDS.items()]
    return pa.schema(fields)


def _fmt_rate(rate: float | None) -> str:
    return "" if rate is None else repr(round(float(rate), 6))


def export_row(q: dict[str, Any], gen: dict[str, Any], crit: dict[str, Any],
               exe: dict[str, Any] | None, *, think_required: bool) -> dict[str, Any]:
    rate = exe.get("pass_rate") if exe else None
    return {
        "question": q["question"],
        "r1_generation": gen["response"],
        "qwq_critique": crit["critique"],
        "solution": gen["code"],
        "judgement": crit["judgement"],
        "pass_rate": _fmt_rate(rate),
        "source": str(q.get("source", "")),
        "license": str(q.get("license", "")),
        "dataset": str(q.get("dataset", "")),
        "split": str(q.get("split", "")),
        "difficulty": str(q.get("difficulty", "")),
        "index": str(q.get("index", "")),
        "id": gen["id"],
        "question_id": str(q["question_id"]),
        "language": gen["language"],
        "sample_index": int(gen["sample_index"]),
        "teacher_model": gen.get("model", ""),
        "critic_model": crit.get("model", ""),
        "generation_finish_reason": gen.get("finish_reason") or "",
        "generation_tokens": gen.get("completion_tokens"),
        "critique_finish_reason": crit.get("finish_reason") or "",
        "critique_tokens": crit.get("completion_tokens"),
        "judgement_forced": bool(crit.get("forced", False)),
        "p_right": crit.get("p_right"),
        "pass_rate_value": rate,
        "tests_passed": exe.get("tests_passed") if exe else None,
        "tests_run": exe.get("tests_run") if exe else None,
        "verdict": (exe.get("verdict") or "") if exe else "",
        "think_required": think_required,
    }


def write_parquet(path: str | Path, rows: Iterable[dict[str, Any]]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = list(rows)
    sch = schema()
    table = pa.Table.from_pylist(rows, schema=sch) if rows else sch.empty_table()
    pq.write_table(table, str(path), compression="zstd")
    return len(rows)
