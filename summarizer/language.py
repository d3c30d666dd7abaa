"""Language stage: which language a text or a document is written in, or ``und``.

langdetect is the engine. A long text given to ``detect`` goes to its detector (seeded, so the
same text always gets the same answer). Short text (titles, teasers, one-line records) is where
langdetect's random sampling is weak, so there every n-gram is scored against its profiles,
function words add evidence, the script is decided first, and how common each word is in the
leading candidates' languages (wordfreq) separates close languages (see ``langmodel`` and
docs/language.md). Documents are read paragraph by paragraph, each
scored the short-text way (steadier and cheaper; no word frequencies), so that a French article
quoting English paragraphs is reported as French with an English share."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .errors import UsageError
from .langmodel import (
    FUNCTION_WORD_BONUS,
    function_word_counts,
    function_word_hits,
    langdetect_factory,
    model,
    ngram_scores,
    script_of,
    word_frequencies,
    words,
)
from .langmodel import normalize_code as normalize_code
from .models import UNDETERMINED, Language

# Enough text for a confident answer on any paragraph; reading more only costs time.
MAX_CHARS = 3000
# Texts with fewer letters than this are "short": scored exhaustively rather than sampled.
SHORT_TEXT_LETTERS = 300
# Word frequencies are read only for texts shorter than this (titles, tweets, word pairs): on a
# full sentence the n-grams already decide, and the lists cost 4-5 MB per language, which a
# batch of articles with an occasional short record should not pay (docs/language.md: 99.9 ->
# 99.7% of 7-language sentences, word pairs and single words unchanged).
FREQUENCY_LETTERS = 150
# Below this many letters, or this many different ones, there is no language to tell
# ("ok", "12:45", "🙂", "haha", "zzz").
MIN_LETTERS = 3
# ... except in scripts where one character is a syllable or a word (and says which script).
MIN_LETTERS_SYLLABIC = 1
_SYLLABIC = frozenset({"HAN", "KANA", "HANGUL", "YI"})
# A top probability below this is reported as "und" rather than a confident wrong answer.
MIN_CONFIDENCE = 0.3
# Function words decide where n-grams are few; on a sentence the n-grams carry the answer and an
# incomplete list (a word in Nepali's list, missing from Hindi's) must not outvote them.
MAX_FUNCTION_WORDS = 3
# Short-text scores are log-odds summed over many overlapping n-grams, so they overstate
# certainty; dividing by this brings the probabilities close to the observed accuracy.
TEMPERATURE = 4.0
# Exhaustive scoring stops once the leader is this many nats ahead (posterior odds > 1e20).
STOP_MARGIN = 50.0
# Short text given to ``detect`` also weighs each word by how common it is in each of the leading
# candidates (wordfreq's lists): that separates close languages' content words ("carro" is
# everyday Portuguese, rarer in Spanish). Nats per decade of frequency, before the temperature.
FREQUENCY_WEIGHT = 4.0
# A word missing from a list counts as this frequency (centibels; the lists stop at -600).
FREQUENCY_FLOOR = -700
# Only this many leading candidates are compared by frequency: the others are far behind.
FREQUENCY_CONTENDERS = 5
# Documents: at most this many paragraphs are read, this much of each.
MAX_PARAGRAPHS = 8
PARAGRAPH_CHARS = 300
# Shorter lines (headings, captions) are read together with the paragraph that follows.
PARAGRAPH_LETTERS = 60
# A paragraph this sure of its language lets later ones be checked by their function words alone,
# when they have at least this many, and half as many again as any other language has.
SETTLED_CONFIDENCE = 0.99
AGREEING_FUNCTION_WORDS = 6
# A language must cover this share of a document to be reported beside the main one.
MIN_SHARE = 0.05

_PARAGRAPH_RE = re.compile(r"\n\s*")
_ASCII_LETTER_RE = re.compile(r"[A-Za-z]+")
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


def supported_languages() -> tuple[str, ...]:
    """ISO 639-1 codes that detection can return."""
    return tuple(sorted(set(model().iso)))


def parse_languages(languages: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """Validated candidate languages from "fr,en" or ["fr", "en"]; None means all."""
    if languages is None:
        return None
    items = languages.split(",") if isinstance(languages, str) else list(languages)
    codes: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise UsageError(f"languages must be ISO 639-1 codes (strings), not {item!r}")
        code = normalize_code(item.strip())
        if code and code not in codes:
            codes.append(code)
    if not codes:
        return None
    supported = supported_languages()
    unknown = [code for code in codes if code not in supported]
    if unknown:
        raise UsageError(
            f"unknown language code(s) {', '.join(unknown)}; valid codes: {', '.join(supported)}"
        )
    return tuple(codes)


def detect(text: str, languages: Sequence[str] | None = None) -> Language:
    """Detect the language of ``text`` among ``languages`` (all when None); ``und`` when unsure."""
    return _detect(text[:MAX_CHARS], languages, sampled=True, frequencies=True)


def _detect(
    sample: str,
    languages: Sequence[str] | None,
    *,
    sampled: bool,
    frequencies: bool,
    margin: float = STOP_MARGIN,
) -> Language:
    """``sampled``: long text goes to langdetect's own (sampling) detector; ``frequencies``:
    very short text is also weighed by word frequencies."""
    counts, letters = _letters_by_script(sample)
    if not letters:
        return Language(UNDETERMINED, 0.0)
    marks = counts.pop("COMBINING", 0)
    if not counts:
        return Language(UNDETERMINED, 0.0)
    # Latin names and terms are common inside other scripts' text, rarely the other way round.
    script = min(counts, key=lambda name: (-counts[name] * (1 if name == "LATIN" else 2), name))
    minimum = MIN_LETTERS_SYLLABIC if script in _SYLLABIC else MIN_LETTERS
    few = letters < 4 * minimum and len({c.casefold() for c in sample if _is_letter(c)}) < minimum
    if counts[script] + marks < minimum or few:
        return Language(UNDETERMINED, 0.0)
    lm = model()
    written = lm.scripts.get(script, frozenset())
    candidates = [i for i in lm.indices(languages) if i in written]
    if not candidates:  # a script no candidate language is written in
        return Language(UNDETERMINED, 0.0)
    if len({lm.iso[i] for i in candidates}) == 1:
        # The script alone decides (Greek, Hangul, Thai...): as sure as the text is in it.
        index = candidates[0]
        own = sum(n for name, n in counts.items() if index in lm.scripts.get(name, ()))
        return Language(lm.iso[index], (own + marks) / letters)
    probabilities = None
    short = letters < SHORT_TEXT_LETTERS
    cap = 1.0
    if frequencies and letters < FREQUENCY_LETTERS:
        cap = _short_text_cap(sample)
        sample = _without_names(sample)
    if sampled and not short:
        probabilities = _langdetect(sample, candidates, restricted=languages is not None)
    if probabilities is None:
        # Word frequencies are read for very short text only: long text never loads them.
        frequent = frequencies and letters < FREQUENCY_LETTERS
        probabilities = _short_text(sample, candidates, margin, frequencies=frequent)
    return _decide(probabilities, cap)


# In a title, capitalised words after the first are mostly names ("Hong Kong aún importa"), whose
# letters say little about the language and can outvote its own words: when at least this many
# words in lower case (of three letters or more) are left, the n-grams are read on them alone.
NAMELESS_WORDS = 2
_TOKEN_RE = re.compile(r"\S+")


# How sure an answer on a few words can be: about as often right as the detector is on texts of
# that many words (fr/en/de/es/it/pt/nl of ../shared/data/langid, all candidates: one word 57%,
# two words 85%), so that a short title never gets 1.0 for a wrong answer.
# cap(n) = 1 - SHORT_CAP_MISS * SHORT_CAP_DECAY ** (n - 1): 0.55, 0.84, 0.95, 0.98, 0.993...
SHORT_CAP_MISS = 0.45
SHORT_CAP_DECAY = 0.35


def _short_text_cap(text: str) -> float:
    """The highest confidence a text of this many words may get (see SHORT_CAP_MISS)."""
    from .sentences import word_count  # counts CJK characters by halves, as words

    count = word_count(text)
    return 1.0 - SHORT_CAP_MISS * SHORT_CAP_DECAY ** max(count - 1, 0)


def _without_names(text: str) -> str:
    """``text`` without its capitalised words, when enough lower-case words remain."""
    tokens = _TOKEN_RE.findall(text)
    kept = [token for token in tokens if not token[:1].isupper()]
    common = sum(1 for token in kept if token[:1].islower() and sum(map(str.isalpha, token)) >= 3)
    if common < NAMELESS_WORDS or len(kept) == len(tokens):
        return text
    return " ".join(kept)


def _letters_by_script(text: str) -> tuple[dict[str, int], int]:
    """Letters of ``text`` per script, and their number."""
    # Most text is largely ASCII: its letters are counted in one pass of C code, and only the
    # rest is looked at character by character.
    ascii_letters = sum(map(len, _ASCII_LETTER_RE.findall(text)))
    counts: dict[str, int] = {"LATIN": ascii_letters} if ascii_letters else {}
    letters = ascii_letters
    for char in _NON_ASCII_RE.findall(text):
        if _is_letter(char):
            # Indic vowel signs are named after their script ("GUJARATI VOWEL SIGN AA");
            # generic combining accents are not, and belong to no script ("COMBINING").
            script = script_of(char)
            counts[script] = counts.get(script, 0) + 1
            letters += 1
    return counts, letters


def _is_letter(char: str) -> bool:
    # Vowel signs of Indic scripts and Thai are marks, not letters, yet part of the word.
    return char.isalpha() or unicodedata.category(char)[0] == "M"


def _langdetect(text: str, candidates: Sequence[int], restricted: bool) -> dict[str, float] | None:
    from langdetect.lang_detect_exception import LangDetectException

    lm = model()
    # A fresh detector per call owns its Random (reseeded) and its prior map: nothing is shared.
    detector = langdetect_factory().create()
    if restricted or len(candidates) < len(lm.codes):
        detector.set_prior_map({lm.codes[i]: 1.0 for i in candidates})
    detector.append(text)
    try:
        found = detector.get_probabilities()
    except LangDetectException:
        return None
    merged: dict[str, float] = {}
    for item in found:
        code = normalize_code(item.lang)
        merged[code] = merged.get(code, 0.0) + float(item.prob)
    return merged or None


def _short_text(
    text: str, candidates: Sequence[int], margin: float, frequencies: bool = False
) -> dict[str, float]:
    lm = model()
    scores = ngram_scores(lm, text, candidates, margin=margin)
    hits = function_word_hits(lm, text, candidates)
    combined = {
        i: (scores[i] + FUNCTION_WORD_BONUS * min(hits[i], MAX_FUNCTION_WORDS)) / TEMPERATURE
        for i in candidates
    }
    if frequencies and len(candidates) > 1:
        for i, bonus in _frequency_bonus(text, combined).items():
            combined[i] += bonus / TEMPERATURE
    top = max(combined.values())
    weights = {i: math.exp(value - top) for i, value in combined.items()}
    total = sum(weights.values())
    merged: dict[str, float] = {}
    for i, weight in weights.items():
        code = lm.iso[i]
        merged[code] = merged.get(code, 0.0) + weight / total
    return merged


def _frequency_bonus(text: str, scores: dict[int, float]) -> dict[int, float]:
    """Log-frequency of the text's words in each leading candidate's language, over a floor."""
    lm = model()
    found = words(text)
    leaders = sorted(scores, key=lambda i: (-scores[i], i))[:FREQUENCY_CONTENDERS]
    bonus: dict[int, float] = {}
    unlisted: list[int] = []
    for i in leaders:
        table = word_frequencies(lm.iso[i])
        if table is None:
            unlisted.append(i)
            continue
        centibels = sum(max(table.get(word, FREQUENCY_FLOOR), FREQUENCY_FLOOR) for word in found)
        bonus[i] = FREQUENCY_WEIGHT * (centibels - FREQUENCY_FLOOR * len(found)) / 100.0
    # A language wordfreq has no list for (Afrikaans, Welsh...) is neither helped nor hurt
    # against the best listed one: it keeps the standing the other evidence gave it.
    best = max(bonus.values(), default=0.0)
    bonus.update(dict.fromkeys(unlisted, best))
    return bonus


def _decide(probabilities: dict[str, float], cap: float = 1.0) -> Language:
    """The most probable language, its probability at most ``cap``."""
    ranked = sorted(probabilities.items(), key=lambda kv: (-kv[1], kv[0]))
    if ranked[0][1] > cap:
        ranked[0] = (ranked[0][0], cap)
    alternatives = tuple((code, prob) for code, prob in ranked[1:4] if prob >= 0.01)
    code, prob = ranked[0]
    if prob < MIN_CONFIDENCE:
        return Language(UNDETERMINED, prob, tuple(ranked[:3]))
    return Language(code, prob, alternatives)


@dataclass(frozen=True)
class _Part:
    text: str
    weight: int


def detect_document(
    body: str, title: str | None = None, languages: Sequence[str] | None = None
) -> Language:
    """Main language of a document by share of text, with every language's share when mixed."""
    parts = _paragraphs(body, title)
    if len(parts) <= 1:
        # One paragraph is scored as paragraphs are, exhaustively: langdetect's sampling
        # detector would cost a process 0.3 s and 70 MB to load for it alone.
        text = "\n".join(filter(None, [title, body]))[:MAX_CHARS]
        return _detect(text, languages, sampled=False, frequencies=True)
    # Long documents: a bounded, evenly spread choice of paragraphs, each read in part.
    if len(parts) > MAX_PARAGRAPHS:
        step = len(parts) / MAX_PARAGRAPHS
        parts = [parts[int(k * step)] for k in range(MAX_PARAGRAPHS)]
    # Paragraphs are scored exhaustively: steadier than sampling on short ones, and cheaper.
    # Once one paragraph is near-certain, a later one whose function words clearly point to the
    # same language is not scored again: the n-grams could only agree, at ten times the cost.
    # A paragraph in another language (a quoted English passage) fails that check and is scored.
    found: list[tuple[_Part, Language]] = []
    settled: Language | None = None
    lm = model()
    indices = lm.indices(languages)
    own: list[int] = []
    others: list[int] = []
    for part in parts:
        text = part.text[:PARAGRAPH_CHARS]
        if settled is not None and _function_words_agree(text, own, others):
            found.append((part, settled))
            continue
        lang = _detect(text, languages, sampled=False, frequencies=False)
        found.append((part, lang))
        if settled is None and lang.known and lang.confidence >= SETTLED_CONFIDENCE:
            settled = lang
            own = [i for i in indices if lm.iso[i] == lang.code]
            others = [i for i in indices if lm.iso[i] != lang.code]
    known = [(part, lang) for part, lang in found if lang.known]
    if not known:
        return detect("\n".join(part.text for part in parts)[:MAX_CHARS], languages)
    weight: dict[str, int] = {}
    for part, lang in known:
        weight[lang.code] = weight.get(lang.code, 0) + part.weight
    total = sum(weight.values())
    ranked = sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))
    main = ranked[0][0]
    shares = tuple((code, w / total) for code, w in ranked if w / total >= MIN_SHARE)
    mains = [(part, lang) for part, lang in known if lang.code == main]
    main_weight = sum(part.weight for part, _ in mains)
    confidence = sum(part.weight * lang.confidence for part, lang in mains) / main_weight
    alternatives = max(mains, key=lambda pair: pair[0].weight)[1].alternatives
    return Language(main, confidence, alternatives, shares if len(shares) > 1 else ())


