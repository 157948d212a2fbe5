"""An append-only JSONL store of completed LLM requests, so a killed run resumes without redoing or losing work.

One line per completed sample: ``{"key", "request", "completion", "meta"}``. The key is a SHA-256 of the canonical
request (model, endpoint, messages or prompt, sampling parameters, sample index; see :func:`request_key`).

Crash safety: a record is written with a single ``write`` of one whole line to a file opened with ``O_APPEND``, then
``fsync``'d before :meth:`Store.put` returns, so a completion the caller has seen is on disk. A crash can only leave
a torn last line (no trailing newline); opening the store truncates it away. A line that does not parse elsewhere
(which needs outside damage) is skipped with a warning and counted in ``Store.bad_lines``. If a key appears twice
the first record wins, and :meth:`Store.put` never writes a key that is already present.

Concurrency: ``put`` is thread-safe (one lock around the write) and may be called from asyncio tasks (each call is a
short blocking write + fsync; :meth:`Store.aput` runs it in a worker thread). Two processes on the same file are
refused: opening takes an exclusive ``flock`` on ``<path>.lock`` and raises :class:`StoreLockedError` naming the
holder's pid. The kernel drops the lock when the process dies, so a crash never leaves a stale lock.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from codecritique.errors import CodecritiqueError
from codecritique.llm.types import Completion, SamplingParams

log = logging.getLogger(__name__)


class StoreLockedError(CodecritiqueError):
    """Another process has the store open."""


def canonical_request(
    model: str,
    endpoint: str,
    payload: Any,
    params: SamplingParams,
    sample_index: int,
) -> dict[str, Any]:
    """The request identity: ``payload`` is the chat messages (endpoint ``"chat"``) or the prompt string."""
    return {
        "model": model,
        "endpoint": endpoint,
        "payload": payload,
        "params": params.to_dict(),
        "sample_index": sample_index,
    }


def request_key(request: dict[str, Any]) -> str:
    """SHA-256 of the request's canonical JSON (sorted keys, no whitespace, UTF-8)."""
    blob = json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class Store:
    """The completed requests of one run (or of many runs sharing a file). Use as a context manager or close()."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_fd = self._acquire_lock()
        self._mutex = threading.Lock()
        self._records: dict[str, dict[str, Any]] = {}
        self.bad_lines = 0
        self.duplicate_lines = 0
        self.torn_bytes = 0
        try:
            self._load()
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except BaseException:
            os.close(self._lock_fd)
            raise

    def _acquire_lock(self) -> int:
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise StoreLockedError(
                f"{self.path} is in use by another process (pid {holder}); "
                "two runs must not share a store: wait for it to finish or use another path"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return fd

    def _load(self) -> None:
        if not self.path.exists():
            return
        with open(self.path, "rb") as f:
            data = f.read()
        end = data.rfind(b"\n") + 1  # everything after the last newline is a torn write
        if end < len(data):
            self.torn_bytes = len(data) - end
            log.warning("%s: dropping a torn last line (%d bytes) left by an interrupted write", self.path, self.torn_bytes)
            with open(self.path, "r+b") as f:
                f.truncate(end)
                f.flush()
                os.fsync(f.fileno())
        for lineno, line in enumerate(data[:end].splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                key = record["key"]
                Completion.from_dict(record["completion"])
            except (ValueError, KeyError, TypeError):
                self.bad_lines += 1
                log.warning("%s:%d: skipping an unreadable record", self.path, lineno)
                continue
            if key in self._records:
                self.duplicate_lines += 1
                continue
            self._records[key] = record

    def __contains__(self, key: str) -> bool:
        return key in self._records

    def __len__(self) -> int:
        return len(self._records)

    def keys(self) -> list[str]:
        return list(self._records)

    def get(self, key: str) -> Completion | None:
        """The stored completion for ``key`` (marked ``cached=True``), or None."""
        record = self._records.get(key)
        return None if record is None else Completion.from_dict(record["completion"], cached=True)

    def records(self) -> Iterator[dict[str, Any]]:
        """Every stored record, in the order first written."""
        return iter(list(self._records.values()))

    def put(self, request: dict[str, Any], completion: Completion, meta: dict[str, Any] | None = None) -> bool:
        """Persist one completed request durably; False (and nothing written) if its key is already stored."""
        key = completion.key or request_key(request)
        completion.key = key
        record = {"key": key, "request": request, "completion": completion.to_dict(), "meta": meta or {}}
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        with self._mutex:
            if key in self._records:
                return False
            view = memoryview(line)
            while view:  # a regular-file append writes it all at once; loop only for pathological short writes
                written = os.write(self._fd, view)
                view = view[written:]
            os.fsync(self._fd)
            self._records[key] = record
        return True

    async def aput(self, request: dict[str, Any], completion: Completion, meta: dict[str, Any] | None = None) -> bool:
        """:meth:`put` in a worker thread, so fsync does not stall the event loop."""
        return await asyncio.to_thread(self.put, request, completion, meta)

    def close(self) -> None:
        with self._mutex:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
            if self._lock_fd >= 0:
                os.close(self._lock_fd)
                self._lock_fd = -1

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
