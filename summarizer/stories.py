"""Story grouping: which articles report the same event, whatever their language.

Each article becomes two sparse TF-IDF vectors:

* a *lexical* one (stemmed content words of its title and lead, stop words removed), compared
  only with articles in the same language;
* an *anchor* one, made of what survives translation: names (capitalised words, folded to
  ASCII with anyascii and reduced to a consonant key so that "Biles", "Байлз" and "Bails"
  meet), numbers with their units, product codes such as ``910B`` or ``H20``, and countries
  and cities mapped to one identifier through CLDR's localized names (Babel).

Articles are taken in publication order (unknown dates last, then input order) and each joins
the existing story whose centroid it is most similar to, if that similarity clears a threshold
and the story was active within ``window`` hours; otherwise it starts a new story. The
threshold is lowest for an article published with the story's latest one and rises over a few
hours: reports of one event come in bursts. Candidate
stories come from an inverted index over features (very common features are not indexed), so
the cost grows with the number of articles, not with its square; and the result depends only
on the items and their order.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import itertools
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from typing import Any

from . import sentences

# Similarity an article must reach with a story to join it (cosine of TF-IDF vectors) when it
# comes out with the story's latest article; the bar rises linearly to LATE_THRESHOLD over
# SETTLE_HOURS. A story breaks as a burst of reports within hours, so two close titles need
# less evidence than two titles a day apart, which may be two events on one topic.
THRESHOLD = 0.15
LATE_THRESHOLD = 0.30
SETTLE_HOURS = 6.0
# Similarity two stories' centroids must reach for the stories to be merged after the pass.
MERGE_THRESHOLD = 0.45
# Hours a story stays open after its last article; None: no limit.
WINDOW_HOURS = 24.0
# A feature found in more articles than this is not used to find candidate stories: it would
# make every story a candidate of every article (a fixed number keeps the cost per article flat).
BLOCK = 100
# Stories compared in full with each article: those sharing the most feature weight with it.
CANDIDATES = 20

_WORD = re.compile(r"[^\W_]+(?:[-'’.,][^\W_]+)*")
_DIGIT = re.compile(r"\d")
_LATIN = re.compile(r"[0-9A-Za-z]+(?:[.,][0-9]+)*")
# CJK characters (compatibility ideographs included), as sentences splits and counts them.
_CJK = sentences._CJK_RE
# A site name after the headline ("... - Esportes - Estadão", "... | Le Monde").
_SITE_SUFFIX = re.compile(r"\s+[-|–—]\s+[^-|–—]{1,40}$")

# Units in several languages, folded to one name, so that "5 milliards" meets "5 billion".
_UNITS = {
    "%": "percent", "percent": "percent", "pourcent": "percent", "prozent": "percent",
    "por": "percent", "procent": "percent", "процентов": "percent",
    "million": "million", "millions": "million", "millionen": "million", "mio": "million",
    "millones": "million", "milhoes": "million", "milhões": "million", "milioni": "million",
    "миллионов": "million", "млн": "million", "m": "million",
    "billion": "billion", "billions": "billion", "milliard": "billion", "milliards": "billion",
    "milliarde": "billion", "milliarden": "billion", "mrd": "billion", "bn": "billion",
    "миллиардов": "billion", "млрд": "billion", "bilhoes": "billion", "bilhões": "billion",
    "€": "eur", "euro": "eur", "euros": "eur", "eur": "eur", "евро": "eur",
    "$": "usd", "dollar": "usd", "dollars": "usd", "dolares": "usd", "dólares": "usd",
    "usd": "usd", "долларов": "usd",
    "km": "km", "kilometres": "km", "kilometers": "km", "kilomètres": "km",
    "kg": "kg", "nm": "nm", "ghz": "ghz", "gb": "gb", "tb": "tb", "mw": "mw", "gw": "gw",
    "years": "year", "year": "year", "ans": "year", "an": "year", "jahre": "year",
    "jahren": "year", "anos": "year", "años": "year", "let": "year", "лет": "year",
}  # fmt: skip


@dataclass(frozen=True)
class StoryInput:
    """What grouping reads of one article: its title, lead, language and publication time."""

    title: str
    lead: str = ""
    language: str = "und"
    published: datetime | None = None


def parse_time(value: Any) -> datetime | None:
    """A publication time from an ISO 8601 string (or a datetime); None when unknown/invalid."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        text = value.strip().replace("Z", "+00:00")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    # Naive times are taken as UTC, so that naive and aware times can be compared.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def fold(text: str) -> str:
    """Lower case, accents and scripts folded to ASCII (names compare across languages)."""
    from anyascii import anyascii

    return str(anyascii(text)).lower()


