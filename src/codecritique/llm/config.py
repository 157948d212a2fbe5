"""The model a command talks to: one backend configuration and one factory, shared by every command.

``BackendConfig`` holds the model's settings with their defaults (the only defaults: the CLI reads them from here);
:func:`make_backend` turns it into a :class:`~.backend.Backend`: the OpenAI-compatible client when base URLs are
given, else a local transformers model (the bundled SmolLM2-135M-Instruct unless ``local_model`` names a folder).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .backend import Backend
from .store import Store
from .types import SamplingParams

ENDPOINT_MAX_TOKENS = 30720  # the paper's generation budget (OpenCodeReasoning-II §4)


@dataclass
class BackendConfig:
    # an OpenAI-compatible endpoint (vLLM, SGLang, ...); several URLs of the same model share the load
    base_urls: list[str] = field(default_factory=list)
    model: str | None = None  # the model's name at the endpoint (default: the one it serves)
    api_key: str = "EMPTY"
    concurrency: int = 32  # requests in flight
    # HF tokenizer (hub name, folder, or "bundled") for token counts; default: the local model's own, and for an
    # endpoint none (lengths are then counted in characters)
    tokenizer: str | None = None
    # with no base URL: a local transformers model folder (default: the bundled SmolLM2-135M-Instruct), in float32
    # (bf16 matmuls are ~5x slower on CPU), batching up to local_batch rows per forward pass
    local_model: str | None = None
    local_dtype: str = "float32"
    local_batch: int = 20  # on 2 cores a batch of 16 decodes ~1.5x the tokens/s of a batch of 8
    # sampling
    temperature: float = 0.6
    top_p: float = 0.95
    max_tokens: int | None = None  # None: endpoint_max_tokens with an endpoint, local_max_tokens with a local model
    endpoint_max_tokens: int = ENDPOINT_MAX_TOKENS
    local_max_tokens: int = 192  # the bundled 135M model on CPU: a demo run in minutes

    @property
    def local(self) -> bool:
        return not self.base_urls

    def resolved_max_tokens(self) -> int:
        if self.max_tokens is not None:
            return self.max_tokens
        return self.local_max_tokens if self.local else self.endpoint_max_tokens

    def sampling(self, seed: int | None, max_tokens: int | None = None) -> SamplingParams:
        """Sampling parameters with this config's temperature and top-p (``max_tokens`` overrides the budget)."""
        return SamplingParams(temperature=self.temperature, top_p=self.top_p,
                              max_tokens=max_tokens or self.resolved_max_tokens(), seed=seed)

    def validate(self) -> None:
        """Raise :class:`~codecritique.errors.ConfigError` for a setting that cannot work (before any model is
        loaded or called)."""
        from ..errors import require, require_number

        require_number("concurrency", self.concurrency, minimum=1)
        require_number("temperature", self.temperature, minimum=0)
        require_number("top_p", self.top_p, minimum=0, strict=True, maximum=1)
        require_number("max_tokens", self.max_tokens, minimum=1, optional=True)
        require_number("local_batch", self.local_batch, minimum=1)
        for url in self.base_urls:
            require(url.startswith(("http://", "https://")), "base_url",
                    f"{url!r} is not an http:// or https:// URL")
        if not self.base_urls and self.model and not self.local_model:
            from pathlib import Path

            require(Path(self.model, "config.json").is_file(), "model",
                    f"{self.model!r}: without --base-url the model must be a local HF model folder (config.json)")

    def local_folder(self) -> str | None:
        """The local model folder: ``local_model``, or with no base URL a ``model`` that is a folder (e.g. a
        ``codecritique train`` stage: ``--model runs/train/stage2``); None: the bundled model."""
        if self.local_model:
            return self.local_model
        if not self.base_urls and self.model:
            return self.model
        return None

    def public_dict(self) -> dict:
        """The settings without the API key (for config files and reports)."""
        from dataclasses import asdict

        d = asdict(self)
        d.pop("api_key")
        return d


def make_backend(cfg: BackendConfig, store: Store | None = None, *, online: bool = True) -> Backend:
    """The configured backend, persisting to ``store``. ``online=False``: tokenizers from the local cache only."""
    count = None
    if cfg.tokenizer:
        from .tokens import tokenizer_counter

        count = tokenizer_counter(cfg.tokenizer, online=online)
    if cfg.base_urls:
        from .client import OpenAIClient

        model = cfg.model or served_model(cfg.base_urls[0], cfg.api_key)
        return OpenAIClient(model, cfg.base_urls, api_key=cfg.api_key, concurrency=cfg.concurrency, store=store,
                            count_tokens=count)
    from .local import LocalModel, bundled_model_dir

    local = LocalModel(cfg.local_folder() or bundled_model_dir(), dtype=cfg.local_dtype, store=store,
                       max_batch=cfg.local_batch)
    if count is not None:
        local.count_tokens = count
    return local


def served_model(base_url: str, api_key: str) -> str:
    """The model a server serves, when none is named (vLLM and SGLang serve one)."""
    import openai

    models = openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=3).models.list().data
    if not models:
        raise RuntimeError(f"{base_url} serves no model; pass --model")
    return models[0].id
