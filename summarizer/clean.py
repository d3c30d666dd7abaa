"""Clean stage: recognise an article's structure without losing where each part sits.

The title, standfirst, section headings and an author-written TL;DR block are identified;
headings and the TL;DR never reach the summarizer. Every Block keeps offsets into the
article text so that bullets can point back at their source.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .models import Article, Block, Document

# Lines that open an author-written summary, in the languages we ship data for.
_TLDR_MARKERS = (
    r"tl\s*[;,:]?\s*dr",
    r"en bref",
    r"l['’]essentiel",
    r"à retenir",
    r"in short",
    r"in brief",
    r"key (?:points|takeaways)",
    r"the gist",
    r"kurz gesagt",
    r"in kürze",
    r"das wichtigste(?: in kürze)?",
    r"en resumen",
    r"en pocas palabras",
    r"lo esencial",
    r"in breve",
    r"in sintesi",
    r"em resumo",
    r"em suma",
    r"in het kort",
    r"kort gezegd",
    r"w skrócie",
    r"i korthet",
    r"коротко",
    r"кратко",
    r"главное",
    r"要点",
    r"概要",
    r"まとめ",
    r"摘要",
)
_TLDR_RE = re.compile(
    r"^[#>*_\s]*(?:" + "|".join(_TLDR_MARKERS) + r")[*_\s]*(?:[:：\-–—.]\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
_LIST_ITEM_RE = re.compile(r"^\s{0,6}(?:[-*+•–—·]|\d{1,3}[.)])\s+")
_MD_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_RULE_RE = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$")
_MD_FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")
_MD_SETEXT_RE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_FINAL_PUNCT = tuple(".!?…:;\"'»”’)]。！？；：")
_HEADING_MAX_WORDS = 15
_TITLE_MAX_WORDS = 30
# In plain text a short line is a heading only with strong evidence: at most this many words,
# a paragraph of at least _SECTION_MIN_WORDS words under it, and another such heading in the
# article (one short line alone is as likely a caption, a byline or a list entry).
_PLAIN_HEADING_MAX_WORDS = 12
_SECTION_MIN_WORDS = 12
_MIN_PLAIN_HEADINGS = 2
# Lines that are never headings, whatever their markup: bylines, datelines and dates, credits,
# addresses, times, separator lines. Language-neutral shapes, plus the "by" of the main languages.
_NOT_HEADING_RE = re.compile(
    r"^(?:by|par|von|por|door|di|da|de|van)\s+\S"  # a byline: "By Anna Smith", "Par ..."
    r"|://|www\.|@|\.(?:com|net|org|fr|de|es|it|nl|pt|co\.uk)\b"  # an address
    r"|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b"  # a date
    r"|\b\d{1,2}[:h]\d{2}\b"  # a time: "10:30", "14h05"
    r"|\b(?:updated|published|posted|publié|mis à jour|aktualisiert|veröffentlicht|actualizado"
    r"|publicado|atualizado|pubblicato|aggiornato|bijgewerkt|gepubliceerd)\b"
    r"|\b(?:photo|foto|image|credit|crédit|getty|reuters|afp|associated press|\(ap\)|dpa|ansa"
    r"|efe|anp|copyright|©)"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Line:
    text: str  # without its list/quote/heading marker
    start: int  # offset of ``text`` in the article
    kind: str  # "blank", "text", "item", "quote", "heading", "rule", "code"


def clean(article: Article) -> Document:
    """Recognise title, standfirst, headings, author TL;DR and body paragraphs."""
    markdown = article.format == "markdown"
    lines = _scan_lines(article.text, markdown=markdown)
    title, i = _leading_title(lines, article.title.strip() if article.title else None)
    # Markdown (and HTML, extracted to Markdown) marks its headings; plain text needs evidence.
    plain_headings = set() if markdown else _plain_headings(lines, i)
    blocks: list[Block] = []
    headings: list[str] = []
    tldr: list[str] = []
    seen_heading = False
    while i < len(lines):
        line = lines[i]
        if line.kind in ("blank", "rule", "code"):
            i += 1
        elif _is_tldr_marker(line):
            i = _read_tldr(lines, i, tldr)
        elif (line.kind == "heading" and not never_heading(line.text)) or i in plain_headings:
            headings.append(_strip_inline(line.text.strip()))
            seen_heading = True
            i += 1
        elif line.kind == "item":
            blocks.append(_block("item", line.text, line.start, len(headings) - 1))
            i += 1
        else:
            start, end, i = _paragraph(lines, i)
            kind = "quote" if line.kind == "quote" else "paragraph"
            if not blocks and not seen_heading and kind == "paragraph" and title is not None:
                kind = "standfirst"
            section = len(headings) - 1
            text = article.text[start:end]
            blocks.append(Block(kind=kind, text=text, start=start, end=end, section=section))

    if not blocks:
        # Never lose a short article: a lone line, or headings alone, are still content.
        blocks = _fallback_blocks(article.text, lines, title)
        headings = []

    return Document(
        text=article.text,
        # One clean line without markup: a title from a record, a page or a Markdown heading can
        # hold newlines, escapes, emphasis and tags.
        title=_strip_inline(title) or None if title else None,
        blocks=tuple(blocks),
        headings=tuple(headings),
        author_tldr=tuple(item for item in tldr if item),
        source=article.source,
        id=article.id,
        url=article.url,
        warnings=article.warnings,
    )


def _leading_title(lines: list[_Line], title: str | None) -> tuple[str | None, int]:
    """The title, and the index of the first line after it.

    The first line is the title when it repeats the given one, or, when none was given, when
    it reads like one and more follows.
    """
    content = [i for i, line in enumerate(lines) if line.kind != "blank"]
    if content:
        first = lines[content[0]]
        if title is not None and _same_text(first.text, title):
            return title, content[0] + 1
        if title is None and len(content) > 1 and _looks_like_title(first):
            return first.text.strip(), content[0] + 1
    return title, 0


def _is_tldr_marker(line: _Line) -> bool:
    """A short text or heading line that opens an author's TL;DR ("Tl;dr", "En bref"...)."""
    return (
        line.kind in ("text", "heading")
        and len(line.text) < 200
        and _TLDR_RE.match(line.text) is not None
    )


