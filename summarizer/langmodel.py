"""Evidence for language identification, built once per process from data we already ship.

Four sources, none downloaded at run time:

- langdetect's own n-gram profiles (1-3 character n-grams per language), shipped as a compact
  table built from them (``build_table``: case variants merged, weighted log-odds as integers),
  one section per script, each read on first use. Text is scored exhaustively (every n-gram, no
  random sampling), which is far steadier than langdetect's sampled estimate on a word or two,
  and cheap: a word's n-grams sum to one cached row, and a row of all languages is one packed
  integer (see ``FIELD``).
- function words: the stop-word lists of ``stopwordsiso`` and of ``justext`` (a dependency of
  trafilatura), merged per language and shipped as an index (``build_function_words``).
- Unicode scripts: which languages write in which script is read off the same profiles.
- word frequencies: ``wordfreq``'s "small" per-language lists, read lazily, one language at a
  time and only for short text (see ``word_frequencies``).
"""

from __future__ import annotations

import base64
import gzip
import heapq
import itertools
import json
import math
import re
import struct
import threading
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .wordlists import justext_folder, stopwords_iso  # only to build the shipped index

# langdetect samples n-grams at random: a fixed seed makes every run give the same result.
SEED = 0
# Smoothing for an n-gram a language's profile lacks (langdetect uses about 5e-5 per sample).
EPSILON = 1e-5
# Weight of 1-, 2- and 3-grams: single letters tell little, trigrams the most.
NGRAM_WEIGHTS = (0.5, 1.0, 1.5)
# Log-odds added for each word found in a language's function-word list.
FUNCTION_WORD_BONUS = 12.0
# Early stopping waits for this many n-grams (about eight words), then looks again every
# CHECK_EVERY more.
MIN_NGRAMS = 128
CHECK_EVERY = 32
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
_RUN_RE = re.compile(r"\w+")
# The n-gram table shipped with the package (see build_table), and one packed entry of a row:
# the language's index and the n-gram's weighted log-odds there.
TABLE = "data/langid-ngrams.txt.gz"
# The function-word index shipped with it (see build_function_words).
FUNCTION_WORDS = "data/langid-function-words.txt.gz"
# A script with fewer n-grams than this shares the table's last section, OTHER_SECTION.
SECTION_MIN_NGRAMS = 1000
OTHER_SECTION = "OTHER"
_PAIR = "<BH"
# Log-odds are stored and summed as integers in units of 1/SCALE nat (rounding moves a
# paragraph's score by thousandths of a nat; the decisions turn on tens of nats) ...
SCALE = 1024
# ... and a row of all languages is one Python integer, 32 bits per language (language i in
# bits 32*i and up): adding two rows is one big-integer addition in C instead of a Python loop
# over 55 floats, and the fields are read back all at once through the integer's bytes. Every
# value is non-negative, so fields never carry into each other until a language's sum passes
# 2^32 units: 240,000 n-grams at 17.3 nats (17,700 units), the most one is worth. Text is
# scored on its first MAX_SCORED_CHARS characters, which stays well below that.
FIELD = 32
MAX_SCORED_CHARS = 50_000
# Function-word hits are counted the same way, one unit per word in each language's field.
HIT_FIELD = 32
_FIELD_CODES = {32: "I"}  # struct's code for fields of that width
_lock = threading.Lock()
_factory_lock = threading.Lock()
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

    codes: tuple[str, ...]  # langdetect's language names (e.g. "zh-cn"), in sorted order
    iso: tuple[str, ...]  # the same, as ISO 639-1 codes
    # lower-case n-gram -> its row of log-odds, packed (see build_table); unpacked on first use.
    table: NgramTable
    # casefolded word -> one unit (see HIT_FIELD) in the field of each language whose
    # function-word list holds it.
    function_words: dict[str, int]
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
    package = resources.files("summarizer")
    header, table = read_table(package.joinpath(TABLE).read_bytes())
    codes = tuple(header["codes"])
    scripts = {
        script: frozenset(codes.index(code) for code in members)
        for script, members in header["scripts"].items()
    }
    return Model(
        codes=codes,
        iso=tuple(normalize_code(code) for code in codes),
        table=table,
        function_words=read_function_words(package.joinpath(FUNCTION_WORDS).read_bytes(), codes),
        scripts=scripts,
    )


