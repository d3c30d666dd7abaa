"""Load stage: turn a path, stdin bytes or a string into an Article.

This module reads files and standard input and builds Articles; each kind of input has its own
module: ``decoding`` (bytes to text), ``html`` (article extraction), ``titles`` (a page's
title), ``jsonl`` (JSON records). Their public names are importable from here. The limits
below are read when used, so that a caller (or a test) may lower them.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import EmptyInputError, InputError
from ..models import Article

# Private names that summarizer.batch's input sniffing shares.
from .decoding import _BINARY_CONTROL as _BINARY_CONTROL
from .decoding import _SIGNATURES as _SIGNATURES
from .decoding import _guess_bomless_utf16 as _guess_bomless_utf16
from .decoding import (
    decode_bytes,
    looks_binary,
    normalize_text,
)
from .html import FALLBACK_WORDS, PROSE_WORDS, bound_html, extract_html
from .jsonl import (
    decode_line,
    decode_records,
    jsonl_line,
    jsonl_lines,
    one_record,
    parse_jsonl_line,
)
from .titles import page_title, strip_site_tag

__all__ = [
    "FALLBACK_WORDS",
    "HTML_SUFFIXES",
    "JSON_SUFFIXES",
    "MARKDOWN_SUFFIXES",
    "MAX_HTML_CHARS",
    "MAX_INPUT_BYTES",
    "MAX_TEXT_CHARS",
    "MAX_TITLE_CHARS",
    "PROSE_WORDS",
    "SUPPORTED_SUFFIXES",
    "TEXT_SUFFIXES",
    "decode_bytes",
    "decode_line",
    "decode_records",
    "detect_format",
    "errno_name",
    "extract_html",
    "from_record",
    "from_text",
    "iter_jsonl",
    "jsonl_line",
    "jsonl_lines",
    "load_bytes",
    "load_path",
    "load_stdin",
    "looks_binary",
    "normalize_text",
    "page_title",
    "parse_jsonl_line",
    "read_bytes",
    "strip_site_tag",
]

TEXT_SUFFIXES = {".txt", ".text", ""}
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES

# Limits that keep one hostile input from taking the machine; see docs/robustness.md.
# Bytes read from one file or from stdin; the rest is ignored (and a warning says so).
MAX_INPUT_BYTES = 32 * 1024 * 1024
# Characters of one HTML page handed to the parser, after scripts, styles and inline images are
# dropped: parse time and memory grow with the tree (~3 s and ~100 MB per million characters).
MAX_HTML_CHARS = 1_000_000
# Characters of article text summarized: a long feature is ~60,000; a million is a short book.
MAX_TEXT_CHARS = 1_000_000
# Characters of a title kept: a headline is under 200; a longer "title" is text in the wrong
# field, and would outweigh the body where the title counts (language detection, headlines).
MAX_TITLE_CHARS = 500


_MARKDOWN_HEADING_RE = re.compile(r"#{1,6}[ \t]+\S")


def detect_format(name: str, text: str) -> str:
    """Guess "html", "markdown" or "text" from a file name, then from the content."""
    suffix = Path(name).suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    head = text[:65536].lstrip().lstrip("\ufeff")[:512].lower()
    if head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head):
        return "html"
    # A Markdown heading first ("# Title"): a JSONL record or piped text written in Markdown.
    # A hashtag ("#MeToo") has no space after its sign.
    if _MARKDOWN_HEADING_RE.match(head):
        return "markdown"
    return "text"


def from_text(
    text: str,
    *,
    source: str = "<text>",
    format: str | None = None,
    title: str | None = None,
    language: str | None = None,
    id: str | None = None,
    url: str | None = None,
    warnings: tuple[str, ...] = (),
) -> Article:
    """Build an Article from a string (HTML is extracted to text here).

    Text past MAX_TEXT_CHARS (HTML past MAX_HTML_CHARS) is cut off; ``Article.warnings`` says so.
    """
    notes = list(warnings)
    if not isinstance(text, str):
        raise InputError(f"{source}: the text must be a string, not {type(text).__name__}")
    fmt = format or detect_format(source, text)
    if fmt == "html":
        text = bound_html(text, notes, MAX_HTML_CHARS)
        try:
            extracted_title, text = extract_html(normalize_text(text), source=source, url=url)
        except EmptyInputError as exc:
            if notes:  # the article may lie past the part that was parsed
                raise EmptyInputError(f"{exc} ({notes[-1]})") from exc
            raise
        title = title or extracted_title
        fmt = "markdown"
    text = normalize_text(_bound_text(text, notes))
    if not text.strip():
        raise EmptyInputError(f"{source}: no text to summarize")
    title = _clean_title(title, source, notes)
    return Article(
        text=text,
        source=source,
        format=fmt,
        title=title,
        language=language,
        id=id,
        url=url,
        warnings=tuple(notes),
    )


def _clean_title(title: object, source: str, notes: list[str]) -> str | None:
    """A title on one line, without control characters, at most MAX_TITLE_CHARS long."""
    if title is None:
        return None
    if not isinstance(title, str):
        raise InputError(f"{source}: the title must be a string, not {type(title).__name__}")
    if len(title) > MAX_TITLE_CHARS:
        cut = title.rfind(" ", MAX_TITLE_CHARS // 2, MAX_TITLE_CHARS)
        cut = cut if cut > 0 else MAX_TITLE_CHARS
        notes.append(f"title truncated: only its first {cut:,} of {len(title):,} characters kept")
        title = title[:cut]
    title = " ".join(normalize_text(title).split())
    return title or None


def _bound_text(text: str, notes: list[str]) -> str:
    if len(text) <= MAX_TEXT_CHARS:
        return text
    # Cut at a space near the limit so that the last word stays whole.
    cut = text.rfind(" ", MAX_TEXT_CHARS - 1000, MAX_TEXT_CHARS)
    cut = cut if cut > 0 else MAX_TEXT_CHARS
    notes.append(
        f"text truncated: only the first {cut:,} of {len(text):,} characters were summarized"
    )
    return text[:cut]


def from_record(record: Any, *, source: str) -> Article:
    """Build an Article from a JSON record ``{"text", "title"?, "id"?, "url"?, "language"?}``."""
    if not isinstance(record, dict):
        raise InputError(f"{source}: a record must be a JSON object")
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError(f'{source}: the record has no string "text" field')

    def optional(key: str) -> str | None:
        value = record.get(key)
        if value is None:
            return None
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return str(value)
        raise InputError(f'{source}: the record\'s "{key}" field must be a string')

    return from_text(
        text,
        source=source,
        format=optional("format"),
        title=optional("title"),
        language=optional("language"),
        id=optional("id"),
        url=optional("url"),
    )


_OS_ERRORS = {
    "ENOENT": "no such file",
    "EACCES": "permission denied",
    "EPERM": "permission denied",
    "ELOOP": "too many levels of symbolic links (a symlink loop?)",
    "ENAMETOOLONG": "file name too long",
    "ENOTDIR": "a part of the path is not a folder",
    "EISDIR": "is a directory (use `summarizer batch` for folders)",
}


def read_bytes(path: str | os.PathLike[str], *, limit: int | None = None) -> bytes:
    """Read a file's bytes (at most ``limit``), turning OS errors into one-line InputErrors."""
    p = Path(path)
    if "\0" in str(p):
        raise InputError(f"{p}: a file name cannot hold a NUL character")
    try:
        info = os.stat(p)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{p}: is a directory (use `summarizer batch` for folders)")
        if stat.S_ISSOCK(info.st_mode):
            raise InputError(f"{p}: is a socket, not a file")
        # Opening a FIFO that has no writer blocks forever; non-blocking, it opens at once and
        # reads as empty. Reads are made blocking again so that a live pipe is read to its end.
        nonblock = getattr(os, "O_NONBLOCK", 0) if stat.S_ISFIFO(info.st_mode) else 0
        fd = os.open(p, os.O_RDONLY | nonblock)
        if nonblock:
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as handle:
            if limit is not None:
                return handle.read(limit)
            if stat.S_ISREG(info.st_mode):
                return handle.read()
            # A pipe or a device (a symlink to /dev/zero) may never end: capped all the same.
            data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        reason = _OS_ERRORS.get(errno_name(exc), exc.strerror or str(exc))
        raise InputError(f"{p}: {reason}") from exc
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(
            f"{p}: not a regular file, and longer than {MAX_INPUT_BYTES // 2**20} MiB "
            "(pipe it to standard input instead)"
        )
    return data


