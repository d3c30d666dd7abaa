"""Choosing sentences for bullets: which may become one, and a diverse best-scoring set."""

from __future__ import annotations

from collections.abc import Sequence

from .models import Sentence
from .similarity import REDUNDANCY, Vector, cosine


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
