"""Language-neutral sentence features, shared by scorer training and inference.

Every feature is computed from layout, punctuation, digits, letter case and term overlap, never
from a word list of one language, so a model trained on French news serves every language.
Features that depend on a language's habits (German capitalises every noun) are taken relative to
the document's own mean, so only how a sentence differs from its neighbours counts. Layout
features (paragraph openers, standfirst) are left out: the training articles are single
paragraphs, so their weights could not be learned. Two features say a sentence is less likely
to be the news: it opens with a quotation (reported speech, not the reporter's statement of the
fact), or it repeats an earlier sentence (``repeats_earlier``: its highest TF-IDF cosine with the
``ECHO_LOOKBACK`` sentences before it, so it elaborates on something already said).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .models import Sentence
from .sentences import terms, word_count, words
from .similarity import Vector, centrality, cosine, tfidf_vectors

FEATURES = (
    "bias",
    "first",
    "second",
    "third",
    "position_inverse",
    "position_relative",
    "length",
    "length_squared",
    "fragment",
    "centrality",
    "title_similarity",
    "numbers",
    "capitalised",
    "quote",
    "question_or_colon",
    "parenthesis",
    "opens_with_quote",
    "repeats_earlier",
)
_QUOTES = frozenset('"«»“”„')
_DIGIT_RE = re.compile(r"\d")
# repeats_earlier looks this many sentences back: the scorer's candidate window for two bullets,
# so within it every earlier sentence counts, and long articles stay linear.
ECHO_LOOKBACK = 8


@dataclass(frozen=True)
class DocumentFeatures:
    """One feature row per sentence, plus the TF-IDF vectors used for redundancy control."""

    rows: tuple[tuple[float, ...], ...]
    vectors: tuple[Vector, ...]


def _capitalised_share(sentence_words: Sequence[str]) -> float:
    tokens = [t for t in sentence_words if not t.isdigit()]
    if len(tokens) < 2:
        return 0.0
    capitalised = [t for t in tokens[1:] if t[:1].isupper()]
    return len(capitalised) / (len(tokens) - 1)


def document_features(
    sentences: Sequence[Sentence], title: str | None, language: str, *, rows: int | None = None
) -> DocumentFeatures:
    """Feature rows (in ``FEATURES`` order) for the first ``rows`` sentences (default: all)
    of one document, and the TF-IDF vectors of all of them."""
    n = len(sentences)
    if n == 0:
        return DocumentFeatures((), ())
    token_lists = [terms(s.text, language) for s in sentences]
    title_terms = terms(title or "", language)
    vectors = tfidf_vectors([*token_lists, title_terms])
    title_vector = vectors.pop()
    central = centrality(vectors)
    top = max(central) or 1.0
    # One tokenisation per sentence serves both the capitals and the length features.
    tokens = [words(s.text) for s in sentences]
    capitals = [_capitalised_share(t) for t in tokens]
    mean_capitals = sum(capitals) / n
    # Each row is taken relative to the whole document (centrality, capitals): only the rows
    # themselves are limited, which spares the scorer's window the cost of the rest.
    table = []
    for i, sentence in enumerate(sentences[:rows]):
        text = sentence.text
        length = min(word_count(text, tokens[i]), 60) / 30
        stripped = text.rstrip()
        table.append(
            (
                1.0,
                float(i == 0),
                float(i == 1),
                float(i == 2),
                1.0 / (1 + i),
                i / (n - 1) if n > 1 else 0.0,
                length,
                length * length,
                float(length < 0.2),
                central[i] / top,
                cosine(vectors[i], title_vector) if title_terms else 0.0,
                float(_DIGIT_RE.search(text) is not None),
                capitals[i] - mean_capitals,
                float(not _QUOTES.isdisjoint(text)),
                float(stripped.endswith(("?", ":", "？", "："))),
                float("(" in text),
                float(text.lstrip()[:1] in _QUOTES),
                max(
                    (cosine(vectors[i], vectors[j]) for j in range(max(0, i - ECHO_LOOKBACK), i)),
                    default=0.0,
                ),
            )
        )
    return DocumentFeatures(tuple(table), tuple(vectors))


def linear_scores(rows: Sequence[Sequence[float]], weights: Sequence[float]) -> list[float]:
    """Dot product of each row with ``weights``."""
    if any(len(row) != len(weights) for row in rows):
        raise ValueError("every row needs one value per weight")
    # fsum is exact whatever the order of its terms: map() just makes the products faster.
    return [math.fsum(map(operator.mul, weights, row)) for row in rows]
