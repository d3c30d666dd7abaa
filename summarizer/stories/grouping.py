"""``group``: IDF-weighted vectors, then one pass in publication order over candidate stories
found through an inverted index, the merge of close stories, and rounds of reassignment."""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from .concepts import UNINDEXED
from .features import features, lowercase_words
from .merge import _merge, _MergeBars
from .places import _places
from .refine import _refine
from .story import (
    BLOCK,
    CANDIDATES,
    LATE_THRESHOLD,
    MERGE_THRESHOLD,
    REFINE_ROUNDS,
    THRESHOLD,
    WINDOW_HOURS,
    _best_story,
    _Feed,
    _open,
    _Story,
    _Vectors,
)
from .text import StoryInput

# What one feature of a kind weighs beside a name, a number, a code or a place: a shared word
# stem is weaker evidence of one event than a shared name; a concept of the lexicon is a
# translation, not a guess, but it names a kind of event, not one (measured from 0.5 to 1.25:
# see docs/digest.md).
KIND_WEIGHTS = {"cog": 0.5, "con": 0.75}


def _kind_weight(feature: str) -> float:
    return KIND_WEIGHTS.get(feature.split(":", 1)[0], 1.0)


def _weigh(counts: Counter[str], idf: Mapping[str, float]) -> dict[str, float]:
    weights = {f: (1 + math.log(n)) * idf[f] * _kind_weight(f) for f, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {f: w / norm for f, w in weights.items()} if norm else {}


def _share(counts: tuple[Counter[str], Counter[str]], idf: Mapping[str, float]) -> float:
    lexical, anchors = counts
    a = sum(((1 + math.log(n)) * idf[f] * _kind_weight(f)) ** 2 for f, n in anchors.items())
    b = sum(((1 + math.log(n)) * idf[f]) ** 2 for f, n in lexical.items())
    return math.sqrt(a / (a + b)) if a + b else 0.0


def group(
    items: Sequence[StoryInput],
    *,
    threshold: float = THRESHOLD,
    window: float | None = WINDOW_HOURS,
    merge: float | None = MERGE_THRESHOLD,
    late_threshold: float = LATE_THRESHOLD,
    refine: int = REFINE_ROUNDS,
) -> list[list[int]]:
    """Indices of ``items`` grouped by story: each group in input order, groups by first member.

    ``threshold`` applies to an article published with a story's latest article,
    ``late_threshold`` once ``SETTLE_HOURS`` have passed since it, or when a date is unknown;
    ``refine``: at most that many rounds in which each article moves to the story it fits best.
    """
    count = len(items)
    if count == 0:
        return []
    places = _places(frozenset(item.language for item in items if item.language))
    lowercase = lowercase_words(items)
    raw = [features(item, places, lowercase) for item in items]
    df: Counter[str] = Counter()
    for lexical_counts, anchor_counts in raw:
        df.update(lexical_counts.keys())
        df.update(anchor_counts.keys())
    idf = {f: math.log((1 + count) / (1 + n)) + 1.0 for f, n in df.items()}
    order = sorted(range(count), key=lambda i: _order_key(items[i], i))
    # The counts give way to the weighted vectors one by one: both are never held in full.
    raw.reverse()
    vectors = [_vectors(raw.pop(), idf) for _ in range(count)]
    bar = (threshold, max(threshold, late_threshold))
    feed = _Feed(items, vectors, order, df, bar, window)
    stories = _single_pass(feed)
    if merge is not None:
        stories = _merge(stories, df, BLOCK, _MergeBars.of(merge, bar), window)
    if refine:
        stories = _refine(stories, feed, refine)
    groups = [sorted(story.members) for story in stories]
    groups.sort(key=lambda members: members[0])
    return groups


def _vectors(counts: tuple[Counter[str], Counter[str]], idf: Mapping[str, float]) -> _Vectors:
    """An article's weighted lexical and anchor vectors."""
    lex, anc = _weigh(counts[0], idf), _weigh(counts[1], idf)
    # Anchors count across languages in proportion to their share of the article: a title
    # whose only anchor is a common place name does not join a story by it.
    share = _share(counts, idf)
    return lex, {f: w * share for f, w in anc.items()}


def _single_pass(feed: _Feed) -> list[_Story]:
    """Stories made in one pass in publication order: each article joins the candidate story
    that clears its bar by the most, or starts a story."""
    items, vectors, df, bar, window = feed.items, feed.vectors, feed.df, feed.bar, feed.window
    stories: list[_Story] = []
    index: defaultdict[str, list[int]] = defaultdict(list)  # feature -> stories holding it
    for i in feed.order:
        item = items[i]
        shared = _shared_weights(index, df, stories, item.published, window, vectors[i])
        ranked = heapq.nsmallest(CANDIDATES, shared, key=lambda o: (-shared[o], o))
        best = _best_story(stories, ranked, item, bar, window, vectors[i])
        if best < 0:
            best = len(stories)
            stories.append(_Story())
        _join(stories[best], best, i, item, vectors[i], df, index)
    return stories


def _join(
    story: _Story,
    s: int,
    i: int,
    item: StoryInput,
    vectors: _Vectors,
    df: Mapping[str, int],
    index: defaultdict[str, list[int]],
) -> None:
    """Add article ``i`` to story ``s``, indexing the rarer features the story did not have.

    Concepts are not indexed: they tell what kind of event an article reports, not which one,
    so they weigh in the comparison with candidate stories but never bring one up.
    """
    language = item.language or "und"
    lex, anc = vectors
    fresh = [
        f
        for f in (*lex, *anc)
        if f not in story.anchors and f not in story.lexical.get(language, {})
    ]
    story.add(i, language, vectors, item.published)
    for f in fresh:
        if df[f] <= BLOCK and not f.startswith(UNINDEXED):
            index[f].append(s)


def _shared_weights(
    index: Mapping[str, list[int]],
    df: Mapping[str, int],
    stories: Sequence[_Story],
    published: datetime | None,
    window: float | None,
    vectors: Sequence[Mapping[str, float]],
) -> dict[int, float]:
    """Stories sharing the article's rarer features, by the weight they share.

    Postings of stories closed by the window are dropped as the timeline moves on (articles
    come in publication order).
    """
    shared: dict[int, float] = {}
    for vector in vectors:
        for f, w in vector.items():
            postings = index.get(f)
            if not postings or df[f] > BLOCK:
                continue
            if published is not None and window is not None:
                postings[:] = [o for o in postings if _open(stories[o], published, window)]
            for o in postings:
                shared[o] = shared.get(o, 0.0) + w
    return shared


def _order_key(item: StoryInput, position: int) -> tuple[int, float, str, str, str, int]:
    """Publication order, unknown dates last; ties by content, so that the input order of
    articles published at the same time does not change the stories."""
    moment = 0.0 if item.published is None else item.published.timestamp()
    content = (item.language or "und", item.title, item.lead)
    return (item.published is None, moment, *content, position)
