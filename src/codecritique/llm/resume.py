"""Sample k completions of one request, reusing those already in a store and persisting each new one at once.

This is the one place where store keys are made, so the HTTP client and the local model resume identically.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from typing import Any

from codecritique.llm.store import Store, canonical_request, request_key
from codecritique.llm.types import Completion, ProgressCallback, ProgressEvent, SamplingParams

Fetch = Callable[[list[int]], AsyncGenerator[Completion, None]]
"""Given the missing sample indices, yield their completions (``sample_index`` set) as each one finishes."""


async def sample(
    *,
    model: str,
    endpoint: str,
    payload: Any,
    params: SamplingParams,
    n: int,
    fetch: Fetch,
    store: Store | None = None,
    meta: dict[str, Any] | None = None,
    progress: ProgressCallback | None = None,
) -> list[Completion]:
    """The ``n`` completions of one request, in sample-index order.

    Stored samples are returned as they are (``cached=True``); only the missing indices are passed to ``fetch``, and
    every completion it yields is persisted before the next is awaited, so an interrupted call loses nothing that
    had finished. If ``fetch`` raises, the samples that finished are kept and the error propagates.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    requests = [canonical_request(model, endpoint, payload, params, i) for i in range(n)]
    keys = [request_key(r) for r in requests]
    results: dict[int, Completion] = {}
    for i, key in enumerate(keys):
        stored = store.get(key) if store is not None else None
        if stored is not None:
            results[i] = stored
            if progress:
                progress(ProgressEvent("cached", model, i, key, completion_tokens=stored.completion_tokens))
    missing = [i for i in range(n) if i not in results]
    if missing:
        async with aclosing(fetch(missing)) as completions:  # closing it cancels the backend's pending requests
            async for completion in completions:
                i = completion.sample_index
                if i not in missing or i in results:
                    raise RuntimeError(f"backend returned an unexpected sample index {i} (asked for {missing})")
                completion.key = keys[i]
                completion.model = completion.model or model
                if store is not None:
                    await store.aput(requests[i], completion, meta)
                results[i] = completion
                if progress:
                    progress(ProgressEvent("done", model, i, keys[i], completion_tokens=completion.completion_tokens))
    lost = [i for i in missing if i not in results]
    if lost:
        raise RuntimeError(f"backend returned no completion for sample indices {lost}")
    return [results[i] for i in range(n)]
