"""Shared fixtures: the project's own test articles."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from summarizer import backends

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).parent.parent / "examples"
SEED = EXAMPLES / "bytedance-huawei-fr.txt"

# A shell without job control starts a background job with SIGINT ignored, and every process it
# starts inherits that: the Ctrl-C tests' runs would never see their SIGINT and finish instead.
# A handled signal is reset to its default in a child, so the runs get Python's own handler.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


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


@pytest.fixture
def fake_backend() -> Iterator[str]:
    """helpers.FakeBackend registered as "fake" (taking ``prefix``) for one test."""
    backends.register("fake", "helpers:FakeBackend", "test double: the last sentences", ("prefix",))
    yield "fake"
    backends.unregister("fake")


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests to the local test server must not go through a proxy from the environment."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


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


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--screenshot DIR``: the browser test of the digest page saves its screenshots there."""
    parser.addoption(
        "--screenshot",
        metavar="DIR",
        default=None,
        help="Save screenshots of the digest page (phone and desktop, light and dark) in DIR.",
    )
