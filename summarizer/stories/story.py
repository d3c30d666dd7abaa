"""A story as articles join it (summed vectors, norms, publication times), the tuning constants,
and the time-dependent bar an article must clear to join a story."""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from .text import StoryInput

# Similarity an article must reach with a story to join it (cosine of TF-IDF vectors) when it
# comes out with the story's latest article; the bar rises linearly to LATE_THRESHOLD over
# SETTLE_HOURS. A story breaks as a burst of reports within hours, so two close titles need
# less evidence than two titles a day apart, which may be two events on one topic.
THRESHOLD = 0.15
LATE_THRESHOLD = 0.30
SETTLE_HOURS = 6.0
# Similarity two stories' centroids must reach for the stories to be merged after the pass
# when they came out together; it rises with the time between them as an article's bar does.
# Stories with no language in common need less, in the proportion THRESHOLD / LATE_THRESHOLD
# (see merge._merge).
MERGE_THRESHOLD = 0.45
# Hours a story stays open after its last article; None: no limit.
WINDOW_HOURS = 24.0
# A feature found in more articles than this is not used to find candidate stories: it would
# make every story a candidate of every article (a fixed number keeps the cost per article flat).
BLOCK = 100
# Stories compared in full with each article: those sharing the most feature weight with it.
CANDIDATES = 20
# Rounds of reassignment after the pass and the merge (fewer when no article moves).
REFINE_ROUNDS = 3

_Vectors = tuple[dict[str, float], dict[str, float]]


@dataclass(frozen=True)
class _Feed:
    """What the single pass and the reassignment rounds read: the articles, their weighted
    vectors, the publication order, the document frequencies, the bar and the window."""

    items: Sequence[StoryInput]
    vectors: Sequence[_Vectors]
    order: Sequence[int]  # publication order, unknown dates last, ties by content
    df: Mapping[str, int]
    bar: tuple[float, float]  # (threshold, late_threshold): see _bar
    window: float | None


class _Story:
    __slots__ = ("anchors", "lexical", "members", "norms", "times")

    def __init__(self) -> None:
        self.members: list[int] = []
        self.lexical: dict[str, dict[str, float]] = {}  # per language: summed vectors
        self.anchors: dict[str, float] = {}
        self.times: list[datetime] = []  # the known publication times, ascending
        # Squared norms of the summed vectors (key None: the anchors), kept up to date.
        self.norms: dict[str | None, float] = {}

    def norm(self, language: str | None) -> float:
        """The norm of the summed lexical vector of ``language`` (None: of the anchors)."""
        return math.sqrt(max(0.0, self.norms.get(language, 0.0)))

    def _update(self, language: str | None, vector: Mapping[str, float], sign: float) -> None:
        """Add ``sign`` times ``vector`` to the lexical sum of ``language`` (None: anchors)."""
        target = self.anchors if language is None else self.lexical.setdefault(language, {})
        self.norms[language] = self.norms.get(language, 0.0) + _add_to(target, vector, sign)
        if language is not None and not target:
            del self.lexical[language], self.norms[language]

    @property
    def first(self) -> datetime | None:
        return self.times[0] if self.times else None

    @property
    def last(self) -> datetime | None:
        return self.times[-1] if self.times else None

    def absorb(self, other: _Story) -> None:
        self.members += other.members
        for language, vector in other.lexical.items():
            self._update(language, vector, 1.0)
        self._update(None, other.anchors, 1.0)
        self.times = list(heapq.merge(self.times, other.times))

    def add(self, index: int, language: str, vectors: _Vectors, when: datetime | None) -> None:
        """Put in article ``index`` with its vectors and publication time."""
        self.members.append(index)
        self._step(language, vectors, when, 1.0)

    def remove(self, index: int, language: str, vectors: _Vectors, when: datetime | None) -> None:
        """Take out an article that ``add`` put in, with the same vectors."""
        self.members.remove(index)
        self._step(language, vectors, when, -1.0)

    def _step(self, language: str, vectors: _Vectors, when: datetime | None, sign: float) -> None:
        """Add ``sign`` times an article's vectors to the sums, and its time in (1) or out (-1)."""
        self._update(language, vectors[0], sign)
        self._update(None, vectors[1], sign)
        if when is None:
            return
        if sign > 0:
            bisect.insort(self.times, when)
        else:
            del self.times[bisect.bisect_left(self.times, when)]

    def nearest(self, other: _Story) -> float | None:
        """Hours between the closest known times of this story and ``other`` (None: unknown)."""
        few, many = sorted((self, other), key=lambda story: len(story.times))
        gaps = [gap for t in few.times if (gap := many.gap(t)) is not None]
        return min(gaps, default=None)

    def gap(self, published: datetime | None) -> float | None:
        """Hours from ``published`` to the nearest known time of the story (None: unknown)."""
        if published is None or not self.times:
            return None
        times = self.times
        k = bisect.bisect_left(times, published)
        if k == len(times):
            return (published - times[-1]).total_seconds() / 3600
        after = (times[k] - published).total_seconds()
        before = (published - times[k - 1]).total_seconds() if k else after
        return min(before, after) / 3600


