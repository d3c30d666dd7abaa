"""Render stage: a Summary as text, Markdown or JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .clean import normalize_spaces
from .errors import UsageError, printable
from .models import Language, Summary

FORMATS = ("text", "markdown", "json")


def render(summary: Summary, format: str = "text") -> str:
    """Render one summary; the output always ends with a newline."""
    if format == "text":
        return render_text(summary)
    if format == "markdown":
        return render_markdown(summary)
    if format == "json":
        return to_json(summary.to_dict())
    raise UsageError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}")


def render_text(summary: Summary) -> str:
    """A "TL;DR" header and "- " bullets, like an author-written TL;DR."""
    header = f"TL;DR: {summary.headline}" if summary.headline else "TL;DR"
    lines = [header] + [f"- {bullet.text}" for bullet in summary.bullets]
    return "\n".join(lines) + "\n"


def render_markdown(summary: Summary) -> str:
    """Title as a heading, source and language, the headline if any, then the bullets."""
    return markdown_section(summary.to_dict())


def _one_line(text: object) -> str:
    # Titles, ids and file names come from the input: newlines, control characters and
    # terminal escapes in them must not forge headings or drive the reader's terminal. A file
    # name's bytes that are not UTF-8 (kept as lone surrogates) are shown as \xNN escapes.
    return printable(normalize_spaces(str(text)))


def markdown_section(record: Mapping[str, Any], level: int = 2) -> str:
    """One article in Markdown from its JSON record (a summary, or an error record of batch)."""
    title = _one_line(record.get("title") or record.get("id") or record.get("source") or "?")
    meta = [f"Source: {_one_line(record.get('source', ''))}"]
    language = record.get("language")
    if isinstance(language, dict) and language.get("code"):
        meta.append(f"Language: {language['code']}")
    lines = [f"{'#' * level} {title}", "", "*" + " · ".join(meta) + "*", ""]
    if "error" in record:
        lines.append(f"> Error: {_one_line(record['error'])}")
        return "\n".join(lines) + "\n"
    if record.get("headline"):
        lines += [f"**{_one_line(record['headline'])}**", ""]
    lines += [f"- {_one_line(b['text'] if isinstance(b, dict) else b)}" for b in
              record.get("bullets", [])]  # fmt: skip
    return "\n".join(lines) + "\n"


def to_json(data: Any, indent: int | None = 2) -> str:
    """Stable JSON: UTF-8 characters kept, indented, newline-terminated.

    A lone surrogate (a file name's byte that is not UTF-8) cannot be written as UTF-8: the
    whole text is then ASCII with \\u escapes, still valid JSON on any standard output.
    """
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data, ensure_ascii=True, indent=indent)
    return text + "\n"


def language_line(source: str, language: Language, format: str = "text") -> str:
    """One detection result: tab-separated text or a one-line JSON object."""
    data = {"source": source, **language.to_dict()}
    if format == "json":
        return to_json(data, indent=None).rstrip("\n")
    shares = ",".join(f"{code}:{share:.2f}" for code, share in language.shares)
    fields = [printable(source), language.code, f"{language.confidence:.4f}", shares]
    return "\t".join(fields).rstrip("\t")
