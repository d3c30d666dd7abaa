from __future__ import annotations

import pytest

from summarizer.clean import clean
from summarizer.load import from_text, load_path
from summarizer.sentences import (
    first_word,
    segment,
    split_sentences,
    stopwords,
    terms,
    word_count,
    words,
)


def _spans(text: str, lang: str) -> list[str]:
    return [text[a:b] for a, b in segment(text, lang)]


def test_offsets_point_at_article_text(seed_text: str) -> None:
    doc = clean(from_text(seed_text))
    sentences = split_sentences(doc, "fr")
    assert len(sentences) > 10
    for s in sentences:
        assert " ".join(seed_text[s.start : s.end].split()) == s.text
        assert [x.index for x in sentences].index(s.index) == s.index


def test_glued_sentences_are_split(data_dir) -> None:  # type: ignore[no-untyped-def]
    doc = clean(load_path(data_dir / "scraped-glued-fr.txt"))
    texts = [s.text for s in split_sentences(doc, "fr")]
    assert any(t.startswith("Les ") for t in texts)
    assert not any("2023.Les" in t or "annuel.Ce" in t for t in texts)
    assert not any("new Pvp" in t for t in texts)


def test_glue_split_keeps_abbreviations() -> None:
    assert _spans("The U.S.Army said the plan works well.", "en") == [
        "The U.S.Army said the plan works well."
    ]
    assert _spans("Il est arrivé au domestique.Consternant, le voisin a ri.", "fr") == [
        "Il est arrivé au domestique.",
        "Consternant, le voisin a ri.",
    ]


def test_glue_after_a_number_or_a_short_sentence() -> None:
    assert _spans("Les ventes ont progressé en 2023.Les prix ont ensuite baissé.", "fr") == [
        "Les ventes ont progressé en 2023.",
        "Les prix ont ensuite baissé.",
    ]
    assert _spans("Il a dit oui.Il a dit non.", "fr") == ["Il a dit oui.", "Il a dit non."]


def test_code_is_dropped() -> None:
    text = "Le procureur a parlé. window.pvp_1 = new Pvp('x', {a: \"b\"}); La suite vient ici."
    assert _spans(text, "fr") == ["Le procureur a parlé.", "La suite vient ici."]


def test_script_elements_and_statements_end_at_a_tag() -> None:
    # A statement without a closing ");" ran to the end of the text and took the prose after
    # its tag with it; a script element's content is never a sentence, whatever its case.
    text = (
        "The plant will cost 9 billion euros, the company said. "
        "<script>window.x=7</script> Production of chips is planned for 2028. "
        '<SCRIPT type="text/javascript">if (a < b) { go(); }</SCRIPT> Hiring starts in May.'
    )
    texts = [s.text for s in split_sentences(clean(from_text(text)), "en")]
    assert texts == [
        "The plant will cost 9 billion euros, the company said.",
        "Production of chips is planned for 2028.",
        "Hiring starts in May.",
    ]


def test_script_in_an_attribute_does_not_eat_the_prose_after_its_tag() -> None:
    text = '<img src=x onerror="window.x = 2">Valtrix says its <b>new</b> fab opens in 2028.'
    texts = [s.text for s in split_sentences(clean(from_text(text)), "en")]
    assert texts == ["Valtrix says its new fab opens in 2028."]


def test_cjk_splitting_and_terms() -> None:
    text = "深圳一家公司周二发布了新车。业内人士认为这很重要！"
    assert _spans(text, "zh") == ["深圳一家公司周二发布了新车。", "业内人士认为这很重要！"]
    assert "深圳" in terms(text, "zh")
    assert word_count("深圳一家公司") == 3


def test_terms_use_stopwords_and_stems() -> None:
    assert "les" in stopwords("fr")
    assert terms("Les puces commandées", "fr") == terms("la puce commandée", "fr")
    assert terms("Running runners run", "en")[0] == "run"
    assert stopwords("und") == frozenset()


def test_stopwords_for_twenty_languages() -> None:
    langs = "fr en de es it pt nl ru zh ja pl sv da fi no cs hu ro tr el ar ko".split()
    assert all(stopwords(code) for code in langs)


def test_abbreviation_then_capitalised_stop_word_is_a_boundary() -> None:
    text = "Es ist der größte Rechner dieser Art. Die Maschine steht in Garching."
    assert _spans(text, "de") == [
        "Es ist der größte Rechner dieser Art.",
        "Die Maschine steht in Garching.",
    ]
    assert _spans("Sie kaufen Äpfel, Birnen usw. Der Preis steigt.", "de") == [
        "Sie kaufen Äpfel, Birnen usw.",
        "Der Preis steigt.",
    ]


def test_true_abbreviations_are_kept() -> None:
    assert _spans("Das gilt z. B. für Garching. Er kam.", "de") == [
        "Das gilt z. B. für Garching.",
        "Er kam.",
    ]
    assert _spans("Laut Art. 5 der Verordnung gilt das. Prof. Dr. Meier sagt es.", "de") == [
        "Laut Art. 5 der Verordnung gilt das.",
        "Prof. Dr. Meier sagt es.",
    ]
    # A capitalised word that is not a function word of the language does not open a sentence.
    assert len(_spans("Das sagte die Firma Qubitra Inc. Garching bleibt der Standort.", "de")) == 1


