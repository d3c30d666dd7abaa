"""Articles per second with --batch-size 1 vs 8 on tiny random-weight models, and peak memory.

Builds a tiny seq2seq (T5-style) and a tiny chat (Llama-style) model with
``summarizer.testing``, then summarizes the same articles with each batch size, each run in its
own process so that its peak memory is its own. Checks that both batch sizes give the same
bullets (greedy decoding). Needs the ``transformers`` extra; no network.

    python benchmarks/transformers_batch.py [ARTICLE ...] [--count 32] [--device cpu]

Articles default to tests/data/*.txt and examples/*. The models are tiny, so the figures
measure the backend's batching and overhead, not a real model's speed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH_SIZES = (1, 8)


def default_articles() -> list[Path]:
    """The project's own test articles and examples."""
    return sorted((ROOT / "tests" / "data").glob("*.txt")) + sorted((ROOT / "examples").glob("*"))


def worker(model: str, batch_size: int, args: argparse.Namespace) -> None:
    """Summarize ``args.count`` articles with one batch size; print one JSON line of figures."""
    import torch

    from summarizer.backends import get_backend
    from summarizer.load import load_path
    from summarizer.pipeline import make_options, summarize_articles

    torch.set_num_threads(args.threads)
    articles = [load_path(p) for p in args.articles]
    articles = (articles * (args.count // len(articles) + 1))[: args.count]
    options = make_options(bullets=3, backend="transformers")
    config = {
        "model": model,
        "device": args.device,
        "batch_size": batch_size,
        "max_new_tokens": args.max_new_tokens,
    }
    # Outside the timed part: loading the model, and the one-off start-up of the other stages
    # (langdetect profiles, stemmers, stop words), which an extractive run warms up.
    get_backend("transformers", **config)
    summarize_articles(articles, make_options(bullets=3, backend="lead"))
    start = time.perf_counter()
    summaries = summarize_articles(articles, options, **config)
    elapsed = time.perf_counter() - start
    digest = hashlib.sha256(
        json.dumps([s.to_dict() for s in summaries], sort_keys=True).encode()
    ).hexdigest()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    figures = {
        "seconds": elapsed,
        "articles_per_s": len(articles) / elapsed,
        "peak_rss_mb": peak_mb,
        "chunks": sum(int(s.backend_info["chunks"]) for s in summaries),
        "digest": digest,
    }
    if torch.cuda.is_available() and args.device in ("auto", "cuda"):
        figures["peak_cuda_mb"] = torch.cuda.max_memory_allocated() / 2**20
    print(json.dumps(figures))


def run_worker(model: Path, batch_size: int, args: argparse.Namespace) -> dict[str, float]:
    """Run one measurement in a fresh process."""
    command = [
        sys.executable, __file__, "--worker", str(model), str(batch_size),
        "--device", args.device, "--count", str(args.count), "--threads", str(args.threads),
        "--max-new-tokens", str(args.max_new_tokens), *map(str, args.articles),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"worker failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Build the tiny models, measure both batch sizes, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", nargs="*", type=Path)
    parser.add_argument("--count", type=int, default=32, help="articles per run")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seq2seq-length", type=int, default=256, help="seq2seq input tokens")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument(
        "--max-new-tokens", type=int, default=32,
        help="answer length; random weights rarely stop early, so this bounds every answer",
    )  # fmt: skip
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.articles = args.articles or default_articles()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), args)
        return

    from summarizer.testing import build_chat, build_seq2seq

    texts = [p.read_text(encoding="utf-8", errors="replace") for p in default_articles()]
    with tempfile.TemporaryDirectory() as tmp:
        models = {
            "seq2seq": build_seq2seq(Path(tmp) / "t5", texts, max_length=args.seq2seq_length),
            "chat": build_chat(Path(tmp) / "llama", texts),
        }
        print(
            f"{args.count} articles, device {args.device}, {args.threads} thread(s), "
            f"answers of {args.max_new_tokens} tokens, tiny random-weight models"
        )
        print(f"{'model':8} {'batch':>5} {'art/s':>8} {'seconds':>8} {'chunks':>6} {'peak RSS':>9}")
        sys.stdout.flush()
        for kind, path in models.items():
            runs = {size: run_worker(path, size, args) for size in BATCH_SIZES}
            for size, fig in runs.items():
                print(
                    f"{kind:8} {size:>5} {fig['articles_per_s']:>8.2f} {fig['seconds']:>8.1f} "
                    f"{int(fig['chunks']):>6} {fig['peak_rss_mb']:>7.0f}MB"
                    + (f"  cuda {fig['peak_cuda_mb']:.0f}MB" if "peak_cuda_mb" in fig else ""),
                    flush=True,
                )
            speedup = runs[8]["articles_per_s"] / runs[1]["articles_per_s"]
            same = runs[1]["digest"] == runs[8]["digest"]
            print(f"{kind:8} speed-up x{speedup:.1f}; identical output: {same}", flush=True)


if __name__ == "__main__":
    main()
