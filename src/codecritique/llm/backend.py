"""The one model-backend interface: ``generate``/``complete`` implemented once, over one abstract ``fetch``.

A backend (the OpenAI-compatible client, the local transformers model, a test's scripted model) implements only
:meth:`Backend.fetch`: given one request and the sample indices still missing, yield their completions as each
finishes. Everything else is here, the same for every backend: the store (a finished sample is read back, a new one
persisted before the next is awaited, :mod:`.resume`), progress events, the request identity, token counting and
closing. Sampling is a function of the request alone: sample ``i`` of a request is drawn with seed
``params.seed + i`` whatever else is in flight (:meth:`SamplingParams.seed_for`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator
from typing import Any

from . import resume
from .store import Store
from .types import Completion, Messages, ProgressCallback, SamplingParams, TokenCounter



class Backend(ABC):
    """k samples of one chat (``generate``) or one raw prompt (``complete``) from one model.

    Attributes every backend has: ``model`` (its name, part of each request's identity), ``store`` (a request
    store or None), ``progress`` (a :class:`~.types.ProgressEvent` callback or None) and ``count_tokens`` (a token
    counter for the model's tokenizer, or None when none is known: lengths are then counted in characters).
    """

    model: str = ""
    store: Store | None = None
    progress: ProgressCallback | None = None
    count_tokens: TokenCounter | None = None
    max_batch: int = 1  # requests answered together (one forward pass of a local model): the unit of progress

    async def generate(self, messages: Messages, n: int = 1, params: SamplingParams | None = None, *,
                       meta: dict[str, Any] | None = None) -> list[Completion]:
        """``n`` chat completions of ``messages``, in sample-index order. ``meta`` is stored beside each record."""
        return await self.sample("chat", messages, n, params or SamplingParams(), meta)

    async def complete(self, prompt: str, n: int = 1, params: SamplingParams | None = None, *,
                       meta: dict[str, Any] | None = None) -> list[Completion]:
        """``n`` completions of a raw ``prompt`` (no chat template applied)."""
        return await self.sample("completions", prompt, n, params or SamplingParams(), meta)

    async def sample(self, endpoint: str, payload: Any, n: int, params: SamplingParams,
                     meta: dict[str, Any] | None = None) -> list[Completion]:
        """The ``n`` samples of one request (``endpoint`` ``"chat"``: messages; ``"completions"``: a prompt)."""
        def fetch(indices: list[int]) -> AsyncGenerator[Completion, None]:
            return self.fetch(endpoint, payload, params, indices)

        return await resume.sample(model=self.model, endpoint=endpoint, payload=payload, params=params, n=n,
                                   fetch=fetch, store=self.store, meta=meta, progress=self.progress)

    @abstractmethod
    def fetch(self, endpoint: str, payload: Any, params: SamplingParams,
              indices: list[int]) -> AsyncGenerator[Completion, None]:
        """Yield one completion (``sample_index`` set) for each of ``indices``, in any order, as each finishes;
        sample ``i`` drawn with seed ``params.seed_for(i)``. Raise after the others finished if one fails."""

    def length(self, text: str) -> tuple[int, str]:
        """``text``'s length in tokens when the backend has a tokenizer, else in characters: (length, unit)."""
        return (self.count_tokens(text), "tokens") if self.count_tokens else (len(text), "chars")

    async def aclose(self) -> None:
        """Release connections or threads (a no-op by default)."""

    async def __aenter__(self) -> "Backend":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
