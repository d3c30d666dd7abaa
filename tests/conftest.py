"""Shared fixtures: the project's own test articles."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

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


# Hypothesis profiles: "ci" (the default) keeps property tests small and reproducible;
# scripts/fuzz.sh selects "fuzz" (pytest --hypothesis-profile=fuzz) for 10,000 examples each.
settings.register_profile("ci", max_examples=150, deadline=None, derandomize=True, print_blob=True)
settings.register_profile(
    "fuzz",
    max_examples=10_000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("ci")
