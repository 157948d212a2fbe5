"""A persistent verdict cache (SQLite), so re-judging the same solutions against the same tests, limits and
checker is free. The key covers everything a verdict depends on (see Judge._cache_key); system errors are never
cached. A result is stored with its per-test results (verdicts, output digests), so a cached result answers what a
fresh one does: e.g. ``codecritique run``'s output signatures for majority-output."""

from __future__ import annotations

import json
import os
import sqlite3
import threading

from .verdict import SampleResult, Verdict


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
