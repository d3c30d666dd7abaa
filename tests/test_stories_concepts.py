"""The concept lexicon (summarizer/data/concepts.json) and what grouping does with it."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from summarizer import sentences
from summarizer.stories import StoryInput, features, group
from summarizer.stories import concepts as lexicon
from summarizer.stories.concepts import concept_features

LANGUAGES = {"en", "fr", "de", "es", "pt", "it", "ru"}


def found(text: str, language: str) -> Counter[str]:
    return Counter(f.removeprefix("con:") for f in concept_features(text, language))


# --- The data file -------------------------------------------------------------------------


def test_every_concept_has_english_and_french_and_only_known_languages() -> None:
    data = lexicon.load()
    assert len(data) >= 200
    for concept, languages in data.items():
        assert re.fullmatch(r"[a-z][a-z_]*", concept), concept
        assert {"en", "fr"} <= languages.keys(), concept
        assert languages.keys() <= LANGUAGES, concept
        assert all(languages.values()), concept
    assert lexicon.languages() == LANGUAGES
    # Each language is matched through its stemmer.
    assert all(sentences._stemmer(language) for language in LANGUAGES)


def test_no_word_or_stem_names_two_concepts_in_one_language() -> None:
    seen: dict[tuple[str, str], str] = {}
    for concept, languages in lexicon.load().items():
        for language, entries in languages.items():
            assert len(entries) == len(set(entries)), (concept, language)
            for entry in entries:
                assert entry == entry.strip() and entry == lexicon.normal(entry), entry
                if entry.startswith("=") or " " in entry or "'" in entry:
                    key = entry.lstrip("=")
                else:
                    stem = lexicon.stem(language, entry)
                    # A short stem ("tu" of "tué") meets too many other words: such a word is
                    # written "=tué", to be taken as written.
                    assert len(stem) >= 3 or stem == entry, (entry, stem)
                    key = "stem:" + stem
                owner = seen.setdefault((language, key), concept)
                assert owner == concept, (language, entry, owner, concept)


def test_every_entry_names_its_concept_once() -> None:
    # A word that never reaches its concept (a tokenisation mismatch) or reaches it twice (a
    # phrase that repeats one of its words' concept) is caught here.
    for concept, languages in lexicon.load().items():
        for language, entries in languages.items():
            for entry in entries:
                assert found(entry.lstrip("="), language)[concept] == 1, (language, entry)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "according important right quite after opposite coupe house marketing fire ill"),
        ("en", "talk close share arm"),
        ("fr", "or car si pour après avant donne parle traitement vente cris importe marche"),
        ("fr", "Dominique Gaza élevé détente suspense accorde"),
        ("de", "einige beispiel gesellschaft nachrichten verfahren vorbereiten zufrieden"),
        ("de", "arbeit schuld gehalten ausgabe kriegen handeln rechnen grade"),
        ("es", "para después trata trabajo manifestó derecha importante estudio llamado acción"),
        (
            "es",
            "negocio reino lunes velocidad recordar saludos universo escala torno grado deporte",
        ),
        ("pt", "para cada ligado direita comprido desde fala chamado vendo cortar habitantes"),
        ("pt", "refere indica leia estudos tornou velocidade universo"),
        ("it", "dopo prima salvo data porta sale lavoro parlare soldi tratta sociale fronte"),
        ("it", "leggere volevo negozio abitanti papà venti tasso veloce"),
        ("ru", "после ничего долго рано более правило данный выбор судя жил здорово"),
    ],
)
def test_common_words_of_other_meanings_name_no_concept(language: str, words: str) -> None:
    assert not concept_features(words, language)


# --- Matching ------------------------------------------------------------------------------


def test_inflections_meet_through_each_language_stemmer() -> None:
    for text, language in [
        ("Japan wins gold", "en"),
        ("Japan won gold", "en"),
        ("Le Japon remporte l'or", "fr"),
        ("Les Japonaises ont remporté l’or", "fr"),
        ("Japan gewinnt Gold", "de"),
        ("Japón gana el oro", "es"),
        ("Japão conquista o ouro e vence", "pt"),
        ("Il Giappone vince l'oro", "it"),
        ("Япония выиграла золото", "ru"),
    ]:
        assert found(text, language)["gold"] == 1, text
        assert found(text, language)["win"] >= 1, text


def test_phrases_elisions_and_possessives() -> None:
    assert found("Qualifiés pour les quarts de finale", "fr")["quarterfinal"] == 1
    assert found("Une médaille d'argent", "fr").keys() == {"silver", "medal"}
    # "or" alone is the conjunction, "argent" alone money: neither is a metal.
    assert not found("Or, le gouvernement manque d'argent", "fr").keys() & {"gold", "silver"}
    assert found("Women's team final", "en").keys() == {"women", "team", "final"}
    assert found("L'exécutif présente le budget", "fr").keys() == {"government", "budget"}
    assert found("Золотую медаль получила сборная", "ru").keys() == {"gold", "medal", "team"}


def test_german_compounds_are_read_by_their_head_and_modifier() -> None:
    assert found("Goldmedaille für die Frauenstaffel", "de").keys() == {
        "gold",
        "medal",
        "women",
        "relay",
    }
    assert found("Neuer Weltrekord", "de").keys() == {"world", "record"}
    # A head must be written as the lexicon writes it, and long enough: "Gesellschaft" holds
    # "Haft" (custody) and "Nachrichten" the stem of "Richter", but neither is about them.
    assert not concept_features("Gesellschaft Nachrichten Ehemann", "de")


def test_a_language_outside_the_lexicon_gets_no_concepts() -> None:
    assert concept_features("Zlata medalja za Japonsko", "sl") == []


def test_the_lexicon_is_read_lazily_and_once() -> None:
    code = """
