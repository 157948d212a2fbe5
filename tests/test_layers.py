"""The import-layer check (import-linter contracts in pyproject.toml): the parts import only downward, including
imports inside functions, so a wrong-way import fails the tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed (the test extra)")


def lint(src: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run([str(LINT), "--no-cache", "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_parts_import_only_downward():
    r = lint(ROOT / "src")
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert "0 broken" in r.stdout


@pytest.mark.parametrize("where, line, contract", [
    ("problems/debugbench.py", "    from codecritique.judge import cpp_harness  # noqa\n", "Parts import only downward"),
    ("metrics/summary.py", "    from codecritique.critique import run  # noqa\n", "Parts import only downward"),
    ("train/__init__.py", "    from codecritique.critique import bench  # noqa\n", "Parts import only downward"),
    ("pipeline/step.py", "    from codecritique.llm import tasks  # noqa\n", "knows steps"),
])
def test_a_wrong_way_import_inside_a_function_fails(tmp_path, where, line, contract):
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "codecritique", src / "codecritique",
                    ignore=shutil.ignore_patterns("__pycache__", "data"))
    target = src / "codecritique" / where
    target.write_text(target.read_text() + f"\n\ndef _wrong_way():\n{line}")
    r = lint(src)
    assert r.returncode != 0 and contract in r.stdout and "BROKEN" in r.stdout, r.stdout[-3000:]