def test_an_initial_does_not_end_the_sentence_a_name_goes_on() -> None:
    # The segmenter cuts after each of these initials.
    assert _spans("Le chanteur M. Dupont a annoncé une tournée. Elle commence en mars.", "fr") == [
        "Le chanteur M. Dupont a annoncé une tournée.",
        "Elle commence en mars.",
    ]
    # French "M." (Monsieur) goes on even with a particle or a name that is a stop word.
    for name in ("de Villiers", "Le Bras"):
        text = f"Le projet avance, a expliqué M. {name} devant la presse. La suite reste floue."
        assert _spans(text, "fr")[0].endswith(f"M. {name} devant la presse.")
    assert _spans("Le site a été fondé en 940 avant J.-C. par un roi local.", "fr") == [
        "Le site a été fondé en 940 avant J.-C. par un roi local."
    ]


def test_a_capital_letter_can_still_end_a_sentence() -> None:
    assert len(_spans("Le groupe a lancé son plan C. Il démarre lundi.", "fr")) == 2
    assert len(_spans("Il a fait 40°C. Mais la nuit a été fraîche.", "fr")) == 2
    assert len(_spans("Take vitamin D. The tests show it helps.", "en")) == 2
    # Outside French, "M." is an initial like any other.
    assert len(_spans("He visited block M. The rest was closed.", "en")) == 2


def test_german_example_article_is_split_after_art(data_dir) -> None:  # type: ignore[no-untyped-def]
    doc = clean(load_path(data_dir.parent.parent / "examples" / "quantencomputer-de.md"))
    texts = [s.text for s in split_sentences(doc, "de")]
    assert any(t.endswith("dieser Art.") for t in texts)
    assert any(t.startswith("Die Maschine steht") for t in texts)


def test_quoted_speech_is_not_split_after_a_word() -> None:
    # The segmenter keeps a quotation whole; the abbreviation rule must not cut it open.
    text = "« Nous le savons depuis des années. Il faut agir », a dit la ministre."
    assert len(_spans(text, "fr")) == 1


def test_terms_of_latin_words_do_not_depend_on_cjk_elsewhere() -> None:
    latin = terms("Les voitures électriques roulent", "fr")
    assert latin == ["voitur", "électr", "roulent"]
    assert terms("Les voitures électriques roulent 深圳", "fr") == [*latin, "深圳"]
    assert terms("Les voitures électriques roulent", "fr") == latin  # from the memo this time


def test_word_count_and_first_word() -> None:
    for text in ("Un deux trois_quatre 5.", "深圳一家公司 and two", ""):
        assert word_count(text, words(text)) == word_count(text)
    assert word_count("Un deux trois_quatre 5.") == 4
    assert first_word("« iPhone », dit-il") == "iPhone"
    assert first_word("… !") is None


def test_word_memo_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from summarizer import sentences

    text = "Les opérateurs déploient la fibre dans les communes rurales depuis janvier."
    expected = sentences.terms(text, "fr")
    monkeypatch.setattr(sentences, "MEMO_WORDS", 5)
    memo = sentences._word_terms("fr")
    for n in range(50):
        assert sentences.terms(f"{text} mot{n}", "fr") == [*expected, f"mot{n}"]
        assert len(memo) <= 5 + len(text.split()) + 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Sen. Ann Cole, R-W.Va., voted against the bill. Her office said so.",
            ["Sen. Ann Cole, R-W.Va., voted against the bill.", "Her office said so."],
        ),
        (
            "The videos are posted at http://twitter.com/foo every day. Fans watch them.",
            ["The videos are posted at http://twitter.com/foo every day.", "Fans watch them."],
        ),
        (
            "According to PanARMENIAN.Net - the minister resigned. He left at noon.",
            ["According to PanARMENIAN.Net - the minister resigned.", "He left at noon."],
        ),
        (
            "Questions go to press.office@example.org. Replies come within a day.",
            ["Questions go to press.office@example.org.", "Replies come within a day."],
        ),
        (
            "Read the full report at https://www.example.com/report/2024.pdf. It is long.",
            ["Read the full report at https://www.example.com/report/2024.pdf.", "It is long."],
        ),
        (
            "The store moved to Amazon.com last year. Sales grew since then.",
            ["The store moved to Amazon.com last year.", "Sales grew since then."],
        ),
    ],
)
def test_addresses_and_dotted_abbreviations_stay_whole(text: str, expected: list[str]) -> None:
    assert _spans(text, "en") == expected


def test_a_glued_sentence_is_not_taken_for_a_domain() -> None:
    # "De" is Germany's domain in lower case only: with a capital it opens a glued sentence.
    assert _spans("Il a visité le domaine.De plus, il a ri.", "fr") == [
        "Il a visité le domaine.",
        "De plus, il a ri.",
    ]


def test_protect_keeps_length_and_masks_addresses() -> None:
    from summarizer.sentences import protect

    text = "See https://example.com/a. Or mail a@b.co. The U.S. team won."
    masked = protect(text)
    assert len(masked) == len(text)
    assert "example" not in masked and "a@b" not in masked
    assert masked.endswith("The U\u00b7S. team won.")


def test_url_dense_text_keeps_every_address_whole() -> None:
    urls = [f"https://www.site{i}.com/news/story_{i}-a.html" for i in range(400)]
    text = " ".join(urls)
    pieces = [text[a:b] for a, b in segment(text, "en")]
    assert all(url in "".join(pieces) for url in urls)
    assert not any(piece.endswith(("://www.", ".com/news/")) for piece in pieces)
