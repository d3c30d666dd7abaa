"""The library API: text, file or Article in, Summary out."""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from typing import Any

from . import backends, language
from . import language as language_stage  # for functions whose `language` parameter shadows it
from .backends import Request
from .bullets import make_headline
from .clean import clean
from .errors import EmptyInputError, InputError, UnknownBackendError, UsageError
from .load import from_text, load_path
from .models import UNDETERMINED, Article, Document, Language, Options, Summary
from .sentences import split_sentences


def make_options(
    *,
    bullets: int = 3,
    backend: str | None = None,
    language: str | None = None,
    target_words: int = 30,
    max_words: int = 60,
    languages: str | Sequence[str] | None = None,
    compress: bool = True,
    headline: bool = False,
    keywords: bool = True,
) -> Options:
    """Validated Options."""
    if not _is_int(bullets) or bullets < 1:
        raise UsageError(f"bullets must be a whole number, at least 1, not {bullets!r}")
    for word_option, words in (("target_words", target_words), ("max_words", max_words)):
        if not _is_int(words) or words < 0:
            raise UsageError(
                f"{word_option} must be a whole number, 0 (none) or more (not {words!r})"
            )
    for name, value in (("backend", backend), ("language", language)):
        if value is not None and not isinstance(value, str):
            raise UsageError(f"{name} must be a string, not {type(value).__name__}")
    if language is not None:
        code = language_stage.stated_code(language)
        if code is None:
            raise UsageError(f"language {language!r} is not an ISO 639-1 code such as fr or en")
        language = code
    name = backend or backends.DEFAULT_BACKEND
    if name not in backends.available():
        raise UnknownBackendError(
            f"unknown backend {name!r}; available: {', '.join(backends.available())}"
        )
    return Options(
        bullets=bullets,
        backend=name,
        language=language,
        target_words=target_words,
        max_words=max_words,
        languages=language_stage.parse_languages(languages),
        compress=compress,
        headline=headline,
        keywords=keywords,
    )


def _is_int(value: object) -> bool:
    # A bool is an int to Python, and a float such as nan or 2.5 compares without complaint.
    return isinstance(value, int) and not isinstance(value, bool)


def _text_argument(text: object, name: str = "text") -> str:
    """``text`` when it is a str; else the UsageError that says what to pass instead."""
    if isinstance(text, str):
        return text
    hint = (
        " (decode it first, or use summarize_file)" if isinstance(text, bytes | bytearray) else ""
    )
    raise UsageError(f"{name} must be a str, not {type(text).__name__}{hint}")


def prepare(article: Article, options: Options) -> Request:
    """Run clean, language and sentence stages: what a backend needs."""
    return prepare_many([article], options)[0]


def prepare_many(articles: Sequence[Article], options: Options) -> list[Request]:
    """``prepare`` for several articles, stage by stage: all cleaned, then all detected, then
    all split (each stage's code and tables stay in the CPU's caches from one to the next)."""
    documents = [clean(article) for article in articles]
    languages = [
        _language(article, document, options)
        for article, document in zip(articles, documents, strict=True)
    ]
    requests = []
    for document, lang in zip(documents, languages, strict=True):
        sentences = split_sentences(document, lang.code)
        if not sentences:
            # Emoji, numbers or punctuation alone: say so rather than print an empty TL;DR.
            raise EmptyInputError(f"{document.source}: no sentence with words to summarize")
        requests.append(
            Request(document=document, sentences=sentences, language=lang, options=options)
        )
    return requests


def _language(article: Article, document: Document, options: Options) -> Language:
    stated = options.language or article.language
    if stated and language.stated_code(stated) is None:
        raise InputError(f"{article.source}: language {stated!r} is not an ISO 639-1 code")
    if stated:
        return language.given(stated)
    return language.detect_document(document.body, document.title, options.languages)


