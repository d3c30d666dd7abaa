"""Extractive backend with a learned sentence scorer (see scripts/train_scorer.py).

A linear model over language-neutral features (summarizer.features) ranks sentences; the best
ones among the first k + ``window_extra`` (the whole article when those hold too few usable
ones) become bullets, with summarizer.selection's redundancy control, then are compressed by
deletion (summarizer.compress). Bullets keep document order
(issue 2), so they read as the article does; the headline, when asked for, is the best one.
Articles with sections or a standfirst go through summarizer.structure instead of the window.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from .. import structure
from ..boilerplate import is_furniture, without_furniture
from ..bullets import make_bullets, make_headline
from ..errors import BackendError
from ..features import FEATURES, document_features, linear_scores
from ..models import Sentence
from ..selection import is_candidate, select_diverse
from ..sentences import first_word
from . import BaseBackend, Request, Result


@dataclass(frozen=True)
class Scorer:
    """The learned weights, one per feature, and the candidate window."""

    weights: tuple[float, ...]
    window_extra: int


def scorer_from_dict(data: dict[str, Any]) -> Scorer:
    """A Scorer from the weights file's JSON, checked against this version's features."""
    if data.get("features") != list(FEATURES):
        raise BackendError("the extractive scorer's weights do not match its features; retrain")
    weights = data.get("weights")
    if not isinstance(weights, list) or len(weights) != len(FEATURES):
        raise BackendError("the extractive scorer's weights file is malformed")
    return Scorer(tuple(float(w) for w in weights), int(data.get("window_extra", 0)))


@cache
def load_scorer() -> Scorer:
    """The weights file shipped with the package."""
    resource = resources.files("summarizer") / "data" / "scorer.json"
    try:
        data = json.loads(resource.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackendError(f"the extractive scorer's weights cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise BackendError("the extractive scorer's weights file is malformed")
    return scorer_from_dict(data)


def starts_well(sentence: Sentence) -> bool:
    """False for a fragment left by a bad split ("com), although ..."): its first word is
    all lower-case ("iPhone" is fine), it opens with closing punctuation, or brackets do not pair.
    """
    text = sentence.text.lstrip()
    if not text or text[0] in ",;:)]}":
        return False
    if text.count("(") != text.count(")") or text.count("[") != text.count("]"):
        return False
    first = first_word(text)
    return not (first and first.islower())


def usable(
    sentences: Sequence[Sentence], language: str, start: int = 0, stop: int | None = None
) -> list[bool]:
    """For each sentence of ``sentences[start:stop]``, whether it may become a bullet: see
    is_candidate and starts_well; page boilerplate and lone fragments never do."""
    stop = len(sentences) if stop is None else min(stop, len(sentences))
    return [
        is_candidate(s) and starts_well(s) and not is_furniture(sentences, i, language)
        for i, s in ((i, sentences[i]) for i in range(start, stop))
    ]


class ExtractiveBackend(BaseBackend):
    """Learned sentence scoring, redundancy control and compression."""

    name = "extractive"

    def __init__(self) -> None:
        self.scorer = load_scorer()

    def rank(self, request: Request, count: int) -> list[int]:
        """Indices of the ``count`` best sentences that do not repeat each other, best first."""
        sentences = request.sentences
        document = request.document
        language = request.language.code
        weights = self.scorer.weights
        if structure.is_structured(document):
            # Sections, not a window of first sentences, say where an article's facts are.
            features = document_features(sentences, document.title, language)
            scores = linear_scores(features.rows, weights)
            allowed = usable(sentences, language)
            bonus = structure.structure_scores(document, sentences, language, allowed)
            scores = [score + extra for score, extra in zip(scores, bonus, strict=True)]
            section_of = structure.sections(document, sentences)
            chosen = structure.select_structured(
                scores, features.vectors, section_of, count, allowed
            )
            return without_furniture(chosen, sentences, language)
        window = request.options.bullets + self.scorer.window_extra
        # Only sentences in the window are tested, so only they need scores.
        features = document_features(sentences, document.title, language, rows=window)
        scores = linear_scores(features.rows, weights)
        allowed = usable(sentences, language, 0, window)
        chosen = select_diverse(scores, features.vectors, count, allowed, fallback=False)
        if len(chosen) < count:
            # Too few good sentences in the window (an article of questions, say): the window
            # widens to the whole article, and only then may a question or a fragment be taken.
            features = document_features(sentences, document.title, language)
            scores = linear_scores(features.rows, weights)
            allowed += usable(sentences, language, window)
            chosen = select_diverse(scores, features.vectors, count, allowed)
        ranked = sorted(chosen, key=lambda i: (-scores[i], i))
        return without_furniture(ranked, sentences, language)

    def summarize(self, request: Request) -> Result:
        """The best sentences as bullets in document order; with a headline, the best one."""
        return self.summarize_many([request])[0]

    def summarize_many(self, requests: Sequence[Request]) -> list[Result]:
        """``summarize`` for several articles, stage by stage: every article's sentences are
        chosen, then every article's bullets written (each stage stays in the CPU's caches)."""
        chosen = [self._choose(request) for request in requests]
        return [
            self._write(request, picked, headline)
            for request, (picked, headline) in zip(requests, chosen, strict=True)
        ]

    def _choose(self, request: Request) -> tuple[list[Sentence], Sentence | None]:
        """The sentences that become bullets, in document order, and the headline's sentence."""
        sentences = request.sentences
        options = request.options
        if not sentences:
            return [], None
        if options.headline and len(sentences) > options.bullets:
            # The headline takes the best sentence; the bullets say what it does not.
            best, *rest = self.rank(request, options.bullets + 1)
            return [sentences[i] for i in sorted(rest)], sentences[best]
        ranked = self.rank(request, options.bullets)
        first = sentences[ranked[0]] if options.headline else None
        return [sentences[i] for i in sorted(ranked)], first

    @staticmethod
    def _write(request: Request, picked: list[Sentence], headline: Sentence | None) -> Result:
        if not picked:
            return Result(())
        language = request.language.code
        options = request.options
        title = make_headline(headline.text, language, options) if headline is not None else None
        return Result(make_bullets(picked, language, options), headline=title)
