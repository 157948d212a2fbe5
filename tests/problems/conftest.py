"""Shared paths for the problems tests: the hand-written fixtures and the real data (optional)."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "problems"
DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def data_file(relative: str) -> Path:
    """A file of the shared real data; the calling test is skipped when it is absent."""
    path = DATA / relative
    if not path.exists():
        pytest.skip(f"real data not available: {path} is absent")
    return path


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
