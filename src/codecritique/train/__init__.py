"""Two-stage supervised fine-tuning (OCR-II §3) on TRL's SFTTrainer.

``config`` (recipes as dataclasses on ``SFTConfig``), ``args`` (CLI overrides generated from them), ``data`` (rows
and chat examples), ``tokenize`` (chat template, loss mask, over-long drop), ``packing`` (exactness check),
``stage`` (one resumable SFTTrainer run), ``pipeline`` (both stages), ``callbacks`` (progress events). Shipped
configs: ``configs/ocr2.yaml`` and ``configs/accelerate/*.yaml``. This package never executes generated code and
never prints.
"""
