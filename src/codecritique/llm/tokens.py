"""Token counting with a model's tokenizer: the one place tokenizers are loaded for lengths (reasoning-trace lengths,
critique-bench's solution-length filter)."""

from __future__ import annotations

from pathlib import Path

from .types import TokenCounter


def tokenizer_counter(spec: str | Path, *, online: bool = True) -> TokenCounter:
    """Tokens of a text without special tokens, with the tokenizer ``spec``: an HF hub name, a model folder, or
    ``"bundled"`` (SmolLM2-135M's). ``online=False`` reads the local cache only."""
    from transformers import AutoTokenizer

    if str(spec) == "bundled":
        from .local import bundled_model_dir

        spec = bundled_model_dir()
    tok = AutoTokenizer.from_pretrained(spec if not isinstance(spec, Path) else str(spec),
                                        local_files_only=not online)
    return lambda text: len(tok.encode(text, add_special_tokens=False))
