"""Bullets stage: turn chosen sentences into short TL;DR bullets with provenance."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .compress import MIN_CUT_HEAD, compress
from .models import Bullet, Options, Sentence
from .sentences import word_count

# Only a semicolon or a dash joins two complete clauses; a comma cut leaves a fragment.
_CLAUSE_END_RE = re.compile(r"\s*(?:;|\s[—–])\s+")
_FINAL = tuple(".!?…。！？\"'»”’)")
_MIN_CUT_WORDS = 8
# A headline is one line: shorter than a bullet.
HEADLINE_WORDS = 25


def make_bullets(
    sentences: Sequence[Sentence], language: str, options: Options
) -> tuple[Bullet, ...]:
    """One bullet per sentence, compressed and trimmed to ``options.max_words`` (see compress)."""
    bullets = []
    for sentence in sentences:
        text = bullet_text(sentence.text, language, options)
        bullets.append(
            Bullet(text=text, sentence=sentence.index, start=sentence.start, end=sentence.end)
        )
    return tuple(bullets)


def cap_words(text: str, max_words: int) -> str:
    """Cut ``text`` after its last whole clause within ``max_words``; never mid-clause."""
    if max_words <= 0 or word_count(text) <= max_words:
        return text
    best = None
    for match in _CLAUSE_END_RE.finditer(text):
        head = text[: match.start()]
        n = word_count(head)
        if n > max_words:
            break
        if n >= _MIN_CUT_WORDS:
            best = head
    if best is None:
        return text
    return best.rstrip() + ("" if best.rstrip().endswith(_FINAL) else ".")


def bullet_text(text: str, language: str, options: Options) -> str:
    """One sentence as bullet text: fact-free spans deleted (unless disabled), then capped."""
    if options.compress:
        text = compress(text, language, options.max_words)
    return cap_words(text, options.max_words)


def make_headline(text: str, language: str, options: Options) -> str:
    """A one-line headline from the best sentence: compressed harder than a bullet."""
    limit = HEADLINE_WORDS if options.max_words <= 0 else min(HEADLINE_WORDS, options.max_words)
    # A headline may lose more of its tail than a bullet: any main clause of 8 words will do.
    return cap_words(compress(text, language, limit, min_cut_words=MIN_CUT_HEAD), limit)
