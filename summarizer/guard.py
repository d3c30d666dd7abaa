"""Faithfulness guard: numbers and names in a generated bullet must occur in the source.

Abstractive models invent figures and names. The guard does not judge meaning; it checks
the two kinds of tokens that are cheap to verify and costly to get wrong:

- numbers, normalised so that "100 000", "100000" and "100,000" are one number and
  "2,5" and "2.5" another;
- capitalised names ("Huawei", "Sam Altman", "H20"), compared case- and accent-folded.

A word that opens a sentence is capitalised by grammar, so it is checked unless it is a stop
word of the bullet's language ("The", "Les", "Según"); with no known language, only when it
is written like a name (inner capital, digit, all capitals). German capitalises every noun,
so there only name-shaped words are checked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .models import UNDETERMINED
from .sentences import stopwords

# A number: digit groups of three joined by a space, a no-break space, a comma, a dot or an
# apostrophe ("100 000", "1,234,567", "1'000"), or a plain run of digits; then an optional
# decimal part. A year followed by a figure ("2024 500 000") stays two numbers because a
# grouped number starts with at most three digits.
_NUMBER_RE = re.compile(
    r"(?<![\d])(?:\d{1,3}(?:[ \u00a0\u202f\u2009,.'’]\d{3})+(?![\d])|\d+)(?:[.,]\d+)?"
)
_GROUP_SEPARATORS = re.compile(r"[ \u00a0\u202f\u2009'’]")
_WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_SENTENCE_END = tuple(".!?:;…。！？")
# Languages whose common nouns are capitalised.
_NOUN_CAPITALISING = frozenset({"de", "lb"})
# An inflected name ("Huaweis", "Nvidias") still counts when the source has its stem.
_MAX_SUFFIX = 3
_MIN_STEM = 4


def fold(text: str) -> str:
    """Case- and accent-folded form of ``text``."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).casefold()


def normalise_number(raw: str) -> str:
    """Canonical form of a written number: no group separators, "." as decimal point."""
    text = _GROUP_SEPARATORS.sub("", raw)
    # A comma or dot followed by exactly three digits separates thousands; otherwise it is
    # the decimal point. Both sides of a comparison go through the same rule.
    parts = re.split(r"[.,]", text)
    if len(parts) == 1:
        integer, decimal = parts[0], ""
    elif all(len(p) == 3 for p in parts[1:]):
        integer, decimal = "".join(parts), ""
    else:
        integer, decimal = "".join(parts[:-1]), parts[-1]
    integer = integer.lstrip("0") or "0"
    decimal = decimal.rstrip("0")
    return f"{integer}.{decimal}" if decimal else integer


def _fold_word(word: str) -> str:
    # A model writes "d'IA" where the article has "d’IA": one apostrophe for both.
    return fold(word).replace("’", "'")


def numbers(text: str) -> list[tuple[str, str]]:
    """(as written, normalised) for every number in ``text``."""
    return [(m.group().strip(), normalise_number(m.group())) for m in _NUMBER_RE.finditer(text)]


def _name_shaped(word: str) -> bool:
    """Written like a name wherever it stands: inner capital, a digit, or all capitals."""
    letters = [ch for ch in word if ch.isalpha()]
    if any(ch.isdigit() for ch in word):
        return any(ch.isupper() for ch in letters)
    if len(letters) >= 2 and all(ch.isupper() for ch in letters):
        return True
    return any(ch.isupper() for ch in word[1:] if ch.isalpha())


def names(text: str, language: str = "und") -> list[str]:
    """Capitalised names in ``text``; consecutive capitalised words form one name."""
    found: list[str] = []
    run: list[str] = []
    sentence_start = True
    position = 0
    for match in _WORD_RE.finditer(text):
        gap = text[position : match.start()]
        position = match.end()
        if gap.strip() and run:  # punctuation between words ends a multi-word name
            found.append(" ".join(run))
            run = []
        if gap.rstrip().endswith(_SENTENCE_END):
            sentence_start = True
        word = match.group()
        first = word[0]
        capitalised = first.isupper() or _name_shaped(word)
        if capitalised and not _name_shaped(word):
            if language in _NOUN_CAPITALISING or (sentence_start and language == UNDETERMINED):
                capitalised = False
            elif sentence_start:
                capitalised = word.casefold() not in stopwords(language)
        sentence_start = False
        if capitalised:
            run.append(word)
        elif run:
            found.append(" ".join(run))
            run = []
    if run:
        found.append(" ".join(run))
    return found


@dataclass(frozen=True)
class SourceIndex:
    """What a source text contains, in the guard's normalised forms."""

    numbers: frozenset[str]
    words: frozenset[str]

    @classmethod
    def of(cls, source: str) -> SourceIndex:
        """Index ``source`` once; check many bullets against it."""
        words = {_fold_word(w) for w in _WORD_RE.findall(source)}
        # The word after an elision stands alone too: "d'IA" has "IA", "l'Europe" "Europe".
        words |= {w.rsplit("'", 1)[1] for w in words if "'" in w}
        return cls(numbers=frozenset(n for _, n in numbers(source)), words=frozenset(words))

    def has_word(self, word: str) -> bool:
        """True when the folded ``word``, or a stem of it, occurs in the source."""
        folded = _fold_word(word)
        if folded in self.words:
            return True
        return any(
            folded[:cut] in self.words
            for cut in range(len(folded) - _MAX_SUFFIX, len(folded))
            if cut >= _MIN_STEM
        )

    def unsupported(self, text: str, language: str = "und") -> tuple[str, ...]:
        """Numbers and names of ``text`` that the source does not contain, in order, once."""
        problems: list[str] = []
        for written, value in numbers(text):
            if value not in self.numbers:
                problems.append(written)
        for name in names(text, language):
            if not all(self.has_word(w) for w in _WORD_RE.findall(name)):
                problems.append(name)
        return tuple(_unique(problems))


def unsupported(text: str, source: str, language: str = "und") -> tuple[str, ...]:
    """Numbers and names of ``text`` that ``source`` does not contain."""
    return SourceIndex.of(source).unsupported(text, language)


def _unique(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for item in items:
        if item not in seen:
            seen.add(item)
            result.append(item)
    return result