@functools.lru_cache(maxsize=1 << 17)
def _consonant_key(word: str) -> str:
    # Transliterations disagree on vowels and on a few consonants (Байлз -> "baylz" vs
    # "Biles"); their consonant skeleton mostly agrees.
    key = fold(word)
    key = key.replace("ph", "f").replace("ck", "k").replace("sch", "sh").replace("tch", "ch")
    key = key.translate(str.maketrans("zcqvwj", "skkfvi"))
    key = re.sub(r"[^a-z0-9]", "", key)
    key = key[0] + re.sub(r"[aeiouyh]", "", key[1:]) if key else key
    return re.sub(r"(.)\1+", r"\1", key)


# An elided article or pronoun before a word ("l’Ouganda", "d’Apple", "dell’Italia",
# "qu’Intel") and a possessive after it ("Biles’s", "China's"): the word is what remains.
_ELISION = re.compile(
    r"^(?:[A-Za-z]|[Qq]u|[Dd]ell|[Aa]ll|[Nn]ell|[Ss]ull|[Dd]all)['’](?=[^\W\d_]{2})"
)
_POSSESSIVE = re.compile(r"['’][sS]$")


def _bare(token: str) -> str:
    """``token`` without an elided article before it or a possessive after it."""
    if "'" in token or "’" in token:
        token = _POSSESSIVE.sub("", _ELISION.sub("", token))
    return token


def _stem(language: str, words: list[str]) -> list[str]:
    stem = sentences._stemmer(language)
    return [stem(word) for word in words] if stem else words


@cache
def _places(languages: frozenset[str]) -> Mapping[tuple[str, ...], str]:
    """Folded word sequences of country and city names in ``languages`` -> one identifier."""
    from babel import Locale, UnknownLocaleError

    names: dict[tuple[str, ...], str] = {}
    for code in sorted(languages | {"en"}):
        try:
            locale = Locale.parse(code)
        except (ValueError, UnknownLocaleError):
            continue
        for territory, name in locale.territories.items():
            if territory.isalpha():
                names.setdefault(tuple(_WORD.findall(fold(name))), f"place:{territory}")
        for zone, city in _cities(locale):
            names.setdefault(tuple(_WORD.findall(fold(city))), f"place:{zone}")
    names.pop((), None)
    return names


def _cities(locale: Any) -> list[tuple[str, str]]:
    """(time zone, city name in ``locale``) for every zone CLDR knows. A locale lists only the
    names that differ from the zone's own ("Tokio" in Spanish, but not "Tokyo" in English)."""
    from babel.core import get_global

    zones = locale.time_zones
    found = []
    for zone in sorted(get_global("zone_territories")):
        data = zones.get(zone)
        city = data.get("city") if data else None
        found.append((zone, city or zone.rsplit("/", 1)[-1].replace("_", " ")))
    return found


@functools.lru_cache(maxsize=1 << 17)
def _folded_stem(language: str, word: str) -> str:
    stem = sentences._stemmer(language)
    return fold(stem(word) if stem else word)


def _match(words: Sequence[str], places: Mapping[tuple[str, ...], str]) -> list[str]:
    found = []
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            place = places.get(tuple(words[start : start + size]))
            if place is not None:
                found.append(place)
    return found


