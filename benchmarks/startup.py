"""Start-up of ``summarizer --help`` against ``python -c "import click"``, side by side.

    python benchmarks/startup.py [--runs 10] [-- ARGS...]

Runs both commands in turn (interleaved, so that a busy machine slows both alike), ``--runs``
times each, and prints the medians and their ratio. The command is the console script next to
this interpreter (``summarizer`` in the same virtual environment), as a user starts it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def timed(args: list[str]) -> float:
    """Seconds one run of ``args`` takes, output discarded."""
    start = time.perf_counter()
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Print the medians of both commands and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each command")
    parser.add_argument("args", nargs="*", default=["--help"], help="summarizer's arguments")
    options = parser.parse_args(argv)
    script = Path(sys.executable).with_name("summarizer")
    command = [str(script) if script.exists() else shutil.which("summarizer") or "summarizer"]
    baseline = [sys.executable, "-c", "import click"]
    measured = [*command, *options.args]
    timed(baseline), timed(measured)  # warm the file cache
    base_times, times = [], []
    for _ in range(options.runs):
        base_times.append(timed(baseline))
        times.append(timed(measured))
    base, median = statistics.median(base_times), statistics.median(times)
    print(f"python -c 'import click'    median {base * 1000:6.1f} ms")
    print(f"summarizer {' '.join(options.args):16} median {median * 1000:6.1f} ms")
    print(f"ratio {median / base:.2f}x  ({options.runs} runs each, interleaved)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
