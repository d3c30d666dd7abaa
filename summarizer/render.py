"""Render stage: a Summary as text, Markdown or JSON; a batch's records as JSONL, JSON or Markdown.

The formats of every command are listed here, and only here (a digest is rendered by
``digest_render``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .errors import UsageError, printable

if TYPE_CHECKING:  # `summarizer --help` reads the formats: no more imports than they need
    from .models import Language, Summary

FORMATS = ("text", "markdown", "json")  # one summary (`summarizer summarize`)
BATCH_FORMATS = ("jsonl", "json", "markdown")  # many records (`summarizer batch`)
DIGEST_FORMATS = ("html", "markdown", "json")  # a story digest (`summarizer digest`)


def render(summary: Summary, format: str = "text") -> str:
    """Render one summary; the output always ends with a newline."""
    if format == "text":
        return render_text(summary)
    if format == "markdown":
        return render_markdown(summary)
    if format == "json":
        return to_json(summary.to_dict())
    raise _unknown(format, FORMATS)


def _unknown(format: str, choices: tuple[str, ...]) -> UsageError:
    return UsageError(f"unknown format {format!r}; choose from {', '.join(choices)}")


def render_text(summary: Summary) -> str:
    """A "TL;DR" header and "- " bullets, like an author-written TL;DR."""
    header = f"TL;DR: {summary.headline}" if summary.headline else "TL;DR"
    lines = [header] + [f"- {bullet.text}" for bullet in summary.bullets]
    if summary.keywords:
        lines.append("Keywords: " + ", ".join(summary.keywords))
    return "\n".join(lines) + "\n"


def render_markdown(summary: Summary) -> str:
    """Title as a heading, source and language, the headline if any, then the bullets."""
    return markdown_section(summary.to_dict())


def _one_line(text: object) -> str:
    # Titles, ids and file names come from the input: newlines, control characters and
    # terminal escapes in them must not forge headings or drive the reader's terminal. A file
    # name's bytes that are not UTF-8 (kept as lone surrogates) are shown as \xNN escapes.
    from .clean import normalize_spaces

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
    keywords = record.get("keywords")
    if isinstance(keywords, list) and keywords:
        lines += ["", "*Keywords: " + ", ".join(_one_line(k) for k in keywords) + "*"]
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


# --------------------------------------------------------------------------- batch records
# A batch's records arrive as their JSONL lines (see summarizer.batch.records.json_line).


def check_batch_format(format: str) -> None:
    """Raise a UsageError unless ``format`` is one of ``BATCH_FORMATS``."""
    if format not in BATCH_FORMATS:
        raise _unknown(format, BATCH_FORMATS)


def batch_header(format: str) -> str:
    """What a batch output starts with."""
    check_batch_format(format)
    return {"jsonl": "", "json": "[", "markdown": "# TL;DR digest\n"}[format]


def batch_item(format: str, line: str, first: bool) -> str:
    """One record in ``format``, from its JSONL line."""
    if format == "jsonl":
        return line
    if format == "json":
        return ("\n  " if first else ",\n  ") + line[:-1]
    return "\n" + _utf8(markdown_section(json.loads(line)))


def batch_footer(format: str) -> str:
    """What a batch output ends with."""
    return "\n]\n" if format == "json" else ""


def render_lines(lines: Iterable[str], format: str) -> Iterator[str]:
    """The whole output of a batch in one format, piece by piece, from the records' JSONL lines."""
    yield batch_header(format)
    for n, line in enumerate(lines):
        yield batch_item(format, line, n == 0)
    yield batch_footer(format)


def record_file(record: Mapping[str, Any], format: str) -> str:
    """One record as a file of its own (``batch --output-dir``): Markdown, else indented JSON."""
    if format == "markdown":
        return markdown_section(record, level=1)
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


def _utf8(text: str) -> str:
    """``text`` as it can be written in UTF-8 (a lone surrogate becomes "?")."""
    return text.encode("utf-8", "replace").decode("utf-8")
