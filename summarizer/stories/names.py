"""Which words of a title are names, and the keys names and cognates are compared by across
languages and scripts (wordfreq frequencies are the evidence where a capital says little)."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from .text import _consonant_key, _fold_word, fold, word_tokens

# Nouns are capitalised in German and Luxembourgish: a capital says nothing of a name there.
_NOUN_CAPITALS = frozenset({"de", "lb"})
# Languages whose word frequencies tell a word of one language from a name (see _common_word).
_REFERENCE_LANGUAGES = ("en", "fr", "de", "es", "pt", "it")
# wordfreq's small lists stop at -600 centibels (once per million words): a word missing from
# one is rarer than that.
_LISTED = -600
# A name is borrowed as it is: listed in another language 30 times (150 centibels) less often,
# a word is that language's own. The names of a language's own people are skewed to it, but
# less: "Johnson" or "Hernández" 70 to 140 centibels, "team", "final" or "record" in English
# more than 150 (measured on wordfreq's small lists).
_UNLIKE = 150
# A cognate (olympic, olympique, olímpico) is a word at least this long: the consonant skeletons
# of shorter words meet by chance.
COGNATE_LETTERS = 5


def _title_case(title: str) -> bool:
    """Whether a headline capitalises its words ("Biles Withdraws From Team Final", or all in
    capitals): most of its longer words after the first are capitalised."""
    longer = [w for w in word_tokens(title)[1:] if len(w) >= 4 and w.isalpha()]
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

    A name (Biles, Nvidia, Putin, Paris) is written alike in every language, and wordfreq lists
    it in each about as often; a word ("withdraws", "team", "final") is its language's own, and
    some language lists it far less often or not at all. So it is a word when wordfreq lists it
    for the language and either fewer than two other languages of _REFERENCE_LANGUAGES list it
    (as it is or folded to ASCII) at least a tenth as often, or one lists it _UNLIKE centibels
    less often than the language does. A list that lacks the word says so only where a word as
    common would be in it. A word missing from the language's list is rare there, and taken for
    a name.
    """
    from .. import langmodel

    own = (langmodel.word_frequencies(language) or {}).get(word)
    if own is None:
        return False
    forms = {word, fold(word)}
    alike = unlike = 0
    for code in _REFERENCE_LANGUAGES:
        frequencies = langmodel.word_frequencies(code) if code != language else None
        if not frequencies:
            continue
        found = [frequencies[form] for form in forms if form in frequencies]
        other = max(found) if found else None
        if other is not None and other >= own - 100:
            alike += 1
        elif (other if other is not None else _LISTED - 1) < own - _UNLIKE:
            unlike += 1
    return alike < 2 or unlike > 0


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
