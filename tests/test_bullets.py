from __future__ import annotations

from summarizer.bullets import cap_words, make_bullets
from summarizer.models import Options, Sentence


def test_make_bullets_keeps_provenance() -> None:
    s = Sentence(index=4, text="Prices rose.", start=10, end=22, block=1)
    (bullet,) = make_bullets([s], "en", Options())
    assert (bullet.text, bullet.sentence, bullet.start, bullet.end) == ("Prices rose.", 4, 10, 22)


def test_cap_words_cuts_only_between_clauses() -> None:
    long = "The firm opened a plant in Dresden with two thousand new jobs; " + "it " * 30 + "ends."
    assert cap_words(long, 30) == "The firm opened a plant in Dresden with two thousand new jobs."
    no_clause = "word " * 40
    assert cap_words(no_clause, 30) == no_clause
    assert cap_words("Short one.", 30) == "Short one."
