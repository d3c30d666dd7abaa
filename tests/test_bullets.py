from __future__ import annotations

from helpers import RUN_ON_125_WORDS
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer import summarize
from summarizer.bullets import cap_words, fit_words, make_bullets, make_headline
from summarizer.models import Options, Sentence
from summarizer.sentences import word_count


def test_make_bullets_keeps_provenance() -> None:
    s = Sentence(index=4, text="Prices rose.", start=10, end=22, block=1)
    (bullet,) = make_bullets([s], "en", Options())
    assert (bullet.text, bullet.sentence, bullet.start, bullet.end) == ("Prices rose.", 4, 10, 22)


def test_cap_words_cuts_only_between_clauses() -> None:
    long = "The firm opened a plant in Dresden with two thousand new jobs; " + "it " * 30 + "ends."
    assert cap_words(long, 30) == "The firm opened a plant in Dresden with two thousand new jobs."
    assert cap_words("Short one.", 30) == "Short one."


def test_a_run_on_sentence_is_cut_at_a_word_and_marked() -> None:
    run_on = (
        "The company said on Monday that it would open, after a long review by regulators in "
        "Brussels and Berlin, a new plant near Dresden employing two thousand people"
    )
    assert cap_words(run_on, 12) == "The company said on Monday that it would open…"
    assert cap_words("word " * 40, 30) == "word " * 29 + "word…"


@settings(max_examples=200)
@given(
    st.text(alphabet=st.sampled_from("ab Xé,;:—–- 华为公司.\n"), max_size=300),
    st.integers(min_value=1, max_value=40),
)
def test_max_words_is_a_true_cap(text: str, cap: int) -> None:
    assert word_count(cap_words(text, cap)) <= cap


# A clause-free run-on of 125 words, as issue 15 found at the old default of 30.
RUN_ON = RUN_ON_125_WORDS


def test_target_words_keeps_a_sentence_without_a_clause_boundary_whole() -> None:
    whole = (
        "The company said on Monday that it would open after a long review by regulators in "
        "Brussels and Berlin a new plant near Dresden employing two thousand people from the "
        "region by the end of next year"
    )
    assert 30 < word_count(whole) <= 60
    assert fit_words(whole, 30) == whole
    (bullet,) = make_bullets([Sentence(index=0, text=whole, start=0, end=1, block=0)], "en",
                             Options(compress=False))  # fmt: skip
    assert bullet.text == whole
    # It still cuts after the last whole clause that fits, never at a word.
    clauses = (
        "The firm opened a plant in Dresden with two thousand new jobs; " + "it " * 30 + "ends."
    )
    assert (
        fit_words(clauses, 30) == "The firm opened a plant in Dresden with two thousand new jobs."
    )
    assert fit_words(whole, 0) == whole


def test_the_hard_cap_only_cuts_what_the_target_left_too_long() -> None:
    assert word_count(RUN_ON) == 125
    sentence = Sentence(index=0, text=RUN_ON, start=0, end=len(RUN_ON), block=0)
    (bullet,) = make_bullets([sentence], "en", Options())  # target 30, cap 60
    assert word_count(bullet.text) == 60 and bullet.text.endswith("…")
    (bullet,) = make_bullets([sentence], "en", Options(max_words=0))
    assert bullet.text == RUN_ON
    (bullet,) = make_bullets([sentence], "en", Options(max_words=12))
    assert word_count(bullet.text) <= 12 and bullet.text.endswith("…")


def test_a_125_word_run_on_never_exceeds_the_cap() -> None:
    for kwargs, cap in (({}, 60), ({"max_words": 12}, 12), ({"target_words": 0}, 60)):
        summary = summarize(RUN_ON + " " + RUN_ON, language="en", **kwargs)  # type: ignore[arg-type]
        assert summary.bullets
        assert all(word_count(b.text) <= cap for b in summary.bullets), kwargs
        assert summary.options.max_words == cap


def test_summaries_respect_max_words(seed_text: str) -> None:
    run_on = " ".join(
        f"the board in city {n} said that the plant would hire more staff and" for n in range(40)
    )
    for text in (seed_text, run_on.capitalize() + " grow."):
        for cap in (5, 12, 30):
            summary = summarize(text, max_words=cap)
            assert summary.bullets
            assert all(word_count(b.text) <= cap for b in summary.bullets), cap


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


def test_cap_never_cuts_at_the_dash_that_opens_an_aside() -> None:
    from summarizer.bullets import cap_words

    text = (
        "The company's new chief executive, Jane Doe — a former banker who joined the firm "
        "last year — said on Tuesday that profits would double by 2027 and that no jobs "
        "would be lost."
    )
    for cap in (12, 20, 30):
        capped = cap_words(text, cap)
        assert capped != "The company's new chief executive, Jane Doe.", cap
        assert capped.endswith("…") or "said" in capped
    # The soft target has no word cut to fall back on: the sentence stays whole.
    assert fit_words(text, 20) == text
    # A single dash between two clauses is still a place to cut.
    joined = (
        "The council approved the budget for the next two years after a long debate — the "
        "opposition voted against it and promised to appeal in court next month."
    )
    assert cap_words(joined, 20) == (
        "The council approved the budget for the next two years after a long debate."
    )
