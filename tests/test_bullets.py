from __future__ import annotations

from summarizer.bullets import cap_words, make_bullets, make_headline
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


def test_bullets_are_compressed_but_keep_their_source_offsets() -> None:
    text = "Cependant, la ville a ouvert une piste cyclable (la troisième) de dix kilomètres."
    s = Sentence(index=2, text=text, start=40, end=40 + len(text), block=0)
    (bullet,) = make_bullets([s], "fr", Options())
    assert bullet.text == "La ville a ouvert une piste cyclable de dix kilomètres."
    assert (bullet.sentence, bullet.start, bullet.end) == (2, 40, 40 + len(text))
    (raw,) = make_bullets([s], "fr", Options(compress=False))
    assert raw.text == text


def test_headline_is_shorter_than_a_bullet() -> None:
    sentence = (
        "Le constructeur a présenté lundi une voiture électrique de 700 kilomètres "
        "d'autonomie, qui sera vendue en Europe dès le printemps prochain à un prix "
        "encore inconnu des concessionnaires."
    )
    headline = make_headline(sentence, "fr", Options())
    assert headline == (
        "Le constructeur a présenté lundi une voiture électrique de 700 kilomètres d'autonomie."
    )
