"""What every sample extractor returns (:class:`SampleExtraction`) and raises inside (:class:`Unreadable`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from codecritique.problems.model import Test

Status = Literal["found", "not_found", "ambiguous"]
STATUSES: tuple[str, ...] = ("found", "not_found", "ambiguous")


@dataclass
class SampleExtraction:
    """The sample tests of one statement; ``tests`` is empty unless ``status == "found"``."""

    tests: list[Test]
    status: Status
    reason: str = ""


class Unreadable(Exception):
    """Raised inside the parsers; becomes an ``ambiguous`` extraction with this message as the reason."""
