"""--from-release: OCR-2 rows (fixtures in the release's schema) get their questions rebuilt and their pass rates
filled by the judge; the release's own critiques and judgements are kept."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from codecritique.datagen.execute import ExecuteConfig
from codecritique.datagen.run import DatagenConfig, run_datagen

SRC = Path(__file__).resolve().parents[1] / "fixtures" / "problems" / "sources"


def test_release_rows_are_executed_with_their_questions_rebuilt(tmp_path):
    cfg = DatagenConfig(out=str(tmp_path / "out"), from_release=str(SRC / "ocr2" / "python"),
                        release_sources={"taco": str(SRC / "taco"), "apps": str(SRC / "apps"),
                                         "code_contests": str(SRC / "code_contests"),
                                         "open-r1/codeforces": str(SRC / "codeforces")},
                        execute=ExecuteConfig(min_tests=1, sandbox="rlimit"), shards=2)
    run_datagen(cfg)
    rows = [r for f in sorted((tmp_path / "out" / "data" / "python").glob("*.parquet"))
            for r in pq.read_table(f).to_pylist()]
    assert sorted(r["id"] for r in rows) == ["a1", "a2", "a3", "a4", "a5"]
    assert all(r["question"] not in ("", "-") for r in rows)
    by = {r["id"]: r for r in rows}
    assert by["a5"]["judgement"] == "wrong" and by["a1"]["judgement"] == "right"  # the release's own
    assert by["a1"]["solution"] == "print(1)" and by["a1"]["dataset"] == "taco"
    executed = [r for r in rows if r["pass_rate"] != ""]
    assert executed and all(0.0 <= float(r["pass_rate"]) <= 1.0 for r in executed)
    assert "From the OCR-2 release" in (tmp_path / "out" / "README.md").read_text()