class NgramTable:
    """The n-gram table of ``build_table``, one section per script, each read on first use.

    Reading all 80,000 n-grams costs a process 40 ms and 20 MB; news in one language needs
    the n-grams of its script only (French: the Latin quarter), so a section is decompressed
    and split the first time one of its n-grams is looked up.
    """

    def __init__(self, sections: dict[str, bytes]) -> None:
        self._compressed = sections  # section name -> its gzip member
        self._sections: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    @property
    def names(self) -> tuple[str, ...]:
        """The sections' names, in the table's order."""
        return tuple(self._compressed)

    def get(self, gram: str) -> str | None:
        """The packed row of ``gram`` (see build_table), None when no profile holds it."""
        name = section_of(gram, self._compressed)
        rows = self._sections.get(name)
        return (rows if rows is not None else self.section(name)).get(gram)

    def section(self, name: str) -> dict[str, str]:
        """The n-grams of section ``name`` and their packed rows, read on first use."""
        with self._lock:  # two threads asking first must not both read it
            rows = self._sections.get(name)
            if rows is None:
                text = gzip.decompress(self._compressed[name]).decode("utf-8")
                # One split of the whole text, in C, rather than one per line.
                fields = text.replace("\n", "\t").split("\t")
                rows = self._sections[name] = dict(zip(fields[0:-1:2], fields[1::2], strict=True))
            return rows

    def loaded(self) -> tuple[str, ...]:
        """The sections read so far."""
        return tuple(name for name in self._compressed if name in self._sections)


def section_of(gram: str, sections: Iterable[str]) -> str:
    """The table section of ``gram``: the script of its first letter, if it has a section."""
    script = _gram_script(gram)
    return script if script in sections else OTHER_SECTION


def _gram_script(gram: str) -> str:
    """The script of an n-gram's first character that is not a space (word boundary)."""
    return script_of(gram.lstrip(" ")[:1] or " ")


def langdetect_factory() -> Any:
    """langdetect's own DetectorFactory, seeded, for its sampling detector (long single texts)."""
    with _factory_lock:
        return _load_factory()


@lru_cache(maxsize=1)
def _load_factory() -> Any:
    from langdetect import detector_factory

    factory = detector_factory.DetectorFactory()
    factory.load_profile(detector_factory.PROFILES_DIRECTORY)
    factory.set_seed(SEED)
    return factory


def build_table(profiles: Path) -> bytes:
    """langdetect's profiles (a folder of JSON files) as the compact table ``model`` reads.

    langdetect's DetectorFactory expands its profiles into one 55-float list per n-gram, which
    costs a process 0.3 s and 70 MB to load. Scoring needs far less: for each lower-case n-gram,
    the languages whose profile holds it in some casing, with the weighted log-odds of its
    probability there (case variants merged, as short text comes in every casing). That table,
    built here once (``scripts/build_langid_table.py``) and shipped as package data, loads in a
    few milliseconds; a test checks it against the installed langdetect's profiles.
    """
    loaded = []
    for path in sorted(profiles.iterdir()):  # sorted: indices never depend on the file system
        if path.name.startswith(".") or not path.is_file():
            continue
        with path.open(encoding="utf-8") as handle:
            loaded.append((path.name, json.load(handle)))
    codes = [str(profile["name"]) for _, profile in loaded]
    merged: dict[str, dict[int, float]] = {}
    for i, (name, profile) in enumerate(loaded):
        totals = profile["n_words"]
        for gram, count in profile["freq"].items():
            key = gram.lower()
            if "\t" in key or "\n" in key:  # the table's separators; normalised text has none
                raise ValueError(f"unexpected n-gram {key!r} in {name}")
            if not 1 <= len(gram) <= 3 or gram not in _case_variants(key) or count <= 0:
                continue  # no text's n-gram ever looks this one up
            # langdetect's own probability: the n-gram's share of the n-grams of its size.
            row = merged.setdefault(key, {})
            row[i] = row.get(i, 0.0) + count / totals[len(gram) - 1]
    floor = math.log(EPSILON)
    by_script: dict[str, list[str]] = {}
    for key in sorted(merged):
        weight = NGRAM_WEIGHTS[len(key) - 1]
        pairs = sorted(merged[key].items())
        packed = b"".join(
            struct.pack(_PAIR, i, round(SCALE * weight * (math.log(p + EPSILON) - floor)))
            for i, p in pairs
        )
        line = f"{key}\t{base64.b64encode(packed).decode('ascii')}"
        by_script.setdefault(_gram_script(key), []).append(line)
    # Scripts in order of size (then name); the small ones share the last section.
    order = sorted(by_script, key=lambda script: (-len(by_script[script]), script))
    sections = {s: by_script[s] for s in order if len(by_script[s]) >= SECTION_MIN_NGRAMS}
    sections[OTHER_SECTION] = sorted(
        line for s in order if s not in sections for line in by_script[s]
    )
    members = {
        name: _gzip(("\n".join(lines) + "\n").encode("utf-8")) for name, lines in sections.items()
    }
    header = {
        "about": "langdetect's n-gram profiles, merged by case, as weighted log-odds in units "
        f"of 1/{SCALE} nat, one gzip member per script after this line; written by "
        "scripts/build_langid_table.py",
        "codes": codes,
        "scripts": _scripts([profile for _, profile in loaded]),
        "sections": [[name, len(member)] for name, member in members.items()],
    }
    # One gzip file of several members: zcat shows it whole, and a reader can decompress
    # the header and then only the sections it needs.
    first = _gzip((json.dumps(header, sort_keys=True) + "\n").encode("utf-8"))
    return first + b"".join(members.values())


