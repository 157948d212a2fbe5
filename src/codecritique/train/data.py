"""Training rows from ``codecritique datagen`` output and the published ``nvidia/OpenCodeReasoning-2`` rows, and the
chat examples each stage trains on.

A source is a folder or file of Parquet (read with ``datasets``), JSONL or Arrow shards in the released OCR-2 schema
(the 14 string fields of the Hugging Face dataset nvidia/OpenCodeReasoning-2) plus, optionally, datagen's extra
columns (``language`` is used when present). A row's language is its ``language`` column, else the split its path
names (``.../python/...``, ``.../cpp/...``), else the fence of its ``solution``, else Python. A ``question`` that is
the release's placeholder ``"-"`` is rebuilt from ``dataset``/``split``/``index`` with
:func:`codecritique.problems.ocr2.rebuild_questions` (it needs the source datasets: ``SourceRows``).

Examples (:class:`Example`) are conversational prompt/completion pairs: ``prompt`` = an empty system turn and the
user turn (Fig. 6 generation prompt with the question, or Fig. 7 critique prompt with the question and the solution),
``completion`` = the teacher's whole response (``r1_generation`` or ``qwq_critique``, reasoning included).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codecritique.errors import DataError
from codecritique.llm.parsing import parse_judgement
from codecritique.llm.prompts import critique_messages, generation_messages
from codecritique.problems.records import Record
from codecritique.problems.tables import iter_rows, table_files
from codecritique.train.config import DataConfig

PLACEHOLDER = "-"
TEXT_FIELDS = ("question", "r1_generation", "qwq_critique", "solution", "judgement", "pass_rate", "source",
               "license", "dataset", "split", "difficulty", "index", "id", "question_id")


@dataclass
class TrainRow:
    """One question-solution-critique sample (the OCR-2 fields a stage needs)."""

    id: str
    question_id: str
    question: str
    language: str
    r1_generation: str = ""
    qwq_critique: str = ""
    solution: str = ""
    judgement: str = ""
    pass_rate: float | None = None
    judgement_forced: bool = False  # datagen: the critic wrote no tag; judgement is its forced choice
    where: str = ""  # "path:line" for error messages


@dataclass
class Example:
    kind: str  # "generation" | "critique"
    id: str
    prompt: list[dict[str, str]]
    completion: list[dict[str, str]]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "prompt": self.prompt, "completion": self.completion}


@dataclass
class DataStats:
    rows: int = 0
    dropped: Counter = field(default_factory=Counter)  # reason -> rows
    examples: Counter = field(default_factory=Counter)  # kind -> examples

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "dropped": dict(self.dropped), "examples": dict(self.examples)}


# ---------------------------------------------------------------- reading


def _records(path: Path) -> Iterator[Record]:
    """Rows of one source: Parquet through ``datasets`` (the format datagen writes), anything else through
    problems.tables. A folder holding Parquet files is read for those only (a datagen output folder also holds
    its stages' JSONL files)."""
    files = table_files(path)
    parquet = [f for f in files if f.suffix == ".parquet"]
    others = [] if parquet else files
    if parquet:
        from datasets import load_dataset

        for f in parquet:
            try:
                ds = load_dataset("parquet", data_files=str(f), split="train")
            except Exception as e:  # pyarrow/datasets raise many types for a broken file
                raise DataError(str(f), f"cannot read Parquet: {e}") from None
            for i, row in enumerate(ds):
                yield Record(str(f), i + 1, row)
    for f in others:
        yield from iter_rows(f)


def _language(rec: Record) -> str:
    value = rec.data.get("language")
    if isinstance(value, str) and value:
        return value.lower()
    parts = [p.lower() for p in Path(rec.path).parts]
    for lang in ("python", "cpp"):
        if lang in parts or any(p.startswith((f"{lang}-", f"{lang}.", f"{lang}_")) for p in parts):
            return lang
    solution = rec.data.get("solution") or ""
    if isinstance(solution, str) and ("```cpp" in solution or "```c++" in solution or "#include" in solution):
        return "cpp"
    return "python"


def _pass_rate(rec: Record) -> float | None:
    value = rec.data.get("pass_rate")
    if value is None or value == "" or value == PLACEHOLDER:
        return None
    try:
        rate = float(value)
    except (TypeError, ValueError):
        raise rec.error(f"expected a number in [0, 1] or empty, got {value!r}", "pass_rate") from None
    if rate == -1:  # some exports mark "not executed" with -1
        return None
    if not 0 <= rate <= 1:
        raise rec.error(f"expected a number in [0, 1] or empty, got {value!r}", "pass_rate")
    return rate


def _text(rec: Record, name: str) -> str:
    value = rec.data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        if name in ("id", "question_id", "index"):
            return str(value)
        raise rec.error(f"expected a string, got {type(value).__name__}", name)
    return value


def read_rows(sources: Iterable[str | Path], config: DataConfig, *, source_rows: Any = None,
              stats: DataStats | None = None) -> list[TrainRow]:
    """Every row of ``sources`` in the configured languages (first ``config.max_rows`` only, if set). Placeholder
    questions are rebuilt through ``source_rows`` (a :class:`codecritique.problems.ocr2.SourceRows`)."""
    stats = stats if stats is not None else DataStats()
    rows: list[TrainRow] = []
    placeholders: list[tuple[int, Record]] = []
    for source in sources:
        path = Path(source)
        if not path.exists():
            raise DataError(str(path), "no such file or folder")
        for rec in _records(path):
            if config.max_rows is not None and len(rows) >= config.max_rows:
                break
            lang = _language(rec)
            if lang not in config.languages:
                stats.dropped[f"language {lang}"] += 1
                continue
            question = _text(rec, "question")
            rid = _text(rec, "id") or f"{rec.path}:{rec.line}"
            row = TrainRow(id=rid, question_id=_text(rec, "question_id") or rid, question=question, language=lang,
                           r1_generation=_text(rec, "r1_generation"), qwq_critique=_text(rec, "qwq_critique"),
                           solution=_text(rec, "solution"), judgement=_text(rec, "judgement").strip().lower(),
                           pass_rate=_pass_rate(rec), judgement_forced=bool(rec.data.get("judgement_forced")),
                           where=f"{rec.path}:{rec.line}")
            if question == PLACEHOLDER:
                placeholders.append((len(rows), rec))
            rows.append(row)
    if placeholders:
        _rebuild(rows, placeholders, source_rows)
    stats.rows += len(rows)
    return rows


def _rebuild(rows: list[TrainRow], placeholders: list[tuple[int, Record]], source_rows: Any) -> None:
    from codecritique.problems.ocr2 import ocr2_row, rebuild_questions

    if source_rows is None:
        first = placeholders[0][1]
        raise first.error(f"{len(placeholders)} rows have the release's placeholder question '-': give the source "
                          f"datasets (--questions-from taco=PATH ...) or the hub to rebuild them", "question")
    ocr2 = [ocr2_row(rec, language=rows[i].language) for i, rec in placeholders]
    rebuild_questions(ocr2, source_rows)
    for (i, _), r in zip(placeholders, ocr2):
        rows[i].question = r.question


# ---------------------------------------------------------------- examples


def _fenced(solution: str, language: str) -> str:
    if "```" in solution:
        return solution
    return f"```{'cpp' if language == 'cpp' else 'python'}\n{solution.strip()}\n```"


def generation_example(row: TrainRow, system: str = "") -> Example:
    prompt = generation_messages(row.question, row.language, question_format="raw", system=system)  # type: ignore[arg-type]
    return Example("generation", row.id, prompt, [{"role": "assistant", "content": row.r1_generation}])


def critique_target(row: TrainRow, forced: str = "append") -> str | None:
    """The critique target: the critic's whole response; for a datagen row whose judgement was forced (the critic
    wrote no tag) ``forced="append"`` ends it with that judgement in the paper's tag, ``"keep"`` leaves it as
    written, ``"drop"`` gives None."""
    text = row.qwq_critique
    if row.judgement_forced and parse_judgement(text) is None:
        if forced == "drop":
            return None
        if forced == "append" and row.judgement in ("right", "wrong"):
            return f"{text.rstrip()}\n\n<judgment>{row.judgement}</judgment>"
    return text


def critique_example(row: TrainRow, system: str = "", forced: str = "append") -> Example | None:
    target = critique_target(row, forced)
    if target is None:
        return None
    prompt = critique_messages(row.question, _fenced(row.solution, row.language), system=system)
    return Example("critique", row.id, prompt, [{"role": "assistant", "content": target}])


def agrees(row: TrainRow) -> bool | None:
    """Does the critique's judgement agree with execution? None when it cannot be told (no pass rate or no
    binary judgement)."""
    if row.pass_rate is None or row.judgement not in ("right", "wrong"):
        return None
    return (row.judgement == "right") == (row.pass_rate >= 1.0)


def generation_examples(rows: Iterable[TrainRow], config: DataConfig, stats: DataStats) -> list[Example]:
    out = []
    for row in rows:
        if not row.r1_generation.strip() or not row.question.strip():
            stats.dropped["generation: empty question or response"] += 1
            continue
        if row.pass_rate is None and config.require_pass_rate:
            stats.dropped["generation: no pass rate"] += 1
            continue
        if config.min_pass_rate is not None and row.pass_rate is not None and row.pass_rate < config.min_pass_rate:
            stats.dropped[f"generation: pass rate < {config.min_pass_rate}"] += 1
            continue
        out.append(generation_example(row, config.system))
    return out


def critique_examples(rows: Iterable[TrainRow], config: DataConfig, stats: DataStats) -> list[Example]:
    out = []
    for row in rows:
        if not row.qwq_critique.strip() or not row.solution.strip() or not row.question.strip():
            stats.dropped["critique: empty question, solution or critique"] += 1
            continue
        if config.critique_filter == "agree":
            verdict = agrees(row)
            if verdict is None:
                stats.dropped["critique: agreement unknown (no pass rate or judgement)"] += 1
                continue
            if not verdict:
                stats.dropped["critique: judgement disagrees with execution"] += 1
                continue
        example = critique_example(row, config.system, config.forced_judgement)
        if example is None:
            stats.dropped["critique: forced judgement (forced_judgement=drop)"] += 1
            continue
        out.append(example)
    return out


def stage_examples(rows: list[TrainRow], stage: str, config: DataConfig, stats: DataStats) -> list[Example]:
    """Stage I: every generation example. Stage II: generation examples (unless ``stage2_generation`` is off) plus
    critique examples (all, or ``critique_ratio`` x the generation examples, drawn with ``seed``)."""
    gen = generation_examples(rows, config, stats)
    if stage == "1":
        examples = gen
    else:
        crit = critique_examples(rows, config, stats)
        if config.critique_ratio is not None:
            want = int(round(config.critique_ratio * len(gen)))
            if want < len(crit):
                rng = random.Random(config.seed)
                keep = sorted(rng.sample(range(len(crit)), want))
                stats.dropped["critique: beyond critique_ratio"] += len(crit) - want
                crit = [crit[i] for i in keep]
        examples = (gen if config.stage2_generation else []) + crit
    for e in examples:
        stats.examples[e.kind] += 1
    return examples


def source_rows_from(specs: Iterable[str]) -> Any:
    """``["taco=PATH", "code_contests:train=PATH"]`` -> a SourceRows over those local copies (None for none)."""
    specs = list(specs)
    if not specs:
        return None
    from codecritique.problems.ocr2 import SourceRows

    local = {}
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep or not path:
            raise ValueError(f"expected DATASET=PATH, got {spec!r}")
        local[name] = path
    return SourceRows(local=local)
