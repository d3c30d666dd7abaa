"""Load stage: turn a path, stdin bytes or a string into an Article."""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from pathlib import Path
from typing import Any

from .errors import DecodeError, EmptyInputError, InputError
from .models import Article

TEXT_SUFFIXES = {".txt", ".text", ""}
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES

# Bytes that never occur in text: their presence (outside UTF-16/32) means binary data.
_BINARY_CONTROL = set(range(0, 9)) | {11, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26}
# Undefined in CP1252: decoding falls back to Latin-1 for these.
_CP1252_HOLES = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def decode_bytes(data: bytes, source: str = "<bytes>") -> str:
    """Decode article bytes: BOMs, UTF-8, UTF-16 without BOM, then CP1252/Latin-1."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"{source}: invalid {codec} after its byte-order mark") from exc
    utf16 = _guess_bomless_utf16(data)
    if utf16:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError:
            pass
    if any(byte in _BINARY_CONTROL for byte in data[:65536]):
        raise DecodeError(f"{source}: looks like binary data, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if not any(byte in _CP1252_HOLES for byte in data):
        return data.decode("cp1252")
    return data.decode("latin-1")


def _guess_bomless_utf16(data: bytes) -> str | None:
    """UTF-16 text of Latin-script languages has a NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def normalize_text(text: str) -> str:
    """Canonical article text: NFC, LF newlines, no BOM. All offsets refer to this form."""
    text = text.replace("\ufeff", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def detect_format(name: str, text: str) -> str:
    """Guess "html", "markdown" or "text" from a file name, then from the content."""
    suffix = Path(name).suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    head = text.lstrip()[:512].lower()
    if head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head):
        return "html"
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
) -> Article:
    """Build an Article from a string (HTML is extracted to text here)."""
    text = normalize_text(text)
    fmt = format or detect_format(source, text)
    if fmt == "html":
        extracted_title, text = extract_html(text, source=source, url=url)
        title = title or extracted_title
        fmt = "text"
    if not text.strip():
        raise EmptyInputError(f"{source}: no text to summarize")
    return Article(
        text=text, source=source, format=fmt, title=title, language=language, id=id, url=url
    )


def extract_html(
    html: str, *, source: str = "<html>", url: str | None = None
) -> tuple[str | None, str]:
    """Main text and title of an HTML page, via trafilatura."""
    import trafilatura  # lazy: lxml costs start-up time that plain-text users should not pay

    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            with_metadata=True,
        )
    except (ValueError, RecursionError, MemoryError) as exc:
        raise InputError(f"{source}: HTML could not be parsed ({exc.__class__.__name__})") from exc
    if document is None:
        raise EmptyInputError(f"{source}: no article text found in the HTML page")
    text = normalize_text(getattr(document, "text", None) or "")
    title = getattr(document, "title", None)
    if not text.strip():
        raise EmptyInputError(f"{source}: no article text found in the HTML page")
    return (title.strip() if title else None), text


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


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """Read a file's bytes, turning OS errors into one-line InputErrors."""
    p = Path(path)
    try:
        if p.is_dir():
            raise InputError(f"{p}: is a directory (use `summarizer batch` for folders)")
        if not p.exists():
            raise InputError(f"{p}: no such file")
        return p.read_bytes()
    except PermissionError as exc:
        raise InputError(f"{p}: permission denied") from exc
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from exc


def load_path(path: str | os.PathLike[str], *, format: str | None = None) -> Article:
    """Load one article from a file (.txt, .md, .html, or a .json/.jsonl holding one record)."""
    return load_bytes(read_bytes(path), source=str(path), format=format)


def load_bytes(data: bytes, *, source: str, format: str | None = None) -> Article:
    """Load one article from a file's bytes; ``source``'s suffix tells the format."""
    text = decode_bytes(data, source)
    if Path(source).suffix.lower() in JSON_SUFFIXES and format is None:
        return _single_record(text, source)
    return from_text(text, source=source, format=format)


def load_stdin(*, format: str | None = None) -> Article:
    """Load one article from standard input."""
    data = sys.stdin.buffer.read()
    return from_text(decode_bytes(data, "<stdin>"), source="<stdin>", format=format)


def _single_record(text: str, source: str) -> Article:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise EmptyInputError(f"{source}: no text to summarize")
    try:
        if len(lines) == 1 or (text.lstrip().startswith("{") and _is_one_object(text)):
            record = json.loads(text)
        else:
            raise InputError(
                f"{source}: holds {len(lines)} records; use `summarizer batch` for several"
            )
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}: invalid JSON ({exc.msg} at line {exc.lineno})") from exc
    return from_record(record, source=source)


def _is_one_object(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True
