"""The merge of stories whose centroids are close, after the single pass."""

from __future__ import annotations

import bisect
import heapq
import math
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple

from .story import CANDIDATES, _bar, _Story


def _unit(vector: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {f: w / norm for f, w in vector.items()} if norm else {}


# A story's centroid as unit vectors: one lexical vector per language, and the anchors.
_Units = tuple[dict[str, dict[str, float]], dict[str, float]]


class _MergeBars(NamedTuple):
    """The time-dependent bars (see ``_bar``) of two stories with a language in common and of
    two stories in different languages."""

    same: tuple[float, float]
    across: tuple[float, float]

    @classmethod
    def of(cls, merge: float, bar: tuple[float, float]) -> _MergeBars:
        """The bars for merge threshold ``merge`` beside an article's ``bar``: one language's
        rises by as much as an article's; across languages it starts as much lower, in
        proportion, as an article's does."""
        low, high = bar
        return cls((merge, merge + high - low), (merge * low / high if high else merge, merge))


def _merge(
    stories: list[_Story],
    df: Mapping[str, int],
    block: int,
    bars: _MergeBars,
    window: float | None,
    rounds: int = 3,
) -> list[_Story]:
    """Merge stories whose centroids are similar (richer than one article's title).

    The bar depends on time as an article's does (see ``_bar``): from its first value for
    stories whose nearest articles came out together to its second over ``SETTLE_HOURS``.
    Stories with a language in common had their chance at the low bar of the pass, so theirs
    (``bars.same``) starts at the merge threshold and rises as an article's does: two stories
    in one language hours apart are often successive events on one topic (a semifinal and the
    final); without dates it does not rise. Stories in different languages meet only by their
    anchors, which the pass counts in proportion to their share of each title, so one event
    reported in two languages at one moment often leaves the pass as two stories: theirs
    (``bars.across``) starts lower.
    """
    for _ in range(rounds):
        units = [
            ({lang: _unit(v) for lang, v in story.lexical.items()}, _unit(story.anchors))
            for story in stories
        ]
        pairs = _merge_pairs(stories, units, df, block, bars, window)
        if not pairs:
            break
        stories = _absorb_pairs(stories, sorted(pairs))
    return stories


def _merge_pairs(
    stories: Sequence[_Story],
    units: Sequence[_Units],
    df: Mapping[str, int],
    block: int,
    bars: _MergeBars,
    window: float | None,
) -> list[tuple[float, int, int]]:
    """(-similarity, s, o) for each story s and later story o similar enough to merge."""
    # Stories are in order of their first article, undated ones last.
    undated = next((s for s, story in enumerate(stories) if story.first is None), len(stories))
    index = _feature_index(units, df, block)
    pairs: list[tuple[float, int, int]] = []
    for s, (lexical, anchors) in enumerate(units):
        shared: dict[int, float] = {}
        for vector in (*lexical.values(), anchors):
            for f, w in vector.items():
                if df[f] <= block:
                    for o in _later(index[f], s, stories, undated, window):
                        shared[o] = shared.get(o, 0.0) + w
        for o in sorted(heapq.nsmallest(CANDIDATES, shared, key=lambda o: (-shared[o], o))):
            if _overlap(stories[s], stories[o], window):
                score = _units_similarity(units[s], units[o])
                if score >= _merge_bar(stories[s], stories[o], bars):
                    pairs.append((-score, s, o))
    return pairs


def _feature_index(
    units: Sequence[_Units], df: Mapping[str, int], block: int
) -> defaultdict[str, list[int]]:
    """Feature -> the stories holding it (ascending), for features in ``block`` articles or
    fewer."""
    index: defaultdict[str, list[int]] = defaultdict(list)
    for s, (lexical, anchors) in enumerate(units):
        for f in (*(f for v in lexical.values() for f in v), *anchors):
            if df[f] <= block:
                index[f].append(s)
    return index


def _units_similarity(a: _Units, b: _Units) -> float:
    """The better of the closest same-language lexical match and the anchors' match."""
    (lexical, anchors), (other_lexical, other_anchors) = a, b
    same = max(
        (_dot(v, other_lexical[lang]) for lang, v in lexical.items() if lang in other_lexical),
        default=0.0,
    )
    return max(same, _dot(anchors, other_anchors))


def _merge_bar(a: _Story, b: _Story, bars: _MergeBars) -> float:
    """The similarity stories ``a`` and ``b`` need to merge (see ``_merge``)."""
    gap = a.nearest(b)
    if a.lexical.keys() & b.lexical.keys():
        # Without dates nothing says the stories are hours apart: no rise (an undated folder
        # of articles in one language merges as it did).
        return bars.same[0] if gap is None else _bar(gap, bars.same)
    return _bar(gap, bars.across)


def _absorb_pairs(stories: list[_Story], pairs: Sequence[tuple[float, int, int]]) -> list[_Story]:
    """Merge each pair, most similar first, each story in one merge at most."""
    taken: set[int] = set()
    gone: set[int] = set()
    for _, s, o in pairs:
        if s in taken or o in taken:
            continue
        stories[s].absorb(stories[o])
        taken.update((s, o))
        gone.add(o)
    return [story for s, story in enumerate(stories) if s not in gone]


def _later(
    postings: list[int], s: int, stories: Sequence[_Story], undated: int, window: float | None
) -> Iterator[int]:
    """Stories after ``s`` in ``postings`` (ascending) that may overlap it in time."""
    start = bisect.bisect_right(postings, s)
    last = stories[s].last
    limit = None if window is None or last is None else last.timestamp() + window * 3600
    for k in range(start, len(postings)):
        o = postings[k]
        first = stories[o].first
        if limit is not None and first is not None and first.timestamp() > limit:
            # Later dated stories start later still: jump to the undated ones.
            yield from postings[bisect.bisect_left(postings, undated, k) :]
            return
        yield o


def _dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(f, 0.0) for f, w in a.items())


def _overlap(a: _Story, b: _Story, window: float | None) -> bool:
    if window is None or a.first is None or b.first is None:
        return True
    assert a.last is not None and b.last is not None
    gap = max((b.first - a.last).total_seconds(), (a.first - b.last).total_seconds())
    return gap <= window * 3600
