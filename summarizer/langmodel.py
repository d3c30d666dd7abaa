"""Evidence for language identification, built once per process from data we already ship.

Four sources, none downloaded at run time:

- langdetect's own n-gram profiles (1-3 character n-grams per language). For short text they are
  scored exhaustively (every n-gram, no random sampling, case variants merged), which is far
  steadier than langdetect's sampled estimate on a word or two.
- function words: the stop-word lists of ``stopwordsiso`` and of ``justext`` (a dependency of
  trafilatura), merged per language.
- Unicode scripts: which languages write in which script is read off the same profiles.
- word frequencies: ``wordfreq``'s "small" per-language lists, read lazily, one language at a
  time and only for short text (see ``word_frequencies``).
"""

from __future__ import annotations

import heapq
import importlib.util
import math
import operator
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

# langdetect samples n-grams at random: a fixed seed makes every run give the same result.
SEED = 0
# Smoothing for an n-gram a language's profile lacks (langdetect uses about 5e-5 per sample).
EPSILON = 1e-5
# Weight of 1-, 2- and 3-grams: single letters tell little, trigrams the most.
NGRAM_WEIGHTS = (0.5, 1.0, 1.5)
# Log-odds added for each word found in a language's function-word list.
FUNCTION_WORD_BONUS = 12.0
# Early stopping waits for this many n-grams (about eight words).
MIN_NGRAMS = 128
# Most frequent words read from each justext list.
JUSTEXT_WORDS = 400
# A script counts for a language when this share of its profile's letters is in it.
SCRIPT_SHARE = 0.05

# justext's stop-word files, by the ISO 639-1 code langdetect uses.
_JUSTEXT_FILES = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan",
    "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "et": "Estonian", "fa": "Persian", "fi": "Finnish",
    "fr": "French", "gu": "Gujarati", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian",
    "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "kn": "Kannada", "ko": "Korean",
    "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian", "ml": "Malayalam", "mr": "Marathi",
    "ne": "Nepali", "nl": "Dutch", "no": "Norwegian_Bokmal", "pl": "Polish", "pt": "Portuguese",
    "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sq": "Albanian",
    "sv": "Swedish", "sw": "Swahili", "ta": "Tamil", "te": "Telugu", "tl": "Tagalog",
    "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese",
}  # fmt: skip

# wordfreq's lists for langdetect's codes where the two spell them differently.
_WORDFREQ_CODES = {"no": "nb", "tl": "fil", "hr": "sh"}

_WORD_RE = re.compile(r"[^\W\d_]+")
_lock = threading.Lock()
_lexicon_lock = threading.Lock()
_lexicons: dict[str, dict[str, int] | None] = {}


def normalize_code(code: str) -> str:
    """Map langdetect's codes to ISO 639-1 ("zh-cn" -> "zh")."""
    return code.split("-")[0].lower()


@lru_cache(maxsize=8192)
def script_of(char: str) -> str:
    """Unicode script of a letter, from its character name ("LATIN", "CYRILLIC", "CJK"...)."""
    try:
        name = unicodedata.name(char)
    except ValueError:
        return "UNKNOWN"
    first = name.split(" ", 1)[0]
    if first in ("HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA"):
        return "KANA"
    if first == "HALFWIDTH" and "KATAKANA" in name:
        return "KANA"
    if first in ("CJK", "IDEOGRAPHIC"):
        return "HAN"
    return first


@dataclass(frozen=True)
class Model:
    """Everything detection reads: immutable once built, so safe to share between threads."""

    factory: Any  # langdetect's DetectorFactory, profiles loaded
    codes: tuple[str, ...]  # langdetect's language list (e.g. "zh-cn"), profile order
    iso: tuple[str, ...]  # the same, as ISO 639-1 codes
    profiles: dict[str, list[float]]  # langdetect's n-gram -> probability in each language
    # casefolded word -> indices of the languages whose function-word list holds it.
    function_words: dict[str, tuple[int, ...]]
    # script -> indices of the languages that write in it.
    scripts: dict[str, frozenset[int]]

    def indices(self, languages: Iterable[str] | None) -> list[int]:
        """Profile indices of the ISO codes given (all when None)."""
        if languages is None:
            return list(range(len(self.codes)))
        wanted = set(languages)
        return [i for i, code in enumerate(self.iso) if code in wanted]


def model() -> Model:
    """The model, loaded on first use and kept for the process."""
    with _lock:  # two threads asking first must not both load the profiles
        return _build()


@lru_cache(maxsize=1)
def _build() -> Model:
    from langdetect import detector_factory

    factory = detector_factory.DetectorFactory()
    factory.load_profile(detector_factory.PROFILES_DIRECTORY)
    factory.set_seed(SEED)
    codes = tuple(factory.get_lang_list())
    iso = tuple(normalize_code(code) for code in codes)
    return Model(
        factory=factory,
        codes=codes,
        iso=iso,
        profiles=factory.word_lang_prob_map,
        function_words=_function_words(iso),
        scripts=_scripts(factory.word_lang_prob_map, len(codes)),
    )


@lru_cache(maxsize=1 << 13)
def _ngram_row(gram: str) -> tuple[float, ...] | None:
    """Weighted log-odds of ``gram`` in each language, over a floor shared by all of them."""
    profiles = _build().profiles
    size = len(_build().codes)
    # Case variants merged: titles, tweets and test sets come in every casing.
    merged = [0.0] * size
    seen = False
    for variant in _case_variants(gram):
        probs = profiles.get(variant)
        if probs is not None:
            seen = True
            for i in range(size):
                merged[i] += probs[i]
    if not seen:
        return None
    weight = NGRAM_WEIGHTS[min(len(gram), 3) - 1]
    floor = math.log(EPSILON)
    zero = 0.0
    # Languages without the n-gram share one float object: the cache stays small.
    return tuple(weight * (math.log(p + EPSILON) - floor) if p > 0.0 else zero for p in merged)