# The header of every gzip member we ship: no file name, mtime 0, XFL 2 (level 9), OS 255
# ("unknown"). gzip.compress(mtime=0) writes OS 3 on Unix (zlib's own header) under Python 3.11
# and 3.12 but 255 before and after (CPython gh-112346): written here, a rebuild gives the same
# bytes under every Python and on every system.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"


def _gzip(data: bytes) -> bytes:
    """``data`` as one gzip member whose bytes depend only on ``data`` (and zlib's deflate)."""
    # Raw deflate, no header (zlib.compress takes no wbits before Python 3.11).
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    deflated = deflate.compress(data) + deflate.flush()
    return _GZIP_HEADER + deflated + struct.pack("<LL", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def read_table(data: bytes) -> tuple[dict[str, Any], NgramTable]:
    """The header and the n-gram table of ``build_table``'s output (sections not yet read)."""
    reader = zlib.decompressobj(wbits=31)  # the first gzip member only: the header
    header = json.loads(reader.decompress(data))
    rest = reader.unused_data
    sections: dict[str, bytes] = {}
    for name, size in header["sections"]:
        sections[name], rest = rest[:size], rest[size:]
    if rest or len(sections) != len(header["sections"]):
        raise ValueError("the n-gram table does not match its header")
    return header, NgramTable(sections)


def build_function_words(codes: Sequence[str]) -> bytes:
    """The function-word index ``model`` reads, for langdetect's languages ``codes``.

    Built from stopwordsiso's and justext's lists (``scripts/build_langid_table.py``) and
    shipped, so that loading it is a few dictionary updates rather than reading and merging
    fifty lists (30 ms a process). One line per set of languages: their codes, a tab, and the
    casefolded words that exactly those languages' lists hold.
    """
    languages: dict[str, list[str]] = {}
    for i, words in _function_word_lists([normalize_code(code) for code in codes]):
        for word in words:
            languages.setdefault(word, []).append(codes[i])
    by_set: dict[str, list[str]] = {}
    for word in sorted(languages):
        by_set.setdefault(",".join(languages[word]), []).append(word)
    lines = [f"{key}\t{' '.join(by_set[key])}" for key in sorted(by_set)]
    return _gzip(("\n".join(lines) + "\n").encode("utf-8"))


def read_function_words(data: bytes, codes: Sequence[str]) -> dict[str, int]:
    """``build_function_words``'s index: word -> one unit in the field of each of its languages."""
    index: dict[str, int] = {}
    position = {code: i for i, code in enumerate(codes)}
    for line in gzip.decompress(data).decode("utf-8").splitlines():
        languages, _, words = line.partition("\t")
        unit = sum(1 << (HIT_FIELD * position[code]) for code in languages.split(","))
        index.update(dict.fromkeys(words.split(" "), unit))
    return index


@lru_cache(maxsize=1 << 13)
def _ngram_row(gram: str) -> int | None:
    """Weighted log-odds of ``gram`` in each language over a shared floor, as a packed row."""
    packed = _build().table.get(gram)
    if packed is None:
        return None
    pairs = struct.iter_unpack(_PAIR, base64.b64decode(packed))
    row: int = sum(value << (FIELD * i) for i, value in pairs)
    return row


def unpack(row: int, indices: Iterable[int]) -> dict[int, float]:
    """The fields ``indices`` of a packed row of scores, in nats."""
    fields = _fields(row, FIELD)
    return {i: fields[i] / SCALE for i in indices}


def _fields(packed: int, bits: int) -> tuple[int, ...]:
    """Every field of a packed row, ``bits`` wide, by language index (read in one C call)."""
    size = len(_build().codes)
    layout = f"<{size}{_FIELD_CODES[bits]}"
    return struct.unpack(layout, packed.to_bytes(size * bits // 8, "little"))


def _case_variants(gram: str) -> set[str]:
    variants = {""}
    for char in gram:
        options = {char, char.upper()} if len(char.upper()) == 1 else {char}
        variants = {head + option for head in variants for option in options}
    return variants


def _function_word_lists(iso: Sequence[str]) -> Iterator[tuple[int, set[str]]]:
    """Each language's function words, casefolded: stopwordsiso's list and justext's head."""
    stopword_lists = stopwords_iso()
    folder = justext_folder()
    if folder is None:
        raise RuntimeError("justext's stop lists are not installed")
    for i, code in enumerate(iso):
        words: set[str] = set()
        words.update(stopword_lists.get(code, ()))
        name = _JUSTEXT_FILES.get(code)
        if name is not None:
            # Frequency-ordered; the long tail of inflected forms is kept out so that
            # languages with long lists (Finnish, Korean...) do not collect spurious hits.
            with (folder / f"{name}.txt").open(encoding="utf-8") as handle:
                words.update(line.strip() for line in itertools.islice(handle, JUSTEXT_WORDS))
        # One unit however many casings a word is listed in.
        yield i, {folded for folded in (word.casefold() for word in words) if folded.isalpha()}


def _scripts(profiles: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """Script -> the languages that write in it, read off the profiles' single letters."""
    scripts: dict[str, list[str]] = {}
    for profile in profiles:
        mass: dict[str, float] = {}
        for gram, count in profile["freq"].items():
            if len(gram) == 1 and gram.isalpha() and count > 0:
                script = script_of(gram)
                mass[script] = mass.get(script, 0.0) + count / profile["n_words"][0]
        total = sum(mass.values()) or 1.0
        for script in sorted(mass):
            if mass[script] / total >= SCRIPT_SHARE:
                scripts.setdefault(script, []).append(str(profile["name"]))
    return scripts


def ngram_scores(
    model: Model, text: str, candidates: Sequence[int], margin: float | None = None
) -> dict[int, float]:
    """Log-likelihood (up to a shared constant) of ``text`` under each candidate's profile.

    With ``margin``, reading stops once the leader is that far ahead of the runner-up: the
    rest of a long paragraph could not change the answer, only cost time. At most the first
    ``MAX_SCORED_CHARS`` characters are read.
    """
    total = 0
    count = 0
    check = MIN_NGRAMS
    # langdetect's n-grams never span two words, so a word's n-grams add up to one row that
    # is worth caching: news repeats its words, and one addition per word beats one per n-gram.
    for word in _normalized_words(text[:MAX_SCORED_CHARS]):
        row, found = _word_row(word)
        total += row
        count += found
        # Never on the first few words: one word shared by two languages can look decisive.
        if margin is not None and count >= check and len(candidates) > 1:
            check = (count // CHECK_EVERY + 1) * CHECK_EVERY
            first, second = heapq.nlargest(2, unpack(total, candidates).values())
            if first - second > margin:
                break
    return unpack(total, candidates)


@lru_cache(maxsize=1 << 14)
def _word_row(word: str) -> tuple[int, int]:
    """The summed n-gram rows of one normalised word, and how many of its n-grams are known."""
    rows = [row for row in map(_ngram_row, _word_ngrams(word)) if row is not None]
    return sum(rows), len(rows)


def _ngrams(text: str) -> Iterator[str]:
    """langdetect's 1-3 character n-grams of ``text`` (its NGram rules), in lower case."""
    for word in _normalized_words(text):
        yield from _word_ngrams(word)


def _normalized_words(text: str) -> list[str]:
    """The words of ``text`` after langdetect's normalisation: its runs of non-spaces."""
    return [word for word in _normalized(text).split(" ") if word]


def _word_ngrams(word: str) -> Iterator[str]:
    """The n-grams of one normalised word, with its boundary n-grams (" w", "d ")."""
    grams = " "
    capital = False
    for char in f"{word} ":
        last = grams[-1]
        if len(grams) >= 3:
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


class _Normalizer(dict[int, str]):
    """``str.translate`` table applying langdetect's character normalisation, filled lazily."""

    def __missing__(self, code: int) -> str:
        from langdetect.utils.ngram import NGram

        # Punctuation and digits become spaces; script variants become one representative.
        char = self[code] = str(NGram.normalize(chr(code)))
        return char


_NORMALIZER = _Normalizer()


def _normalized(text: str) -> str:
    return text.translate(_NORMALIZER)


def function_word_hits(model: Model, text: str, candidates: Sequence[int]) -> dict[int, int]:
    """How many words of ``text`` each candidate's function-word list holds."""
    hits = function_word_counts(model, text)
    return {i: hits[i] for i in candidates}


def function_word_counts(model: Model, text: str) -> list[int]:
    """How many words of ``text`` each language's function-word list holds, by index."""
    lists = model.function_words
    hits = sum(map(lists.get, _folded_words(text), itertools.repeat(0)))
    return list(_fields(hits, HIT_FIELD))


def _folded_words(text: str) -> list[str]:
    """``_WORD_RE``'s words of ``text``, casefolded."""
    # \w+ runs twice as fast as the word pattern; its runs that hold digits or underscores (few)
    # are split again by the word pattern, which gives exactly the word pattern's words.
    runs = _RUN_RE.findall(text.casefold())
    found = [run for run in runs if run.isalpha()]
    if len(found) < len(runs):
        found += [word for run in runs if not run.isalpha() for word in _WORD_RE.findall(run)]
    return found


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
