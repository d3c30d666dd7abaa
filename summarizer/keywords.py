"""Keywords: 3-8 key phrases of an article, in its own language.

YAKE (Campos et al., 2020) scores candidate phrases from statistics of the text alone (case,
position, frequency, spread over sentences, context diversity): no model, no training data,
and it works for any language with spaces between words. It runs through yake-rust, a port
of the reference implementation whose scores match it (to the last digits on our articles)
at a fifth of its time, with no numpy or networkx to import. Its stop words are YAKE's own
lists, and for the languages YAKE has none, ours (stopwords-iso, as the sentence stage uses).

The cost of YAKE grows with the text, and a news article puts its key facts first: the
title, the standfirst and the first sentences (``MAX_CHARS``) are what it reads. Chinese and
Japanese text has no spaces, which YAKE needs: there the most frequent maximal character runs
stand in.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from functools import cache
from typing import Any

from .elision import unelide

MIN_KEYWORDS = 3
MAX_KEYWORDS = 8
MAX_WORDS = 3  # words in one key phrase
# The start of the article that YAKE reads: title, standfirst and first sentences. YAKE's time
# grows with the text: on OrangeSum (2,000 characters an article at the median) keywords of the
# whole text cost about as much as the summary itself, those of 400 characters a quarter of it.
# And no less to the point: a third of the keywords share a word with the reference summary,
# from 300 characters to the whole text alike (0.33 to 0.34); the key facts come first.
MAX_CHARS = 400
# yake-rust sums floats in hash-map order: equal scores come out with different last digits
# from one process to the next. Scores this close are a tie, broken by the phrase.
_TIE = 1e-9

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
# Hiragana are mostly Japanese inflections and particles: they end a run, as punctuation does.
_CJK_RUN = re.compile(r"[\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff]{2,}")
_CJK_FUNCTION = frozenset("的了是在和与及为将已等仍也都而或把被从对向于就这那其之个一年月日の")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
# The languages yake-rust ships YAKE's stop lists for (Czech under "cz"); asking it for another
# code makes it panic, so others get stopwords-iso's list.
_YAKE_CODES = frozenset(
    "ar bg br cz da de el en es et fa fi fr hi hr hu hy id it ja lt lv nl no pl pt ro ru sk sl "
    "sv tr uk zh".split()
)


@cache
def _extractor(language: str) -> Any:
    from yake_rust import Yake

    from .wordlists import stopwords_iso

    # Its own near-repeat filter is off: it compares phrases in score order, which ties make
    # vary (see _TIE); choose() below does that job, deterministically.
    code = {"cs": "cz"}.get(language, language)
    if code in _YAKE_CODES:
        return Yake(language=code, ngrams=MAX_WORDS, remove_duplicates=False)
    words = set(stopwords_iso().get(language, ()))
    return Yake(stopwords=words, ngrams=MAX_WORDS, remove_duplicates=False)


@cache
def _stopwords(language: str) -> frozenset[str]:
    return frozenset(_extractor(language).stopwords)


def lead(texts: Iterable[str], limit: int = MAX_CHARS) -> list[str]:
    """The first texts (title, then sentences in order) up to ``limit`` characters; the one
    that crosses it is cut after its last whole word that fits."""
    kept: list[str] = []
    room = limit
    for text in texts:
        text = " ".join(text.split())
        if not text:
            continue
        if len(text) > room:
            cut = text[: room + 1].rsplit(" ", 1)[0] if room > 0 else ""
            if cut and len(cut) <= room:
                kept.append(cut)
            break
        kept.append(text)
        room -= len(text) + 1
    return kept


def extract(texts: Iterable[str], language: str, *, top: int = MAX_KEYWORDS) -> list[str]:
    """Up to ``top`` key phrases of the texts (title, lead sentences...), best first; only
    their first ``MAX_CHARS`` characters are read."""
    # Each text its own sentence: a phrase must not run from the title into the first bullet.
    parts = lead(texts)
    text = "\n".join(p if p[-1] in ".!?。！？" else p + "." for p in parts)
    if not text:
        return []
    if language in ("zh", "ja") or len(_CJK.findall(text)) > len(text) / 3:
        return _cjk_phrases(text, top)
    try:
        scored: list[tuple[str, float]] = _extractor(language).get_n_best(text, n=1_000_000)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        # A panic in yake-rust reaches Python as pyo3's PanicException, a BaseException that no
        # `except Exception` of batch would catch: one odd text would end the whole run. Its
        # bullets matter more than its keywords.
        from .logs import log

        log.warning("keywords left out: yake-rust failed on this text (%s)", exc)
        return []
    # YAKE's tokenizer drops possessives and quotes ("Europe's largest" -> "Europe largest"):
    # only phrases written as such in the text are kept.
    spaced = " ".join(text.split()).casefold()
    written = (p for p in _ranked(scored) if " ".join(p.split()).casefold() in spaced)
    return choose(written, top, _stopwords(language), language)


def _ranked(scored: Iterable[tuple[str, float]]) -> list[str]:
    """Phrases by score (lower is better), near-equal scores (_TIE) by the phrase itself."""
    ranked: list[str] = []
    group: list[str] = []
    anchor = 0.0
    for phrase, score in sorted(scored, key=lambda item: item[1]):
        if group and score - anchor > _TIE * max(abs(anchor), 1e-12):
            ranked += sorted(group)
            group = []
        if not group:
            anchor = score
        group.append(phrase)
    return ranked + sorted(group)


def choose(
    candidates: Iterable[str],
    top: int = MAX_KEYWORDS,
    stopwords: Collection[str] = (),
    language: str = "und",
) -> list[str]:
    """Best-first candidates without near repeats: a phrase sharing a word with a better one
    is left out ("Valtrix" after "Valtrix plant"), as are phrases without a letter and those
    that open or close on a stop word once elisions are undone ("un cadavre" from "d'un
    cadavre", "Lors d'une"; see summarizer.elision: "O'Neill" and "D'Angelo" keep theirs)."""
    chosen: list[str] = []
    seen: set[str] = set()
    for candidate in candidates:
        phrase = unelide(" ".join(candidate.split()).strip(".,;:!?·-–—'’\"«»()[]"), language)
        tokens = phrase.split()
        if not tokens or any(
            unelide(t, language).casefold() in stopwords for t in (tokens[0], tokens[-1])
        ):
            continue
        # "IA" repeats "modèle d’IA", "allie" repeats "ByteDance s’allie".
        words = {unelide(w, language).casefold() for w in _WORD.findall(phrase)}
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
