"""Concepts of general news vocabulary shared across languages: "earthquake", "séisme" and
"Erdbeben" are one anchor, ``con:earthquake``. The lexicon is package data
(``summarizer/data/concepts.json``: concept -> language -> words and phrases), read once; words
are compared by their stems (each language's Snowball stemmer, as elsewhere), so that
inflections meet ("remporte", "remporté"), phrases word by word as written ("quarts de finale",
"d'or")."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources

from ..elision import unelide
from .text import _WORD, stemmer

# The prefix of concept features. Grouping does not index them: see grouping._join.
UNINDEXED = "con:"
# Languages that glue nouns into compounds ("Goldmedaille", "Weltrekord"): a word not in the
# lexicon may end with one that is (its head, what the compound is a kind of) and start with
# another (its modifier).
_COMPOUNDING = frozenset({"de"})
# Shortest head and modifier of a compound: shorter ones end or start too many other words
# ("Gesellschaft" is no "Haft", "Ehemann" no "Mann" of the lexicon).
_HEAD_LETTERS = 5
_MODIFIER_LETTERS = 3
# What German puts between the parts of a compound ("Eröffnung-s-feier", "Frau-en-team").
_LINKS = ("s", "n", "en", "es", "er")


class _Lexicon:
    """One language's part of the lexicon."""

    __slots__ = ("forms", "phrases", "stems")

    def __init__(self) -> None:
        self.stems: dict[str, str] = {}  # word stem -> concept
        # Word as written -> concept: the heads of compounds are looked up as written, since
        # a stem ends too many other words ("richt" of "Richter" ends "Nachricht").
        self.forms: dict[str, str] = {}
        # First word -> (the words, concept), longest first: phrases ("quarts de finale",
        # "d'or") and words to take as written ("=tué", whose stem "tu" is too short).
        self.phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}


def load() -> dict[str, dict[str, list[str]]]:
    """The lexicon as shipped: concept -> language -> words and phrases."""
    text = resources.files("summarizer").joinpath("data/concepts.json").read_text("utf-8")
    concepts: dict[str, dict[str, list[str]]] = json.loads(text)["concepts"]
    return concepts


@functools.cache
def _lexicons() -> Mapping[str, _Lexicon]:
    """The lexicon by language, read from the package data when first needed."""
    lexicons: dict[str, _Lexicon] = {}
    for concept, languages in load().items():
        for language, entries in languages.items():
            lexicon = lexicons.setdefault(language, _Lexicon())
            for entry in entries:
                text = normal(entry)
                if text.startswith("=") or " " in text or "'" in text:
                    words = tuple(_WORD.findall(text.lstrip("=")))
                    lexicon.phrases.setdefault(words[0], []).append((words, concept))
                else:
                    lexicon.stems[stem(language, text)] = concept
                    lexicon.forms[text] = concept
    for lexicon in lexicons.values():
        for phrases in lexicon.phrases.values():
            phrases.sort(key=lambda pair: -len(pair[0]))
    return lexicons


def normal(text: str) -> str:
    """Text as the lexicon is looked up: lower case, one apostrophe, and Russian "ё" written
    "е" (as most Russian text writes it)."""
    return text.lower().replace("’", "'").replace("ё", "е")


def stem(language: str, word: str) -> str:
    """The stem a word of the lexicon is looked up by: the one grouping stems the word by."""
    stem_word = stemmer(language)
    return stem_word(word) if stem_word else word


def languages() -> frozenset[str]:
    """The languages the lexicon covers."""
    return frozenset(_lexicons())


def concept_features(text: str, language: str) -> list[str]:
    """The concepts ``text`` (in ``language``) names, as ``con:`` anchor features."""
    return concepts(text, language)[0]


def concepts(text: str, language: str) -> tuple[list[str], set[str]]:
    """The concepts ``text`` (in ``language``) names, as ``con:`` anchor features, and the
    words (in lower case, without elision or possessive) that named them."""
    lexicon = _lexicons().get(language)
    if lexicon is None:
        return [], set()
    tokens = _WORD.findall(normal(text))
    found: list[str] = []
    named: set[str] = set()
    for k, token in enumerate(tokens):
        # A phrase adds its concept to its words' own: "médaille d'argent" is a medal too.
        if token in lexicon.phrases or "'" in token:
            found += _phrase(lexicon, tokens, k, language)
        word = _word_concepts(language, token)
        if word:
            found += word
            bare = _bare(token, language)
            named.update((bare, bare.replace("'", "’")))
    return [UNINDEXED + concept for concept in found], named


def _phrase(lexicon: _Lexicon, tokens: list[str], k: int, language: str) -> list[str]:
    """The concept of the longest phrase of the lexicon at ``tokens[k]`` (its first word may
    come with an elided article: "l'exécutif"), in a list of one or none."""
    first = tokens[k]
    for head in dict.fromkeys((first, _bare(first, language))):
        for words, concept in lexicon.phrases.get(head, ()):
            if (head, *tokens[k + 1 : k + len(words)]) == words:
                return [concept]
    return []


def _bare(token: str, language: str) -> str:
    """A token without an elided article before it or a possessive after it."""
    return unelide(token.removesuffix("'s"), language)


@functools.lru_cache(maxsize=1 << 16)
def _word_concepts(language: str, token: str) -> tuple[str, ...]:
    """The concepts of one word: its stem's, else (in a compounding language) its head's and
    its modifier's. An elided article before it or a possessive after it is no part of it."""
    lexicon = _lexicons()[language]
    token = _bare(token, language)
    concept = lexicon.stems.get(stem(language, token))
    if concept is not None:
        return (concept,)
    if language not in _COMPOUNDING:
        return ()
    for k in range(_MODIFIER_LETTERS, len(token) - _HEAD_LETTERS + 1):
        head = lexicon.forms.get(token[k:])
        if head is not None:
            return (*_modifier(language, token[:k]), head)
    return ()


def _modifier(language: str, part: str) -> tuple[str, ...]:
    """The concept of a compound's first part, with or without a linking ending."""
    lexicon = _lexicons()[language]
    for candidate in (part, *(part[: -len(link)] for link in _LINKS if part.endswith(link))):
        if len(candidate) >= _MODIFIER_LETTERS:
            concept = lexicon.stems.get(stem(language, candidate))
            if concept is not None:
                return (concept,)
    return ()
