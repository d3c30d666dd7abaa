"""Language stage: langdetect, seeded so that the same text always gets the same answer."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .models import UNDETERMINED, Language

# langdetect samples n-grams at random: a fixed seed makes every run give the same result.
SEED = 0
# Enough text for a confident answer on any article; reading more only costs time.
MAX_CHARS = 3000
# Below this many letters langdetect's answer is noise.
MIN_LETTERS = 3
# A top probability below this is reported as "und" rather than a confident wrong answer.
MIN_CONFIDENCE = 0.5

_LETTER_RE = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1)
def _factory() -> Any:
    """Load langdetect's profiles once per process."""
    from langdetect import detector_factory

    factory = detector_factory.DetectorFactory()
    factory.load_profile(detector_factory.PROFILES_DIRECTORY)
    factory.set_seed(SEED)
    return factory


def supported_languages() -> tuple[str, ...]:
    """ISO 639-1 codes that detection can return."""
    return tuple(sorted({normalize_code(code) for code in _factory().get_lang_list()}))


def normalize_code(code: str) -> str:
    """Map langdetect's codes to ISO 639-1 ("zh-cn" -> "zh")."""
    return code.split("-")[0].lower()


def detect(text: str) -> Language:
    """Detect the language of ``text``; ``und`` when too short or undetectable."""
    sample = text[:MAX_CHARS]
    if len(_LETTER_RE.findall(sample)) < MIN_LETTERS:
        return Language(UNDETERMINED, 0.0)
    from langdetect.lang_detect_exception import LangDetectException

    factory = _factory()
    # Each detector owns its Random, reseeded per call: no shared state, safe across threads.
    detector = factory.create()
    detector.append(sample)
    try:
        probabilities = detector.get_probabilities()
    except LangDetectException:
        return Language(UNDETERMINED, 0.0)
    merged: dict[str, float] = {}
    for item in probabilities:
        code = normalize_code(item.lang)
        merged[code] = merged.get(code, 0.0) + float(item.prob)
    ranked = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
    if not ranked or ranked[0][1] < MIN_CONFIDENCE:
        return Language(UNDETERMINED, ranked[0][1] if ranked else 0.0, tuple(ranked[:3]))
    code, prob = ranked[0]
    return Language(code, prob, tuple(ranked[1:4]))


def given(code: str) -> Language:
    """A language the caller stated: certain by definition."""
    return Language(normalize_code(code), 1.0)
