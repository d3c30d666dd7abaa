from __future__ import annotations

import pytest

from summarizer.models import Sentence
from summarizer.selection import is_candidate, select_diverse
from summarizer.similarity import cosine, tfidf_vectors


def test_select_diverse_fills_up_to_k() -> None:
    vectors = tfidf_vectors([["a", "b"], ["a", "b"], ["a", "b"]])
    assert cosine(vectors[0], vectors[1]) == pytest.approx(1.0)
    assert select_diverse([3.0, 2.0, 1.0], vectors, 2, [True] * 3) == [0, 1]


def test_select_diverse_without_fallback_returns_only_allowed_distinct_sentences() -> None:
    vectors = tfidf_vectors([["a", "b"], ["a", "b"], ["c", "d"], ["e", "f"]])
    allowed = [True, True, False, True]
    assert select_diverse([4.0, 3.0, 2.0, 1.0], vectors, 3, allowed) == [0, 1, 3]
    assert select_diverse([4.0, 3.0, 2.0, 1.0], vectors, 3, allowed, fallback=False) == [0, 3]


def test_questions_and_colon_lead_ins_are_no_candidates() -> None:
    def sentence(text: str) -> Sentence:
        return Sentence(0, text, 0, len(text), 0)

    assert is_candidate(sentence("Acme opened a plant in Lyon."))
    assert not is_candidate(sentence("Why did Acme open a plant? "))
    assert not is_candidate(sentence("Acme said three things:"))
    assert not is_candidate(sentence("アクメは何を発表したか？"))
