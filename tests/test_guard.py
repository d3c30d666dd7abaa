from __future__ import annotations

import pytest

from summarizer.guard import SourceIndex, fold, names, normalise_number, numbers, unsupported

SOURCE = (
    "ByteDance s'allie à Huawei pour entraîner un nouveau modèle d'IA. "
    "Le contrat porte sur 100 000 puces Ascend 910B, pour 2,5 milliards de dollars. "
    "Les restrictions imposées par les États-Unis empêchent ByteDance d'utiliser les puces "
    "NVIDIA H20, selon Sam Altman."
)


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("100 000", "100000"),
        ("100\u202f000", "100000"),
        ("100,000", "100000"),
        ("100.000", "100000"),
        ("100000", "100000"),
        ("1,234,567", "1234567"),
        ("2,5", "2.5"),
        ("2.50", "2.5"),
        ("007", "7"),
        ("100.000,50", "100000.5"),
    ],
)
def test_normalise_number(written: str, value: str) -> None:
    assert normalise_number(written) == value


def test_numbers_keep_a_year_apart_from_a_figure() -> None:
    assert [v for _, v in numbers("En 2024 500 000 puces, soit 3,5 %.")] == [
        "2024",
        "500000",
        "3.5",
    ]


def test_fold_ignores_case_and_accents() -> None:
    assert fold("États-Unis") == fold("etats-unis") == "etats-unis"


def test_names_group_consecutive_capitalised_words() -> None:
    assert names("Then Sam Altman met the NVIDIA board in Santa Clara.", "en") == [
        "Sam Altman",
        "NVIDIA",
        "Santa Clara",
    ]


def test_sentence_initial_stop_words_are_not_names() -> None:
    assert names("The deal is done. It works.", "en") == []
    assert names("Les puces arrivent.", "fr") == []
    assert names("Google signed.", "en") == ["Google"]


def test_german_nouns_are_not_names_but_acronyms_are() -> None:
    assert names("Der Ausbau von Glasfaser kostet laut BMW viel.", "de") == ["BMW"]


@pytest.mark.parametrize(
    "bullet",
    [
        "ByteDance will use 100,000 Huawei Ascend chips.",
        "The deal is worth 2.5 billion dollars.",
        "Les Etats-Unis bloquent les puces Nvidia H20.",
        "BYTEDANCE et HUAWEI s'allient.",
        "Huaweis Chips sind gefragt.",  # an inflected name still matches its stem
    ],
)
def test_supported_bullets_pass(bullet: str) -> None:
    language = "de" if "sind" in bullet else "fr" if "Les" in bullet else "en"
    assert unsupported(bullet, SOURCE, language) == ()


def test_invented_numbers_and_names_are_listed_once_in_order() -> None:
    bullet = "Google buys 200 000 chips from Huawei and Elon Musk; Google pays 3 billion."
    assert unsupported(bullet, SOURCE, "en") == ("200 000", "3", "Google", "Elon Musk")


def test_partly_invented_name_is_unsupported() -> None:
    assert unsupported("Sam Bankman reacted.", SOURCE, "en") == ("Sam Bankman",)


def test_index_is_reusable() -> None:
    index = SourceIndex.of(SOURCE)
    assert index.unsupported("Huawei ships 100000 chips.", "en") == ()
    assert index.unsupported("Huawei ships 9 chips.", "en") == ("9",)


def test_a_name_after_an_elision_is_found() -> None:
    # Seen with Gemma 3 on the seed: "IA" was flagged although the article has "d’IA".
    source = "ByteDance utilisait pour ses projets d’IA des puces de NVIDIA; l'Europe suit."
    assert unsupported("Un nouveau modèle d'IA, comme en Europe.", source, "fr") == ()
    assert unsupported("Un modèle d’IA de Huawei.", source, "fr") == ("Huawei",)
