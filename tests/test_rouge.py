from __future__ import annotations

import pytest

from summarizer import rouge


def test_tokenize_keeps_accents_and_lowercases() -> None:
    assert rouge.tokenize("Élevé, l'État a dû payer 3,5 M€ !") == [
        "élevé", "l", "état", "a", "dû", "payer", "3", "5", "m",
    ]  # fmt: skip


def test_identical_texts_score_one() -> None:
    scores = rouge.score("Le chat dort sur le canapé.", "le chat dort sur le canapé")
    assert all(s.f1 == pytest.approx(1.0) for s in scores.values())


def test_rouge_n_counts_clipped_overlap() -> None:
    # candidate: the the cat (3 tokens); reference: the cat sat (3): overlap the, cat = 2
    score = rouge.rouge_n(["the", "the", "cat"], ["the", "cat", "sat"], 1)
    assert score.precision == pytest.approx(2 / 3) and score.recall == pytest.approx(2 / 3)
    bigram = rouge.rouge_n(["the", "the", "cat"], ["the", "cat", "sat"], 2)
    assert bigram.precision == pytest.approx(1 / 2) and bigram.recall == pytest.approx(1 / 2)


def test_rouge_l_uses_longest_common_subsequence() -> None:
    assert rouge.lcs_length("a b c d e".split(), "a x c y e".split()) == 3
    score = rouge.rouge_l("a b c d e".split(), "a c e".split())
    assert score.precision == pytest.approx(3 / 5) and score.recall == pytest.approx(1.0)
    assert score.f1 == pytest.approx(2 * 0.6 / 1.6)


def test_empty_candidate_scores_zero_and_mean_is_percent() -> None:
    empty = rouge.score("", "something here")
    assert all(s.f1 == 0.0 for s in empty.values())
    full = rouge.score("same words", "same words")
    means = rouge.mean_f1([empty, full])
    assert means == {"rouge1": 50.0, "rouge2": 50.0, "rougeL": 50.0}


def test_stemming_is_opt_in() -> None:
    assert rouge.score("cats", "cat")["rouge1"].f1 == 0.0
    assert rouge.score("cats", "cat", stem=lambda t: t.rstrip("s"))["rouge1"].f1 == 1.0