def errno_name(exc: OSError) -> str:
    """Symbolic name of an OSError's errno ("ENOENT"), or "" when it has none."""
    import errno

    return errno.errorcode.get(exc.errno or 0, "")


def load_path(path: str | os.PathLike[str], *, format: str | None = None) -> Article:
    """Load one article from a file (.txt, .md, .html, or a .json/.jsonl holding one record)."""
    data = read_bytes(path, limit=MAX_INPUT_BYTES + 1)
    return load_bytes(data, source=str(path), format=format)


def load_bytes(data: bytes, *, source: str, format: str | None = None) -> Article:
    """Load one article from a file's bytes; ``source``'s suffix tells the format."""
    notes: list[str] = []
    partial = len(data) > MAX_INPUT_BYTES
    if partial:
        data = data[:MAX_INPUT_BYTES]
        notes.append(f"input truncated: only its first {MAX_INPUT_BYTES // 2**20} MiB were read")
    text = decode_bytes(data, source, partial=partial)
    if Path(source).suffix.lower() in JSON_SUFFIXES and format is None:
        if partial:
            raise InputError(
                f"{source}: a JSON record over {MAX_INPUT_BYTES // 2**20} MiB is not supported"
            )
        return from_record(one_record(text, source), source=source)
    return from_text(text, source=source, format=format, warnings=tuple(notes))


def load_stdin(*, format: str | None = None) -> Article:
    """Load one article from standard input."""
    data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    return load_bytes(data, source="<stdin>", format=format)


def iter_jsonl(
    path: str | os.PathLike[str], *, source: str | None = None
) -> Iterator[tuple[str, Any]]:
    """("FILE:LINE", value) for each record of a JSONL file, in file order.

    Decoded as ``decode_records`` does (UTF-8, or UTF-16/32 with a BOM); blank lines are
    skipped. An unreadable file, or a line that is not valid JSON when its turn comes, raises
    an InputError naming it.
    """
    name = source or os.fspath(path)
    text = decode_records(read_bytes(path), name)
    for number, line in jsonl_lines(text):
        where = f"{name}:{number}"
        yield where, parse_jsonl_line(line, where)
