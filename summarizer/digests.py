"""Digest stage: summarized articles in, stories out (grouped across languages).

``group_stories`` is pure: records (the JSON form of summaries, as ``batch`` writes them, or
plain ``{"title", "published"}`` records with no bullets) in, ``Story`` objects out.
``digest`` does the whole job: it runs ``batch`` over the inputs (discovery, parallel
summarizing and error records are batch's), then groups what came back.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import keywords as keywords_stage
from . import stories as grouping
from .clean import normalize_spaces
from .errors import UsageError
from .language import stated_code
from .models import Options, Summary

DEFAULT_BULLETS = 5
# A bullet sharing this share of its content words with an earlier one repeats its fact.
REPEAT_OVERLAP = 0.5


_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_date_only(text: str) -> bool:
    """Whether ``text`` is an ISO 8601 date without a time ("2025-03-04")."""
    return _DATE_ONLY.fullmatch(text.strip()) is not None


@dataclass(frozen=True)
class Source:
    """One article of a story, as the reader finds it."""

    title: str | None
    language: str
    source: str  # a path, "feed.jsonl:12" or a URL
    url: str | None = None
    published: str | None = None  # ISO 8601, when known
    id: str | None = None
    keywords: tuple[str, ...] = ()
    bullets: int = 0  # how many bullets it has (0: titles only)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (docs/digest.schema.json)."""
        return {
            "title": self.title,
            "language": self.language,
            "source": self.source,
            "url": self.url,
            "published": self.published,
            "id": self.id,
            "keywords": list(self.keywords),
        }


@dataclass(frozen=True)
class StoryBullet:
    """A bullet of a story, with where it comes from."""

    text: str
    language: str
    source: str  # the Source.source of its article
    sentence: int | None = None
    start: int | None = None
    end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "text": self.text,
            "language": self.language,
            "source": self.source,
            "sentence": self.sentence,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True)
class Story:
    """Articles that report the same event, whatever their language."""

    label: str  # the headline of its most central article
    label_language: str
    language: str  # the language of its bullets
    bullets: tuple[StoryBullet, ...]
    sources: tuple[Source, ...]
    keywords: tuple[str, ...] = ()
    author_tldr: tuple[str, ...] = ()
    author_tldr_source: str | None = None
    latest: str | None = None  # the latest publication time among its sources

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages of its sources, most frequent first."""
        counts = Counter(s.language for s in self.sources)
        return tuple(sorted(counts, key=lambda code: (-counts[code], code)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (docs/digest.schema.json)."""
        data: dict[str, Any] = {
            "label": self.label,
            "label_language": self.label_language,
            "language": self.language,
            "languages": list(self.languages),
            "latest": self.latest,
            "keywords": list(self.keywords),
            "bullets": [b.to_dict() for b in self.bullets],
            "author_tldr": list(self.author_tldr),
            "author_tldr_source": self.author_tldr_source,
            "sources": [s.to_dict() for s in self.sources],
        }
        return data


