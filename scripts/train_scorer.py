#!/usr/bin/env python3
"""Train the extractive backend's sentence scorer and write its weights file.

    python scripts/train_scorer.py ../shared/data/orangesum/train.jsonl

Labels: in each article, the sentences with the best ROUGE-L F1 against the reference summary
(as many as the reference has sentences on average, 2) are positives, the rest negatives; labels
are centred per article, since only the ranking within an article matters. The model is a ridge
regression on the language-neutral features of ``summarizer.features``, solved in closed form in
pure Python: a fixed-seed sample, a fixed order and rounded weights make a rerun write the same
bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

from summarizer import rouge
from summarizer.features import FEATURES, document_features
from summarizer.load import from_record
from summarizer.pipeline import make_options, prepare

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "summarizer" / "data" / "scorer.json"
SEED = 20240611
POSITIVES = 2
# Candidates are the first k + WINDOW_EXTRA sentences: news puts its facts first, and the guard
# keeps a model trained on French news from wandering in articles written otherwise.
WINDOW_EXTRA = 3
DECIMALS = 6


def solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Solve ``matrix @ x = vector`` by Gaussian elimination with partial pivoting."""
    n = len(vector)
    a = [[*row, vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: (abs(a[r][col]), -r))
        a[col], a[pivot] = a[pivot], a[col]
        if a[col][col] == 0.0:
            raise ValueError("singular system: a feature is constant over the sample")
        for r in range(col + 1, n):
            factor = a[r][col] / a[col][col]
            if factor:
                for c in range(col, n + 1):
                    a[r][c] -= factor * a[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (a[r][n] - sum(a[r][c] * x[c] for c in range(r + 1, n))) / a[r][r]
    return x


def main(argv: list[str] | None = None) -> int:
    """Read the training set, fit, write the weights file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("train", type=Path, help="JSONL records with text, summary and title")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--sample", type=int, default=8000, help="articles used (fixed seed)")
    parser.add_argument("--ridge", type=float, default=1.0, help="L2 penalty")
    args = parser.parse_args(argv)

    lines = [line for line in args.train.read_text(encoding="utf-8").splitlines() if line.strip()]
    indices = sorted(random.Random(SEED).sample(range(len(lines)), min(args.sample, len(lines))))
    options = make_options(bullets=POSITIVES, backend="lead")
    size = len(FEATURES)
    xtx = [[0.0] * size for _ in range(size)]
    xty = [0.0] * size
    used = 0
    started = time.monotonic()
    for count, index in enumerate(indices, start=1):
        record = json.loads(lines[index])
        request = prepare(from_record(record, source=f"line {index + 1}"), options)
        if len(request.sentences) < 2:
            continue
        reference = rouge.tokenize(record["summary"])
        gains = [rouge.rouge_l(rouge.tokenize(s.text), reference).f1 for s in request.sentences]
        best = sorted(range(len(gains)), key=lambda i: (-gains[i], i))[:POSITIVES]
        labels = [1.0 if i in best else 0.0 for i in range(len(gains))]
        mean = sum(labels) / len(labels)
        rows = document_features(
            request.sentences, request.document.title, request.language.code
        ).rows
        for row, label in zip(rows, labels, strict=True):
            y = label - mean
            for i, xi in enumerate(row):
                if xi:
                    xty[i] += xi * y
                    xi_row = xtx[i]
                    for j, xj in enumerate(row):
                        xi_row[j] += xi * xj
        used += 1
        if count % 500 == 0:
            print(
                f"{count}/{len(indices)} articles, {time.monotonic() - started:.0f}s",
                file=sys.stderr,
            )
    for i in range(1, size):  # the bias is not penalised
        xtx[i][i] += args.ridge
    weights = [round(w, DECIMALS) + 0.0 for w in solve(xtx, xty)]
    model = {
        "about": "Sentence scorer of the extractive backend; written by scripts/train_scorer.py.",
        "trained_on": args.train.name,
        "articles": used,
        "seed": SEED,
        "label": f"top-{POSITIVES} sentences by ROUGE-L F1 vs the reference, centred per article",
        "ridge": args.ridge,
        "window_extra": WINDOW_EXTRA,
        "features": list(FEATURES),
        "weights": weights,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(model, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.output} from {used} articles", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
