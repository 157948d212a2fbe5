"""A persistent verdict cache (SQLite), so re-judging the same solutions against the same tests, limits and
checker is free. The key covers everything a verdict depends on (:func:`verdict_key`); system errors are never
cached. A result is stored with its per-test results (verdicts, output digests), so a cached result answers what a
fresh one does: e.g. ``codecritique run``'s output signatures for majority-output."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from typing import Any

from .config import JUDGE_VERSION, JudgeConfig
from .verdict import SampleResult, Verdict


def verdict_key(p: Any, cfg: JudgeConfig, sandbox_kind: str, runtime: str) -> str:
    """Everything that can change a verdict: the problem's tests, the code, the limits, the checker (a custom one by
    its content), how tests run (sandbox kind, fork permission, LiveCodeBench compatibility), and ``runtime``: the
    interpreter and its version for Python, the compiler, its flags and the profile for C++. ``p``: a
    requests.Payload."""
    parts = [JUDGE_VERSION, p.problem.id, p.problem.tests_fingerprint(), p.key, p.limits.key(),
             p.checker.name, p.checker.fingerprint, f"all={int(cfg.all_tests)}", f"sandbox={sandbox_kind}",
             f"fork={int(cfg.allow_fork)}", f"tmp={cfg.tmp_size_mb}", runtime]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class VerdictCache:
    def __init__(self, path: str):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=60)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, result TEXT NOT NULL)")
        self._lock = threading.Lock()

    def get(self, key: str) -> SampleResult | None:
        with self._lock:
            row = self._db.execute("SELECT result FROM verdicts WHERE key = ?", (key,)).fetchone()
        if not row:
            return None
        data = json.loads(row[0])
        result = SampleResult.from_dict(data)
        result.sandbox = data.get("sandbox", "")  # the isolation the tests had when the verdict was made
        return result

    def put(self, key: str, result: SampleResult) -> None:
        if result.verdict is Verdict.SE:
            return
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO verdicts VALUES (?, ?)",
                             (key, json.dumps({**result.to_dict(with_tests=True), "sandbox": result.sandbox})))
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()
