"""Render stage: a Summary as text, Markdown or JSON."""

from __future__ import annotations

import json
from typing import Any

from .clean import normalize_spaces
from .errors import UsageError
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
    """Title as a heading, the language, then the bullets."""
    source = normalize_spaces(summary.source)  # a file name may hold newlines and escapes
    title = summary.title or source
    lines = [f"## {title}", ""]
    meta = f"*Language: {summary.language.code}"
    if source and source != title:
        meta += f" · Source: {source}"
    lines += [meta + "*", ""]
    if summary.headline:
        lines += [f"**{summary.headline}**", ""]
    lines += [f"- {bullet.text}" for bullet in summary.bullets]
    return "\n".join(lines) + "\n"


def to_json(data: Any) -> str:
    """Stable JSON: UTF-8 characters kept, indented, newline-terminated."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def language_line(source: str, language: Language, format: str = "text") -> str:
    """One detection result: tab-separated text or a one-line JSON object."""
    data = {"source": source, **language.to_dict()}
    if format == "json":
        return json.dumps(data, ensure_ascii=False)
    shares = ",".join(f"{code}:{share:.2f}" for code, share in language.shares)
    return "\t".join([source, language.code, f"{language.confidence:.4f}", shares]).rstrip("\t")