def _read_tldr(lines: list[_Line], i: int, tldr: list[str]) -> int:
    """Append the TL;DR opened at ``lines[i]`` (text on its line, then the items below it) to
    ``tldr``; return the index of the first line after it."""
    marker = _TLDR_RE.match(lines[i].text)
    rest = (marker.group("rest") or "").strip() if marker else ""
    if rest:
        tldr.append(_strip_inline(rest))
    i += 1
    while i < len(lines) and lines[i].kind in ("blank", "item"):
        if lines[i].kind == "item":
            tldr.append(_strip_inline(lines[i].text.strip()))
        elif tldr:  # a blank line after the items ends the block
            break
        i += 1
    return i


def _paragraph(lines: list[_Line], i: int) -> tuple[int, int, int]:
    """The paragraph at ``lines[i]`` with its hard-wrapped continuation lines: its start and end
    offsets in the article, and the index of the first line after it."""
    line = end_line = lines[i]
    j = i + 1
    while j < len(lines) and lines[j].kind == line.kind and _continues(end_line, lines[j]):
        end_line = lines[j]
        j += 1
    return line.start, end_line.start + len(end_line.text.rstrip()), j


def _fallback_blocks(text: str, lines: list[_Line], title: str | None) -> list[Block]:
    """Every content line as a paragraph (the title alone when there is none)."""
    blocks: list[Block] = []
    fallback = [line for line in lines if line.kind not in ("blank", "rule", "code")]
    if not fallback and title:
        idx = text.find(title)
        if idx >= 0:
            blocks.append(_block("paragraph", title, idx))
    for line in fallback:
        if _TLDR_RE.match(line.text) is None:
            blocks.append(_block("paragraph", line.text, line.start))
    return blocks


def _block(kind: str, text: str, start: int, section: int = -1) -> Block:
    stripped = text.rstrip()
    lead = len(stripped) - len(stripped.lstrip())
    return Block(
        kind=kind,
        text=stripped.lstrip(),
        start=start + lead,
        end=start + len(stripped),
        section=section,
    )


def _scan_lines(text: str, *, markdown: bool) -> list[_Line]:
    lines: list[_Line] = []
    offset = 0
    in_fence = False
    raw_lines = text.split("\n")
    for raw in raw_lines:
        start = offset
        offset += len(raw) + 1
        if not raw.strip():
            lines.append(_Line("", start, "blank"))
        elif markdown and _MD_FENCE_RE.match(raw):
            in_fence = not in_fence
            lines.append(_Line(raw, start, "code"))
        elif in_fence:
            lines.append(_Line(raw, start, "code"))
        elif not (markdown and _markdown_line(raw, start, lines)):
            item = _LIST_ITEM_RE.match(raw)
            if item:
                lines.append(_Line(raw[item.end() :], start + item.end(), "item"))
            else:
                lines.append(_Line(raw, start, "text"))
    del raw_lines
    return lines