@cache
def _stemmed_places(language: str) -> Mapping[tuple[str, ...], str]:
    """Stemmed, folded country and city names of one language -> identifier."""
    from babel import Locale, UnknownLocaleError

    stem = sentences._stemmer(language)
    try:
        locale = Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        return {}
    if stem is None:
        return {}
    names: dict[tuple[str, ...], str] = {}
    pairs = [(name, f"place:{code}") for code, name in locale.territories.items() if code.isalpha()]
    pairs += [(city, f"place:{zone}") for zone, city in _cities(locale)]
    for name, ident in pairs:
        key = tuple(fold(stem(w.lower())) for w in _WORD.findall(name))
        if key:
            names.setdefault(key, ident)
    return names


def clean_title(title: str) -> str:
    """The headline without a trailing site name (" - Le Monde", " | Reuters")."""
    stripped = _SITE_SUFFIX.sub("", title.strip())
    while stripped != title.strip() and _SITE_SUFFIX.search(stripped):
        title, stripped = stripped, _SITE_SUFFIX.sub("", stripped)
    return stripped if len(stripped) >= 12 else title.strip()


def features(
    item: StoryInput, places: Mapping[tuple[str, ...], str]
) -> tuple[Counter[str], Counter[str]]:
    """The lexical and anchor feature counts of one article (before IDF weighting)."""
    language = item.language or "und"
    text = clean_title(item.title)
    if item.lead:
        text += "\n" + item.lead
    lexical: Counter[str] = Counter()
    anchors: Counter[str] = Counter()
    stop = sentences.stopwords(language)
    tokens = [_bare(token) for token in _WORD.findall(text)]
    words: list[str] = []
    for position, token in enumerate(tokens):
        lower = token.lower()
        if _CJK.search(token):
            _cjk_features(token, language, lexical, anchors)
        elif _DIGIT.search(token):
            anchors.update(_number_features(token, tokens, position))
        elif lower not in stop and len(lower) >= 2:
            words.append(lower)
            if token[0].isupper() and len(token) > 2 and (fold(token),) not in places:
                key = _consonant_key(token)
                if len(key) < 3:
                    # A name made mostly of vowels ("Huawei", "Meta") has too short a skeleton to
                    # be told from others: it is kept whole.
                    key = re.sub(r"[^a-z0-9]", "", fold(token))
                if len(key) >= 3:
                    anchors[f"name:{key}"] += 1
    lexical.update(f"{language}:{stem}" for stem in _stem(language, words))
    anchors.update(_place_features(text, tokens, language, places))
    return lexical, anchors


def _cjk_features(token: str, language: str, lexical: Counter[str], anchors: Counter[str]) -> None:
    """Count a run of CJK text: no spaces between its words, so character bigrams stand in for
    words, and the Latin letters and digits inside (910B, H20, 100) are read as tokens."""
    chars = _CJK.findall(token)
    lexical.update(f"{language}:{a}{b}" for a, b in itertools.pairwise(chars))
    inner = _LATIN.findall(token)
    for k, part in enumerate(inner):
        if _DIGIT.search(part):
            anchors.update(_number_features(part, inner, k))


def _place_features(
    text: str, tokens: Sequence[str], language: str, places: Mapping[tuple[str, ...], str]
) -> list[str]:
    """The places ``text`` names, as anchor features."""
    found = _match(_WORD.findall(fold(text)), places)
    if not found:
        # Inflected names ("в Германии"): compare stems, with this language's own names.
        stem = sentences._stemmer(language)
        if stem is not None:
            stemmed = [_folded_stem(language, t.lower()) for t in tokens if not _CJK.search(t)]
            found = _match(stemmed, _stemmed_places(language))
    return found


def _number_features(token: str, tokens: Sequence[str], position: int) -> list[str]:
    lower = token.lower()
    found: list[str] = []
    if re.fullmatch(r"\d+(?:[.,]\d+)*", lower):
        value = re.sub(r"(?<=\d)[.,](?=\d{3}\b)", "", lower).replace(",", ".")
        found.append(f"num:{value}")
        if position + 1 < len(tokens):
            unit = _UNITS.get(tokens[position + 1].lower())
            if unit:
                found.append(f"num:{value}{unit}")
    else:
        # A code such as 910B, H20, 3x3, RTX4090 or a number glued to its unit (12nm, 9.4bn).
        match = re.fullmatch(r"(\d+(?:[.,]\d+)?)([^\W\d_]+)", lower)
        if match and match.group(2) in _UNITS:
            value = match.group(1).replace(",", ".")
            found += [f"num:{value}", f"num:{value}{_UNITS[match.group(2)]}"]
        else:
            # A product code says more than any word: counted three times.
            found += [f"code:{fold(lower)}"] * 3
    return found


