"""What grouping reads of an article, and the text helpers every part of it shares: the word
pattern, folding to ASCII, consonant keys, headline and language clean-up, publication times."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .. import sentences

_WORD = re.compile(r"[^\W_]+(?:[-'’.,][^\W_]+)*")
_DIGIT = re.compile(r"\d")
_LATIN = re.compile(r"[0-9A-Za-z]+(?:[.,][0-9]+)*")
# Letters a word keeps in a language without a Snowball stemmer (Slovenian, Croatian, Slovak,
# Ukrainian...): on the dev set's feeds with Slovenian, 6 did best, 4 to 7 all within 0.002 B-cubed.
PREFIX_LETTERS = 6
# CJK characters (compatibility ideographs included), as sentences splits and counts them.
_CJK = sentences._CJK_RE
# A site name after the headline ("... - Esportes - Estadão", "... | Le Monde"), maybe with a
# hyphen inside a word ("... - Ouest-France", "... | Nice-Matin"; see _without_site).
_SITE_SUFFIX = re.compile(r"\s+[-|–—]\s+((?:[^-|–—]|(?<=[^\W_])-(?=[^\W\d_])){1,40})$")

# A wire desk's slug before a headline: two or more topic words glued on by hyphens to its first
# word, which a word in lower case follows ("Olympics-Swimming-Titmus edges Ledecky"), maybe
# after the agency's note on the version ("UPDATE 2-Olympics-..."). With one topic word it
# cannot be told from a compound ("Olympia-Rückkehr nach", "Guiné-Conacri desiste").
_SLUG = re.compile(r"^(?:[A-Z]{3,}(?: \d+)?-)?((?:[^\W\d_]{3,}-){2,})([^\W\d_]{2,}\s+[^\W\d_]+)")


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


@functools.cache
def stemmer(language: str) -> Callable[[str], str] | None:
    """The stemmer grouping uses for ``language``: Snowball's where it has one, else the first
    PREFIX_LETTERS letters of a word in an alphabet with case (None for unknown languages)."""
    stem = sentences._stemmer(language)
    if stem is not None or language == "und":
        return stem
    return _prefix


def _prefix(word: str) -> str:
    # Truncation is a plain stemmer that works for inflected languages (McNamee and Mayfield,
    # 2004): Slovenian "olimpijskih", "olimpijske" meet at "olimpi". Scripts without case
    # (Thai, Hangul...) are left alone: a word there may be a whole phrase.
    return word[:PREFIX_LETTERS] if word.upper() != word else word


def word_tokens(text: str) -> list[str]:
    """The words of ``text``, with hyphenated compounds split into their parts (see _parts)."""
    return [part for token in _WORD.findall(text) for part in compound_parts(token)]


def compound_parts(token: str) -> tuple[str, ...]:
    """The words of a hyphenated compound ("Jong-un": "Jong", "un"); other tokens as they are."""
    return _parts(token) if "-" in token else (token,)


@functools.lru_cache(maxsize=1 << 16)
def _parts(token: str) -> tuple[str, ...]:
    # Wire desks prefix headlines ("Olympics-Swimming-Titmus edges Ledecky"), German and French
    # build compounds ("Olympia-Traum", "demi-finale", "Jean-Pierre", "Jong-un" for "Jong Un"),
    # sites glue years on ("Tokyo-2020"): each part is a word other titles write alone. A
    # compound of two parts, one of them a single character, is a code ("F-16", "e-mail"), one
    # of numbers alone a score or a range ("95-87", "2020-2021"): kept whole.
    parts = tuple(token.split("-"))
    if (len(parts) == 2 and min(map(len, parts)) < 2) or all(_DIGIT.search(p) for p in parts):
        return (token,)
    return parts


def clean_title(title: str) -> str:
    """The headline without a trailing site name (" - Le Monde", " | Reuters") or a wire desk's
    slug before it ("Olympics-Swimming-Titmus edges Ledecky")."""
    title = title.strip()
    stripped = _without_site(title)
    while stripped != title and (shorter := _without_site(stripped)) != stripped:
        title, stripped = stripped, shorter
    cleaned = stripped if len(stripped) >= 12 else title
    return _SLUG.sub(_unslug, cleaned, count=1)


def _without_site(title: str) -> str:
    # A hyphen inside a site's name joins capitalised words ("Ouest-France", "Midi-Libre",
    # "Спорт-Экспресс"); a compound with a part in lower case or a number ("demi-finale",
    # "Tokyo-2020") tells of a headline's own part, which stays.
    match = _SITE_SUFFIX.search(title)
    if match is None:
        return title
    words = [word.split("-") for word in match.group(1).split() if "-" in word]
    if any(not part[:1].isupper() for parts in words for part in parts[1:]):
        return title
    return title[: match.start()]


def _unslug(match: re.Match[str]) -> str:
    # A desk's slug is the topic of every story of that desk (as a site's section is, cut with
    # the site's name): cut. Capitalised topic words only, before a name and a word in lower
    # case, so that "Jean-Pierre Raffarin" and "NBA-Star" stay whole.
    slug, (first, then) = match.group(1).split("-")[:-1], match.group(2).split()
    if all(part.istitle() for part in slug) and first[0].isupper() and then.islower():
        return match.group(2)
    return match.group()


def normalize_language(code: str | None) -> str:
    """A language code as grouping keys it ("und" when unknown)."""
    if not code:
        return "und"
    return unicodedata.normalize("NFC", code).split("-")[0].lower()