def _case_variants(gram: str) -> set[str]:
    variants = {""}
    for char in gram:
        options = {char, char.upper()} if len(char.upper()) == 1 else {char}
        variants = {head + option for head in variants for option in options}
    return variants


def _function_words(iso: Sequence[str]) -> dict[str, tuple[int, ...]]:
    import stopwordsiso

    folder = _justext_folder()
    index: dict[str, set[int]] = {}
    for i, code in enumerate(iso):
        words: set[str] = set()
        if stopwordsiso.has_lang(code):
            words.update(stopwordsiso.stopwords(code))
        name = _JUSTEXT_FILES.get(code)
        if folder is not None and name is not None:
            path = folder / f"{name}.txt"
            if path.is_file():
                # Frequency-ordered; the long tail of inflected forms is kept out so that
                # languages with long lists (Finnish, Korean...) do not collect spurious hits.
                words.update(path.read_text(encoding="utf-8").split()[:JUSTEXT_WORDS])
        for word in words:
            folded = word.casefold()
            if folded.isalpha():
                index.setdefault(folded, set()).add(i)
    return {word: tuple(sorted(langs)) for word, langs in index.items()}


def _justext_folder() -> Path | None:
    # Read the data files without importing justext (its import pulls in lxml's HTML cleaner).
    spec = importlib.util.find_spec("justext")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "stoplists"
    return folder if folder.is_dir() else None


def _scripts(table: dict[str, list[float]], size: int) -> dict[str, frozenset[int]]:
    mass: list[dict[str, float]] = [{} for _ in range(size)]
    for gram, probs in table.items():
        if len(gram) != 1 or not gram.isalpha():
            continue
        script = script_of(gram)
        for i, p in enumerate(probs):
            if p > 0.0:
                mass[i][script] = mass[i].get(script, 0.0) + p
    scripts: dict[str, set[int]] = {}
    for i, by_script in enumerate(mass):
        total = sum(by_script.values()) or 1.0
        for script, value in by_script.items():
            if value / total >= SCRIPT_SHARE:
                scripts.setdefault(script, set()).add(i)
    return {script: frozenset(langs) for script, langs in scripts.items()}


def ngram_scores(
    model: Model, text: str, candidates: Sequence[int], margin: float | None = None
) -> dict[int, float]:
    """Log-likelihood (up to a shared constant) of ``text`` under each candidate's profile.

    With ``margin``, reading stops once the leader is that far ahead of the runner-up: the
    rest of a long paragraph could not change the answer, only cost time.
    """
    totals = [0.0] * len(model.codes)
    count = 0
    for gram in _ngrams(text):
        row = _ngram_row(gram)
        if row is None:
            continue
        totals = list(map(operator.add, totals, row))
        count += 1
        # Never on the first few words: one word shared by two languages can look decisive.
        if margin is not None and count >= MIN_NGRAMS and count % 32 == 0 and len(candidates) > 1:
            first, second = heapq.nlargest(2, (totals[i] for i in candidates))
            if first - second > margin:
                break
    return {i: totals[i] for i in candidates}


def _ngrams(text: str) -> Iterator[str]:
    """langdetect's 1-3 character n-grams of ``text`` (its NGram rules), in lower case."""
    grams = " "
    capital = False
    # Spaces around the text give its first and last words their boundary n-grams.
    for raw in f" {text} ":
        char = _normalize(raw)
        last = grams[-1]
        if last == " ":
            grams = " "
            capital = False
            if char == " ":
                continue
        elif len(grams) >= 3:
            grams = grams[1:]
        grams += char
        # As langdetect: a word is all-caps from its second upper-case letter in a row.
        capital = (capital or last.isupper()) if char.isupper() else False
        if capital:  # all-caps words are acronyms, not language
            continue
        for n in (1, 2, 3):
            if len(grams) < n:
                break
            gram = grams[-n:]
            if gram != " ":
                yield gram.lower()


@lru_cache(maxsize=4096)
def _normalize(char: str) -> str:
    from langdetect.utils.ngram import NGram

    return str(NGram.normalize(char))


def function_word_hits(model: Model, text: str, candidates: Sequence[int]) -> dict[int, int]:
    """How many words of ``text`` each candidate's function-word list holds."""
    hits = dict.fromkeys(candidates, 0)
    for word in _WORD_RE.findall(text.casefold()):
        for index in model.function_words.get(word, ()):
            if index in hits:
                hits[index] += 1
    return hits


def words(text: str) -> list[str]:
    """The words of ``text``, casefolded and NFC-normalised (as frequency lists spell them)."""
    return _WORD_RE.findall(unicodedata.normalize("NFC", text.casefold()))


def word_frequencies(code: str) -> dict[str, int] | None:
    """Word -> frequency in centibels (-300 is once per 1,000 words) in language ``code``.

    None when wordfreq has no list for it. Each list (about 30,000 words, 5 MB in memory) is read
    on first use and kept for the process; nothing else ever loads it.
    """
    with _lexicon_lock:  # two threads asking first must not both read the file
        if code not in _lexicons:
            _lexicons[code] = _read_frequencies(_WORDFREQ_CODES.get(code, code))
        return _lexicons[code]


def _read_frequencies(code: str) -> dict[str, int] | None:
    import wordfreq

    path = wordfreq.available_languages("small").get(code)
    if path is None:
        return None
    # The list's n-th bucket holds the words of frequency -n centibels.
    buckets = wordfreq.read_cBpack(path)
    return {word: -rank for rank, bucket in enumerate(buckets) for word in bucket}