def _markdown_line(raw: str, start: int, lines: list[_Line]) -> bool:
    """Append ``raw`` to ``lines`` when Markdown marks it (heading, rule, quote, embedded
    markup); False when it is a plain line."""
    heading = _MD_HEADING_RE.match(raw)
    if heading:
        lines.append(_Line(heading.group(2), start + heading.start(2), "heading"))
        return True
    if _MD_SETEXT_RE.match(raw) and lines and lines[-1].kind == "text":
        previous = lines[-1]
        lines[-1] = _Line(previous.text, previous.start, "heading")
        lines.append(_Line(raw, start, "rule"))
        return True
    if _MD_RULE_RE.match(raw):
        lines.append(_Line(raw, start, "rule"))
        return True
    stripped = raw.lstrip()
    if stripped.startswith(">"):
        lines.append(_Line(stripped[1:], start + len(raw) - len(stripped) + 1, "quote"))
        return True
    # Embedded markup (an image, a container, a comment) is not prose, unless text follows it on
    # the line ("<img src=…>Valtrix says its new fab…" is a paragraph under its image).
    if stripped.startswith(("<!--", "![", "<img", "<div", "</div")) and not _has_words(raw):
        lines.append(_Line(raw, start, "code"))
        return True
    return False


def _has_words(raw: str) -> bool:
    """Whether ``raw`` still holds a few words once its markup is removed."""
    return sum(1 for word in _strip_inline(raw).split() if any(c.isalpha() for c in word)) >= 3


def _looks_like_title(line: _Line) -> bool:
    text = line.text.strip()
    if line.kind == "heading":
        return True
    if line.kind != "text":
        return False
    words = text.split()
    return 0 < len(words) <= _TITLE_MAX_WORDS and not text.endswith((".", ";", ",", "。"))


def never_heading(text: str) -> bool:
    """True for lines that are never section headings: bylines, datelines, dates, credits,
    addresses and separator lines ("___", "* * *")."""
    text = _strip_inline(text)
    return not any(ch.isalpha() for ch in text) or _NOT_HEADING_RE.search(text) is not None


def _plain_headings(lines: list[_Line], start: int) -> set[int]:
    """Indices of the plain-text lines from ``start`` on (after the title) that are section
    headings (see _looks_like_heading); none unless there are _MIN_PLAIN_HEADINGS of them."""
    found = {
        i
        for i in range(start, len(lines))
        if lines[i].kind == "text" and _looks_like_heading(lines, i)
    }
    return found if len(found) >= _MIN_PLAIN_HEADINGS else set()


def _looks_like_heading(lines: list[_Line], i: int) -> bool:
    """A short capitalised line without final punctuation, with a real paragraph under it."""
    text = lines[i].text.strip()
    if text.endswith(_FINAL_PUNCT) or len(text) > 120 or not text[:1].isupper():
        return False
    if len(text.split()) > _PLAIN_HEADING_MAX_WORDS or never_heading(text):
        return False
    j = i + 1  # an index walk, not lines[i + 1 :]: a copy per line made long texts quadratic
    while j < len(lines) and lines[j].kind == "blank":
        j += 1
    if j == len(lines):
        return False
    following = lines[j]
    # A hard-wrapped paragraph continues in lower case: that is not a heading.
    first = following.text.lstrip()[:1]
    if first.islower() and lines[i + 1].kind != "blank":
        return False
    # The section under it: a paragraph of some length (or a list), not another short line.
    words = 0
    while j < len(lines) and lines[j].kind in ("text", "item") and words < _SECTION_MIN_WORDS:
        if (
            words == 0
            and lines[j].kind == "text"
            and not lines[j].text.rstrip().endswith(_FINAL_PUNCT)
            and len(lines[j].text.split()) <= _PLAIN_HEADING_MAX_WORDS
        ):
            return False
        words += len(lines[j].text.split())
        j += 1
    return words >= _SECTION_MIN_WORDS


