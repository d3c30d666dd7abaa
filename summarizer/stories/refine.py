"""Rounds of reassignment after the pass and the merge: each article moves to the story that now
fits it best, as a k-means step does."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from .story import BLOCK, CANDIDATES, _best_story, _Feed, _Story, _Vectors
from .text import StoryInput


def _refine(stories: list[_Story], feed: _Feed, rounds: int) -> list[_Story]:
    """Move each article, in publication order, to the story that fits it best.

    The single pass decides with the stories as they were when an article came; once every
    article is placed, a story's centroid says more. Each article is taken out of its story
    and compared with the candidate stories (its own included) as a k-means step would, with
    the same time-dependent bar; it moves when another story clears that bar by more. An
    article's candidates are found once; later rounds look again only at articles whose own or
    candidate stories changed since.
    """
    items, vectors, df, bar, window = feed.items, feed.vectors, feed.df, feed.bar, feed.window
    where = [0] * len(items)
    for s, story in enumerate(stories):
        for i in story.members:
            where[i] = s
    index = _story_index(stories, df)
    # Spans only grow as articles move in: a superset of the stories each article may join.
    spans = _spans(stories, window)
    candidates: list[list[int] | None] = [None] * len(items)
    changed = [0] * len(stories)  # the step at which each story last changed
    seen = [0] * len(items)  # the step at which each article was last placed
    step = 0
    for _ in range(rounds):
        moved = 0
        for i in feed.order:
            step += 1
            ranked = candidates[i]
            if ranked is None:
                ranked = candidates[i] = _candidates(index, df, spans, items[i], window, vectors[i])
            elif seen[i] > max(changed[o] for o in (where[i], *ranked)):
                continue
            seen[i] = step
            target = _reassign(stories, where[i], ranked, i, items[i], vectors[i], bar, window)
            if target != where[i]:
                changed[target] = changed[where[i]] = step
                moved += 1
                where[i] = target
                _index_fresh(target, vectors[i], df, index)
                spans[target] = _widen(spans[target], items[i].published, window)
        if not moved:
            break
    return [story for story in stories if story.members]


def _story_index(stories: Sequence[_Story], df: Mapping[str, int]) -> defaultdict[str, list[int]]:
    """Feature -> the stories holding it, for features in ``BLOCK`` articles or fewer."""
    index: defaultdict[str, list[int]] = defaultdict(list)
    for s, story in enumerate(stories):
        for f in {f for v in (*story.lexical.values(), story.anchors) for f in v}:
            if df[f] <= BLOCK:
                index[f].append(s)
    return index


def _widen(
    span: tuple[float, float], published: datetime | None, window: float | None
) -> tuple[float, float]:
    """``span`` widened to hold the window around ``published``."""
    if published is None or window is None:
        return span
    moment = published.timestamp()
    return (min(span[0], moment - window * 3600), max(span[1], moment + window * 3600))


def _index_fresh(
    s: int,
    vectors: _Vectors,
    df: Mapping[str, int],
    index: defaultdict[str, list[int]],
) -> None:
    """Index story ``s`` under the rarer features of an article it just took in."""
    for vector in vectors:
        for f in vector:
            postings = index[f] if df[f] <= BLOCK else None
            if postings is not None and s not in postings:
                postings.append(s)


def _candidates(
    index: Mapping[str, list[int]],
    df: Mapping[str, int],
    spans: Sequence[tuple[float, float]],
    item: StoryInput,
    window: float | None,
    vectors: _Vectors,
) -> list[int]:
    """The stories sharing the most weight with ``item`` among those whose span of time
    (``spans``: first and last timestamps, widened by the window; infinite when unknown)
    holds its time."""
    moment = None if window is None or item.published is None else item.published.timestamp()
    shared: dict[int, float] = {}
    for vector in vectors:
        for f, w in vector.items():
            for o in index.get(f, ()) if df[f] <= BLOCK else ():
                if moment is None or spans[o][0] <= moment <= spans[o][1]:
                    shared[o] = shared.get(o, 0.0) + w
    return sorted(heapq.nsmallest(CANDIDATES, shared, key=lambda o: (-shared[o], o)))


def _spans(stories: Sequence[_Story], window: float | None) -> list[tuple[float, float]]:
    """Each story's first and last timestamps, widened by ``window`` hours."""
    reach = math.inf if window is None else window * 3600
    return [
        (story.times[0].timestamp() - reach, story.times[-1].timestamp() + reach)
        if story.times
        else (-math.inf, math.inf)
        for story in stories
    ]


def _reassign(
    stories: Sequence[_Story],
    own: int,
    ranked: Sequence[int],
    i: int,
    item: StoryInput,
    vectors: _Vectors,
    bar: tuple[float, float],
    window: float | None,
) -> int:
    """Take article ``i`` out of story ``own`` and put it in the story among ``ranked`` (or
    ``own``, which wins ties) that clears its bar by the most; that story's position."""
    language = item.language or "und"
    stories[own].remove(i, language, vectors, item.published)
    best = _best_story(stories, ranked, item, bar, window, vectors, own)
    target = own if best < 0 else best
    stories[target].add(i, language, vectors, item.published)
    return target
