"""Property-based fuzzing of the loaders and of ``summarize``.

Properties: only ``SummarizerError`` subclasses escape; when bullets come back, each is
non-empty and is the input with characters deleted (markup, invisible characters),
whitespace runs read as one space and a final full stop possibly added.
CI runs the "ci" Hypothesis profile (tests/conftest.py); scripts/fuzz.sh runs 10,000
examples per property.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

import summarizer
from summarizer import load
from summarizer.errors import SummarizerError
from summarizer.models import Summary

_SPACE_RE = re.compile(r"\s+")

# Pieces that exercise every stage: words in several scripts, sentence ends, Markdown,
# HTML, TL;DR markers, list markers, control, zero-width and bidi characters.
PIECES = [
    "Le", "processeur", "consomme", "moins", "d’énergie", "the", "chip", "uses", "power",
    "Энергия", "спутник", "能源", "汽车", "ロボット", "الطاقة", "רחפן", "😀", "42", "3,14",
    ".", "!", "?", "…", "。", "；", ":", ";", ",", " — ", "«", "»", "\"", "'", "(", ")",
    "[", "]", "](", "![", "**", "__", "*", "_", "`", "```", "#", "## ", "> ", "- ", "1. ",
    "<p>", "</p>", "<script>", "</script>", "<b>", "&amp;", "&nbsp;", "<!--", "-->",
    "TL;DR", "En bref :", "Kurz gesagt", "var x = ", "window.x = ", "});",
    "\n", "\n\n", "\r\n", "\r", "\t", " ", "  ", "\u00a0", "\u3000", "\u200b", "\u200d",
    "\u202e", "\u2066", "\ufeff", "\x00", "\x1b[31m", "\x07", "\x85", "\u0301", "\ufffd",
]  # fmt: skip
articles = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=400),
    st.lists(st.sampled_from(PIECES), max_size=300).map(" ".join),
    st.lists(st.sampled_from(PIECES), max_size=300).map("".join),
)
SUFFIXES = [".txt", ".md", ".html", ".json", ".jsonl", ""]


def _flat(text: str) -> str:
    return _SPACE_RE.sub(" ", text)


def _is_deletion_of(bullet: str, source: str) -> bool:
    """``bullet`` is ``source`` with characters deleted (a subsequence)."""
    remaining = iter(source)
    return all(ch in remaining for ch in bullet)


def _check_bullets(summary: Summary, source_text: str) -> None:
    reference = _flat(source_text)
    for bullet in summary.bullets:
        text = bullet.text
        assert text.strip(), summary
        body = text[:-1] if text.endswith(".") else text
        assert _is_deletion_of(_flat(text), reference) or _is_deletion_of(_flat(body), reference), (
            text,
            source_text,
        )


@pytest.mark.slow
@given(articles, st.sampled_from([None, "text", "markdown"]), st.integers(1, 5))
@example("Un mot.\u200b\x1b[2J Une phrase entière, avec des mots.", "text", 3)
@example("[" * 3000 + "?[" * 3000, None, 3)
def test_summarize_only_raises_summarizer_errors(text: str, fmt: str | None, bullets: int) -> None:
    try:
        summary = summarizer.summarize(text, format=fmt, bullets=bullets)
    except SummarizerError as exc:
        event(f"error: {type(exc).__name__}")  # shown by --hypothesis-show-statistics
        return
    event("summary")
    assert 1 <= len(summary.bullets) <= bullets
    # Offsets and bullets refer to the loaded text: NFC, LF newlines, no BOM.
    _check_bullets(summary, load.normalize_text(text))
    json.dumps(summary.to_dict(), ensure_ascii=False).encode("utf-8")


@given(st.text(), st.sampled_from(["lead", "heuristic"]))
def test_every_backend_keeps_the_properties(text: str, backend: str) -> None:
    try:
        summary = summarizer.summarize(text, backend=backend, format="text")
    except SummarizerError:
        return
    _check_bullets(summary, load.normalize_text(text))


@given(st.binary(max_size=4096), st.booleans())
@example(b"\xff\xfe\x00", False)
@example(b"\xef\xbb\xbf\xc3", True)
@example("Прямой эфир без BOM".encode("utf-16-be"), False)
def test_decode_bytes_returns_text_or_a_decode_error(data: bytes, partial: bool) -> None:
    try:
        text = load.decode_bytes(data, "fuzz", partial=partial)
    except SummarizerError:
        return
    assert isinstance(text, str)
    text.encode("utf-8")  # no lone surrogates: every result can be written out


@given(st.binary(max_size=4096), st.sampled_from(SUFFIXES))
def test_load_and_summarize_arbitrary_bytes(data: bytes, suffix: str) -> None:
    try:
        article = load.load_bytes(data, source=f"fuzz{suffix}")
        summary = summarizer.summarize_article(article)
    except SummarizerError as exc:
        event(f"error: {type(exc).__name__}")
        return
    event("summary")
    _check_bullets(summary, article.text)


@given(articles, st.sampled_from(SUFFIXES))
def test_load_arbitrary_text_files(text: str, suffix: str) -> None:
    with contextlib.suppress(SummarizerError):
        load.load_bytes(text.encode("utf-8", errors="surrogatepass"), source=f"fuzz{suffix}")


TAGS = ["p", "div", "article", "h1", "script", "style", "a", "table", "x"]
html_fragments: st.SearchStrategy[str] = st.deferred(
    lambda: (
        st.text(max_size=40)
        | st.sampled_from(PIECES)
        | st.tuples(st.sampled_from(TAGS), st.lists(html_fragments, max_size=4)).map(
            lambda t: f"<{t[0]}>" + "".join(t[1]) + f"</{t[0]}>"
        )
    )
)


@pytest.mark.slow
@given(html_fragments)
def test_html_parses_or_fails_cleanly(fragment: str) -> None:
    try:
        summary = summarizer.summarize(f"<html><body>{fragment}</body></html>", format="html")
    except SummarizerError:
        return
    assert summary.bullets


json_values: st.SearchStrategy[Any] = st.deferred(
    lambda: (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text()
        | st.lists(json_values, max_size=4)
        | st.dictionaries(st.text(max_size=8), json_values, max_size=4)
    )
)
records = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"text": json_values | articles},
        optional={key: json_values for key in ("id", "title", "language", "url", "format")},
    ),
)


@pytest.mark.slow
@given(records)
def test_records_load_or_fail_cleanly(record: Any) -> None:
    try:
        article = load.from_record(record, source="fuzz.jsonl:1")
    except SummarizerError:
        return
    assert article.text.strip()
    line = json.dumps(record, ensure_ascii=False)
    with contextlib.suppress(SummarizerError):
        load.load_bytes(line.encode("utf-8", errors="surrogatepass"), source="fuzz.jsonl")
