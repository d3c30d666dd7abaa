"""Load stage: turn a path, stdin bytes or a string into an Article."""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import DecodeError, EmptyInputError, InputError
from .models import Article

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

# File signatures of formats people point the tool at by mistake: named in the error message.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document (extract its text first)"),
    (b"\x1f\x8b", "gzip-compressed data (decompress it first)"),
    (b"PK\x03\x04", "a ZIP archive or an Office document (extract its text first)"),
    (b"\xfd7zXZ\x00", "xz-compressed data (decompress it first)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data (decompress it first)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "an executable"),
)

# Control bytes that text rarely holds. A few of them occur in real text (Word writes a vertical
# tab for a manual line break; a BEL or a backspace survives a copy from a terminal): only a
# NUL, or many of them, mean binary data (see looks_binary).
_BINARY_CONTROL = set(range(0, 9)) | {11, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26}
# The vertical tab is white space (Word's line break): it counts as text however many there are.
_CONTROL_BYTES = bytes(sorted(_BINARY_CONTROL - {0, 11}))
# More control bytes than this share of a sample: binary data, not text with a stray one.
_BINARY_SHARE = 0.01
# Undefined in CP1252: decoding falls back to Latin-1 for these.
_CP1252_HOLES = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# Line breaks other than LF (vertical tab, form feed, NEL, the Unicode separators) and the
# control characters that are not text at all (BEL, backspace, ESC...: a terminal obeys them).
_BREAKS_RE = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROLS_RE = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def decode_bytes(data: bytes, source: str = "<bytes>", *, partial: bool = False) -> str:
    """Decode article bytes: BOMs, UTF-8, UTF-16 without BOM, then CP1252/Latin-1.

    ``partial`` says ``data`` is the beginning of a longer input: a character cut in two at
    its end is dropped instead of making the whole input undecodable.
    """
    _refuse_known_binary(data, source)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _decode(data[len(bom) :], codec, partial)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"{source}: invalid {codec} after its byte-order mark") from exc
    text = _try_decode(data, _guess_bomless_utf16(data), partial)
    if text is not None:
        return text
    binary = looks_binary(data[:65536])
    text = None if binary else _try_decode(data, "utf-8", partial)
    if text is None:
        text = _try_decode(data, _guess_bomless_utf16_by_script(data), partial)
    if text is not None:
        return text
    if binary:
        raise DecodeError(f"{source}: looks like binary data, not text")
    mostly_utf8 = _mostly_utf8(data)
    if mostly_utf8 is not None:
        return mostly_utf8
    if not any(byte in _CP1252_HOLES for byte in data):
        return data.decode("cp1252")
    return data.decode("latin-1")


def _refuse_known_binary(data: bytes, source: str) -> None:
    """A DecodeError when ``data`` opens with the signature of a known binary format."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            raise DecodeError(f"{source}: looks like binary data ({kind}), not text")
    if data.startswith(b"BZh") and data[4:10] == b"1AY&SY":
        raise DecodeError(
            f"{source}: looks like binary data (bzip2-compressed; decompress it first)"
        )


def looks_binary(sample: bytes) -> bool:
    """Whether a sample (with no UTF-16/32 byte-order mark) is binary data: a NUL byte, or
    control bytes beyond a stray few."""
    if b"\0" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > max(8, _BINARY_SHARE * len(sample))


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


def decode_records(data: bytes, source: str = "<bytes>") -> str:
    """Decode a JSONL (or JSON) file: UTF-8, as JSON requires, unless a BOM says UTF-16/32.

    A bad byte or a stray control character spoils the one record it sits in (that line
    then fails as invalid JSON or keeps a U+FFFD), never the whole file. A line in a
    single-byte encoding (Latin-1, CP1252: no valid UTF-8 sequence at all) is decoded as a
    .txt file with the same bytes would be (``decode_line``), not with every accent lost.
    """
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            raise DecodeError(f"{source}: looks like binary data ({kind}), not text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) or _guess_bomless_utf16(
        data
    ):
        return decode_bytes(data, source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Line by line: each record is its own article, and one broken line decides nothing
        # for the others.
        text = "\n".join(decode_line(line) for line in data.split(b"\n"))
    return text.removeprefix("\ufeff")


def decode_line(data: bytes) -> str:
    """Decode one JSON line that should be UTF-8, by the rules of ``decode_bytes``: mostly
    UTF-8 keeps its good characters (bad bytes become U+FFFD); a line with no UTF-8 in it is
    CP1252 (Latin-1 where CP1252 has holes)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = _mostly_utf8(data)
    if text is not None:
        return text
    return data.decode("latin-1" if any(byte in _CP1252_HOLES for byte in data) else "cp1252")


