"""HTML pages: bounded before parsing, the article extracted by trafilatura, its tree written
as Markdown (headings, lists, tables)."""

from __future__ import annotations

import re
from typing import Any

from ..errors import EmptyInputError, InputError
from .decoding import normalize_text
from .titles import page_title

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


def bound_html(html: str, notes: list[str], limit: int) -> str:
    """Keep a big page within ``limit`` characters (``load.MAX_HTML_CHARS``): drop scripts,
    styles and images, then cut."""
    if len(html) <= limit:
        return html
    size = len(html)
    html = _HUGE_ATTRIBUTE_RE.sub('=""', _DATA_URI_RE.sub("data:", _drop_bulk(html)))
    if len(html) > limit:
        html = html[:limit]
        notes.append(
            f"HTML truncated: only the first {limit:,} characters of markup "
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
