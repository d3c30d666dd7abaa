#!/usr/bin/env python3
"""Write the training articles the scorer never sees as two held-out slices, for evaluation.

    python scripts/heldout_split.py ../shared/data/orangesum/train.jsonl OUTDIR
    summarizer eval OUTDIR/slice-b.jsonl --bullets 2 --language fr

scripts/train_scorer.py reads a fixed-seed sample of 8,000 of OrangeSum train's 21,401
articles; the 13,401 others are held out. Slice B (1,500 of them, drawn with its own seed) was
kept untouched while the scorer was revised, as a last check; slice C (all the others) served to
choose between candidate changes. Valid alone is too small for that: a difference of 0.1
ROUGE-L on 1,500 articles is about one standard error. Lines keep their order in the file.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from train_scorer import training_indices

from summarizer.load import jsonl_lines

SLICE_SEED = 7
SLICE_B = 1500


def heldout_slices(count: int, sample: int) -> tuple[list[int], list[int]]:
    """Indices of slices B and C among ``count`` articles when the trainer reads ``sample``."""
    used = set(training_indices(count, sample))
    unused = [i for i in range(count) if i not in used]
    # The first half of this draw was an early development slice (now inside C); B is the second.
    drawn = random.Random(SLICE_SEED).sample(unused, min(2 * SLICE_B, len(unused)))
    b = set(drawn[SLICE_B:])
    return sorted(b), [i for i in unused if i not in b]


def main(argv: list[str] | None = None) -> int:
    """Write OUTDIR/slice-b.jsonl and OUTDIR/slice-c.jsonl."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("train", type=Path, help="the JSONL file given to train_scorer.py")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--sample", type=int, default=8000, help="as given to train_scorer.py")
    args = parser.parse_args(argv)
    lines = [line for _, line in jsonl_lines(args.train.read_text(encoding="utf-8"))]
    args.outdir.mkdir(parents=True, exist_ok=True)
    for name, indices in zip("bc", heldout_slices(len(lines), args.sample), strict=True):
        path = args.outdir / f"slice-{name}.jsonl"
        path.write_text("".join(lines[i] + "\n" for i in indices), encoding="utf-8")
        print(f"wrote {path}: {len(indices)} articles", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
