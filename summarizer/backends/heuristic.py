"""Extractive backend with hand-set weights: position, centrality, title overlap, length."""

from __future__ import annotations

import math

from ..boilerplate import is_furniture, without_furniture
from ..bullets import make_bullets
from ..selection import is_candidate, select_diverse
from ..sentences import terms, word_count
from ..similarity import centrality, tfidf_vectors
from . import BaseBackend, Request, Result

WEIGHTS = {"position": 0.35, "centrality": 0.35, "title": 0.2, "length": 0.1}


def length_fitness(words: int) -> float:
    """1 for bullet-friendly lengths, falling off for fragments and run-on sentences."""
    if words < 5:
        return 0.0
    if words < 10:
        return (words - 4) / 6
    if words <= 35:
        return 1.0
    return max(0.0, 1.0 - (words - 35) / 35)


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
        allowed = [
            is_candidate(s) and not is_furniture(sentences, i, language)
            for i, s in enumerate(sentences)
        ]
        chosen = select_diverse(scores, vectors, request.options.bullets, allowed)
        chosen = sorted(without_furniture(chosen, sentences, language))
        picked = [sentences[i] for i in chosen]
        return Result(make_bullets(picked, language, request.options))
