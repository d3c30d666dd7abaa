"""Keywords: 3-8 key phrases of an article, in its own language.

YAKE (Campos et al., 2020) scores candidate phrases from statistics of the text alone (case,
position, frequency, spread over sentences, context diversity): no model, no training data,
and it works for any language with spaces between words, using its own stop lists. It is
imported only when keywords are asked for (it pulls in numpy and networkx). Chinese and
Japanese text has no spaces, which YAKE needs: there the most frequent maximal character runs
stand in.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

MIN_KEYWORDS = 3
MAX_KEYWORDS = 8
MAX_WORDS = 3  # words in one key phrase
# YAKE's cost grows with the text: the title, the lead and the bullets carry the key facts.
MAX_CHARS = 3000

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
# Hiragana are mostly Japanese inflections and particles: they end a run, as punctuation does.
_CJK_RUN = re.compile(r"[\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff]{2,}")
_CJK_FUNCTION = frozenset("的了是在和与及为将已等仍也都而或把被从对向于就这那其之个一年月日の")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
# YAKE ships stop lists for these codes; other languages use its language-neutral list.
_YAKE_CODES = frozenset(
    "ar bg br cz da de el en es et fa fi fr hi hr hu hy id it ja lt lv nl no pl pt ro ru sk sl "
    "sv tr uk zh".split()
)


@cache
def _extractor(language: str) -> Any:
    import yake

    # Czech is "cz" in YAKE's file names; unknown codes fall back to its neutral list.
    code = {"cs": "cz"}.get(language, language)
    return yake.KeywordExtractor(
        lan=code if code in _YAKE_CODES else "en", n=MAX_WORDS, top=4 * MAX_KEYWORDS, dedup_lim=0.8
    )


def extract(texts: Iterable[str], language: str, *, top: int = MAX_KEYWORDS) -> list[str]:
    """Up to ``top`` key phrases of the texts (title, lead, bullets...), best first."""
    # Each text its own sentence: a phrase must not run from the title into the first bullet.
    parts = [t.strip() for t in texts if t and t.strip()]
    text = "\n".join(p if p[-1] in ".!?。！？" else p + "." for p in parts)[:MAX_CHARS]
    if not text:
        return []
    if language in ("zh", "ja") or len(_CJK.findall(text)) > len(text) / 3:
        return _cjk_phrases(text, top)
    scored = _extractor(language).extract_keywords(text)
    # YAKE's tokenizer drops possessives and quotes ("Europe's largest" -> "Europe largest"):
    # only phrases written as such in the text are kept.
    spaced = " ".join(text.split()).casefold()
    written = [str(p) for p, _ in scored if " ".join(str(p).split()).casefold() in spaced]
    return choose(written, top)


def choose(candidates: Sequence[str], top: int = MAX_KEYWORDS) -> list[str]:
    """Best-first candidates without near repeats: a phrase sharing a word with a better one
    is left out ("Valtrix" after "Valtrix plant"), as are phrases without a letter."""
    chosen: list[str] = []
    seen: set[str] = set()
    for candidate in candidates:
        phrase = " ".join(candidate.split()).strip(".,;:!?·-–—'’\"«»()[]")
        words = {w.casefold() for w in _WORD.findall(phrase)}
        if not words or not any(c.isalpha() for c in phrase) or words & seen:
            continue
        if any(len(w) < 2 for w in words) and len(words) == 1:
            continue
        chosen.append(phrase)
        seen |= words
        if len(chosen) == top:
            break
    return chosen


def _cjk_phrases(text: str, top: int) -> list[str]:
    counts: Counter[str] = Counter()
    for run in _CJK_RUN.findall(text):
        for size in (4, 3, 2):
            counts.update(run[i : i + size] for i in range(len(run) - size + 1))
    ranked = sorted(
        (gram for gram, n in counts.items() if n >= 2),
        key=lambda gram: (-counts[gram] * len(gram), gram),
    )
    chosen: list[str] = []
    taken: set[str] = set()
    for gram in ranked:
        pairs = {gram[i : i + 2] for i in range(len(gram) - 1)}
        # A run that starts or ends on a function character is a piece of two words; one that
        # shares a character pair with a better run repeats it.
        if gram[0] in _CJK_FUNCTION or gram[-1] in _CJK_FUNCTION or pairs & taken:
            continue
        taken |= pairs
        chosen.append(gram)
        if len(chosen) == top:
            break
    return chosen


def merge(lists: Iterable[Sequence[str]], top: int = MAX_KEYWORDS) -> list[str]:
    """A story's keywords: the phrases most of its articles share, then each one's best."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    spelled: dict[str, str] = {}
    for rank, phrases in enumerate(lists):
        for position, phrase in enumerate(phrases):
            key = phrase.casefold()
            counts[key] += 1
            first.setdefault(key, rank * 100 + position)
            spelled.setdefault(key, phrase)
    ordered = sorted(counts, key=lambda k: (-counts[k], first[k]))
    return choose([spelled[k] for k in ordered], top)
