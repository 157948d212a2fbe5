"""``datagen stats DIR``: what a datagen output holds, from its ``stats.json`` and its Parquet files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from codecritique.errors import DataError


def dataset_stats(directory: str | Path) -> dict[str, Any]:
    """``{"stats": ..., "lines": [...]}``; the row counts are read back from the Parquet files themselves."""
    import pyarrow.parquet as pq

    d = Path(directory)
    path = d / "stats.json"
    if not path.is_file():
        raise DataError(str(d), "not a finished datagen output (no stats.json): run `codecritique datagen --out "
                                f"{d}` first")
    try:
        stats = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise DataError(str(path), f"unreadable stats: {e}") from None
    parquet: dict[str, dict[str, Any]] = {}
    for lang_dir in sorted((d / "data").glob("*")):
        files = sorted(lang_dir.glob("*.parquet"))
        if not files:
            continue
        rows = right = rated = 0
        for f in files:
            t = pq.read_table(f, columns=["judgement", "pass_rate"])
            rows += t.num_rows
            right += sum(1 for j in t.column("judgement").to_pylist() if j == "right")
            rated += sum(1 for p in t.column("pass_rate").to_pylist() if p)
        parquet[lang_dir.name] = {"files": len(files), "rows": rows, "right": right, "with_pass_rate": rated}
    stats["parquet"] = parquet
    s = stats
    lines = [f"{d}:"]
    q, dd, dc = s.get("questions", {}), s.get("dedup", {}), s.get("decontam", {})
    gen, flt, crit, exe = s.get("generate", {}), s.get("filter", {}), s.get("critique", {}), s.get("execute", {})
    lines += [
        f"  questions      {q.get('read', 0):>8,} read, {q.get('kept', 0):,} kept",
        f"  dedup          {dd.get('in', 0):>8,} -> {dd.get('kept', 0):,} ({dd.get('exact_removed', 0):,} exact, "
        f"{dd.get('fuzzy_removed', 0):,} fuzzy duplicates)",
        f"  decontaminate  {dc.get('in', 0):>8,} -> {dc.get('kept', 0):,} ({dc.get('flagged', 0):,} flagged against "
        f"{dc.get('benchmark_items', 0):,} benchmark items{'' if dc.get('benchmarks') else '; NO BENCHMARKS GIVEN'})",
        f"  generate       {gen.get('requests', 0):>8,} samples, {gen.get('failed', 0):,} failed requests",
        f"  filter         {flt.get('in', 0):>8,} -> {flt.get('kept', 0):,} "
        f"(dropped: {', '.join(f'{k} {v}' for k, v in sorted(flt.get('dropped', {}).items())) or 'none'})",
        f"  critique       {crit.get('requests', 0):>8,} ({crit.get('parsed', 0):,} judgement tags, "
        f"{crit.get('forced', 0):,} forced, {crit.get('unparsable', 0):,} unparsable, {crit.get('failed', 0):,} failed)",
        f"  execute        {exe.get('samples', 0):>8,} ({exe.get('executed', 0):,} executed, {exe.get('tests_run', 0):,}"
        f" tests, {exe.get('all_passed', 0):,} passed every test)",
    ]
    for lang, p in parquet.items():
        lines.append(f"  data/{lang:<8} {p['rows']:>8,} rows in {p['files']} files ({p['right']:,} judged right, "
                     f"{p['with_pass_rate']:,} with a pass rate)")
    return {"stats": stats, "lines": lines}
