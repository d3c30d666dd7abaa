#!/usr/bin/env python3
"""Train the extractive backend's sentence scorer and write its weights file.

    python scripts/train_scorer.py ../shared/data/orangesum/train.jsonl

Labels: in each article, the two sentences with the best ROUGE-L F1 against the reference summary
score 2 each, and the pair of sentences among the first few whose union scores best (ROUGE-1 +
ROUGE-2 + ROUGE-L F1) scores 1 each, so that sentences that are good alone and sentences that
complete each other both count. Only the candidate window (the first few sentences, where the
backend picks two bullets) is fitted: the model never ranks sentences beyond it there, and fitting
the whole article also fitted how late sentences rank among themselves. Labels are centred per
article over that window, since only the ranking within an article matters. The model is a ridge
regression on the language-neutral features of ``summarizer.features``, solved in closed form in
pure Python: a fixed-seed sample, a fixed order and rounded weights make a rerun write the same
bytes.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from summarizer import rouge
from summarizer.features import FEATURES, document_features
from summarizer.load import from_record, jsonl_lines, parse_jsonl_line
from summarizer.pipeline import make_options, prepare

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "summarizer" / "data" / "scorer.json"
SEED = 20240611
POSITIVES = 2
# Candidates are the first k + WINDOW_EXTRA sentences: news puts its facts first, and the guard
# keeps a model trained on French news from wandering in articles written otherwise.
WINDOW_EXTRA = 6
PAIR_WINDOW = POSITIVES + WINDOW_EXTRA
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


def article_labels(sentences: list[list[str]], reference: list[str]) -> list[float]:
    """Training targets of one article's sentences (see the module docstring)."""
    gains = [rouge.rouge_l(tokens, reference).f1 for tokens in sentences]
    labels = [0.0] * len(sentences)
    for i in sorted(range(len(gains)), key=lambda i: (-gains[i], i))[:POSITIVES]:
        labels[i] += 2.0
    best: tuple[float, int, int] | None = None
    for a, b in itertools.combinations(range(min(len(sentences), PAIR_WINDOW)), 2):
        union = sentences[a] + sentences[b]
        value = (
            rouge.rouge_n(union, reference, 1).f1
            + rouge.rouge_n(union, reference, 2).f1
            + rouge.rouge_l(union, reference).f1
        )
        if best is None or value > best[0]:
            best = (value, a, b)
    if best is not None:
        labels[best[1]] += 1.0
        labels[best[2]] += 1.0
    return labels


def training_indices(count: int, sample: int) -> list[int]:
    """Indices of the articles (non-blank lines) the trainer reads: a fixed-seed sample."""
    return sorted(random.Random(SEED).sample(range(count), min(sample, count)))


def window_targets(
    rows: Sequence[Sequence[float]], labels: Sequence[float]
) -> list[tuple[Sequence[float], float]]:
    """(feature row, label centred over the window) for the article's candidate window only."""
    window = list(zip(rows[:PAIR_WINDOW], labels[:PAIR_WINDOW], strict=True))
    mean = sum(label for _, label in window) / len(window)
    return [(row, label - mean) for row, label in window]


def main(argv: list[str] | None = None) -> int:
    """Read the training set, fit, write the weights file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("train", type=Path, help="JSONL records with text, summary and title")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--sample", type=int, default=8000, help="articles used (fixed seed)")
    parser.add_argument("--ridge", type=float, default=1.0, help="L2 penalty")
    args = parser.parse_args(argv)

    lines = [line for _, line in jsonl_lines(args.train.read_text(encoding="utf-8"))]
    indices = training_indices(len(lines), args.sample)
    options = make_options(bullets=POSITIVES, backend="lead")
    size = len(FEATURES)
    xtx = [[0.0] * size for _ in range(size)]
    xty = [0.0] * size
    used = 0
    started = time.monotonic()
    for count, index in enumerate(indices, start=1):
        record = parse_jsonl_line(lines[index], f"{args.train}: record {index + 1}")
        request = prepare(from_record(record, source=f"line {index + 1}"), options)
        if len(request.sentences) < 2:
            continue
        labels = article_labels(
            [rouge.tokenize(s.text) for s in request.sentences], rouge.tokenize(record["summary"])
        )
        rows = document_features(
            request.sentences, request.document.title, request.language.code
        ).rows
        for row, y in window_targets(rows, labels):
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
        "label": (
            f"2 for the top-{POSITIVES} sentences by ROUGE-L F1, +1 for the best pair among the "
            f"first {PAIR_WINDOW} (R1+R2+RL F1); fitted on the first {PAIR_WINDOW} sentences, "
            "centred per article"
        ),
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
