"""The ``codecritique problems stats | inspect | convert`` commands, as plain functions (the CLI wires them).

Every command reads problems the same way: ``inputs`` are files or folders (``source="auto"`` detects their format;
name the source to read a dataset folder, e.g. ``source="taco"``), or, with no input, the named ``source`` from the
Hugging Face hub (``revision``, ``cache_dir``, ``offline``); then the optional filters apply (contest-date window
``YYMM-YYMM`` in whole months, platforms, difficulties). See :mod:`.sources` for the sources and their splits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from codecritique.errors import DataError
from codecritique.problems.convert import Conversion, file_digest, write
from codecritique.problems.hub import HubOptions
from codecritique.problems.model import Problem
from codecritique.problems.samples import summarize_extraction
from codecritique.problems.sources import load_source, source_name
from codecritique.problems.stats import format_stats, inspect_problem, problem_stats


def read_inputs(
    inputs: Sequence[str | Path] = (),
    *,
    source: str = "auto",
    split: str | None = None,
    revision: str | None = None,
    cache_dir: str | None = None,
    offline: bool = False,
    window: str | None = None,
    platforms: Sequence[str] | None = None,
    difficulties: Sequence[str] | None = None,
    with_samples: bool = False,
    with_solutions: bool = False,
    test_kinds: Sequence[str] | None = None,
    ocr2_sources: Mapping[str, str | Path] | None = None,
) -> list[Problem]:
    """Problems from every input in turn (or from the hub when there is none), filtered."""
    name = source_name(source)
    hub = HubOptions(revision=revision, cache_dir=cache_dir, offline=offline or None)
    kwargs: dict[str, Any] = dict(split=split, with_samples=with_samples, with_solutions=with_solutions,
                                  test_kinds=test_kinds, ocr2_sources=ocr2_sources, window=window,
                                  platforms=platforms, difficulties=difficulties)
    if not inputs:
        if name == "auto":
            raise DataError(None, "no input file: give one, or name a --source to read from the hub")
        return load_source(name, None, hub=hub, **kwargs)
    problems: list[Problem] = []
    for path in inputs:
        problems += load_source(name, path, hub=hub if name == "ocr2" else None, **kwargs)
    return problems


def problems_stats(inputs: Sequence[str | Path] = (), *, as_json: bool = False, samples: bool = False,
                   **read: Any) -> str:
    """Counts by source, platform, difficulty, contest month and test kind (plain text or JSON). ``samples``
    also extracts the sample tests of every statement and reports found / not_found / ambiguous per platform,
    with the reason of every miss. ``read`` takes :func:`read_inputs`' options."""
    problems = read_inputs(inputs, **read)
    stats = problem_stats(problems)
    summary = summarize_extraction(problems) if samples else None
    if as_json:
        if summary is not None:
            stats["statement_samples"] = {
                "by_platform": {k: dict(v) for k, v in summary.counts.items()},
                "misses": [{"platform": pl, "id": pid, "status": st, "reason": why}
                           for pl, pid, st, why in summary.misses]}
        return json.dumps(stats, indent=1, ensure_ascii=False)
    text = format_stats(stats)
    if summary is not None:
        text += "\n\nsample tests in the statements:\n" + summary.table()
        text += "".join(f"\n  {st:<9} {pl:<13} {pid}: {why}" for pl, pid, st, why in summary.misses)
    return text


def problems_inspect(inputs: Sequence[str | Path], problem_id: str, *, max_chars: int = 3000, max_tests: int = 3,
                     **read: Any) -> str:
    """One problem printed readably (see :func:`.stats.inspect_problem`); an unknown id lists a few known ones."""
    problems = read_inputs(inputs, **read)
    for p in problems:
        if p.id == problem_id:
            return inspect_problem(p, max_chars=max_chars, max_tests=max_tests)
    near = [p.id for p in problems if problem_id.lower() in p.id.lower()][:10] or [p.id for p in problems[:10]]
    raise DataError(", ".join(map(str, inputs)) or None, f"no problem {problem_id!r} among {len(problems)}; "
                          f"{'similar' if problem_id.lower() in ' '.join(near).lower() else 'first'} ids: "
                          f"{', '.join(near)}", field="id")


def problems_convert(inputs: Sequence[str | Path], output: str | Path, *, to: str | None = None,
                     **read: Any) -> Conversion:
    """Convert to our JSONL (``*.jsonl[.gz]``), our Parquet (``*.parquet``) or LiveCodeBench's schema
    (``*.lcb.jsonl``), with a manifest recording the content digest and where the problems came from."""
    problems = read_inputs(inputs, **read)
    if not problems:
        raise DataError(", ".join(map(str, inputs)) or None, "nothing to convert: no problem passed the filters")
    provenance: dict[str, Any] = {"source": read.get("source", "auto")}
    for key in ("split", "revision", "window", "platforms", "difficulties", "with_samples", "with_solutions",
                "test_kinds"):
        if read.get(key) not in (None, False, (), []):
            provenance[key] = list(read[key]) if isinstance(read[key], (list, tuple)) else read[key]
    if inputs:
        provenance["inputs"] = [{"path": str(p), **({"sha256": file_digest(p)} if Path(p).is_file() else {})}
                                for p in inputs]
    else:
        from codecritique.problems.hub import hub_source

        provenance["hub_repo"] = hub_source(source_name(read.get("source", "auto"))).repo_id
    return write(output, problems, to, provenance=provenance)
