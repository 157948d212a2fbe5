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


# what runs inside the sandbox (judge/sandboxed/) is started as scripts there: it imports no module of ours (it
# could not: the package is not in the sandbox), and no module of ours imports it (host code reads its paths only)
SANDBOXED_CHECK = r"""
import grimp, json
g = grimp.build_graph("codecritique")
inside = {m for m in g.modules if m.startswith("codecritique.judge.sandboxed")}
out = [[m, sorted(g.find_modules_directly_imported_by(m) - inside)] for m in sorted(inside)]
out += [[m, sorted(g.find_modules_that_directly_import(m) - inside)] for m in sorted(inside)]
print(json.dumps([row for row in out if row[1]]))
"""


def sandboxed_violations(src: Path) -> list:
    r = subprocess.run([sys.executable, "-c", SANDBOXED_CHECK], env={**os.environ, "PYTHONPATH": str(src)},
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    import json

    return json.loads(r.stdout)


def test_in_sandbox_files_neither_import_ours_nor_are_imported():
    assert sandboxed_violations(ROOT / "src") == []


@pytest.mark.parametrize("where, line", [
    ("judge/sandboxed/zygote_python.py", "    from codecritique.judge import limits  # noqa\n"),
    ("judge/pool.py", "    from codecritique.judge.sandboxed import zygote  # noqa\n"),
])
def test_an_import_across_the_sandbox_boundary_is_found(tmp_path, where, line):
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "codecritique", src / "codecritique",
                    ignore=shutil.ignore_patterns("__pycache__", "data"))
    target = src / "codecritique" / where
    target.write_text(target.read_text() + f"\n\ndef _across():\n{line}")
    assert sandboxed_violations(src) != []