def _add_to(target: dict[str, float], vector: Mapping[str, float], sign: float) -> float:
    """Add ``sign`` times ``vector`` to ``target``, dropping weights that cancel out; the change
    of the squared norm of ``target``."""
    change = 0.0
    for f, w in vector.items():
        old = target.get(f, 0.0)
        new = old + sign * w
        change += new * new - old * old
        if abs(new) > 1e-9:
            target[f] = new
        else:
            target.pop(f, None)
    return change


def _cosine(vector: Mapping[str, float], centroid: Mapping[str, float], norm: float) -> float:
    if not vector or not centroid:
        return 0.0
    dot = sum(w * centroid.get(f, 0.0) for f, w in vector.items())
    return dot / norm if dot > 0.0 else 0.0


def _similarity(
    story: _Story, language: str, lex: Mapping[str, float], anc: Mapping[str, float]
) -> float:
    same = _cosine(lex, story.lexical.get(language, {}), story.norm(language))
    across = _cosine(anc, story.anchors, story.norm(None))
    return max(same, across)


def _open(story: _Story, published: datetime | None, window: float | None) -> bool:
    if window is None or published is None or story.last is None:
        return True
    return (published - story.last).total_seconds() <= window * 3600


def _best_story(
    stories: Sequence[_Story],
    ranked: Iterable[int],
    item: StoryInput,
    bar: tuple[float, float],
    window: float | None,
    vectors: tuple[Mapping[str, float], Mapping[str, float]],
    prefer: int = -1,
) -> int:
    """The open story among ``ranked`` (and ``prefer``, which wins ties) that clears its
    time-dependent bar by the most; -1 when none clears it."""
    lex, anc = vectors
    best, best_margin = -1, 0.0
    for o in sorted({*ranked, prefer} - {-1}, key=lambda o: (o != prefer, o)):
        story = stories[o]
        gap = story.gap(item.published)
        if not story.members or (window is not None and gap is not None and gap > window):
            continue
        margin = _similarity(story, item.language or "und", lex, anc) - _bar(gap, bar)
        if margin >= best_margin and (margin > best_margin or best < 0):
            best, best_margin = o, margin
    return best


def _bar(gap: float | None, bar: tuple[float, float]) -> float:
    """The similarity an article ``gap`` hours from a story's nearest article needs to join it:
    ``bar[0]`` for one published with it, rising linearly to ``bar[1]`` over
    ``SETTLE_HOURS``; ``bar[1]`` when a date is unknown (no evidence of a burst)."""
    low, high = bar
    if gap is None:
        return high
    return low + (high - low) * min(1.0, gap / SETTLE_HOURS)