import summarizer.stories, summarizer.stories.concepts as c
assert c._lexicons.cache_info().currsize == 0  # importing reads nothing
reads = []
load = c.load
c.load = lambda: reads.append(1) or load()
c.concept_features("gold", "en"), c.concept_features("or", "fr"), c.concepts("Gold", "de")
assert reads == [1], reads
"""
    subprocess.run([sys.executable, "-c", code], check=True)


# --- Grouping ------------------------------------------------------------------------------


def test_a_word_of_the_lexicon_counts_by_its_concept_and_not_also_by_its_cognate() -> None:
    _, en = features(StoryInput("Record medal haul", "", "en"), {})
    _, fr = features(StoryInput("Moisson record de médailles", "", "fr"), {})
    assert {"con:record", "con:medal"} <= en.keys() & fr.keys()
    assert not {"cog:rkrd", "cog:mdl"} & (en.keys() | fr.keys())


START = datetime(2025, 7, 29, 9, tzinfo=timezone.utc)


def burst(*titles: tuple[str, str]) -> list[StoryInput]:
    """Titles published a few minutes apart."""
    return [
        StoryInput(title, "", language, START + timedelta(minutes=12 * k))
        for k, (language, title) in enumerate(titles)
    ]


def without_lexicon(monkeypatch: pytest.MonkeyPatch) -> None:
    features_module = sys.modules["summarizer.stories.features"]
    monkeypatch.setattr(features_module, "concepts", lambda text, language: ([], set()))


def test_two_events_in_one_country_are_told_apart_across_languages_by_concepts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Both stories name Japan, in three languages; only what happened tells them apart.
    items = burst(
        ("en", "Japan wins gold in the women's swimming relay"),
        ("en", "Earthquake shakes Japan, trains halted"),
        ("fr", "Natation : le Japon remporte l’or du relais féminin"),
        ("fr", "Un fort séisme secoue le Japon"),
        ("de", "Schwimmen: Japan gewinnt Gold in der Frauenstaffel"),
        ("de", "Starkes Erdbeben erschüttert Japan"),
    )
    assert group(items) == [[0, 2, 4], [1, 3, 5]]
    without_lexicon(monkeypatch)
    assert group(items) != [[0, 2, 4], [1, 3, 5]]


def test_english_and_french_reports_join_through_concepts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One name is shared by both stories; the events are said in different words.
    items = burst(
        ("en", "Flood warning as heavy rain hits Marseille"),
        ("en", "Marseille mayor resigns after corruption probe"),
        ("fr", "Fortes pluies : alerte aux inondations à Marseille"),
        ("fr", "Corruption : le maire de Marseille démissionne, une enquête ouverte"),
    )
    assert group(items) == [[0, 2], [1, 3]]
    without_lexicon(monkeypatch)
    assert group(items) != [[0, 2], [1, 3]]