@dataclass(frozen=True)
class Digest:
    """Stories of a feed, in reading order, and the inputs that could not be read."""

    stories: tuple[Story, ...]
    failures: tuple[Mapping[str, Any], ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (docs/digest.schema.json)."""
        return {
            "stories": [story.to_dict() for story in self.stories],
            "articles": sum(len(story.sources) for story in self.stories),
            "failures": [dict(f) for f in self.failures],
            "options": dict(self.options),
        }


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class _Article:
    index: int
    title: str | None
    language: str
    source: str
    url: str | None
    id: str | None
    published: datetime | None
    published_text: str | None
    bullets: tuple[Mapping[str, Any], ...]
    author_tldr: tuple[str, ...]
    keywords: tuple[str, ...]


def _text(value: Any) -> str | None:
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        text = normalize_spaces(str(value))
        return text or None
    return None


def _article(index: int, item: Summary | Mapping[str, Any], with_keywords: bool) -> _Article:
    record: Mapping[str, Any] = item.to_dict() if isinstance(item, Summary) else item
    language = record.get("language") or record.get("lang")
    code = language.get("code") if isinstance(language, Mapping) else language
    code = grouping.normalize_language(code if isinstance(code, str) else None)
    title = _text(record.get("title"))
    if code == "und" and title:
        # A plain record without a language: its title says which (stemmer, stop words).
        from .pipeline import detect_language

        code = grouping.normalize_language(detect_language(title).code)
    raw_bullets = record.get("bullets") or ()
    bullets = tuple(
        b if isinstance(b, Mapping) else {"text": str(b)}
        for b in raw_bullets
        if isinstance(b, (Mapping, str)) and _text(b["text"] if isinstance(b, Mapping) else b)
    )
    tldr = tuple(t for t in (_text(x) for x in record.get("author_tldr") or ()) if t)
    published_raw = record.get("published") or record.get("date")
    published = grouping.parse_time(published_raw)
    given = record.get("keywords")
    if isinstance(given, list):
        found = tuple(k for k in (_text(x) for x in given) if k)
    elif with_keywords:
        texts = [title or "", *(str(b.get("text", "")) for b in bullets), *tldr]
        found = tuple(keywords_stage.extract(texts, code))
    else:
        found = ()
    source = _text(record.get("source")) or _text(record.get("url")) or f"<item {index}>"
    url = _text(record.get("url"))
    if url is None and source.startswith(("http://", "https://")):
        url = source
    return _Article(
        index=index,
        title=title,
        language=code,
        source=source,
        url=url,
        id=_text(record.get("id")),
        published=published,
        published_text=_published_text(published_raw, published),
        bullets=bullets,
        author_tldr=tldr,
        keywords=found,
    )


# --------------------------------------------------------------------------- stories


def group_stories(
    items: Iterable[Summary | Mapping[str, Any]],
    *,
    bullets: int = DEFAULT_BULLETS,
    prefer_language: str | None = None,
    window: float | None = grouping.WINDOW_HOURS,
    keywords: bool = True,
) -> list[Story]:
    """Group summaries (or their JSON records, or titles-only records) into ordered stories."""
    if bullets < 0:
        raise UsageError("bullets must be 0 or more")
    prefer = _preferred(prefer_language)
    articles = [_article(i, item, keywords) for i, item in enumerate(items)]
    inputs = [
        grouping.StoryInput(
            title=a.title or "",
            # Summaries carry no body: their bullets are the lead that grouping compares.
            lead=" ".join(str(b.get("text", "")) for b in a.bullets[:2]),
            language=a.language,
            published=a.published,
        )
        for a in articles
    ]
    groups = grouping.group(inputs, window=window)
    built = [_story([articles[i] for i in members], bullets, prefer) for members in groups]
    order = sorted(
        range(len(built)),
        key=lambda s: (-len(built[s].sources), _recency(built[s].latest), groups[s][0]),
    )
    return [built[s] for s in order]


def _preferred(code: str | None) -> str | None:
    if code is None:
        return None
    stated = stated_code(code)
    if stated is None:
        raise UsageError(f"--prefer-language {code!r} is not an ISO 639-1 code such as fr or en")
    return stated


def _latest(members: Sequence[_Article]) -> str | None:
    """When the story's latest article came out, as that article gives it."""
    dated = [a for a in members if a.published is not None]
    return max(dated, key=lambda a: (a.published, a.index)).published_text if dated else None


def _published_text(raw: object, published: datetime | None) -> str | None:
    """The publication time as ISO 8601; a date given without a time stays a date (midnight
    UTC would be a time nobody gave)."""
    if published is None:
        return None
    if isinstance(raw, str) and is_date_only(raw):
        return raw.strip()
    return published.isoformat()


def _recency(latest: str | None) -> float:
    moment = grouping.parse_time(latest)
    return -moment.timestamp() if moment else float("inf")


def _words(text: str) -> set[str]:
    return {w for w in grouping.fold(text).split() if len(w) > 2 or w.isdigit()}


def _fact(text: str, language: str) -> tuple[set[str], set[str]]:
    """A bullet's content words (stemmed, no stop words) and its names, numbers and codes."""
    lexical, anchors = grouping.features(grouping.StoryInput(text, "", language), {})
    # Cognate keys and concepts are a word's stand-in across languages: within one language
    # they repeat the content words, and two bullets sharing two of them need not state the
    # same fact.
    return set(lexical), {f for f in anchors if not f.startswith(("cog:", "con:"))}


def _repeats(fact: tuple[set[str], set[str]], other: tuple[set[str], set[str]]) -> bool:
    """Whether two bullets (same language) state the same fact."""
    words, anchors = fact
    other_words, other_anchors = other
    if not words or not other_words:
        return False
    shared = len(words & other_words) / min(len(words), len(other_words))
    # Two bullets on the same names and figures need fewer words in common to repeat a fact.
    return shared >= REPEAT_OVERLAP or (len(anchors & other_anchors) >= 2 and shared >= 0.3)


def _centrality(members: Sequence[_Article]) -> list[float]:
    """How much each article's title shares with the others' (Jaccard, summed)."""
    words = [
        _words(" ".join(filter(None, [a.title, *(str(b.get("text", "")) for b in a.bullets[:1])])))
        for a in members
    ]
    scores = []
    for i, mine in enumerate(words):
        total = 0.0
        for j, other in enumerate(words[:200]):
            if i != j and mine and other:
                total += len(mine & other) / len(mine | other)
        scores.append(total)
    return scores


def _story(members: list[_Article], limit: int, prefer: str | None) -> Story:
    languages = Counter(a.language for a in members)
    if prefer is not None and prefer in languages:
        language = prefer
    else:
        language = min(languages, key=lambda code: (-languages[code], code == "und", code))
    central = _centrality(members)
    ranked = sorted(range(len(members)), key=lambda i: (-central[i], members[i].index))
    in_language = [i for i in ranked if members[i].language == language]
    titled = [i for i in in_language if members[i].title] or [i for i in ranked if members[i].title]
    head = members[titled[0]] if titled else members[ranked[0]]
    with_bullets = [i for i in in_language if members[i].bullets]
    if not with_bullets:
        with_bullets = [i for i in ranked if members[i].bullets]
        if with_bullets:
            language = members[with_bullets[0]].language
            with_bullets = [i for i in with_bullets if members[i].language == language]
    chosen = _bullets([members[i] for i in with_bullets], limit)
    tldr_owner = next((members[i] for i in ranked if members[i].author_tldr), None)
    sources = sorted(members, key=lambda a: (_recency(a.published_text), a.index))
    return Story(
        label=head.title or head.source,
        label_language=head.language,
        language=language,
        bullets=tuple(chosen),
        sources=tuple(
            Source(
                title=a.title,
                language=a.language,
                source=a.source,
                url=a.url,
                published=a.published_text,
                id=a.id,
                keywords=a.keywords,
                bullets=len(a.bullets),
            )
            for a in sources
        ),
        # The reader reads the story in its bullets' language: keywords in that language first.
        keywords=tuple(
            keywords_stage.merge(
                [members[i].keywords for i in ranked if members[i].language == language]
                + [members[i].keywords for i in ranked if members[i].language != language]
            )
        ),
        author_tldr=tldr_owner.author_tldr if tldr_owner else (),
        author_tldr_source=tldr_owner.source if tldr_owner else None,
        latest=_latest(members),
    )


def _bullets(articles: Sequence[_Article], limit: int) -> list[StoryBullet]:
    """Round robin over the articles (most central first), leaving out repeated facts."""
    chosen: list[StoryBullet] = []
    seen: list[tuple[set[str], set[str]]] = []
    depth = max((len(a.bullets) for a in articles), default=0)
    for rank in range(depth):
        for article in articles:
            if len(chosen) >= limit:
                return chosen
            if rank >= len(article.bullets):
                continue
            bullet = article.bullets[rank]
            text = _text(bullet.get("text")) or ""
            fact = _fact(text, article.language)
            if not text or any(_repeats(fact, other) for other in seen):
                continue
            seen.append(fact)
            chosen.append(
                StoryBullet(
                    text=text,
                    language=article.language,
                    source=article.source,
                    sentence=_int(bullet.get("sentence")),
                    start=_int(bullet.get("start")),
                    end=_int(bullet.get("end")),
                )
            )
    return chosen


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --------------------------------------------------------------------------- the whole job


def digest(
    paths: Sequence[str],
    options: Options,
    *,
    bullets: int = DEFAULT_BULLETS,
    prefer_language: str | None = None,
    window: float | None = grouping.WINDOW_HOURS,
    jobs: int | None = None,
    on_failure: Callable[[str], None] | None = None,
    progress: bool = False,
    **batch_options: Any,
) -> Digest:
    """Summarize every input under ``paths`` (as ``batch`` does) and group them into stories."""
    from .batch import batch

    prefer = _preferred(prefer_language)
    if not options.keywords:
        # Keywords of each whole article, found where it is summarized (in parallel).
        options = dataclasses.replace(options, keywords=True)
    collector = _Collector()
    batch(
        paths,
        options,
        sink_factory=collector.open,
        jobs=jobs,
        progress=progress,
        on_failure=None,
        **batch_options,
    )
    items, failures = collector.records()
    for failure in failures:
        if on_failure is not None:
            on_failure(str(failure.get("error")))
    stories = group_stories(items, bullets=bullets, prefer_language=prefer, window=window)
    return Digest(
        stories=tuple(stories),
        failures=tuple(failures),
        options={
            "bullets": bullets,
            "prefer_language": prefer,
            "window_hours": window,
            "summary": options.to_dict(),
        },
    )


class _Collector:
    """A batch sink that keeps records in memory, in input order, with their input's fields.

    The fields (a record's title and dates, a page's date) are read as each outcome arrives,
    while the inputs are still there: standard input is spooled to a file that lasts only as
    long as the run.
    """

    def __init__(self) -> None:
        self.inputs: Sequence[Any] = ()
        self.outcomes: dict[int, tuple[Any, dict[str, Any]]] = {}

    def open(self, inputs: Sequence[Any]) -> Any:
        from .batch import LineReader, Sink

        collector = self
        reader = LineReader()
        by_index = {item.index: item for item in inputs}

        class _Sink(Sink):
            where = "the digest"

            def add(self, outcome: Any) -> Any:
                fields = _input_fields(by_index[outcome.index], reader)
                collector.outcomes[outcome.index] = (outcome, fields)
                return outcome

            def close(self, complete: bool) -> None:
                reader.close()

        self.inputs = inputs
        return _Sink()

    def records(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Records to group (titles-only records included) and the inputs that failed."""
        items: list[dict[str, Any]] = []
        failures: list[dict[str, Any]] = []
        for item in self.inputs:
            outcome, fields = self.outcomes.get(item.index, (None, {}))
            if outcome is None or outcome.line is None:
                continue
            record = outcome.record()
            record.pop("key", None)
            if "error" in record:
                if fields.get("title"):
                    # A titles-only record (no body to summarize) is a source all the same.
                    if "language" not in fields:
                        from .pipeline import detect_language

                        fields["language"] = {"code": detect_language(fields["title"]).code}
                    items.append({"source": record["source"], **fields, "bullets": []})
                else:
                    failures.append(record)
                continue
            for name in ("published", "date", "url"):
                if name in fields and name not in record:
                    record[name] = fields[name]
            items.append(record)
        return items, failures


def _input_fields(item: Any, reader: Any) -> dict[str, Any]:
    """What an input says beyond its text: a JSONL record's title, language, dates, URL, id;
    an HTML page's publication date (its metadata)."""
    if item.kind == "file" and str(item.path or "").lower().endswith(HTML_SUFFIXES):
        published = _page_date(item.path)
        return {"published": published} if published else {}
    if item.kind != "record":
        return {}
    try:
        line = item.line if item.line is not None else reader.read(item)[0]
        data = json.loads(line)
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    fields = {
        k: data[k]
        for k in ("title", "published", "date", "url", "id")
        if isinstance(data.get(k), (str, int)) and not isinstance(data.get(k), bool)
    }
    language = data.get("language") or data.get("lang")
    if isinstance(language, str) and stated_code(language):
        fields["language"] = {"code": stated_code(language)}
    return fields


HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def _page_date(path: str) -> str | None:
    """The publication time an HTML page's markup gives (meta tags, <time>, JSON-LD), if any."""
    from .load import MAX_INPUT_BYTES, decode_bytes, read_bytes

    try:
        html = decode_bytes(read_bytes(path, limit=MAX_INPUT_BYTES), path, partial=True)
        import htmldate

        # Markup only (no search of the text with dateparser): fast, and no guess.
        found = htmldate.find_date(html, extensive_search=False, original_date=True,
                                   outputformat="%Y-%m-%dT%H:%M:%S")  # fmt: skip
    except Exception:  # an unreadable or odd page is simply undated
        return None
    return str(found) if found else None


def write(digest_: Digest, format: str, path: str | os.PathLike[str] | None) -> str:
    """Render ``digest_`` in ``format``; written to ``path`` when given, else returned."""
    from .digest_render import render_digest

    text = render_digest(digest_, format)
    if path is not None:
        from .batch import atomic_write

        atomic_write(__import__("pathlib").Path(path), text)
    return text
