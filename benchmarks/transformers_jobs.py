"""`summarizer batch` with the transformers backend: the default --jobs against --jobs 1 (and N).

Builds a tiny seq2seq model (``summarizer.testing``), copies the project's articles into a
folder until it holds ``--count`` documents, and times the real command in fresh processes,
interleaved, the fastest of ``--repeat`` runs each (start-up and model loading included: they
are what worker processes multiply). Outputs are compared: every setting must give the same
records. Needs the ``transformers`` extra; no network.

    python benchmarks/transformers_jobs.py [--count 32] [--repeat 2] [--jobs 2]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from summarizer.load import iter_jsonl

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Build the model and the folder, time each setting, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2, help="the explicit pool to compare")
    args = parser.parse_args()
    from summarizer.testing import build_seq2seq

    articles = sorted((ROOT / "tests" / "data").glob("*.txt")) + sorted(
        (ROOT / "examples").glob("*.txt")
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        # Answers of 20 tokens (the model's own generation config): the figures are about
        # processes and loading, not about how long a random model goes on writing.
        model = build_seq2seq(root / "model", [p.read_text(encoding="utf-8") for p in articles],
                              generation={"max_length": 21})  # fmt: skip
        folder = root / "in"
        folder.mkdir()
        for i in range(args.count):
            source = articles[i % len(articles)]
            shutil.copy(source, folder / f"{i:03d}-{source.name}")
        settings = {"default": [], "--jobs 1": ["--jobs", "1"],
                    f"--jobs {args.jobs}": ["--jobs", str(args.jobs)]}  # fmt: skip
        best: dict[str, float] = {}
        digests: dict[str, str] = {}
        for _ in range(args.repeat):
            for name, extra in settings.items():
                out = root / "out.jsonl"
                out.unlink(missing_ok=True)
                command = [sys.executable, "-m", "summarizer", "batch", str(folder), "-o",
                           str(out), "-b", "transformers", "--model", str(model), "--device",
                           "cpu", "-q", *extra]  # fmt: skip
                start = time.perf_counter()
                subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
                elapsed = time.perf_counter() - start
                best[name] = min(best.get(name, elapsed), elapsed)
                records = sorted(
                    json.dumps(record, sort_keys=True) for _, record in iter_jsonl(out)
                )
                digests[name] = hashlib.sha256("\n".join(records).encode()).hexdigest()[:12]
    print(f"{args.count} documents, tiny seq2seq model, fastest of {args.repeat}")
    for name, seconds in best.items():
        print(f"{name:>10}  {seconds:6.1f} s  x{best['--jobs 1'] / seconds:4.2f} vs --jobs 1"
              f"  output {digests[name]}")  # fmt: skip
    print("identical output:", len(set(digests.values())) == 1)


if __name__ == "__main__":
    main()