def _weigh(counts: Counter[str], idf: Mapping[str, float]) -> dict[str, float]:
    weights = {f: (1 + math.log(n)) * idf[f] for f, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {f: w / norm for f, w in weights.items()} if norm else {}


def _share(counts: tuple[Counter[str], Counter[str]], idf: Mapping[str, float]) -> float:
    lexical, anchors = counts
    a = sum(((1 + math.log(n)) * idf[f]) ** 2 for f, n in anchors.items())
    b = sum(((1 + math.log(n)) * idf[f]) ** 2 for f, n in lexical.items())
    return math.sqrt(a / (a + b)) if a + b else 0.0


class _Story:
    __slots__ = ("anchors", "first", "last", "lexical", "members")

    def __init__(self) -> None:
        self.members: list[int] = []
        self.lexical: dict[str, dict[str, float]] = {}  # per language: summed vectors
        self.anchors: dict[str, float] = {}
        self.first: datetime | None = None
        self.last: datetime | None = None

    def absorb(self, other: _Story) -> None:
        self.members += other.members
        for language, vector in other.lexical.items():
            target = self.lexical.setdefault(language, {})
            for f, w in vector.items():
                target[f] = target.get(f, 0.0) + w
        for f, w in other.anchors.items():
            self.anchors[f] = self.anchors.get(f, 0.0) + w
        for moment in (other.first, other.last):
            self._saw(moment)

    def _saw(self, published: datetime | None) -> None:
        if published is None:
            return
        if self.first is None or published < self.first:
            self.first = published
        if self.last is None or published > self.last:
            self.last = published

    def add(
        self,
        index: int,
        language: str,
        lex: dict[str, float],
        anc: dict[str, float],
        published: datetime | None,
    ) -> None:
        self.members.append(index)
        target = self.lexical.setdefault(language, {})
        for f, w in lex.items():
            target[f] = target.get(f, 0.0) + w
        for f, w in anc.items():
            self.anchors[f] = self.anchors.get(f, 0.0) + w
        self._saw(published)


def _cosine(vector: Mapping[str, float], centroid: Mapping[str, float]) -> float:
    if not vector or not centroid:
        return 0.0
    dot = sum(w * centroid.get(f, 0.0) for f, w in vector.items())
    if dot <= 0.0:
        return 0.0
    return dot / math.sqrt(sum(w * w for w in centroid.values()))


def group(
    items: Sequence[StoryInput],
    *,
    threshold: float = THRESHOLD,
    window: float | None = WINDOW_HOURS,
    merge: float | None = MERGE_THRESHOLD,
    late_threshold: float = LATE_THRESHOLD,
) -> list[list[int]]:
    """Indices of ``items`` grouped by story: each group in input order, groups by first member.

    ``threshold`` applies to an article published with a story's latest article,
    ``late_threshold`` once ``SETTLE_HOURS`` have passed since it, or when a date is unknown.
    """
    count = len(items)
    if count == 0:
        return []
    places = _places(frozenset(item.language for item in items if item.language))
    raw = [features(item, places) for item in items]
    df: Counter[str] = Counter()
    for lexical_counts, anchor_counts in raw:
        df.update(lexical_counts.keys())
        df.update(anchor_counts.keys())
    idf = {f: math.log((1 + count) / (1 + n)) + 1.0 for f, n in df.items()}
    order = sorted(range(count), key=lambda i: _order_key(items[i], i))
    stories: list[_Story] = []
    index: defaultdict[str, list[int]] = defaultdict(list)  # feature -> stories holding it
    for i in order:
        item = items[i]
        language = item.language or "und"
        lex, anc = _weigh(raw[i][0], idf), _weigh(raw[i][1], idf)
        # Anchors count across languages in proportion to their share of the article: a title
        # whose only anchor is a common place name does not join a story by it.
        share = _share(raw[i], idf)
        anc = {f: w * share for f, w in anc.items()}
        shared = _shared_weights(index, df, stories, item.published, window, (lex, anc))
        bar = (threshold, max(threshold, late_threshold))
        best = _best_story(stories, shared, item, bar, window, (lex, anc))
        if best < 0:
            best = len(stories)
            stories.append(_Story())
        story = stories[best]
        fresh = [
            f
            for f in (*lex, *anc)
            if f not in story.anchors and f not in story.lexical.get(language, {})
        ]
        story.add(i, language, lex, anc, item.published)
        for f in fresh:
            if df[f] <= BLOCK:
                index[f].append(best)
    if merge is not None:
        stories = _merge(stories, df, BLOCK, merge, window)
    groups = [sorted(story.members) for story in stories]
    groups.sort(key=lambda members: members[0])
    return groups


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


def _best_story(
    stories: Sequence[_Story],
    shared: Mapping[int, float],
    item: StoryInput,
    bar: tuple[float, float],
    window: float | None,
    vectors: tuple[Mapping[str, float], Mapping[str, float]],
) -> int:
    """The open story that clears its time-dependent bar by the most, among the few sharing the
    most weight with the article; -1 when none clears it."""
    lex, anc = vectors
    ranked = heapq.nsmallest(CANDIDATES, shared, key=lambda o: (-shared[o], o))
    best, best_margin = -1, 0.0
    for o in sorted(ranked):
        story = stories[o]
        if not _open(story, item.published, window):
            continue
        margin = _similarity(story, item.language or "und", lex, anc) - _bar(story, item, bar)
        if margin >= best_margin and (margin > best_margin or best < 0):
            best, best_margin = o, margin
    return best


def _bar(story: _Story, item: StoryInput, bar: tuple[float, float]) -> float:
    """The similarity ``item`` needs to join ``story``: ``bar[0]`` for an article published with
    the story's latest one, rising linearly to ``bar[1]`` over ``SETTLE_HOURS``; ``bar[1]`` when
    a date is unknown (no evidence of a burst)."""
    low, high = bar
    if item.published is None or story.last is None:
        return high
    hours = abs((item.published - story.last).total_seconds()) / 3600
    return low + (high - low) * min(1.0, hours / SETTLE_HOURS)


def _unit(vector: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {f: w / norm for f, w in vector.items()} if norm else {}


# A story's centroid as unit vectors: one lexical vector per language, and the anchors.
_Units = tuple[dict[str, dict[str, float]], dict[str, float]]


def _merge(
    stories: list[_Story],
    df: Mapping[str, int],
    block: int,
    threshold: float,
    window: float | None,
    rounds: int = 3,
) -> list[_Story]:
    """Merge stories whose centroids are similar (richer than one article's title)."""
    for _ in range(rounds):
        units = [
            ({lang: _unit(v) for lang, v in story.lexical.items()}, _unit(story.anchors))
            for story in stories
        ]
        pairs = _merge_pairs(stories, units, df, block, threshold, window)
        if not pairs:
            break
        stories = _absorb_pairs(stories, sorted(pairs))
    return stories


def _merge_pairs(
    stories: Sequence[_Story],
    units: Sequence[_Units],
    df: Mapping[str, int],
    block: int,
    threshold: float,
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
                if score >= threshold:
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


def _order_key(item: StoryInput, position: int) -> tuple[int, float, int]:
    if item.published is None:
        return (1, 0.0, position)
    return (0, item.published.timestamp(), position)


def _open(story: _Story, published: datetime | None, window: float | None) -> bool:
    if window is None or published is None or story.last is None:
        return True
    return (published - story.last).total_seconds() <= window * 3600


def _similarity(
    story: _Story, language: str, lex: Mapping[str, float], anc: Mapping[str, float]
) -> float:
    same = _cosine(lex, story.lexical.get(language, {}))
    across = _cosine(anc, story.anchors)
    return max(same, across)


def normalize_language(code: str | None) -> str:
    """A language code as grouping keys it ("und" when unknown)."""
    if not code:
        return "und"
    return unicodedata.normalize("NFC", code).split("-")[0].lower()