def _continues(previous: _Line, line: _Line) -> bool:
    """Whether ``line`` continues the paragraph of ``previous`` (hard-wrapped text)."""
    prev = previous.text.rstrip()
    if prev.endswith(_FINAL_PUNCT):
        return False
    nxt = line.text.lstrip()
    return bool(nxt) and (nxt[0].islower() or len(prev.split()) > _HEADING_MAX_WORDS)


# Every repeat is bounded: an unbounded span made each opening "[" or "**" scan to the end of
# the text, so "[[[[…" or "**a **a …" took quadratic time (seconds for 20 kB).
# Each pattern comes with strings of which every match contains one: when none is in the text
# the pattern cannot match and is not run (most text holds no markup, and a stray "_" or "*" in
# a long article no longer sends it through every pattern).
_INLINE_PATTERNS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (re.compile(r"!\[([^\]\n]{0,500})\]\([^)\n]{0,2000}\)"), "", ("](",)),  # images
    (re.compile(r"\[([^\]\n]{1,500})\]\([^)\n]{0,2000}\)"), r"\1", ("](",)),  # links
    (re.compile(r"(\*\*|__)(?=\S)(.{1,500}?)(?<=\S)\1"), r"\2", ("**", "__")),  # bold
    (re.compile(r"(?<![\w*])\*(?=\S)([^*]{1,500}?)(?<=\S)\*(?!\w)"), r"\1", ("*",)),  # italics
    (re.compile(r"(?<!\w)_(?=\S)([^_]{1,500}?)(?<=\S)_(?!\w)"), r"\1", ("_",)),
    (re.compile(r"`([^`]{0,500})`"), r"\1", ("`",)),
    (re.compile(r"<!--[^\n]{0,500}?-->"), "", ("<!--",)),  # comments
    # A script or style element: its content is code, never text to read.
    (
        re.compile(r"(?i:<(script|style)\b[^<>\n]{0,500}>[^\n]{0,5000}?</\1\s*>)"),
        "",
        ("<script", "<SCRIPT", "<Script", "<style", "<STYLE", "<Style"),
    ),
)
# An HTML tag left in Markdown or text: a closing or self-closing tag, or one with attributes,
# is markup; a bare "<name>" only when its closing tag follows or it is a line break. Text that
# talks about markup or code ("the HTML <dialog> element", "Rust's Vec<T>") keeps its brackets.
_TAG_RE = re.compile(r"<(/?)([A-Za-z][\w:-]{0,30})(\s[^<>\n]{0,200}?)?\s*(/?)>")
_VOID_TAGS = frozenset({"br", "hr", "wbr"})
# Zero-width and bidi control characters carry no meaning for a reader of the bullets; C0/C1
# controls (ESC above all) would let an article drive the reader's terminal.
_INVISIBLE_RE = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff]"
)


# Every inline pattern needs one of these characters.
_MARKUP_RE = re.compile(r"[!\[*_`<]")


def _strip_inline(text: str) -> str:
    # Most sentences hold no markup at all: one scan says so.
    if _MARKUP_RE.search(text):
        for pattern, replacement, needed in _INLINE_PATTERNS:
            if any(part in text for part in needed):
                text = pattern.sub(replacement, text)
        if "<" in text:
            text = _TAG_RE.sub(lambda match: _tag_replacement(match, text), text)
    if "&" in text:
        # Character references ("&amp;", "&#8217;", "&nbsp;") are what Markdown and feed titles
        # hold for characters; a reader wants the characters.
        text = html.unescape(text)
    return normalize_spaces(text)


def _tag_replacement(match: re.Match[str], text: str) -> str:
    closing, name, attributes, self_closing = match.groups()
    if self_closing:
        return " "
    if closing or (attributes and "=" in attributes):
        return ""
    lowered = name.lower()
    if lowered in _VOID_TAGS:
        return " "
    if f"</{lowered}>" in text.lower():
        return ""
    return match.group()


def normalize_spaces(text: str) -> str:
    """Collapse whitespace and drop invisible control characters."""
    # str.split() cuts at exactly the characters regex \s matches (str.isspace), and drops them
    # at both ends: the same result as re.sub(r"\s+", " ", text).strip(), several times faster.
    return " ".join(_INVISIBLE_RE.sub("", text).split())


def display_text(raw: str) -> str:
    """What a reader should see of a raw span of the article (markup removed, spaces collapsed)."""
    return _strip_inline(raw)


def _same_text(a: str, b: str) -> bool:
    return _strip_inline(a).casefold() == normalize_spaces(b).casefold()
