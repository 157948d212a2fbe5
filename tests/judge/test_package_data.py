"""What runs inside the sandbox ships in a non-editable install: a wheel built from the checkout holds every file of
judge/sandboxed/ (the zygote and its siblings, lcb_compat.py, the C++ harness runtime and main wrapper), at the
path the host code binds into the sandbox."""

import importlib.util
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SANDBOXED = ROOT / "src" / "codecritique" / "judge" / "sandboxed"


@pytest.mark.skipif(importlib.util.find_spec("setuptools") is None, reason="setuptools not installed (no offline build)")
def test_a_wheel_holds_every_in_sandbox_file(tmp_path):
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "-q",
                        "-w", str(tmp_path / "out")], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    (wheel,) = (tmp_path / "out").glob("codecritique-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    wanted = {f"codecritique/judge/sandboxed/{p.name}" for p in SANDBOXED.iterdir() if p.is_file()}
    assert {"codecritique/judge/sandboxed/zygote.py", "codecritique/judge/sandboxed/lcb_compat.py",
            "codecritique/judge/sandboxed/cpp_harness_runtime.h"} <= wanted
    assert wanted <= shipped, sorted(wanted - shipped)


def test_the_sandbox_binds_the_folder_the_zygote_lies_in():
    from codecritique.judge.sandbox import SANDBOX_DIR, SANDBOXED_DIR, ZYGOTE_PATH, SandboxConfig, bwrap_argv

    assert ZYGOTE_PATH.parent == SANDBOXED_DIR and SANDBOXED_DIR.resolve() == SANDBOXED.resolve()
    argv = bwrap_argv(SandboxConfig(), sys.executable)
    i = argv.index(str(SANDBOXED_DIR))
    assert argv[i - 1] == "--ro-bind" and argv[i + 1] == SANDBOX_DIR
