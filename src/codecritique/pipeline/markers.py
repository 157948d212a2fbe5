"""Completion markers: a shard is done when its marker says so and its inputs and outputs are still the ones the
marker recorded.

A marker is written (atomically) only after every output of the shard has been renamed into place, so after a
``kill -9`` a shard either has a marker and all of its outputs, or it runs again from the start: its half-written
outputs were temporary files that never replaced anything. A marker is not trusted when the step's settings
(:meth:`Step.fingerprint`) changed, when an input file changed (size or modification time), or when an output was
deleted or changed since; the shard then runs again.

Layout, inside the pipeline's work directory::

    .pipeline/<step>/<shard id>.done      the marker (JSON: fingerprint, inputs, outputs, result, time)
    .pipeline/<step>/tmp/<shard id>/      the shard's outputs while it runs
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from ..io import write_json
from .step import Shard

STATE_DIR = ".pipeline"


def state_dir(workdir: str | Path, step: str) -> Path:
    return Path(workdir) / STATE_DIR / step


def marker_path(workdir: str | Path, step: str, shard: Shard) -> Path:
    return state_dir(workdir, step) / f"{shard.id}.done"


def tmp_dir(workdir: str | Path, step: str, shard: Shard) -> Path:
    return state_dir(workdir, step) / "tmp" / shard.id


def file_identity(paths: list[Path]) -> list[list[Any]]:
    """(path, size, mtime in ns) of each file: cheap, and changed by any rewrite of it."""
    out = []
    for p in paths:
        st = p.stat()
        out.append([str(p), st.st_size, st.st_mtime_ns])
    return out


def write_marker(workdir: str | Path, step: str, shard: Shard, *, fingerprint: str, inputs: list[list[Any]],
                 outputs: list[Path], result: Any) -> None:
    write_json(marker_path(workdir, step, shard), {
        "step": step, "shard": shard.id, "fingerprint": fingerprint, "inputs": inputs,
        "outputs": file_identity(outputs), "result": result, "finished_at": time.time(),
    })


def read_marker(workdir: str | Path, step: str, shard: Shard) -> dict[str, Any] | None:
    try:
        with open(marker_path(workdir, step, shard), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def is_complete(workdir: str | Path, step: str, shard: Shard, *, fingerprint: str,
                inputs: list[list[Any]], outputs: list[Path]) -> dict[str, Any] | None:
    """The shard's marker when it is valid (same settings, same inputs, outputs untouched), else None."""
    marker = read_marker(workdir, step, shard)
    if marker is None or marker.get("fingerprint") != fingerprint or marker.get("inputs") != inputs:
        return None
    try:
        if file_identity(outputs) != marker.get("outputs"):
            return None
    except OSError:  # an output is gone
        return None
    return marker