def finish(request: Request, result: backends.Result) -> Summary:
    """Assemble the Summary for one article."""
    document = request.document
    headline = None
    if request.options.headline and result.bullets:
        headline = result.headline or make_headline(
            result.bullets[0].text, request.language.code, request.options
        )
    return Summary(
        source=document.source,
        title=document.title,
        language=request.language,
        bullets=result.bullets,
        backend=request.options.backend,
        options=request.options,
        author_tldr=document.author_tldr,
        id=document.id,
        backend_info=dict(result.meta),
        headline=headline,
        warnings=document.warnings,
        keywords=_keywords(request) if request.options.keywords else (),
    )


def _keywords(request: Request) -> tuple[str, ...]:
    """Key phrases of the article, from its title and first sentences (standfirst first)."""
    from .keywords import extract

    # A generator: extract() reads only the first few of a long article's sentences.
    texts = itertools.chain([request.document.title or ""], (s.text for s in request.sentences))
    return tuple(extract(texts, request.language.code))


def summarize_article(
    article: Article, options: Options | None = None, **backend_config: Any
) -> Summary:
    """Summarize an already loaded Article."""
    return summarize_articles([article], options, **backend_config)[0]


def summarize_articles(
    articles: Sequence[Article], options: Options | None = None, **backend_config: Any
) -> list[Summary]:
    """Summarize several articles with one backend call (lets model backends batch)."""
    if isinstance(articles, Article) or not all(isinstance(a, Article) for a in articles):
        raise UsageError("articles must be a sequence of Article (see load.from_text)")
    options = options or make_options()
    backend = backends.get_backend(options.backend, **backend_config)
    requests = prepare_many(articles, options)
    results = backend.summarize_many(requests)
    return [finish(request, result) for request, result in zip(requests, results, strict=True)]


def summarize(
    text: str,
    *,
    bullets: int = 3,
    language: str | None = None,
    backend: str | None = None,
    title: str | None = None,
    target_words: int = 30,
    max_words: int = 60,
    source: str = "<text>",
    format: str | None = None,
    languages: str | Sequence[str] | None = None,
    compress: bool = True,
    headline: bool = False,
    keywords: bool = True,
    **backend_config: Any,
) -> Summary:
    """Summarize an article given as a string (plain text, Markdown or HTML)."""
    text = _text_argument(text)
    if title is not None:
        title = _text_argument(title, "title")
    options = make_options(
        bullets=bullets,
        backend=backend,
        language=language,
        target_words=target_words,
        max_words=max_words,
        languages=languages,
        compress=compress,
        headline=headline,
        keywords=keywords,
    )
    article = from_text(text, source=source, format=format, title=title)
    return summarize_article(article, options, **backend_config)


def summarize_file(
    path: str | os.PathLike[str],
    *,
    bullets: int = 3,
    language: str | None = None,
    backend: str | None = None,
    target_words: int = 30,
    max_words: int = 60,
    languages: str | Sequence[str] | None = None,
    compress: bool = True,
    headline: bool = False,
    keywords: bool = True,
    **backend_config: Any,
) -> Summary:
    """Summarize an article file (.txt, .md, .html, or a one-record .json/.jsonl)."""
    if not isinstance(path, str | os.PathLike):
        raise UsageError(f"path must be a str or a path, not {type(path).__name__}")
    options = make_options(
        bullets=bullets,
        backend=backend,
        language=language,
        target_words=target_words,
        max_words=max_words,
        languages=languages,
        compress=compress,
        headline=headline,
        keywords=keywords,
    )
    return summarize_article(load_path(path), options, **backend_config)


def detect_language(text: str, languages: str | Sequence[str] | None = None) -> Language:
    """Detect the language of a text (``und`` when it cannot be told); shares when mixed."""
    text = _text_argument(text)
    if not text.strip():
        return Language(UNDETERMINED, 0.0)
    return language.detect_document(text, None, language.parse_languages(languages))


def detect_article(article: Article, languages: str | Sequence[str] | None = None) -> Language:
    """Detect the language of a loaded article from its title and body, as summarizing does."""
    document = clean(article)
    return language.detect_document(
        document.body, document.title, language.parse_languages(languages)
    )


def detect_file(
    path: str | os.PathLike[str], languages: str | Sequence[str] | None = None
) -> Language:
    """Detect the language of an article file (any format ``summarize_file`` reads)."""
    return detect_article(load_path(path), languages)
