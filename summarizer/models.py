"""The small frozen dataclasses that flow between pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

UNDETERMINED = "und"


@dataclass(frozen=True)
class Article:
    """Raw input as loaded: decoded text plus what the source told us about it."""

    text: str
    source: str = "<text>"
    format: str = "text"  # "text", "markdown" or "html" (already extracted to text)
    title: str | None = None
    language: str | None = None
    id: str | None = None
    url: str | None = None
    warnings: tuple[str, ...] = ()  # what loading had to give up on (e.g. truncation)


@dataclass(frozen=True)
class Block:
    """A paragraph-level unit of the cleaned document."""

    kind: str  # "standfirst", "paragraph", "item", "quote"
    text: str
    start: int
    end: int
    # Index in Document.headings of the heading this block sits under; -1 before any heading.
    section: int = -1


@dataclass(frozen=True)
class Document:
    """An article after cleaning: structure recognised, noise and author TL;DR set aside."""

    text: str  # the article text that every offset refers to
    title: str | None = None
    blocks: tuple[Block, ...] = ()
    headings: tuple[str, ...] = ()
    author_tldr: tuple[str, ...] = ()
    source: str = "<text>"
    id: str | None = None
    url: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def body(self) -> str:
        """The text that is summarized: every block, in order, one per line."""
        return "\n".join(block.text for block in self.blocks)


@dataclass(frozen=True)
class Language:
    """A detected (or given) language: ISO 639-1 code and probability."""

    code: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = ()
    # Mixed documents only: every language covering a noticeable share of the text, main first.
    shares: tuple[tuple[str, float], ...] = ()

    @property
    def known(self) -> bool:
        """False when the language could not be determined."""
        return self.code != UNDETERMINED

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; ``shares`` only for mixed-language documents."""
        data: dict[str, Any] = {"code": self.code, "confidence": round(self.confidence, 4)}
        if self.shares:
            data["shares"] = {code: round(share, 4) for code, share in self.shares}
        return data


@dataclass(frozen=True)
class Sentence:
    """One sentence of the document, with where it sits in the article text."""

    index: int
    text: str
    start: int
    end: int
    block: int  # index of the Block it came from
    block_kind: str = "paragraph"


@dataclass(frozen=True)
class Bullet:
    """One TL;DR bullet; extractive bullets record their source sentence."""

    text: str
    sentence: int | None = None
    start: int | None = None
    end: int | None = None
    unsupported: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (see docs/summary.schema.json)."""
        data: dict[str, Any] = {
            "text": self.text,
            "sentence": self.sentence,
            "start": self.start,
            "end": self.end,
        }
        if self.unsupported:
            data["unsupported"] = list(self.unsupported)
        return data


@dataclass(frozen=True)
class Options:
    """What the caller asked for; recorded in every Summary."""

    bullets: int = 3
    backend: str = "extractive"
    language: str | None = None
    # A soft target (a longer sentence is cut after its last whole clause that fits, else kept
    # whole) and a hard cap (only a run-on reaches it: cut at a word, with "…"); 0: none.
    target_words: int = 30
    max_words: int = 60
    languages: tuple[str, ...] | None = None  # candidate languages for detection; None: all
    compress: bool = True  # delete fact-free spans from extractive bullets
    headline: bool = False  # also give a one-line headline above the bullets
    keywords: bool = True  # also give 3-8 key phrases (YAKE on the article's first sentences)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data: dict[str, Any] = {
            "bullets": self.bullets,
            "backend": self.backend,
            "language": self.language,
            "target_words": self.target_words,
            "max_words": self.max_words,
            "compress": self.compress,
            "headline": self.headline,
        }
        if self.languages is not None:
            data["languages"] = list(self.languages)
        if self.keywords:
            # Only when on: --no-keywords records (and resume keys) are as earlier versions made.
            data["keywords"] = True
        return data


@dataclass(frozen=True)
class Summary:
    """The result for one article."""

    source: str
    title: str | None
    language: Language
    bullets: tuple[Bullet, ...]
    backend: str
    options: Options
    author_tldr: tuple[str, ...] = ()
    id: str | None = None
    # Facts the backend reports about its run (transformers: model, chunks, truncated...).
    backend_info: dict[str, Any] = field(default_factory=dict, compare=False)
    headline: str | None = None
    warnings: tuple[str, ...] = ()  # parts of the input set aside (over a size limit), and why
    keywords: tuple[str, ...] = ()  # key phrases in the article's language (options.keywords)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with a stable key order (see docs/summary.schema.json)."""
        data: dict[str, Any] = {
            "source": self.source,
            "title": self.title,
            **({"headline": self.headline} if self.headline is not None else {}),
            "language": self.language.to_dict(),
            "bullets": [bullet.to_dict() for bullet in self.bullets],
            "author_tldr": list(self.author_tldr),
            **({"keywords": list(self.keywords)} if self.options.keywords else {}),
            "backend": self.backend,
            "options": self.options.to_dict(),
        }
        if self.id is not None:
            data["id"] = self.id
        if self.backend_info:
            data["backend_info"] = dict(self.backend_info)
        if self.warnings:
            data["warnings"] = list(self.warnings)
        return data
