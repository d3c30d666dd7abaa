"""Elisions undone in the languages that elide, and names with an apostrophe kept whole."""

from __future__ import annotations

import pytest

from summarizer.elision import unelide


@pytest.mark.parametrize(
    ("token", "language", "expected"),
    [
        ("l’Europe", "fr", "Europe"),
        ("d'IA", "fr", "IA"),
        ("qu’Intel", "fr", "Intel"),
        ("jusqu'ici", "fr", "ici"),
        ("d’Huawei", "fr", "Huawei"),
        ("L'équipe", "fr", "équipe"),
        ("L’ONU", "fr", "ONU"),
        ("dell’Italia", "it", "Italia"),
        ("un'altra", "it", "altra"),
        ("l'Ajuntament", "ca", "Ajuntament"),
        # A letter and an apostrophe before a capitalised word open a name, in any language.
        ("O'Neill", "en", "O'Neill"),
        ("O'Neill", "fr", "O'Neill"),
        ("D'Angelo", "en", "D'Angelo"),
        ("D'Angelo", "fr", "D'Angelo"),
        ("L'Oréal", "fr", "L'Oréal"),
        # No elision before a consonant: "N'Golo" Kanté is a name in French text too.
        ("N'Golo", "fr", "N'Golo"),
        ("N'Djamena", "und", "N'Djamena"),
        # English, Spanish and German do not elide.
        ("d'Artagnan", "en", "d'Artagnan"),
        ("aujourd'hui", "fr", "aujourd'hui"),
        ("Europe", "fr", "Europe"),
    ],
)
def test_elided_articles_go_and_names_stay(token: str, language: str, expected: str) -> None:
    assert unelide(token, language) == expected


def test_a_capitalised_elision_opening_a_sentence_goes() -> None:
    assert unelide("L'Américaine", "fr", opening=True) == "Américaine"
    assert unelide("L'Américaine", "fr") == "L'Américaine"
    assert unelide("D'Angelo", "en", opening=True) == "D'Angelo"
