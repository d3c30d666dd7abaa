"""Language-neutral ROUGE-N and ROUGE-L F1.

Tokens are lower-cased Unicode word runs (``\\w+``), so accented letters, Cyrillic or Greek
words count as words; rouge-score's default tokenizer keeps only ``[a-z0-9]`` and would cut
"élevé" into "lev". No stemming by default: stemmers differ per language and would make scores
incomparable across languages; with ``stem=...`` a caller may pass any ``str -> str`` function.
ROUGE-L is the summary-level LCS over the whole token sequence (rouge-score's ``rougeL``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

_TOKEN_RE = re.compile(r"\w+")
METRICS = ("rouge1", "rouge2", "rougeL")


@dataclass(frozen=True)
class Score:
    """Precision, recall and F1 of one metric."""

    precision: float
    recall: float
    f1: float


def tokenize(text: str, stem: Callable[[str], str] | None = None) -> list[str]:
    """Lower-cased Unicode word runs, optionally stemmed."""
    tokens = _TOKEN_RE.findall(text.lower())
    return [stem(t) for t in tokens] if stem else tokens


def _score(overlap: int, predicted: int, reference: int) -> Score:
    precision = overlap / predicted if predicted else 0.0
    recall = overlap / reference if reference else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1)


def _ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def rouge_n(candidate: Sequence[str], reference: Sequence[str], n: int) -> Score:
    """ROUGE-N of two token sequences (clipped n-gram counts)."""
    cand, ref = _ngrams(candidate, n), _ngrams(reference, n)
    overlap = sum((cand & ref).values())
    return _score(overlap, sum(cand.values()), sum(ref.values()))


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (one row of the DP table at a time)."""
    if len(a) < len(b):
        a, b = b, a
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(candidate: Sequence[str], reference: Sequence[str]) -> Score:
    """ROUGE-L of two token sequences."""
    return _score(lcs_length(candidate, reference), len(candidate), len(reference))


def score(
    candidate: str, reference: str, stem: Callable[[str], str] | None = None
) -> dict[str, Score]:
    """ROUGE-1, ROUGE-2 and ROUGE-L of a candidate summary against one reference."""
    cand, ref = tokenize(candidate, stem), tokenize(reference, stem)
    return {
        "rouge1": rouge_n(cand, ref, 1),
        "rouge2": rouge_n(cand, ref, 2),
        "rougeL": rouge_l(cand, ref),
    }


def mean_f1(scores: Iterable[dict[str, Score]]) -> dict[str, float]:
    """Mean F1 per metric, as a percentage (0-100)."""
    totals = dict.fromkeys(METRICS, 0.0)
    count = 0
    for item in scores:
        count += 1
        for metric in METRICS:
            totals[metric] += item[metric].f1
    return {metric: 100 * total / count if count else 0.0 for metric, total in totals.items()}
