"""Bullets stage: turn chosen sentences into short TL;DR bullets with provenance."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .compress import MIN_CUT_HEAD, compress
from .models import Bullet, Options, Sentence
from .sentences import _CJK_RE as CJK_RE
from .sentences import word_count

# Only a semicolon or a dash joins two complete clauses; a comma cut leaves a fragment.
_CLAUSE_END_RE = re.compile(r"\s*(?:;|\s[—–])\s+")
# Where a word ends, for the last-resort cut: a run of word characters, or one CJK character
# (word_count counts those by halves).
_CJK = CJK_RE.pattern[1:-1]
_TOKEN_RE = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
_FINAL = tuple(".!?…。！？\"'»”’)")
_MIN_CUT_WORDS = 8
# A headline is one line: shorter than a bullet.
HEADLINE_WORDS = 25


def make_bullets(
    sentences: Sequence[Sentence], language: str, options: Options
) -> tuple[Bullet, ...]:
    """One bullet per sentence, compressed and fitted to ``options`` (see bullet_text)."""
    bullets = []
    for sentence in sentences:
        text = bullet_text(sentence.text, language, options)
        bullets.append(
            Bullet(text=text, sentence=sentence.index, start=sentence.start, end=sentence.end)
        )
    return tuple(bullets)


def fit_words(text: str, target_words: int) -> str:
    """Cut ``text`` after its last whole clause within ``target_words``; a sentence with no
    such clause is kept whole (a soft target: never mid-clause, never a verbless fragment)."""
    if target_words <= 0 or word_count(text) <= target_words:
        return text
    best = _last_clause(text, target_words, _MIN_CUT_WORDS)
    return text if best is None else _end_clause(best)


def cap_words(text: str, max_words: int) -> str:
    """``text`` within ``max_words`` (0: no cap), a true cap: cut after its last whole clause
    that fits; a sentence with none (a run-on) is cut at a word, marked with "…"."""
    if max_words <= 0 or word_count(text) <= max_words:
        return text
    best = _last_clause(text, max_words, min(_MIN_CUT_WORDS, max_words))
    return _cut_at_word(text, max_words) if best is None else _end_clause(best)


def _last_clause(text: str, limit: int, min_words: int) -> str | None:
    """The longest head of ``text`` that ends a whole clause, has at least ``min_words`` and
    at most ``limit`` words; None when there is none."""
    best = None
    asides = _aside_dashes(text)
    for match in _CLAUSE_END_RE.finditer(text):
        if match.start() in asides:
            continue
        head = text[: match.start()]
        n = word_count(head)
        if n > limit:
            break
        if n >= min_words:
            best = head
    return best


def _end_clause(head: str) -> str:
    head = head.rstrip()
    return head + ("" if head.endswith(_FINAL) else ".")


_DASH_RE = re.compile(r"\s*\s[—–]\s+")


def _aside_dashes(text: str) -> set[int]:
    """Where the dashes that open or close an aside start ("Doe — a former banker — said"):
    dashes pair up in order, and a cut at either would leave the main clause without its verb.
    An odd last dash joins two clauses and may be cut at."""
    starts = [match.start() for match in _DASH_RE.finditer(text)]
    return set(starts[: len(starts) // 2 * 2])


def _cut_at_word(text: str, max_words: int) -> str:
    """The longest head of ``text`` within ``max_words``, ended at a comma or colon in its last
    third when there is one (a phrase stays whole), and marked as cut with "…"."""
    ends = [match.end() for match in _TOKEN_RE.finditer(text)]
    low, high = 0, len(ends)  # word_count(text[:ends[i]]) grows with i: find the last fit
    while low < high:
        middle = (low + high) // 2
        if word_count(text[: ends[middle]]) <= max_words:
            low = middle + 1
        else:
            high = middle
    head = text[: ends[low - 1]] if low else ""
    floor = len(text[: ends[(2 * low) // 3]]) if low >= 3 else len(head)
    pause = max(head.rfind(","), head.rfind(":"), head.rfind("，"), head.rfind("、"))
    if pause >= floor:
        head = head[:pause]
    return head.rstrip(" ,;:-–—([{\"'«“‘") + "…"


def bullet_text(text: str, language: str, options: Options) -> str:
    """One sentence as bullet text: fact-free spans deleted (unless disabled), fitted to the
    soft ``target_words``, then held to the hard ``max_words``."""
    target = effective_target(options.target_words, options.max_words)
    if options.compress:
        text = compress(text, language, target)
    return cap_words(fit_words(text, target), options.max_words)


def effective_target(target_words: int, max_words: int) -> int:
    """The soft target, never above the hard cap (0 means none for either)."""
    if max_words <= 0:
        return target_words
    return max_words if target_words <= 0 else min(target_words, max_words)


def make_headline(text: str, language: str, options: Options) -> str:
    """A one-line headline from the best sentence: compressed harder than a bullet."""
    target = effective_target(options.target_words, options.max_words)
    limit = HEADLINE_WORDS if target <= 0 else min(HEADLINE_WORDS, target)
    # A headline may lose more of its tail than a bullet: any main clause of 8 words will do.
    text = compress(text, language, limit, min_cut_words=MIN_CUT_HEAD)
    return cap_words(fit_words(text, limit), options.max_words)
