"""An async client for OpenAI-compatible servers (vLLM, SGLang, ``transformers serve``, llama.cpp, ...).

* ``generate`` (chat endpoint) and ``complete`` (completions endpoint) return k samples of one request
  (implemented once in :class:`~codecritique.llm.backend.Backend`; this client implements its ``fetch``).
* Sample ``i`` is requested with seed ``params.seed + i``, one request per sample, which makes samples differ and
  lets a resumed run ask for exactly the same thing. With ``use_n=True`` the missing samples of a prompt go out as one
  request with ``n`` (cheaper on servers that share the prompt's KV cache); then no seed is sent, because servers do
  not agree on how one seed combines with n choices (some repeat it for every choice). A server that ignores ``n``
  returns fewer choices; the rest are requested one by one.
* At most ``concurrency`` requests are in flight (a semaphore, not held while backing off). Several base URLs of the
  same model share the load: each request goes to the endpoint with the fewest requests in flight, ties rotating; an
  endpoint that refused a connection is avoided for a few seconds.
* Connection errors, timeouts, 5xx, 408, 409 and 429 are retried with exponential backoff and jitter (a 429's
  ``Retry-After`` is honoured); other statuses fail at once. The final error is an :class:`LLMRequestError` naming the
  model, the endpoints, the attempts and the last cause. The openai package's own retries are switched off.
* Token counts come from the server's ``usage``; without it (or for one choice of an ``n>1`` request, where usage is
  a total) from ``count_tokens`` if given, else None.
* Reasoning that a server split off into ``reasoning_content``/``reasoning`` (vLLM/SGLang reasoning parsers) is put
  back as ``<think>…</think>`` in front of the text, so parsing sees what the model wrote.
* With a :class:`~codecritique.llm.store.Store`, finished samples are read back instead of requested again.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import openai

from codecritique.errors import CodecritiqueError
from codecritique.llm.backend import Backend
from codecritique.llm.store import Store
from codecritique.llm.types import Completion, Messages, ProgressCallback, ProgressEvent, SamplingParams

RETRY_STATUSES = frozenset({408, 409, 429})
ENDPOINT_COOLDOWN_S = 5.0


class LLMRequestError(CodecritiqueError):
    """A request failed for good: a non-retryable status, or every retry used up."""


@dataclass(frozen=True)
class RetryPolicy:
    """``max_attempts`` tries per request; before try ``a`` (from 1) wait a random time in
    ``[d/2, d]`` with ``d = min(max_delay, base_delay * 2**(a-1))``."""

    max_attempts: int = 8
    base_delay: float = 1.0
    max_delay: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")

    def delay(self, attempt: int) -> float:
        d = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return d / 2 + random.random() * d / 2


@dataclass
class _Endpoint:
    url: str
    client: openai.AsyncOpenAI
    inflight: int = 0
    avoid_until: float = 0.0


@dataclass
class _Choice:
    text: str
    finish_reason: str | None
    prompt_tokens: int | None
    completion_tokens: int | None


@dataclass
class _Call:
    """One HTTP request's arguments."""

    endpoint: str  # "chat" | "completions"
    payload: Any
    params: SamplingParams
    n: int
    seed: int | None


class _EmptyResponse(Exception):
    """The server answered 200 with no choices."""


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, (openai.APIConnectionError, _EmptyResponse)):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code >= 500 or exc.status_code in RETRY_STATUSES
    return False


def _retry_after(exc: Exception) -> float:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return max(0.0, float(value)) if value else 0.0
    except ValueError:
        return 0.0


def _message_text(message: Any) -> str:
    content = message.content or ""
    extra = getattr(message, "model_extra", None) or {}
    reasoning = extra.get("reasoning_content") or extra.get("reasoning")
    if isinstance(reasoning, str) and reasoning and "</think>" not in content:
        return f"<think>\n{reasoning}\n</think>\n\n{content}"
    return content


