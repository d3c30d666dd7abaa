"""The same input and options give the same bytes, whatever Python's hash seed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
INPUTS = sorted((ROOT / "examples").iterdir()) + sorted(
    p for p in (ROOT / "tests" / "data").iterdir() if p.is_file() and p.name != "README.md"
)

# Every article through every shipped extractive backend, with and without compression and
# a headline, and language detection: what a set iteration order could change.
LIBRARY_RUN = """
import sys
from summarizer import detect_language, summarize_file
from summarizer.render import render

for path in sys.argv[1:]:
    for backend in ("extractive", "heuristic", "lead"):
        for compress, headline in ((True, True), (False, False)):
            summary = summarize_file(path, backend=backend, compress=compress, headline=headline)
            sys.stdout.write(render(summary, "json") + render(summary, "markdown"))
    sys.stdout.write(repr(detect_language(open(path, encoding="utf-8", errors="replace").read())))
"""


def _run(args: list[str], seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(args, capture_output=True, env=env, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout


@pytest.mark.slow
def test_library_outputs_do_not_depend_on_the_hash_seed() -> None:
    args = [sys.executable, "-c", LIBRARY_RUN, *map(str, INPUTS)]
    first = _run(args, "0")
    assert first.count(b'"bullets": [\n') == 6 * len(INPUTS)  # none empty
    for seed in ("1", "2026"):
        assert _run(args, seed) == first, f"PYTHONHASHSEED={seed}"


@pytest.mark.slow
def test_parallel_batch_output_does_not_depend_on_the_hash_seed() -> None:
    args = [sys.executable, "-m", "summarizer", "batch", *map(str, INPUTS), "-j", "2", "-q"]
    first = _run(args, "0")
    assert first.count(b"\n") == len(INPUTS)
    assert _run(args, "7") == first
