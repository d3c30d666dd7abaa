"""Story grouping: which articles report the same event, whatever their language.

Each article becomes two sparse TF-IDF vectors:

* a *lexical* one (stemmed content words of its title and lead, stop words removed), compared
  only with articles in the same language;
* an *anchor* one, made of what survives translation: names (folded to ASCII with anyascii
  and reduced to a consonant key so that "Biles", "Байлз" and "Bails" meet), numbers with
  their units, product codes such as ``910B`` or ``H20``, countries and cities mapped to one
  identifier through CLDR's localized names (Babel), and, at half weight, cognates: the
  consonant key of each longer word's stem (olympic/olympique, medal/médaille).

A name is a word in mixed case (iPhone) or in capitals (IOC), or a capitalised word. Where a
capital says little (a headline in title case, "Biles Withdraws From Team Final"; German, whose
nouns are capitalised) a capitalised word is a name only if the feed never writes it in lower
case and wordfreq does not show it to be a word of the language (common there, rare in other
languages; a name is about as common in many). In a script without capitals (Arabic), a word
rarer than the language's common words is a name; Latin words with a capital inside CJK text
are names.

Articles are taken in publication order (unknown dates last, then by content) and each joins
the existing story whose centroid it is most similar to, if that similarity clears a threshold
and the story was active within ``window`` hours; otherwise it starts a new story. The
threshold is lowest for an article published with the story's nearest one and rises over a few
hours: reports of one event come in bursts. Stories whose centroids are close are then merged.
One pass decides with the stories as they were when each article came, so a few rounds follow
in which each article, taken out of its story, moves to the story that now clears its bar by
the most (as a k-means step does), until none moves. Candidate stories come from an inverted
index over features (very common features are not indexed), so the cost grows with the number
of articles, not with its square; and the result depends only on the items, not on their
order.
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
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
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
# Rounds of reassignment after the pass and the merge (fewer when no article moves).
REFINE_ROUNDS = 3

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
    "h": "hour", "hours": "hour", "heures": "hour", "horas": "hour", "stunden": "hour",
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
def _fold_word(word: str) -> str:
    # News vocabulary repeats from article to article: one word is folded once.
    return fold(word)


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


# Arabic writes "and", "by", "for", "as" and the article before a word, in one token:
# "وسلوفينيا" is "و" + "سلوفينيا" (and Slovenia). Longest first.
_ARABIC_PREFIXES = ("وبال", "وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_ARABIC_ARTICLES = frozenset({"وبال", "وال", "فال", "بال", "كال", "لل", "ال"})


def _arabic_bare(token: str, places: Mapping[tuple[str, ...], str]) -> str:
    """An Arabic word without the conjunction, preposition or article glued before it: the
    article goes always, a one-letter prefix only where what remains is a known word or place."""
    from . import langmodel

    frequencies = langmodel.word_frequencies("ar") or {}
    for prefix in _ARABIC_PREFIXES:
        rest = token[len(prefix) :]
        if (
            token.startswith(prefix)
            and len(rest) >= 3
            and (prefix in _ARABIC_ARTICLES or rest in frequencies or (_fold_word(rest),) in places)
        ):
            return rest
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
        if zone.startswith("Etc/"):  # "GMT", "UTC": no place
            continue
        data = zones.get(zone)
        city = data.get("city") if data else None
        found.append((zone, city or zone.rsplit("/", 1)[-1].replace("_", " ")))
    return found


@functools.lru_cache(maxsize=1 << 17)
def _folded_stem(language: str, word: str) -> str:
    stem = sentences._stemmer(language)
    return fold(stem(word) if stem else word)


def _match(
    words: Sequence[str],
    places: Mapping[tuple[str, ...], str],
    names: Collection[str] | None = None,
) -> list[str]:
    """The places named by runs of ``words``; a one-word place only where the word is among
    ``names`` (when given)."""
    found = []
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            place = places.get(tuple(words[start : start + size]))
            if place is not None and (size > 1 or names is None or words[start] in names):
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
        # A short stem ("par" for Paris) is shared by too many words of other meanings.
        if key and (len(key) > 1 or len(key[0]) >= 4):
            names.setdefault(key, ident)
    return names


def clean_title(title: str) -> str:
    """The headline without a trailing site name (" - Le Monde", " | Reuters")."""
    stripped = _SITE_SUFFIX.sub("", title.strip())
    while stripped != title.strip() and _SITE_SUFFIX.search(stripped):
        title, stripped = stripped, _SITE_SUFFIX.sub("", stripped)
    return stripped if len(stripped) >= 12 else title.strip()


def lowercase_words(items: Sequence[StoryInput]) -> dict[str, set[str]]:
    """Per language, the words a feed writes in lower case somewhere: evidence that the same
    word capitalised at the start of a headline in title case is no name."""
    seen: defaultdict[str, set[str]] = defaultdict(set)
    for item in items:
        words = _WORD.findall(item.title + "\n" + item.lead)
        seen[item.language or "und"].update(word for word in words if word.islower())
    return dict(seen)


def features(
    item: StoryInput,
    places: Mapping[tuple[str, ...], str],
    lowercase: Mapping[str, set[str]] | None = None,
) -> tuple[Counter[str], Counter[str]]:
    """The lexical and anchor feature counts of one article (before IDF weighting).

    ``lowercase`` (see lowercase_words) tells which capitalised words of a headline in title
    case are words of the language rather than names.
    """
    language = item.language or "und"
    text = clean_title(item.title)
    if item.lead:
        text += "\n" + item.lead
    lexical: Counter[str] = Counter()
    anchors: Counter[str] = Counter()
    stop = sentences.stopwords(language)
    tokens = [_bare(token) for token in _WORD.findall(text)]
    if language == "ar":
        tokens = [_arabic_bare(token, places) for token in tokens]
    known = (lowercase or {}).get(language, set())
    # In a headline in title case ("Simone Biles Withdraws From Team Final") and in German,
    # whose nouns are all capitalised, a capital alone does not make a name.
    capitals = _capitals(clean_title(item.title), language)
    words: list[str] = []
    for position, token in enumerate(tokens):
        lower = token.lower()
        if _CJK.search(token):
            _cjk_features(token, language, lexical, anchors)
        elif _DIGIT.search(token):
            anchors.update(_number_features(token, tokens, position))
        elif lower not in stop and len(lower) >= 2:
            words.append(lower)
            if (
                len(token) > 2
                and _is_name(token, language, known, capitals)
                and (_fold_word(token),) not in places
            ):
                key = _name_key(token)
                if len(key) >= 3:
                    anchors[f"name:{key}"] += 1
    stems = _stem(language, words)
    lexical.update(f"{language}:{stem}" for stem in stems)
    anchors.update(_cognates(words, stems))
    anchors.update(_place_features(text, tokens, language, places))
    return lexical, anchors


# Nouns are capitalised in German and Luxembourgish: a capital says nothing of a name there.
_NOUN_CAPITALS = frozenset({"de", "lb"})
# Languages whose word frequencies tell a word of one language from a name (see _common_word).
_REFERENCE_LANGUAGES = ("en", "fr", "de", "es", "pt", "it")
# wordfreq's small lists stop at -600 centibels (once per million words): a word missing from
# one is taken to be ten times rarer than that.
_RARE = -700
# A cognate (olympic, olympique, olímpico) is a word at least this long: the consonant skeletons
# of shorter words meet by chance.
COGNATE_LETTERS = 5


def _title_case(title: str) -> bool:
    """Whether a headline capitalises its words ("Biles Withdraws From Team Final", or all in
    capitals): most of its longer words after the first are capitalised."""
    longer = [w for w in _WORD.findall(title)[1:] if len(w) >= 4 and w.isalpha()]
    return len(longer) >= 3 and sum(w[0].isupper() for w in longer) >= 0.6 * len(longer)


def _capitals(title: str, language: str) -> str:
    """What a capital says in this headline: "name" (sentence case), "little" (title case, or
    German, whose nouns are all capitalised) or "nothing" (a headline all in capitals)."""
    if title.isupper():
        return "nothing"
    return "little" if language in _NOUN_CAPITALS or _title_case(title) else "name"


def _is_name(token: str, language: str, known: set[str], capitals: str) -> bool:
    """Whether a word is a name: one in mixed case (iPhone, McLaren, eBay) or in capitals (IOC)
    is; a capitalised one is, unless capitals say little there (see _capitals) and it is a word
    of the language: written in lower case elsewhere in the feed, or common in the language and
    not in others (see _common_word)."""
    rest = token[1:]
    if any(c.isupper() for c in rest) and any(c.islower() for c in rest):
        return True
    if token.lower() == token.upper():
        # A script without case (Arabic, Hebrew...): a name is a word rarer than the language's
        # common words, or as common in others (a transliterated name).
        return len(token) >= 3 and not _common_word(token, language)
    if not token[0].isupper():
        return False
    if capitals == "name" or (capitals == "little" and token.isupper()):
        return True
    lower = token.lower()
    return lower not in known and not _common_word(lower, language)


@functools.lru_cache(maxsize=1 << 16)
def _common_word(word: str, language: str) -> bool:
    """Whether ``word`` (lower case) is a word of ``language`` rather than a name.

    A name (Biles, Nvidia, Putin) is about as common in many languages; a word ("withdraws",
    "forces") is common in its own and in one neighbour at most. So it is a word when wordfreq
    lists it for the language and fewer than two other languages of _REFERENCE_LANGUAGES list it
    (as it is or folded to ASCII) at least a tenth as often. A word missing from the language's
    list is rare there, and taken for a name.
    """
    from . import langmodel

    own = (langmodel.word_frequencies(language) or {}).get(word)
    if own is None:
        return False
    forms = {word, fold(word)}
    alike = 0
    for code in _REFERENCE_LANGUAGES:
        frequencies = langmodel.word_frequencies(code) if code != language else None
        if frequencies and max(frequencies.get(form, _RARE) for form in forms) >= own - 100:
            alike += 1
    return alike < 2


def _cognates(words: Sequence[str], stems: Sequence[str]) -> list[str]:
    """Consonant skeletons of the stems of longer words: what related languages share
    (olympic/olympique, medal/médaille/medalla, record/récord), as weak anchors. Only in
    alphabets with capitals (Latin, Cyrillic, Greek): the skeleton of an Arabic or Hebrew word,
    written without vowels, matches words of other languages by chance."""
    found = []
    for word, stem in zip(words, stems, strict=True):
        if len(word) >= COGNATE_LETTERS and word.isalpha() and word.upper() != word:
            key = _consonant_key(stem)
            if len(key) >= 3:
                found.append(f"cog:{key}")
    return found


def _name_key(token: str) -> str:
    """What a name is compared by across languages and scripts: its consonant skeleton."""
    key = _consonant_key(token)
    if len(key) < 3:
        # A name made mostly of vowels ("Huawei", "Meta") has too short a skeleton to be told
        # from others: it is kept whole.
        key = re.sub(r"[^a-z0-9]", "", _fold_word(token))
    return key


def _cjk_features(token: str, language: str, lexical: Counter[str], anchors: Counter[str]) -> None:
    """Count a run of CJK text: no spaces between its words, so character bigrams stand in for
    words, and the Latin letters and digits inside are read as tokens: codes and numbers
    (910B, H20, 100), and names (iPhone, NBA, Biles: Latin words with a capital)."""
    chars = _CJK.findall(token)
    lexical.update(f"{language}:{a}{b}" for a, b in itertools.pairwise(chars))
    inner = _LATIN.findall(token)
    for k, part in enumerate(inner):
        if _DIGIT.search(part):
            anchors.update(_number_features(part, inner, k))
        elif len(part) >= 2 and not part.islower() and len(key := _name_key(part)) >= 3:
            anchors[f"name:{key}"] += 1


def _place_features(
    text: str, tokens: Sequence[str], language: str, places: Mapping[tuple[str, ...], str]
) -> list[str]:
    """The places ``text`` names, as anchor features."""
    # A one-word place must be written as a name: "gana" (wins, in Spanish) is not "Gana"
    # (Ghana, in Portuguese).
    stop = sentences.stopwords(language)
    names = {
        word
        for t in tokens
        if (t[0].isupper() or t.lower() == t.upper()) and t.lower() not in stop
        for word in _WORD.findall(_fold_word(t))
    }
    found = _match(_WORD.findall(fold(text)), places, names)
    if language == "ar":
        # Names with a prefix glued on (tokens are without it).
        bare = [w for t in tokens for w in _WORD.findall(_fold_word(t))]
        found += [p for p in _match(bare, places, names) if p not in found]
    if not found:
        # Inflected names ("в Германии"): compare stems, with this language's own names.
        stem = sentences._stemmer(language)
        if stem is not None:
            # Only words that may be names: "para" and "ganar" stem as "Paris" and "Ghana" do.
            stemmed = [
                _folded_stem(language, t.lower())
                if t.lower() not in stop and (t[0].isupper() or t.lower() == t.upper())
                else ""
                for t in tokens
                if not _CJK.search(t)
            ]
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
            # A code with a unit glued on ("4x100m") is the code written apart from its unit
            # ("4x100 m"), as other languages and sites write it.
            glued = re.fullmatch(r"(.*\d)([^\W\d_]+)", lower)
            if glued and glued.group(2) in _UNITS and not glued.group(1).isdigit():
                lower = glued.group(1)
            # A product code says more than any word: counted three times.
            found += [f"code:{fold(lower)}"] * 3
    return found


# What one feature of a kind weighs beside a name, a number, a code or a place: a shared word
# stem is weaker evidence of one event than a shared name.
KIND_WEIGHTS = {"cog": 0.5}


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

    def add(
        self,
        index: int,
        language: str,
        lex: dict[str, float],
        anc: dict[str, float],
        published: datetime | None,
    ) -> None:
        self.members.append(index)
        self._update(language, lex, 1.0)
        self._update(None, anc, 1.0)
        if published is not None:
            bisect.insort(self.times, published)

    def remove(
        self,
        index: int,
        language: str,
        lex: dict[str, float],
        anc: dict[str, float],
        published: datetime | None,
    ) -> None:
        """Take out an article that ``add`` put in, with the same vectors."""
        self.members.remove(index)
        self._update(language, lex, -1.0)
        self._update(None, anc, -1.0)
        if published is not None:
            del self.times[bisect.bisect_left(self.times, published)]

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
    stories = _single_pass(items, vectors, order, df, bar, window)
    if merge is not None:
        stories = _merge(stories, df, BLOCK, merge, window)
    if refine:
        stories = _refine(stories, items, vectors, order, df, bar, window, refine)
    groups = [sorted(story.members) for story in stories]
    groups.sort(key=lambda members: members[0])
    return groups


_Vectors = tuple[dict[str, float], dict[str, float]]


def _vectors(counts: tuple[Counter[str], Counter[str]], idf: Mapping[str, float]) -> _Vectors:
    """An article's weighted lexical and anchor vectors."""
    lex, anc = _weigh(counts[0], idf), _weigh(counts[1], idf)
    # Anchors count across languages in proportion to their share of the article: a title
    # whose only anchor is a common place name does not join a story by it.
    share = _share(counts, idf)
    return lex, {f: w * share for f, w in anc.items()}


