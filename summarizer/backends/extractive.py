"""Extractive backend with a learned sentence scorer (see scripts/train_scorer.py).

A linear model over language-neutral features (summarizer.features) ranks sentences; the best
ones among the first k + ``window_extra`` become bullets, with the heuristic backend's redundancy
control, then are compressed by deletion (summarizer.compress).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..bullets import make_bullets, make_headline
from ..errors import BackendError
from ..features import FEATURES, document_features, linear_scores
from . import BaseBackend, Request, Result
from .heuristic import is_candidate, select_diverse


@dataclass(frozen=True)
class Scorer:
    """The learned weights, one per feature, and the candidate window."""

    weights: tuple[float, ...]
    window_extra: int


@cache
def load_scorer() -> Scorer:
    """The weights file shipped with the package."""
    resource = resources.files("summarizer") / "data" / "scorer.json"
    try:
        data = json.loads(resource.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackendError(f"the extractive scorer's weights cannot be read: {exc}") from exc
    if data.get("features") != list(FEATURES):
        raise BackendError("the extractive scorer's weights do not match its features; retrain")
    return Scorer(tuple(float(w) for w in data["weights"]), int(data["window_extra"]))


class ExtractiveBackend(BaseBackend):
    """Learned sentence scoring, redundancy control and compression."""

    name = "extractive"

    def __init__(self) -> None:
        self.scorer = load_scorer()

    def rank(self, request: Request) -> tuple[list[int], list[float]]:
        """Chosen sentence indices (document order) and every sentence's score."""
        sentences = request.sentences
        features = document_features(sentences, request.document.title, request.language.code)
        scores = linear_scores(features.rows, self.scorer.weights)
        window = request.options.bullets + self.scorer.window_extra
        allowed = [i < window and is_candidate(s) for i, s in enumerate(sentences)]
        chosen = select_diverse(scores, features.vectors, request.options.bullets, allowed)
        return chosen, scores

    def summarize(self, request: Request) -> Result:
        """The best sentences as bullets, in document order; the best one as headline."""
        if not request.sentences:
            return Result(())
        chosen, scores = self.rank(request)
        language = request.language.code
        picked = [request.sentences[i] for i in chosen]
        best = max(chosen, key=lambda i: (scores[i], -i))
        headline = make_headline(request.sentences[best].text, language, request.options)
        return Result(make_bullets(picked, language, request.options), headline=headline)
