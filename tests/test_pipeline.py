"""The seed article end to end through the library API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer import (
    SummarizerError,
    detect_language,
    summarize,
    summarize_articles,
    summarize_file,
)
from summarizer.clean import clean
from summarizer.errors import EmptyInputError, InputError, UsageError
from summarizer.load import from_text
from summarizer.render import render
from summarizer.sentences import words


def test_seed_end_to_end(seed_path: Path, seed_text: str) -> None:
    summary = summarize_file(seed_path)
    assert summary.language.code == "fr"
    assert len(summary.bullets) == 3
    doc = clean(from_text(seed_text))
    lines = {line.strip().lstrip("- ") for line in seed_text.splitlines()}
    for bullet in summary.bullets:
        assert bullet.text not in doc.headings
        assert bullet.text not in doc.author_tldr
        assert bullet.text not in {"Tl;dr"}
        assert bullet.start is not None and bullet.end is not None
        # Compression only deletes (and may capitalise the new first word): the bullet's words
        # are the source sentence's words, in order.
        source = iter(words(seed_text[bullet.start : bullet.end].casefold()))
        assert all(word in source for word in words(bullet.text.casefold()))
        assert bullet.text != doc.title
    assert summary.author_tldr == doc.author_tldr
    assert not any(b.text in lines and b.text in doc.headings for b in summary.bullets)


def test_two_runs_identical_bytes(seed_path: Path) -> None:
    first = render(summarize_file(seed_path), "json")
    second = render(summarize_file(seed_path), "json")
    assert first == second


def test_one_sentence_gives_one_bullet(data_dir: Path) -> None:
    summary = summarize_file(data_dir / "one-sentence-en.txt")
    assert len(summary.bullets) == 1


@pytest.mark.parametrize(
    "name",
    [
        "battery-recycling-en.txt",
        "glasfaser-ausbau-de.txt",
        "kosmicheskiy-zapusk-ru.txt",
        "dianche-zh.txt",
        "robotto-ja.txt",
        "article-en.md",
        "article-fr.html",
    ],
)
def test_bullets_come_from_the_article(data_dir: Path, name: str) -> None:
    summary = summarize_file(data_dir / name, bullets=2)
    assert len(summary.bullets) == 2
    assert summary.language.code == name.rsplit("-", 1)[1].split(".")[0] or name.startswith(
        "article"
    )


def test_language_option_skips_detection() -> None:
    summary = summarize("Ceci est une phrase. Et une autre.", language="de")
    assert summary.language.code == "de" and summary.language.confidence == 1.0


def test_bad_arguments() -> None:
    with pytest.raises(EmptyInputError):
        summarize("   ")
    with pytest.raises(UsageError):
        summarize("Text here.", bullets=0)
    with pytest.raises(UsageError, match="available"):
        summarize("Text here.", backend="nope")


def test_to_dict_is_json_ready() -> None:
    data = summarize("Hello there. General Kenobi speaks now.", bullets=1).to_dict()
    assert data["options"]["bullets"] == 1 and data["backend"] == "extractive"


def test_mixed_article_reports_shares(data_dir: Path) -> None:
    summary = summarize_file(data_dir / "mixed-fr-en.txt")
    assert summary.language.code == "fr"
    assert dict(summary.language.shares).keys() == {"fr", "en"}
    data = summary.to_dict()["language"]
    assert data["code"] == "fr" and set(data["shares"]) == {"fr", "en"}
    assert (
        "shares" not in summarize_file(data_dir / "battery-recycling-en.txt").to_dict()["language"]
    )


def test_candidate_languages_option(data_dir: Path) -> None:
    text = (data_dir / "fietsdeelsysteem-nl.txt").read_text(encoding="utf-8")
    summary = summarize(text, languages="de,en")
    assert summary.language.code in {"de", "en", "und"}
    assert summary.options.languages == ("de", "en")
    assert summary.to_dict()["options"]["languages"] == ["de", "en"]
    assert summarize(text, languages=["nl", "de"]).language.code == "nl"
    assert "languages" not in summarize(text).to_dict()["options"]
    with pytest.raises(UsageError, match="unknown language code"):
        summarize(text, languages="nl,klingon")


def test_detect_language_api(data_dir: Path) -> None:
    from summarizer import detect_language
    from summarizer.pipeline import detect_file

    assert detect_language("").code == "und"
    assert detect_language("Wirtschaftsministerium").code == "de"
    assert detect_language("the house", languages=["fr", "en"]).code == "en"
    assert detect_file(data_dir / "article-fr.html").code == "fr"
    assert detect_file(data_dir / "mixed-fr-en.txt").shares[0][0] == "fr"


def test_headline_falls_back_to_the_first_bullet_for_other_backends() -> None:
    text = (
        "Acme opened a battery plant in Lyon on Monday, which will recycle lithium, nickel and "
        "cobalt from old cars and phones for carmakers across Europe and Asia within two years. "
        "It employs 300 people."
    )
    summary = summarize(text, bullets=2, backend="lead", headline=True, language="en")
    assert summary.headline == "Acme opened a battery plant in Lyon on Monday."
    assert summarize(text, bullets=2, backend="lead").headline is None


def test_stated_language_must_be_an_iso_code() -> None:
    from summarizer.load import from_record
    from summarizer.pipeline import summarize_article

    assert summarize("Ceci est une phrase. Et une autre.", language="FR-ca").language.code == "fr"
    for bad in ("../../etc", "french", "f", ""):
        with pytest.raises(UsageError, match="ISO 639-1"):
            summarize("Ceci est une phrase. Et une autre.", language=bad)
    record = from_record(
        {"text": "Ceci est une phrase. Et une autre.", "language": "../x"}, source="r"
    )
    with pytest.raises(InputError, match="ISO 639-1"):
        summarize_article(record)


def test_articles_prepared_together_as_one_at_a_time(data_dir: Path) -> None:
    from summarizer.load import load_path
    from summarizer.pipeline import make_options, prepare, prepare_many, summarize_articles

    names = ["article-en.md", "smartphone-reparation-fr.txt", "mixed-fr-en.txt"]
    articles = [load_path(data_dir / name) for name in names]
    options = make_options(bullets=2)
    assert prepare_many(articles, options) == [prepare(a, options) for a in articles]
    together = summarize_articles(articles, options)
    assert [s.to_dict() for s in together] == [
        summarize_articles([a], options)[0].to_dict() for a in articles
    ]
    # One article without a sentence fails the whole call, as the batch stage expects.
    with pytest.raises(EmptyInputError):
        prepare_many([*articles, from_text("🙂 🙂 🙂", source="emoji")], options)


# --------------------------------------------------------------------------- bad arguments

ARTICLE = (
    "La start-up lyonnaise Nanoleaf a levé 12 millions d'euros lundi. Elle conçoit des puces "
    "pour les objets connectés. Le fondateur vise une usine en 2026.\n"
) * 3


@pytest.mark.parametrize("text", [None, 123, b"texte", bytearray(b"x"), ["x"], 1.5])
def test_summarize_refuses_what_is_not_a_string(text: object) -> None:
    with pytest.raises(UsageError, match="text must be a str"):
        summarize(text)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": 5}, "title must be a str"),
        ({"language": 5}, "language must be a string"),
        ({"backend": 5}, "backend must be a string"),
        ({"languages": [None]}, "ISO 639-1"),
        ({"languages": ["fr", 3]}, "ISO 639-1"),
        ({"bullets": float("nan")}, "bullets"),
        ({"bullets": 2.5}, "bullets"),
        ({"bullets": True}, "bullets"),
        ({"bullets": 0}, "bullets"),
        ({"max_words": float("inf")}, "max_words"),
        ({"max_words": -1}, "max_words"),
        ({"target_words": 2.5}, "target_words"),
        ({"target_words": -1}, "target_words"),
        ({"language": "xx"}, "not an ISO 639-1 code"),
        ({"language": "fe"}, "not an ISO 639-1 code"),
    ],
)
def test_bad_arguments_are_usage_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        summarize(ARTICLE, **kwargs)  # type: ignore[arg-type]


def test_any_iso_code_may_be_stated() -> None:
    # A language detection does not know is still a language: stated, it is used as given.
    assert summarize(ARTICLE, language="EU").language.code == "eu"


@pytest.mark.parametrize("path", ["x\0y", 5, None, b"\xff"])
def test_summarize_file_errors_are_summarizer_errors(path: object) -> None:
    with pytest.raises(SummarizerError):
        summarize_file(path)  # type: ignore[arg-type]


def test_a_record_language_must_be_a_real_code(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"text": ARTICLE, "language": "xx"}), encoding="utf-8")
    with pytest.raises(InputError, match="'xx' is not an ISO 639-1 code"):
        summarize_file(path)


@pytest.mark.parametrize("text", [None, 5, b"abc"])
def test_detect_language_refuses_what_is_not_a_string(text: object) -> None:
    with pytest.raises(UsageError):
        detect_language(text)  # type: ignore[arg-type]


def test_summarize_articles_refuses_a_single_article() -> None:
    article = from_text(ARTICLE)
    with pytest.raises(UsageError, match="sequence of Article"):
        summarize_articles(article)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="sequence of Article"):
        summarize_articles([ARTICLE])  # type: ignore[list-item]
