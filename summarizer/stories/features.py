"""An article's story features: lexical (stemmed words, CJK bigrams) and anchors (names,
numbers with units, codes, places, cognates), counted before IDF weighting."""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from .. import sentences
from ..elision import unelide
from .concepts import concepts
from .names import _capitals, _cognates, _is_name, _name_key
from .places import _place_features, is_place
from .text import (
    _CJK,
    _DIGIT,
    _LATIN,
    _WORD,
    StoryInput,
    _fold_word,
    clean_title,
    compound_parts,
    fold,
    stemmer,
)

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


# A possessive after a word ("Biles’s", "China's"): the word is what remains.
_POSSESSIVE = re.compile(r"['’][sS]$")
# What ends a sentence or a headline's first part ("Tokyo 2020 : L’Américaine..."), or opens
# a quotation: the word after it may take a capital that says nothing.
_OPENERS = frozenset('.!?:;«»"“”„(—–|\n')


def _bare(text: str, match: re.Match[str], language: str) -> str:
    """A word of ``text`` without an elided article before it or a possessive after it."""
    token = match.group()
    if "'" in token or "’" in token:
        start = match.start()
        while start and text[start - 1] in " \t":
            start -= 1
        token = unelide(token, language, opening=not start or text[start - 1] in _OPENERS)
        token = _POSSESSIVE.sub("", token)
    return token


def _tokens(text: str, language: str) -> list[str]:
    """The words of ``text``, bare (see _bare), hyphenated compounds split into their parts."""
    tokens: list[str] = []
    for match in _WORD.finditer(text):
        parts = compound_parts(_bare(text, match, language))
        # An elision inside a compound is one after the split: "Val-d'Oise", "Côte-d'Ivoire".
        tokens += parts if len(parts) == 1 else [unelide(part, language) for part in parts]
    return tokens


# Arabic writes "and", "by", "for", "as" and the article before a word, in one token:
# "وسلوفينيا" is "و" + "سلوفينيا" (and Slovenia). Longest first.
_ARABIC_PREFIXES = ("وبال", "وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_ARABIC_ARTICLES = frozenset({"وبال", "وال", "فال", "بال", "كال", "لل", "ال"})


def _arabic_bare(token: str, places: Mapping[tuple[str, ...], str]) -> str:
    """An Arabic word without the conjunction, preposition or article glued before it: the
    article goes always, a one-letter prefix only where what remains is a known word or place."""
    from .. import langmodel

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
    stem = stemmer(language)
    return [stem(word) for word in words] if stem else words


def lowercase_words(items: Sequence[StoryInput]) -> dict[str, set[str]]:
    """Per language, the words a feed writes in lower case somewhere: evidence that the same
    word capitalised at the start of a headline in title case is no name."""
    seen: defaultdict[str, set[str]] = defaultdict(set)
    for item in items:
        language = item.language or "und"
        # The words as features reads them: "l'équipe" tells of "Équipe", "Biles's" of "Biles".
        words = _tokens(item.title + "\n" + item.lead, language)
        seen[language].update(word for word in words if word.islower())
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
    tokens = _tokens(text, language)
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
                and not is_place(token, places)
            ):
                key = _name_key(token)
                if len(key) >= 3:
                    anchors[f"name:{key}"] += 1
    stems = _stem(language, words)
    lexical.update(f"{language}:{stem}" for stem in stems)
    found, named = concepts(text, language)
    # A word the concept lexicon knows is compared by its concept, not also by its cognate key.
    plain = [k for k, word in enumerate(words) if word not in named]
    anchors.update(_cognates([words[k] for k in plain], [stems[k] for k in plain]))
    anchors.update(found)
    anchors.update(_place_features(text, tokens, language, places))
    return lexical, anchors


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
