"""Plain data shared by every LLM backend: sampling parameters and one sampled completion."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from collections.abc import Callable
from typing import Any


@dataclass(frozen=True)
class SamplingParams:
    """How to sample. Defaults are the paper's: temperature 0.6, top-p 0.95, 30,720 output tokens (OCR-II paper §4).

    ``seed`` is a *base* seed: sample ``i`` of a prompt is requested with ``seed + i`` so the k samples differ and a
    resumed run asks for the same seeds again (NeMo-Skills likewise runs one random seed per sample). ``None`` sends
    no seed. ``extra_body`` is passed through to the server unchanged (e.g. ``{"top_k": 20}``); it is part of the
    request's identity in the store.
    """

    temperature: float = 0.6
    top_p: float = 0.95
    max_tokens: int = 30720
    seed: int | None = 0
    stop: tuple[str, ...] = ()
    extra_body: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["stop"] = list(self.stop)
        return d

    def seed_for(self, sample_index: int) -> int | None:
        """The seed that sample ``sample_index`` is requested with."""
        return None if self.seed is None else self.seed + sample_index


@dataclass
class Completion:
    """One sampled answer.

    ``finish_reason`` is the server's ("stop", "length", ...); ``prompt_tokens``/``completion_tokens`` come from the
    server's ``usage`` or, where it gives none, from a tokenizer; ``None`` when neither is known. ``cached`` is true
    when the completion was read back from a store instead of generated in this run.
    """

    text: str
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    sample_index: int = 0
    model: str = ""
    key: str = ""
    cached: bool = False

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        del d["cached"]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, cached: bool = False) -> "Completion":
        return cls(
            text=d["text"],
            finish_reason=d.get("finish_reason"),
            prompt_tokens=d.get("prompt_tokens"),
            completion_tokens=d.get("completion_tokens"),
            sample_index=int(d.get("sample_index", 0)),
            model=d.get("model", ""),
            key=d.get("key", ""),
            cached=cached,
        )


Messages = list[dict[str, str]]

TokenCounter = Callable[[str], int]
"""Counts the tokens of a text, e.g. ``lambda s: len(tokenizer.encode(s, add_special_tokens=False))``."""


@dataclass
class ProgressEvent:
    """One step of a run, for progress bars and logs.

    ``kind``: ``"cached"`` (read back from the store), ``"done"`` (generated now), ``"retry"`` (a request failed and
    will be retried after ``delay`` seconds), ``"failed"`` (gave up on a request).
    """

    kind: str
    model: str
    sample_index: int = 0
    key: str = ""
    base_url: str = ""
    attempt: int = 0
    delay: float = 0.0
    completion_tokens: int | None = None
    error: str = ""


ProgressCallback = Callable[[ProgressEvent], None]