def _function_words_agree(text: str, own: Sequence[int], others: Sequence[int]) -> bool:
    """Whether ``text``'s function words favour the languages ``own`` over every one of
    ``others``, clearly."""
    hits = function_word_counts(model(), text)
    mine = max(hits[i] for i in own)
    return mine >= AGREEING_FUNCTION_WORDS and 2 * mine >= 3 * max(
        (hits[i] for i in others), default=0
    )


def _paragraphs(body: str, title: str | None) -> list[_Part]:
    parts: list[_Part] = []
    pending = title.strip() if title else ""
    for line in _PARAGRAPH_RE.split(body):
        text = f"{pending}\n{line.strip()}" if pending else line.strip()
        if sum(map(str.isalpha, text[: PARAGRAPH_LETTERS * 4])) < PARAGRAPH_LETTERS:
            pending = text
            continue
        parts.extend(_Part(chunk, len(chunk)) for chunk in _chunks(text))
        pending = ""
    if pending:
        if parts:
            last = parts[-1]
            parts[-1] = _Part(f"{last.text}\n{pending}", last.weight + len(pending))
        else:
            parts.append(_Part(pending, len(pending)))
    return parts


def _chunks(text: str) -> list[str]:
    # A paragraph-less text (a scraped record on one line) is read as pieces of paragraph size,
    # so that it is sampled across its length and a quoted passage still shows.
    if len(text) <= 2 * PARAGRAPH_CHARS:
        return [text]
    chunks: list[str] = []
    start = 0
    while len(text) - start > 2 * PARAGRAPH_CHARS:
        cut = text.rfind(" ", start + PARAGRAPH_CHARS // 2, start + PARAGRAPH_CHARS)
        cut = cut if cut > start else start + PARAGRAPH_CHARS
        chunks.append(text[start:cut])
        start = cut
    chunks.append(text[start:])
    return chunks


# Every ISO 639-1 code (a stated language need not be one detection knows: "eu" is still
# Basque), so that a typo ("xx", "fe") is refused rather than reported as a language.
ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho
    hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv
    kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr
    nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq
    sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh
    yi yo za zh zu""".split()
)


def stated_code(code: str) -> str | None:
    """The ISO 639-1 code in a stated language ("FR", "fr-CA" -> "fr"); None if it is none."""
    if not isinstance(code, str):
        return None
    normalized = normalize_code(code.strip())
    return normalized if normalized in ISO_639_1 else None


def given(code: str) -> Language:
    """A language the caller stated: certain by definition."""
    return Language(stated_code(code) or normalize_code(code), 1.0)
