"""Shared fixtures: the project's own test articles."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).parent.parent / "examples"
SEED = EXAMPLES / "bytedance-huawei-fr.txt"


@pytest.fixture
def data_dir() -> Path:
    """Folder of small articles in several languages."""
    return DATA


@pytest.fixture
def seed_path() -> Path:
    """The canonical French article (a copy ships in examples/)."""
    return SEED


@pytest.fixture
def seed_text() -> str:
    """Text of the canonical French article."""
    return SEED.read_text(encoding="utf-8")
