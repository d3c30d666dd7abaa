"""summarizer: multilingual TL;DR bullets for tech news, offline and deterministic."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import SummarizerError

if TYPE_CHECKING:
    from .digests import Digest, Story, digest, group_stories
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

# The API is imported on first use: `import summarizer.cli` (the command's start-up) does not
# wait for the pipeline's modules before it can even handle Ctrl-C.
_LAZY = {
    **dict.fromkeys(
        ("Article", "Bullet", "Document", "Language", "Options", "Sentence", "Summary"), "models"
    ),
    **dict.fromkeys(
        (
            "detect_language",
            "make_options",
            "summarize",
            "summarize_article",
            "summarize_articles",
            "summarize_file",
        ),
        "pipeline",
    ),
    # The digest stage: grouping, keywords and the HTML template.
    **dict.fromkeys(("Digest", "Story", "digest", "group_stories"), "digests"),
}

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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
