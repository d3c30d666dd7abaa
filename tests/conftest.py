"""Shared fixtures: the project's own test articles."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


class QuietServer(ThreadingHTTPServer):
    """A test HTTP server on 127.0.0.1 that does not print client disconnects."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that stop reading (size cap, timeout) are expected in these tests


def fresh_python(code: str) -> None:
    """Run ``code`` in a new interpreter (nothing imported yet) and fail with its stderr."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def wait_for_lines(
    path: Path, count: int, process: subprocess.Popen[bytes], timeout: float
) -> None:
    """Wait until ``path`` holds ``count`` lines; fail if ``process`` ends first or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return
        if process.poll() is not None:
            pytest.fail(f"the batch ended before {count} records: {process.returncode}")
        time.sleep(0.01)
    pytest.fail("no progress")


def group_gone(process: subprocess.Popen[bytes], timeout: float) -> bool:
    """Whether every process of ``process``'s group (its session) has exited within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def local_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on a free loopback port; yields the base URL."""
    httpd = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


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