def _try_decode(data: bytes, codec: str | None, partial: bool) -> str | None:
    """``data`` decoded with ``codec``, or None when there is no codec or it does not fit."""
    if codec is None:
        return None
    try:
        return _decode(data, codec, partial)
    except UnicodeDecodeError:
        return None


def _decode(data: bytes, codec: str, partial: bool) -> str:
    if not partial:
        return data.decode(codec)
    # An incremental decoder keeps an incomplete final sequence back instead of failing on it.
    return codecs.getincrementaldecoder(codec)().decode(data, final=False)


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few broken bytes (a bad copy, a cut): keep it, bad bytes as U+FFFD.

    Text in a single-byte encoding has (almost) no valid multi-byte UTF-8 sequence at all.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = len(text) - len(text.encode("ascii", errors="ignore")) - bad
    return text if good >= 2 * bad else None


def _guess_bomless_utf16_by_script(data: bytes) -> str | None:
    """UTF-16 text in one non-Latin alphabet (Cyrillic, Greek, Arabic, Hebrew...) has no NULs
    but only a handful of distinct high bytes, where single-byte or UTF-8 text has dozens."""
    sample = data[:4096]
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 16:
        return None
    for codec, high, low in (
        ("utf-16-le", sample[1::2], sample[0::2]),
        ("utf-16-be", sample[0::2], sample[1::2]),
    ):
        if len(set(high)) > 3 or len(set(low)) < 8 or max(set(high), key=high.count) == 0:
            continue
        try:
            text = codecs.getincrementaldecoder(codec)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        letters = sum(ch.isalpha() for ch in text)
        controls = sum(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text)
        if controls == 0 and letters >= 0.6 * len(text):
            return codec
    return None


