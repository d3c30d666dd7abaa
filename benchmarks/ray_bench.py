"""Throughput of `summarizer batch --engine ray` side by side with `--engine local --jobs 2`.

Usage (from the project root, after `pip install -e '.[ray]'`):

    python benchmarks/ray_bench.py ../shared/data/orangesum/train.jsonl [--limit N]
        [--repeat N] [--actors N] [--ray-address ADDRESS] [--skip-local]

Prints, in one run, on the same documents and options:
- local: `summarizer batch FILE --jobs 2` in a fresh process (its start-up included: under a
  second), JSONL written to a temporary file;
- ray: Ray's start-up apart (``ray.init`` here, or joining ``--ray-address``), then the same
  batch through the library with ``engine="ray"`` (actors started, backends loaded and the
  records written: everything but ``ray.init``), and when its first record was written;
- with ``--repeat N``, N runs of each, interleaved, and the fastest of each (start-up apart);
- the ratio of the two throughputs (Ray once started / local), and whether the two outputs are
  byte-identical (they must be: same records, same order).

On a cluster, run it on a node of the cluster (the driver) with ``--ray-address auto`` and the
input on storage every node reads at the same path; ``--skip-local`` leaves out the local run.
"""

from __future__ import annotations

import argparse
import filecmp
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

TARGET_RATIO = 0.8  # Ray's throughput once started, against local --jobs 2


def _count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip())


def run_local(source: Path, out: Path, jobs: int) -> float:
    """Seconds of `summarizer batch SOURCE --jobs N` in a fresh process."""
    command = [sys.executable, "-m", "summarizer", "batch", str(source), "-o", str(out), "-q"]
    started = time.perf_counter()
    subprocess.run([*command, "--jobs", str(jobs)], check=False)
    return time.perf_counter() - started


def run_ray(source: Path, out: Path, address: str | None, actors: int | None) -> dict[str, Any]:
    """Ray's start-up, then the batch on Ray (seconds), and when its first record came."""
    import ray

    from summarizer.batch import batch, get_engine
    from summarizer.pipeline import make_options

    started = time.perf_counter()
    if address:
        ray.init(address=address, logging_level=logging.ERROR)
    else:
        from summarizer.batch import default_jobs

        ray.init(
            num_cpus=default_jobs(),
            object_store_memory=256 * 1024 * 1024,
            include_dashboard=False,
            logging_level=logging.ERROR,
            log_to_driver=False,
        )
    startup = time.perf_counter() - started
    first: list[float] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if out.exists() and out.stat().st_size > 0:
                first.append(time.perf_counter())
                return
            time.sleep(0.01)

    watcher = threading.Thread(target=watch, daemon=True)
    try:
        engine = get_engine("ray", actors=actors)
        watcher.start()
        started = time.perf_counter()
        report = batch([str(source)], make_options(), output=out, engine=engine)
        elapsed = time.perf_counter() - started
        stop.set()
        resources = ray.cluster_resources()
    finally:
        started_stop = time.perf_counter()
        ray.shutdown()
        shutdown = time.perf_counter() - started_stop
    return {
        "startup": startup,
        "elapsed": elapsed,
        "first_record": (first[0] - started) if first else None,
        "shutdown": shutdown,
        "failed": report.failed,
        "cpus": resources.get("CPU", 0),
        "nodes": sum(1 for key in resources if key.startswith("node:") and "internal" not in key),
    }


def main() -> None:
    """Run both engines on the same input and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jsonl", type=Path, help="JSONL of articles with a 'text' field")
    parser.add_argument("--limit", type=int, default=0, help="first N articles only (0: all)")
    parser.add_argument("--jobs", type=int, default=2, help="local worker processes (2)")
    parser.add_argument("--actors", type=int, default=None, help="Ray actors (one per CPU)")
    parser.add_argument("--ray-address", default=None, help="a Ray cluster to join")
    parser.add_argument("--skip-local", action="store_true", help="leave out the local run")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each, interleaved (1)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = args.jsonl
        if args.limit:
            source = folder / "input.jsonl"
            with open(args.jsonl, "rb") as src, open(source, "wb") as dst:
                for n, line in enumerate(src):
                    if n >= args.limit:
                        break
                    dst.write(line)
        total = _count_lines(source)
        print(f"{total} documents from {args.jsonl}, cores here: {os.cpu_count()}")
        local_out, ray_out = folder / "local.jsonl", folder / "ray.jsonl"
        # Interleaved, the fastest of each: a busy machine slows whichever runs at the time.
        locals_: list[float] = []
        results: list[dict[str, Any]] = []
        for n in range(args.repeat):
            if not args.skip_local:
                locals_.append(run_local(source, local_out, args.jobs))
            results.append(run_ray(source, ray_out, args.ray_address, args.actors))
            print(f"  run {n + 1}: local {locals_[-1] if locals_ else 0:.1f} s, ray start-up "
                  f"{results[-1]['startup']:.1f} s + {results[-1]['elapsed']:.1f} s")  # fmt: skip
        local = min(locals_) if locals_ else None
        result = min(results, key=lambda r: float(r["elapsed"]))
        result["startup"] = min(r["startup"] for r in results)

        ray_rate = total / result["elapsed"]
        where = f"{result['nodes']} node(s), {result['cpus']:g} CPUs"
        if local is not None:
            print(f"local --jobs {args.jobs}:  {local:7.1f} s  {total / local:7.1f} docs/s")
        print(f"ray start-up:    {result['startup']:7.1f} s  (ray.init, {where})")
        first = result["first_record"]
        first_text = f"{first:.1f} s" if first is not None else "-"
        print(
            f"ray once started:{result['elapsed']:7.1f} s  {ray_rate:7.1f} docs/s  "
            f"(first record after {first_text}; ray.shutdown {result['shutdown']:.1f} s)"
        )
        if first is not None and result["elapsed"] > first:
            # The actors' start-up apart too (processes, imports, backends): the work alone.
            steady = total / (result["elapsed"] - first)
            print(f"ray after the first record: {steady:7.1f} docs/s (approximately: all but "
                  "the first group)")  # fmt: skip
        with_startup = total / (result["elapsed"] + result["startup"])
        print(f"ray with start-up:        {with_startup:7.1f} docs/s")
        if local is not None:
            ratio = ray_rate / (total / local)
            verdict = "met" if ratio >= TARGET_RATIO else "missed"
            target = f"target >= {TARGET_RATIO}x: {verdict}"
            print(f"ratio ray/local once started: {ratio:.2f}x ({target})")
            print(f"ratio ray/local with start-up: {with_startup / (total / local):.2f}x")
            same = filecmp.cmp(local_out, ray_out, shallow=False)
            print(f"outputs byte-identical: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
