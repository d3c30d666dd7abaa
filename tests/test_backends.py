from __future__ import annotations

import pytest

from summarizer import backends
from summarizer.backends.heuristic import cosine, select_diverse, tfidf_vectors
from summarizer.errors import UnknownBackendError
from summarizer.load import from_text
from summarizer.models import Options
from summarizer.pipeline import make_options, prepare


def test_registry_lists_and_rejects() -> None:
    assert {"heuristic", "lead"} <= set(backends.available())
    with pytest.raises(UnknownBackendError, match=r"available: .*heuristic"):
        backends.get_backend("nope")
    assert isinstance(backends.get_backend("lead"), backends.Backend)


def test_lead_takes_first_sentences(seed_text: str) -> None:
    request = prepare(from_text(seed_text), make_options(bullets=2, backend="lead"))
    result = backends.get_backend("lead").summarize(request)
    assert [b.sentence for b in result.bullets] == [0, 1]


def test_heuristic_orders_by_document_and_avoids_redundancy() -> None:
    text = (
        "Acme launched a new phone on Monday. "
        "Acme launched a new phone on Monday in Paris. "
        "The battery lasts two days according to tests. "
        "Analysts expect strong sales in Europe this year."
    )
    request = prepare(from_text(text), Options(bullets=2, backend="heuristic"))
    result = backends.get_backend("heuristic").summarize(request)
    picked = [b.sentence for b in result.bullets]
    assert picked == sorted(picked)
    assert not {0, 1} <= set(picked)


def test_select_diverse_fills_up_to_k() -> None:
    vectors = tfidf_vectors([["a", "b"], ["a", "b"], ["a", "b"]])
    assert cosine(vectors[0], vectors[1]) == pytest.approx(1.0)
    assert select_diverse([3.0, 2.0, 1.0], vectors, 2, [True] * 3) == [0, 1]
