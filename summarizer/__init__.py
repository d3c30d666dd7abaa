"""summarizer: multilingual TL;DR bullets for tech news, offline and deterministic."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import SummarizerError
from .models import Article, Bullet, Document, Language, Options, Sentence, Summary
from .pipeline import (
    detect_language,
    make_options,
    summarize,
    summarize_article,
    summarize_articles,
    summarize_file,
)

if TYPE_CHECKING:
    from .digests import Digest, Story, digest, group_stories

# The digest stage (grouping, keywords, templates) is imported when first used: `summarizer
# --help` and plain summarizing do without it.
_LAZY = {"Digest", "Story", "digest", "group_stories"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import digests

        return getattr(digests, name)
    raise AttributeError(f"module 'summarizer' has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = [
    "Article",
    "Bullet",
    "Digest",
    "Document",
    "Language",
    "Options",
    "Sentence",
    "Story",
    "SummarizerError",
    "Summary",
    "__version__",
    "detect_language",
    "digest",
    "group_stories",
    "make_options",
    "summarize",
    "summarize_article",
    "summarize_articles",
    "summarize_file",
]