class OpenAIClient(Backend):
    """k samples per prompt from one model behind one or more OpenAI-compatible base URLs (``http://host:port/v1``)."""

    def __init__(
        self,
        model: str,
        base_urls: str | Sequence[str],
        *,
        api_key: str = "EMPTY",
        concurrency: int = 32,
        timeout: float = 3600.0,
        retry: RetryPolicy = RetryPolicy(),
        store: Store | None = None,
        count_tokens: Callable[[str], int] | None = None,
        use_n: bool = False,
        progress: ProgressCallback | None = None,
    ):
        urls = [base_urls] if isinstance(base_urls, str) else list(base_urls)
        if not urls:
            raise ValueError("at least one base URL is needed")
        self.model = model
        self.retry = retry
        self.store = store
        self.count_tokens = count_tokens
        self.use_n = use_n
        self.progress = progress
        self._endpoints = [
            _Endpoint(u, openai.AsyncOpenAI(base_url=u, api_key=api_key, timeout=timeout, max_retries=0)) for u in urls
        ]
        self._turn = itertools.count()
        self._semaphore = asyncio.Semaphore(concurrency)

    async def fetch(
        self, endpoint: str, payload: Any, params: SamplingParams, indices: list[int]
    ) -> AsyncGenerator[Completion, None]:
        """Yield a completion for every index as requests finish; raise the first failure after the rest finish."""
        remaining = list(indices)
        if self.use_n and len(remaining) > 1:
            choices = await self._request(_Call(endpoint, payload, params, len(remaining), None), remaining[0])
            for i, choice in zip(remaining, choices):
                yield self._completion(choice, i)
            remaining = remaining[len(choices):]
        tasks = [
            asyncio.ensure_future(self._request(_Call(endpoint, payload, params, 1, params.seed_for(i)), i))
            for i in remaining
        ]
        by_task = dict(zip(tasks, remaining))
        error: BaseException | None = None
        try:
            async for done in _as_completed(tasks):
                try:
                    choices = done.result()
                except Exception as exc:  # keep collecting the others, then raise
                    error = error or exc
                    continue
                yield self._completion(choices[0], by_task[done])
        finally:
            for t in tasks:
                t.cancel()
        if error is not None:
            raise error

    def _completion(self, choice: _Choice, index: int) -> Completion:
        return Completion(
            text=choice.text,
            finish_reason=choice.finish_reason,
            prompt_tokens=choice.prompt_tokens,
            completion_tokens=choice.completion_tokens,
            sample_index=index,
            model=self.model,
        )

    def openai_client(self) -> openai.AsyncOpenAI:
        """The ``openai`` client of the least busy endpoint, for a request outside ``generate``/``complete`` (e.g.
        the log-probabilities of a judgement token, :func:`~codecritique.llm.forced_choice.endpoint_p_right`)."""
        return self._pick_endpoint().client

    def _pick_endpoint(self) -> _Endpoint:
        now = time.monotonic()
        usable = [e for e in self._endpoints if e.avoid_until <= now] or self._endpoints
        turn = next(self._turn)
        order = usable[turn % len(usable):] + usable[: turn % len(usable)]
        return min(order, key=lambda e: e.inflight)

    async def _request(self, call: _Call, first_index: int) -> list[_Choice]:
        """One logical request with retries; returns at least one choice."""
        last: Exception | None = None
        for attempt in range(1, self.retry.max_attempts + 1):
            async with self._semaphore:
                ep = self._pick_endpoint()
                ep.inflight += 1
                try:
                    return await self._send(ep, call)
                except Exception as exc:
                    if not _retryable(exc):
                        raise LLMRequestError(
                            f"{call.endpoint} request to model {self.model!r} at {ep.url} failed: "
                            f"{type(exc).__name__}: {exc}"
                        ) from exc
                    last = exc
                    if isinstance(exc, openai.APIConnectionError) and not isinstance(exc, openai.APITimeoutError):
                        ep.avoid_until = time.monotonic() + ENDPOINT_COOLDOWN_S
                finally:
                    ep.inflight -= 1
            if attempt == self.retry.max_attempts:
                break
            delay = max(self.retry.delay(attempt), _retry_after(last))
            if self.progress:
                self.progress(
                    ProgressEvent("retry", self.model, first_index, base_url=ep.url, attempt=attempt, delay=delay,
                                  error=f"{type(last).__name__}: {last}")
                )
            await asyncio.sleep(delay)
        if self.progress:
            self.progress(ProgressEvent("failed", self.model, first_index, attempt=self.retry.max_attempts,
                                        error=f"{type(last).__name__}: {last}"))
        urls = ", ".join(e.url for e in self._endpoints)
        raise LLMRequestError(
            f"{call.endpoint} request to model {self.model!r} failed after {self.retry.max_attempts} attempts "
            f"(endpoints: {urls}); last error: {type(last).__name__}: {last}"
        ) from last

    async def _send(self, ep: _Endpoint, call: _Call) -> list[_Choice]:
        p = call.params
        kwargs: dict[str, Any] = {
            "model": self.model,
            "n": call.n,
            "temperature": p.temperature,
            "top_p": p.top_p,
            "max_tokens": p.max_tokens,
        }
        if call.seed is not None:
            kwargs["seed"] = call.seed
        if p.stop:
            kwargs["stop"] = list(p.stop)
        if p.extra_body:
            kwargs["extra_body"] = dict(p.extra_body)
        if call.endpoint == "chat":
            response = await ep.client.chat.completions.create(messages=call.payload, **kwargs)
            texts = [(_message_text(c.message), c.finish_reason) for c in response.choices]
        else:
            response = await ep.client.completions.create(prompt=call.payload, **kwargs)
            texts = [(c.text or "", c.finish_reason) for c in response.choices]
        if not texts:
            raise _EmptyResponse(f"{ep.url} returned no choices")
        usage = response.usage
        prompt_tokens = usage.prompt_tokens if usage else None
        if prompt_tokens is None and self.count_tokens and call.endpoint == "completions":
            prompt_tokens = self.count_tokens(call.payload)
        exact = usage is not None and len(texts) == 1 and usage.completion_tokens is not None
        return [
            _Choice(
                text,
                reason,
                prompt_tokens,
                usage.completion_tokens if exact else (self.count_tokens(text) if self.count_tokens else None),
            )
            for text, reason in texts
        ]

    async def aclose(self) -> None:
        for ep in self._endpoints:
            await ep.client.close()


async def _as_completed(tasks: list[asyncio.Future]) -> AsyncIterator[asyncio.Future]:
    """Yield each task once it is done (the task itself, so the caller knows which one it was)."""
    pending = set(tasks)
    while pending:
        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            yield task
