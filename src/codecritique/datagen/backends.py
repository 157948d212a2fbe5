"""The teacher and critic models of a datagen shard: an OpenAI-compatible client over the given endpoints, or the
bundled SmolLM2 model in this process.

Each shard persists its requests in its own store (``requests/<stage>-<shard>.jsonl``), so shards can run in
different processes or on different Ray nodes without sharing a file; a rerun of a shard answers every finished
request from its store. The local model is loaded once per process and shared by the shards that run there (each
shard gets a view of it with its own store).
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codecritique.llm.store import Store

_LOCAL: dict[tuple[str, int], Any] = {}
_LOCAL_LOCK = threading.Lock()


@dataclass(frozen=True)
class ModelSpec:
    """One model role: endpoints (empty: the bundled local model) and the model name they serve."""

    urls: tuple[str, ...] = ()
    model: str | None = None
    api_key: str = "EMPTY"
    concurrency: int = 32
    timeout: float = 3600.0
    max_attempts: int = 8
    retry_base_delay: float = 1.0
    local_path: str | None = None  # an HF model folder for the local backend (default: the bundled SmolLM2)
    local_max_batch: int = 8
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def local(self) -> bool:
        return not self.urls

    def name(self) -> str:
        if self.local:
            from codecritique.llm.local import BUNDLED_MODEL_NAME

            return self.model or (Path(self.local_path).name if self.local_path else BUNDLED_MODEL_NAME)
        return self.model or ""

    def identity(self) -> dict[str, Any]:
        """What the results depend on (not the endpoints' addresses, the concurrency or the retry policy)."""
        return {"model": self.name(), "local": self.local, "local_path": self.local_path,
                "local_max_batch": self.local_max_batch if self.local else None}


def local_model(spec: ModelSpec) -> Any:
    """The process's shared local model for ``spec`` (loaded on first use)."""
    from codecritique.llm.local import LocalModel, bundled_model_dir

    key = (spec.local_path or "", spec.local_max_batch)
    with _LOCAL_LOCK:
        if key not in _LOCAL:
            path = spec.local_path or bundled_model_dir()
            _LOCAL[key] = LocalModel(path, model_name=spec.name(), max_batch=spec.local_max_batch)
        return _LOCAL[key]


def open_backend(spec: ModelSpec, store: Store) -> Any:
    """A backend whose finished requests go to ``store``. Close it with :func:`close_backend`."""
    if spec.local:
        view = copy.copy(local_model(spec))  # shares the weights and the batching thread
        view.store = store
        return view
    from codecritique.llm.client import OpenAIClient, RetryPolicy

    if not spec.model:
        raise ValueError(f"no model name for the endpoints {', '.join(spec.urls)}: pass the model they serve")
    return OpenAIClient(spec.model, list(spec.urls), api_key=spec.api_key, concurrency=spec.concurrency,
                        timeout=spec.timeout, store=store,
                        retry=RetryPolicy(max_attempts=spec.max_attempts, base_delay=spec.retry_base_delay))


async def close_backend(backend: Any) -> None:
    close = getattr(type(backend), "aclose", None)
    if close is not None:
        await backend.aclose()


async def detect_model(spec: ModelSpec) -> str:
    """The first model an endpoint lists at ``/v1/models`` (for a spec without a model name)."""
    import openai

    client = openai.AsyncOpenAI(base_url=spec.urls[0], api_key=spec.api_key, timeout=30.0, max_retries=2)
    try:
        models = await client.models.list()
        ids = [m.id for m in models.data]
    finally:
        await client.close()
    if not ids:
        raise ValueError(f"{spec.urls[0]} lists no models: pass the model name")
    return ids[0]