def normalize_text(text: str) -> str:
    """Canonical article text: NFC, LF newlines, no BOM. All offsets refer to this form."""
    text = text.replace("\ufeff", "")
    # Lone surrogates (from surrogateescape decoding) cannot be written out as UTF-8.
    if _has_surrogates(text):
        text = _SURROGATE_RE.sub("\ufffd", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _BREAKS_RE.search(text):
        text = _BREAKS_RE.sub("\n", text)
    if _CONTROLS_RE.search(text):
        text = _CONTROLS_RE.sub("", text)
    return unicodedata.normalize("NFC", text)


def _has_surrogates(text: str) -> bool:
    # Strict UTF-8 encoding fails on surrogates and nothing else: a C loop several times faster
    # than a scan with _SURROGATE_RE, which is then needed only for the rare text that has one.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


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
        text = _bound_html(text, notes)
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


# Page parts that never hold article text but can make up most of a page's size.
_BULK_OPEN_RE = re.compile(r"<(script|style|svg|template|noscript)\b|<!--", re.IGNORECASE)
_BULK_CLOSE_RE = {
    tag: re.compile(rf"</{tag}\s*>", re.IGNORECASE)
    for tag in ("script", "style", "svg", "template", "noscript")
}
_COMMENT_CLOSE_RE = re.compile("-->")
# Attribute values this long are data (inline state, images), never article text. A scan stops
# at the next quote, so scans never overlap: linear time.
_HUGE_ATTRIBUTE_RE = re.compile(r'=\s*"[^"]{10000,}"' + r"|=\s*'[^']{10000,}'")
_DATA_URI_RE = re.compile(r"data:[\w/+.-]{1,100};base64,[A-Za-z0-9+/=\s]{256,}")


def _bound_html(html: str, notes: list[str]) -> str:
    """Keep a big page within MAX_HTML_CHARS: drop scripts, styles and images, then cut."""
    if len(html) <= MAX_HTML_CHARS:
        return html
    size = len(html)
    html = _HUGE_ATTRIBUTE_RE.sub('=""', _DATA_URI_RE.sub("data:", _drop_bulk(html)))
    if len(html) > MAX_HTML_CHARS:
        html = html[:MAX_HTML_CHARS]
        notes.append(
            f"HTML truncated: only the first {MAX_HTML_CHARS:,} characters of markup "
            f"(of {size:,}, scripts and styles aside) were parsed"
        )
    return html


def _drop_bulk(html: str) -> str:
    """Remove script/style/svg/template/noscript elements and comments in one linear pass."""
    parts: list[str] = []
    position = 0
    while True:
        opening = _BULK_OPEN_RE.search(html, position)
        if opening is None:
            parts.append(html[position:])
            break
        parts.append(html[position : opening.start()])
        tag = opening.group(1)
        closer = _BULK_CLOSE_RE[tag.lower()] if tag else _COMMENT_CLOSE_RE
        closing = closer.search(html, opening.end())
        if closing is None:  # unclosed: like a browser, the element runs to the end
            break
        position = closing.end()
    return "".join(parts)


# htmldate's quick date search (markup and URL only); the date itself is not used.
_DATE_SEARCH = {"extensive_search": False, "original_date": False}


def extract_html(
    html: str, *, source: str = "<html>", url: str | None = None
) -> tuple[str | None, str]:
    """Main text (Markdown: headings from the page's markup) and title of an HTML page.

    trafilatura's precise mode first; when it finds nothing or only a scrap (a reprint notice),
    its default mode, then its baseline extraction, before "no article text found".
    """
    import trafilatura  # lazy: lxml costs start-up time that plain-text users should not pay

    try:
        # trafilatura parses with lxml's HTML parser: no scripts run, no DTD entity is expanded
        # and huge_tree stays off, so libxml2's own depth and size limits hold.
        document = _bare_extraction(html, url, precise=True)
        text = _document_markdown(document)
        if _word_total(text) < FALLBACK_WORDS:
            # A page laid out in tables, or an article the precise mode took for boilerplate.
            fallback = _bare_extraction(html, url, precise=False)
            fallback_text = _document_markdown(fallback)
            if _word_total(fallback_text) > 2 * _word_total(text) and _has_prose(fallback_text):
                document = document or fallback
                text = fallback_text
        if not text.strip():
            _, baseline_text, _ = trafilatura.baseline(html)
            baseline_text = normalize_text(baseline_text or "")
            text = baseline_text if _has_prose(baseline_text) else ""
    except Exception as exc:  # any failure of the parser on hostile markup is an input error
        raise InputError(f"{source}: HTML could not be parsed ({exc.__class__.__name__})") from exc
    if not text.strip():
        raise EmptyInputError(f"{source}: no article text found in the HTML page")
    return page_title(document, text), text


# Below this many words, the precise extraction is checked against trafilatura's default mode.
FALLBACK_WORDS = 80
_SPACES_RE = re.compile(r"[ \t\r\f\v\u00a0]+")


def _bare_extraction(html: str, url: str | None, *, precise: bool) -> Any:
    import trafilatura

    return trafilatura.bare_extraction(
        html,
        url=url,
        include_comments=False,
        include_tables=True,
        favor_precision=precise,
        with_metadata=True,  # for the title and the site name
        # Only the title is used. htmldate's default date search runs dateparser, whose
        # first call compiles its locale tables: ~3.5 s of every process's first page.
        date_extraction_params=_DATE_SEARCH,
    )


# What a fallback extraction must hold to count as an article: this many words in lines that
# read as sentences (six words or more, final punctuation). A page of menus, a cookie notice
# and a footer has none of it, and still gives "no article text found".
PROSE_WORDS = 25
_SENTENCE_END = tuple(".!?…。！？\"'»”’)")


def _has_prose(text: str) -> bool:
    total = 0
    for line in text.splitlines():
        count = len(line.split())
        if count >= 6 and line.rstrip().endswith(_SENTENCE_END):
            total += count
    return total >= PROSE_WORDS


def _word_total(text: str) -> int:
    return len(text.split())


def _document_markdown(document: Any) -> str:
    """trafilatura's extracted tree as Markdown: headings ("## "), list items, paragraphs.

    Headings come from the page's h1-h6 only; a table row of short cells is one line, a cell
    holding prose (a page laid out in tables) its own paragraph.
    """
    body = getattr(document, "body", None) if document is not None else None
    if body is None:
        return normalize_text(getattr(document, "text", None) or "") if document else ""
    blocks: list[str] = [_loose_text(body.text)]
    for element in body:
        tag = element.tag
        if tag == "head":
            heading = _inline_text(element)
            if heading:
                level = int(str(element.get("rend", "h2"))[1:2] or 2) if element.get("rend") else 2
                blocks.append("#" * max(1, min(level, 6)) + " " + heading)
        elif tag == "list":
            items = [_inline_text(item) for item in element.iter("item")]
            blocks.append("\n".join(f"- {item}" for item in items if item))
        elif tag == "table":
            blocks.extend(_table_blocks(element))
        else:
            blocks.append(_element_text(element))
        # Text between elements (a sentence outside any <p>) is a paragraph of its own.
        blocks.append(_loose_text(element.tail))
    return normalize_text("\n\n".join(block for block in blocks if block))


def _loose_text(text: str | None) -> str:
    return _SPACES_RE.sub(" ", text).strip() if text else ""


def _table_blocks(table: Any) -> list[str]:
    blocks: list[str] = []
    for row in table.iter("row"):
        cells = [_element_text(cell) for cell in row if cell.tag == "cell"]
        cells = [cell for cell in cells if cell]
        if any(len(cell.split()) >= 12 for cell in cells):
            blocks.extend(cell.replace("\n", "\n\n") for cell in cells)
        elif cells:
            blocks.append(" | ".join(" ".join(cell.split()) for cell in cells))
    return blocks


def _element_text(element: Any) -> str:
    """An element's text, its line breaks kept, spaces collapsed within each line."""
    parts: list[str] = []
    _collect(element, parts)
    lines = (_SPACES_RE.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


# Elements that trafilatura nests inside others (a paragraph in a table cell) and that end a line.
_BLOCK_TAGS = frozenset({"p", "head", "item", "list", "quote", "row", "cell", "table", "div"})


def _collect(element: Any, parts: list[str]) -> None:
    # Iterative, in document order: a deeply nested tree must not exhaust the stack.
    stack: list[tuple[Any, bool]] = [(element, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            if node is not element and node.tag in _BLOCK_TAGS:
                parts.append("\n")
            if node is not element and node.tail:
                parts.append(node.tail)
            continue
        if node.tag == "lb" or (node is not element and node.tag in _BLOCK_TAGS):
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))


def _inline_text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


# What separates a site's name from the headline in a page's <title>.
_TITLE_SEPARATOR_RE = re.compile(r"\s+(?:[|–—•·»«:]|-{1,2}|::)\s+|\s*\|\s*")


def page_title(document: Any, markdown: str = "") -> str | None:
    """The page's title without its site tag ("Best gadgets | ZDNet" -> "Best gadgets"): the
    part the metadata's site name or domain names goes; with no such part, a headline (h1)
    that is one side of the title is taken for it."""
    title = getattr(document, "title", None) if document is not None else None
    if not title or not title.strip():
        return None
    names = [getattr(document, "sitename", None), getattr(document, "hostname", None)]
    title = strip_site_tag(" ".join(title.split()), [name for name in names if name])
    headline = _first_headline(markdown)
    if headline and headline != title:
        parts = _TITLE_SEPARATOR_RE.split(title)
        if len(parts) >= 2 and _name_key(headline) in (_name_key(parts[0]), _name_key(parts[-1])):
            return headline
    return title


def _first_headline(markdown: str) -> str | None:
    """The text of the extracted page's first h1, when it comes near the top."""
    for line in markdown.split("\n", 40)[:40]:
        if line.startswith("# "):
            return " ".join(line[2:].split()) or None
    return None


def _name_key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def strip_site_tag(title: str, site_names: list[str]) -> str:
    """``title`` without a leading or trailing part that names the site.

    A part names the site when it is (or holds) the site name or the main label of its domain
    ("techcrunch.com" -> "techcrunch"). The headline itself is never dropped.
    """
    keys = set()
    for name in site_names:
        keys.add(_name_key(name))
        labels = [label for label in name.casefold().split(".") if label]
        if len(labels) >= 2:  # a host name: its main label ("www.zdnet.com" -> "zdnet")
            main = [label for label in labels[:-1] if label not in {"www", "m", "co", "com"}]
            if main:
                keys.add(_name_key(main[-1]))
    keys = {key for key in keys if len(key) >= 3}
    if not keys:
        return title
    while True:
        parts = _TITLE_SEPARATOR_RE.split(title)
        seps = _TITLE_SEPARATOR_RE.findall(title)
        if len(parts) < 2:
            return title
        last, first = _name_key(parts[-1]), _name_key(parts[0])
        if last and any(key in last for key in keys) and len(parts[-1].split()) <= 4:
            cut = len(title) - len(parts[-1]) - len(seps[-1])
            title = title[:cut].strip()
        elif first and any(key in first for key in keys) and len(parts[0].split()) <= 4:
            title = title[len(parts[0]) + len(seps[0]) :].strip()
        else:
            return title


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
        return _single_record(text, source)
    return from_text(text, source=source, format=format, warnings=tuple(notes))


def load_stdin(*, format: str | None = None) -> Article:
    """Load one article from standard input."""
    data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    return load_bytes(data, source="<stdin>", format=format)


def _single_record(text: str, source: str) -> Article:
    lines = [line for _, line in jsonl_lines(text)]
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
    except RecursionError as exc:
        raise InputError(f"{source}: invalid JSON (nested too deeply)") from exc
    except ValueError as exc:  # e.g. an integer too long to convert
        raise InputError(f"{source}: invalid JSON ({exc})") from exc
    return from_record(record, source=source)


def _is_one_object(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


# --------------------------------------------------------------------------- JSONL
# One reader for every JSONL input: batch (files, standard input), eval, training scripts.


def jsonl_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) of each non-blank line of JSONL text, white space and BOM stripped.

    Lines end at "\\n" only: U+2028, U+2029, U+0085 or a form feed are valid inside a JSON
    string, and ``str.splitlines()`` would cut a record there.
    """
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip().lstrip("\ufeff")
        if line:
            yield number, line


def jsonl_line(raw: bytes) -> tuple[str, bytes]:
    """A JSONL line's text from its bytes, and the bytes a resume key is made of.

    The text loses surrounding white space and a byte-order mark; a byte that is not UTF-8
    becomes U+FFFD and spoils only its record, as with ``decode_records``. The key is made of
    the text's UTF-8, or of the line's own bytes when it is not UTF-8: two different broken
    lines that read as the same text must not share a key.
    """
    try:
        text = raw.decode("utf-8").strip().lstrip("\ufeff")
    except UnicodeDecodeError:  # broken UTF-8, or a Latin-1 line: as decode_records reads it
        return decode_line(raw).strip().lstrip("\ufeff"), raw.strip()
    return text, text.encode("utf-8")


def parse_jsonl_line(line: str, where: str) -> Any:
    """The JSON value on one line; an InputError naming ``where`` when it is not valid JSON."""
    try:
        return json.loads(line)
    except RecursionError as exc:
        raise InputError(f"{where}: invalid JSON line (nested too deeply)") from exc
    except ValueError as exc:
        raise InputError(f"{where}: invalid JSON line ({exc})") from exc


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
