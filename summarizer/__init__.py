"""summarizer: multilingual TL;DR bullets for tech news, offline and deterministic."""

from __future__ import annotations

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

__version__ = "0.1.0"

__all__ = [
    "Article",
    "Bullet",
    "Document",
    "Language",
    "Options",
    "Sentence",
    "SummarizerError",
    "Summary",
    "__version__",
    "detect_language",
    "make_options",
    "summarize",
    "summarize_article",
    "summarize_articles",
    "summarize_file",
]
