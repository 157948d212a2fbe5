"""Two-stage supervised fine-tuning (OCR-II §3) on TRL's SFTTrainer.

``config`` (recipes as dataclasses on ``SFTConfig``), ``args`` (CLI overrides generated from them), ``data`` (rows
and chat examples), ``tokenize`` (chat template, loss mask, over-long drop), ``packing`` (exactness check),
``stage`` (one resumable SFTTrainer run), ``pipeline`` (both stages), ``callbacks`` (progress events). Shipped
configs: ``configs/ocr2.yaml`` and ``configs/accelerate/*.yaml``. This package never executes generated code and
never prints.
"""

import os as _os
import sys as _sys

if "torch" not in _sys.modules:
    # OpenMP threads that spin while waiting make every step several times slower on a busy machine (the same
    # default as the local model's, llm.local._import_torch); set OMP_WAIT_POLICY yourself to override it
    _os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
