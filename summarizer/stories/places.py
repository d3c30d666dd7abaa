"""Countries and cities named in a title, mapped to one identifier through CLDR's localized
names (Babel, imported when first needed)."""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from functools import cache
from typing import Any

from .. import sentences
from .text import _CJK, _fold_word, fold, stemmer, word_tokens

# Short and variant names of countries that Babel's territory names leave out (CLDR's
# alt="short" and alt="variant" forms: "US", "UK") and that the press writes more often than
# the full names. Abbreviations are matched as written, in capitals only: "USA" is not
# Spanish "usa" (uses), "US" is not English "us". A trailing full stop is no part of a token
# ("U.S." is "U.S").
_ABBREVIATIONS: Mapping[str, str] = {
    "US": "US", "U.S": "US", "USA": "US", "EEUU": "US", "EE.UU": "US", "EUA": "US",
    "США": "US", "ZDA": "US", "UK": "GB", "U.K": "GB",
}  # fmt: skip
# Names, matched as the territory names are (folded, a one-word one only written as a name).
# "Bretagne" alone is Brittany, not Britain: only the whole name says Britain. "GB" alone may
# be gigabytes: only the British press's name of its Olympic team says Britain.
_SHORT_NAMES: Mapping[str, str] = {
    "Britain": "GB", "Grande-Bretagne": "GB", "Großbritannien": "GB", "Gran Bretaña": "GB",
    "Grã-Bretanha": "GB", "Velika Britanija": "GB", "Team GB": "GB",
}  # fmt: skip


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
                names.setdefault(tuple(word_tokens(fold(name))), f"place:{territory}")
        for zone, city in _cities(locale):
            names.setdefault(tuple(word_tokens(fold(city))), f"place:{zone}")
    for name, territory in _SHORT_NAMES.items():
        names.setdefault(tuple(word_tokens(fold(name))), f"place:{territory}")
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


def is_place(token: str, places: Mapping[tuple[str, ...], str]) -> bool:
    """Whether one word of a title names a place by itself ("France", "US")."""
    return token in _ABBREVIATIONS or (_fold_word(token),) in places


@functools.lru_cache(maxsize=1 << 17)
def _folded_stem(language: str, word: str) -> str:
    stem = stemmer(language)
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

    stem = stemmer(language)
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
        key = tuple(fold(stem(w.lower())) for w in word_tokens(name))
        # A short stem ("par" for Paris) is shared by too many words of other meanings.
        if key and (len(key) > 1 or len(key[0]) >= 4):
            names.setdefault(key, ident)
    return names


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
        for word in word_tokens(_fold_word(t))
    }
    # A possessive is no part of the name ("Britain's", "Japan's"; folded, ’ is ').
    words = [w[:-2] if w.endswith("'s") else w for w in word_tokens(fold(text))]
    found = _match(words, places, names)
    found += [f"place:{_ABBREVIATIONS[t]}" for t in tokens if t in _ABBREVIATIONS]
    if language == "ar":
        # Names with a prefix glued on (tokens are without it).
        bare = [w for t in tokens for w in word_tokens(_fold_word(t))]
        found += [p for p in _match(bare, places, names) if p not in found]
    if not found:
        # Inflected names ("в Германии"): compare stems, with this language's own names.
        stem = stemmer(language)
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
