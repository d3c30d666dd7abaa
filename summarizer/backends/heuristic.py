"""Extractive backend with hand-set weights: position, centrality, title overlap, length."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from ..bullets import make_bullets
from ..models import Sentence
from ..sentences import terms, word_count
from . import BaseBackend, Request, Result

Vector = dict[str, float]

# Two bullets more similar than this say the same thing twice.
REDUNDANCY = 0.5
WEIGHTS = {"position": 0.35, "centrality": 0.35, "title": 0.2, "length": 0.1}


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


def length_fitness(words: int) -> float:
    """1 for bullet-friendly lengths, falling off for fragments and run-on sentences."""
    if words < 5:
        return 0.0
    if words < 10:
        return (words - 4) / 6
    if words <= 35:
        return 1.0
    return max(0.0, 1.0 - (words - 35) / 35)


def is_candidate(sentence: Sentence) -> bool:
    """Questions and lead-ins ending with a colon make poor bullets."""
    return not sentence.text.rstrip().endswith(("?", ":", "？", "："))


def select_diverse(
    scores: Sequence[float],
    vectors: Sequence[Vector],
    k: int,
    allowed: Sequence[bool],
    *,
    fallback: bool = True,
) -> list[int]:
    """Best-scoring indices, skipping any too similar to one already chosen; document order.

    When fewer than ``k`` allowed sentences differ enough, the rest are taken from any
    sentence, best first, unless ``fallback`` is False.
    """
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    chosen: list[int] = []
    # Fall back to anything rather than return fewer than asked.
    for strict in (True, False) if fallback else (True,):
        for i in order:
            if len(chosen) >= k:
                break
            if i in chosen or (strict and not allowed[i]):
                continue
            if strict and any(cosine(vectors[i], vectors[j]) > REDUNDANCY for j in chosen):
                continue
            chosen.append(i)
    return sorted(chosen)


class HeuristicBackend(BaseBackend):
    """Hand-weighted sentence scoring with redundancy control."""

    name = "heuristic"

    def summarize(self, request: Request) -> Result:
        """Score, pick diverse top sentences, return them as bullets in document order."""
        sentences = request.sentences
        if not sentences:
            return Result(())
        language = request.language.code
        vectors = tfidf_vectors([terms(s.text, language) for s in sentences])
        central = centrality(vectors)
        top = max(central) or 1.0
        title_terms = set(terms(request.document.title or "", language))
        scores = []
        for i, sentence in enumerate(sentences):
            sentence_terms = set(vectors[i])
            overlap = len(title_terms & sentence_terms) / len(title_terms) if title_terms else 0.0
            features = {
                "position": 1.0 / math.sqrt(1 + i),
                "centrality": central[i] / top,
                "title": overlap,
                "length": length_fitness(word_count(sentence.text)),
            }
            scores.append(sum(WEIGHTS[name] * value for name, value in features.items()))
        allowed = [is_candidate(s) for s in sentences]
        chosen = select_diverse(scores, vectors, request.options.bullets, allowed)
        picked = [sentences[i] for i in chosen]
        return Result(make_bullets(picked, language, request.options))
