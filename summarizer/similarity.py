"""Sentence similarity: TF-IDF vectors, cosine, centrality (shared by every extractive stage)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

Vector = dict[str, float]

# Two sentences more similar than this say the same thing twice.
REDUNDANCY = 0.5


def tfidf_vectors(token_lists: Sequence[Sequence[str]]) -> list[Vector]:
    """L2-normalised TF-IDF vectors, IDF computed over the given sentences."""
    n = len(token_lists)
    counts = [Counter(tokens) for tokens in token_lists]
    df: Counter[str] = Counter()
    for tf in counts:
        df.update(tf.keys())
    # A term's IDF depends only on its document frequency, 1 to n: n logarithms per document
    # instead of one per term (the same values).
    idf = [math.log((1 + n) / (1 + d)) + 1 for d in range(n + 1)]
    vectors: list[Vector] = []
    for tf in counts:
        vec = {t: (1 + math.log(c)) * idf[df[t]] for t, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({t: v / norm for t, v in vec.items()})
    return vectors


def cosine(a: Vector, b: Vector) -> float:
    """Cosine similarity of two normalised sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def centrality(vectors: Sequence[Vector]) -> list[float]:
    """Similarity of each sentence to the rest of the document (its centroid without it)."""
    total: dict[str, float] = {}
    for vec in vectors:
        for t, v in vec.items():
            total[t] = total.get(t, 0.0) + v
    total_sq = sum(v * v for v in total.values())
    scores = []
    for vec in vectors:
        # rest = total - vec, expanded so each sentence costs its own terms, not the whole
        # vocabulary: building rest explicitly made long articles quadratic.
        dot_total = sum(v * total[t] for t, v in vec.items())
        self_sq = sum(v * v for v in vec.values())
        rest_sq = total_sq - 2 * dot_total + self_sq
        norm = math.sqrt(rest_sq) if rest_sq > 1e-12 else 1.0
        scores.append(max(0.0, dot_total - self_sq) / norm)
    return scores