def _single_pass(
    items: Sequence[StoryInput],
    vectors: Sequence[_Vectors],
    order: Sequence[int],
    df: Mapping[str, int],
    bar: tuple[float, float],
    window: float | None,
) -> list[_Story]:
    """Stories made in one pass in publication order: each article joins the candidate story
    that clears its bar by the most, or starts a story."""
    stories: list[_Story] = []
    index: defaultdict[str, list[int]] = defaultdict(list)  # feature -> stories holding it
    for i in order:
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
    """Add article ``i`` to story ``s``, indexing the rarer features the story did not have."""
    language = item.language or "und"
    lex, anc = vectors
    fresh = [
        f
        for f in (*lex, *anc)
        if f not in story.anchors and f not in story.lexical.get(language, {})
    ]
    story.add(i, language, lex, anc, item.published)
    for f in fresh:
        if df[f] <= BLOCK:
            index[f].append(s)


def _refine(
    stories: list[_Story],
    items: Sequence[StoryInput],
    vectors: Sequence[_Vectors],
    order: Sequence[int],
    df: Mapping[str, int],
    bar: tuple[float, float],
    window: float | None,
    rounds: int,
) -> list[_Story]:
    """Move each article, in publication order, to the story that fits it best.

    The single pass decides with the stories as they were when an article came; once every
    article is placed, a story's centroid says more. Each article is taken out of its story
    and compared with the candidate stories (its own included) as a k-means step would, with
    the same time-dependent bar; it moves when another story clears that bar by more. An
    article's candidates are found once; later rounds look again only at articles whose own or
    candidate stories changed since.
    """
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
        for i in order:
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
    stories[own].remove(i, language, *vectors, item.published)
    best = _best_story(stories, ranked, item, bar, window, vectors, own)
    target = own if best < 0 else best
    stories[target].add(i, language, *vectors, item.published)
    return target


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


def _order_key(item: StoryInput, position: int) -> tuple[int, float, str, str, str, int]:
    """Publication order, unknown dates last; ties by content, so that the input order of
    articles published at the same time does not change the stories."""
    moment = 0.0 if item.published is None else item.published.timestamp()
    content = (item.language or "und", item.title, item.lead)
    return (item.published is None, moment, *content, position)


def _open(story: _Story, published: datetime | None, window: float | None) -> bool:
    if window is None or published is None or story.last is None:
        return True
    return (published - story.last).total_seconds() <= window * 3600


def _similarity(
    story: _Story, language: str, lex: Mapping[str, float], anc: Mapping[str, float]
) -> float:
    same = _cosine(lex, story.lexical.get(language, {}), story.norm(language))
    across = _cosine(anc, story.anchors, story.norm(None))
    return max(same, across)


def normalize_language(code: str | None) -> str:
    """A language code as grouping keys it ("und" when unknown)."""
    if not code:
        return "und"
    return unicodedata.normalize("NFC", code).split("-")[0].lower()
