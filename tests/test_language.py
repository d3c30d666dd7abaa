from __future__ import annotations

import pytest

from summarizer.language import detect, given, supported_languages


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("battery-recycling-en.txt", "en"),
        ("smartphone-reparation-fr.txt", "fr"),
        ("glasfaser-ausbau-de.txt", "de"),
        ("coches-autonomos-es.txt", "es"),
        ("intelligenza-artificiale-it.txt", "it"),
        ("energia-solar-pt.txt", "pt"),
        ("fietsdeelsysteem-nl.txt", "nl"),
        ("kosmicheskiy-zapusk-ru.txt", "ru"),
        ("dianche-zh.txt", "zh"),
        ("robotto-ja.txt", "ja"),
        ("cyberbezpieczenstwo-pl.txt", "pl"),
        ("elflyg-sv.txt", "sv"),
    ],
)
def test_detects_article_language(data_dir, name: str, code: str) -> None:  # type: ignore[no-untyped-def]
    lang = detect((data_dir / name).read_text(encoding="utf-8"))
    assert lang.code == code
    assert lang.confidence > 0.9


def test_detection_is_deterministic() -> None:
    text = "Ce texte est court mais il est en français, ou presque."
    results = {detect(text) for _ in range(5)}
    assert len(results) == 1


@pytest.mark.parametrize("text", ["", "   ", "12:45", "🙂🙂🙂", "a"])
def test_undetermined(text: str) -> None:
    assert detect(text).code == "und"
    assert not detect(text).known


def test_given_language_and_codes() -> None:
    assert given("FR").code == "fr"
    assert "zh" in supported_languages() and "zh-cn" not in supported_languages()
