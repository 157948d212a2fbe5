"""Fixtures for the training tests: a tiny Llama with a locally trained byte-level BPE tokenizer and a ChatML chat
template (real tokenizer, real model code, random weights: seconds per stage on CPU), and OCR-2-schema Parquet
made in the test."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

CHATML = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + "
    "'\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def _corpus() -> list[str]:
    from codecritique.llm.prompts import load_template

    texts = [load_template(n) for n in ("generation_python", "generation_cpp", "critique")]
    texts += [question(i) + "\n" + generation(i) + "\n" + critique(i, i % 2 == 0) for i in range(40)]
    return texts * 3


def question(i: int) -> str:
    return f"Read two integers a and b and print a + b times {i % 7}. Input: one line. Output: one number."


def generation(i: int) -> str:
    return (f"<think>\nWe need the sum times {i % 7}. Read the line, split, convert.\n</think>\n"
            f"```python\na, b = map(int, input().split())\nprint((a + b) * {i % 7})\n```")


def critique(i: int, right: bool) -> str:
    verdict = "right" if right else "wrong"
    return (f"<think>\nThe code reads a and b and multiplies by {i % 7}.\n</think>\n"
            f"The solution {'handles' if right else 'misses'} the input format.\n<judgment>{verdict}</judgment>")


def build_tiny_model(folder: Path, *, hidden: int = 32, layers: int = 2) -> Path:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(_corpus(), trainers.BpeTrainer(vocab_size=600, special_tokens=SPECIALS,
                                                          initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                        bos_token=None, chat_template=CHATML)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=2 * hidden,
                         num_hidden_layers=layers, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=2048, eos_token_id=tokenizer.eos_token_id,
                         pad_token_id=tokenizer.pad_token_id, bos_token_id=None, tie_word_embeddings=True)
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-llama"))


def ocr2_rows(n: int, *, start: int = 0, language: str = "python", seed: int = 0) -> list[dict[str, str]]:
    """Rows in the released 14-field schema (strings, as released)."""
    rng = random.Random(seed)
    rows = []
    for i in range(start, start + n):
        right = rng.random() < 0.5
        passed = right if rng.random() < 0.8 else not right  # some judgements disagree with execution
        rows.append({
            "question": question(i), "r1_generation": generation(i), "qwq_critique": critique(i, right),
            "solution": f"a, b = map(int, input().split())\nprint((a + b) * {i % 7})",
            "judgement": "right" if right else "wrong", "pass_rate": "1.0" if passed else "0.25",
            "source": "codeforces", "license": "cc-by-4.0", "dataset": "code_contests", "split": "train",
            "difficulty": "EASY", "index": str(i), "id": f"s{i}", "question_id": f"q{i}",
        })
    return rows


def write_parquet(rows: list[dict], path: Path) -> Path:
    from datasets import Dataset

    path.parent.mkdir(parents=True, exist_ok=True)
    Dataset.from_list(rows).to_parquet(str(path))
    return path


@pytest.fixture(scope="session")
def ocr2_parquet(tmp_path_factory) -> Path:
    """12 OCR-2 rows as Parquet in a python/ folder (read-only: every test writes elsewhere)."""
    folder = tmp_path_factory.mktemp("ocr2") / "data"
    write_parquet(ocr2_rows(12), folder / "python" / "part-00000.parquet")
    return folder


def invoke_cli(*args: str):
    """``codecritique ARGS`` in this process (typer's runner: no interpreter start-up, torch already imported);
    returns (exit code, stdout + stderr)."""
    from typer.testing import CliRunner

    from codecritique.cli import app

    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output
