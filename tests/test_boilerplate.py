"""Boilerplate sentences (credits, prompts, captions, notices) never become bullets."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from summarizer import summarize, summarize_file
from summarizer.boilerplate import LANGUAGES, is_boilerplate


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Associated Press writers Anna Smith and John Miller contributed to this report.", "en"),
        ("Additional reporting by Joseph Hudak", "en"),
        ("Sign up for our free daily newsletter to get the top stories.", "en"),
        ("Get the day’s top headlines delivered to your inbox every morning.", "en"),
        ("More AP NBA: https://apnews.com/NBA and https://twitter.com/AP_Sports", "en"),
        ("Follow AP's full coverage of Brexit at https://www.apnews.com/Brexit.", "en"),
        ("Also on rt.com Ministers meet again", "en"),
        ("SOURCE: Al Jazeera News", "en"),
        ("Filed under: Technology |", "en"),
        ("Photo: Jane Doe/Getty Images", "en"),
        ("© 2025 Harbor Daily. All rights reserved.", "en"),
        ("This material may not be published, broadcast, rewritten or redistributed.", "en"),
        ("Orange avec AFP, publié le 3 juin 2019 à 10h05", "fr"),
        ("À lire aussi : la réforme des retraites en cinq questions", "fr"),
        ("Abonnez-vous à notre newsletter gratuite.", "fr"),
        ("Lesen Sie auch: Die Bahn erhöht die Preise", "de"),
        ("Alle Rechte vorbehalten.", "de"),
        ("Suscríbete a nuestro boletín diario.", "es"),
        ("Leia também: o novo governo toma posse", "pt"),
        ("Riproduzione riservata.", "it"),
        ("Lees ook: de nieuwe regering is beëdigd", "nl"),
        # English furniture is caught on pages in any language.
        ("Follow us on Twitter for the latest news.", "de"),
    ],
)
def test_boilerplate_is_recognised(text: str, language: str) -> None:
    assert is_boilerplate(text, language)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Sources say the deal could be signed before the end of the month.", "en"),
        ("Also on Tuesday, the minister resigned after a vote of no confidence.", "en"),
        ("Related companies reported higher profits in the third quarter.", "en"),
        ("The newsletter industry has grown quickly since 2020, analysts said.", "en"),
        ("Selon un sondage Ifop publié le 2 juin, il reste en tête.", "fr"),
        ("Le livre doit être publié le 11 avril chez Stock.", "fr"),
        ("Amazon.com said its sales rose by 11 percent.", "en"),
        # An address cited in passing in a long sentence is content, not a link prompt.
        (
            "The report, published at https://example.org/report.pdf, says emissions fell by "
            "3 percent.",
            "en",
        ),
    ],
)
def test_content_is_not_boilerplate(text: str, language: str) -> None:
    assert not is_boilerplate(text, language)


def test_every_language_ships_a_list_of_valid_patterns() -> None:
    folder = resources.files("summarizer") / "data" / "boilerplate"
    for code in LANGUAGES:
        lines = [
            line
            for line in (folder / f"{code}.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        assert lines, code
        for line in lines:
            re.compile(line)
            # Unanchored patterns start at a word: the module puts one \b before them all.
            assert line.startswith(("^", "\\b")), (code, line)


@pytest.mark.parametrize("backend", ["extractive", "heuristic"])
def test_credit_line_after_a_separator_is_no_bullet(data_dir: Path, backend: str) -> None:
    # Issue 14's reproduction: "___" made the credit line a section and the conclusion.
    summary = summarize_file(data_dir / "credits-en.txt", backend=backend)
    texts = [bullet.text for bullet in summary.bullets]
    assert len(texts) == 3
    assert not any("contributed" in text for text in texts)
    assert summary.language.code == "en"


@pytest.mark.parametrize("backend", ["extractive", "heuristic"])
def test_page_credit_and_newsletter_never_become_bullets(data_dir: Path, backend: str) -> None:
    for bullets in (3, 6, 12):
        summary = summarize_file(
            data_dir / "page-boilerplate-en.html", bullets=bullets, backend=backend
        )
        texts = " ".join(bullet.text for bullet in summary.bullets)
        assert "contributed" not in texts and "newsletter" not in texts
        assert "All rights reserved" not in texts


@pytest.mark.parametrize("backend", ["extractive", "heuristic"])
def test_lone_fragment_lines_are_not_bullets(backend: str) -> None:
    text = (
        "Photos of the launch\n\n"
        "The rocket lifted off at dawn and reached orbit nine minutes later, the agency said.\n\n"
        "The satellite will map forests and measure how much carbon they store each year.\n\n"
        "Additional reporting by Tom Becker"
    )
    texts = [b.text for b in summarize(text, bullets=3, backend=backend).bullets]
    assert texts == [
        "The rocket lifted off at dawn and reached orbit nine minutes later, the agency said.",
        "The satellite will map forests and measure how much carbon they store each year.",
    ]


def test_a_text_of_furniture_alone_still_gets_a_bullet() -> None:
    # One line without final punctuation is all there is: it is the content.
    assert [b.text for b in summarize("Just one line without a full stop").bullets] == [
        "Just one line without a full stop"
    ]


def test_a_sentence_citing_an_address_keeps_it_whole_in_its_bullet() -> None:
    text = (
        "The agency's report, published at https://example.org/data/report-2025.pdf on Monday, "
        "says emissions fell by 3 percent last year. Ministers welcomed the figures. "
        "Read the full report at https://example.org/data. Opposition parties said the cut "
        "came from a mild winter rather than from policy."
    )
    texts = [b.text for b in summarize(text, bullets=4, language="en").bullets]
    assert any("https://example.org/data/report-2025.pdf" in t for t in texts)
    assert not any(t.startswith("Read the full report") for t in texts)
    assert not any(t.rstrip(".").endswith(("https://example.", "example.org/data")) for t in texts)
