"""Language identification accuracy and cost: raw langdetect against summarizer's detector.

Usage: python benchmarks/langid.py ../shared/data/langid [--limit 300] [--limit-all 100]

Reads lingua-py's test data (<dir>/{sentences,word-pairs,single-words}/<lang>.txt, one text a
line) and prints a Markdown table of accuracy per kind, for
  (a) fr/en/de/es/it/pt/nl texts, every language langdetect knows as a candidate;
  (b) the same texts with the candidates restricted to those 7 (``languages=`` / --languages);
  (c) texts of every language both the data and langdetect cover, all candidates;
plus milliseconds per text. ``und`` counts as wrong. Raw langdetect is a seeded
DetectorFactory used as its documentation says (restricted with a prior map in (b)).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from summarizer import language

KINDS = ("sentences", "word-pairs", "single-words")
SEVEN = ("fr", "en", "de", "es", "it", "pt", "nl")
# lingua's file names that langdetect spells differently.
ALIASES = {"nb": "no"}


def load(data: Path, kind: str, codes: Sequence[str], limit: int) -> list[tuple[str, str]]:
    """(expected code, text) pairs: the first ``limit`` lines of each language's file."""
    items: list[tuple[str, str]] = []
    for code in codes:
        path = data / kind / f"{code}.txt"
        lines = path.read_text(encoding="utf-8").splitlines()[:limit]
        items += [(ALIASES.get(code, code), line.strip()) for line in lines if line.strip()]
    return items


def raw_langdetect(candidates: Sequence[str] | None) -> Callable[[str], str]:
    """langdetect as shipped: a seeded factory, a prior map for candidates."""
    from langdetect import detector_factory
    from langdetect.lang_detect_exception import LangDetectException

    factory = detector_factory.DetectorFactory()
    factory.load_profile(detector_factory.PROFILES_DIRECTORY)
    factory.set_seed(0)
    prior = None
    if candidates is not None:
        prior = {
            code: 1.0
            for code in factory.get_lang_list()
            if language.normalize_code(code) in candidates
        }

    def detect(text: str) -> str:
        detector = factory.create()
        if prior:
            detector.set_prior_map(prior)
        detector.append(text)
        try:
            return language.normalize_code(detector.detect())
        except LangDetectException:
            return "und"

    return detect


def ours(candidates: Sequence[str] | None) -> Callable[[str], str]:
    """summarizer.language.detect with the same candidates."""

    def detect(text: str) -> str:
        return language.detect(text, candidates).code

    return detect


def measure(detect: Callable[[str], str], items: list[tuple[str, str]]) -> tuple[float, float]:
    """(accuracy in %, milliseconds per text)."""
    detect("warm-up text, so that loading is not timed")
    start = time.perf_counter()
    right = sum(detect(text) == expected for expected, text in items)
    elapsed = time.perf_counter() - start
    return 100.0 * right / len(items), 1000.0 * elapsed / len(items)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="lingua test data folder (../shared/data/langid)")
    parser.add_argument("--limit", type=int, default=300, help="lines per language in (a), (b)")
    parser.add_argument("--limit-all", type=int, default=100, help="lines per language in (c)")
    args = parser.parse_args(argv)

    supported = set(language.supported_languages())
    available = sorted(path.stem for path in (args.data / "sentences").glob("*.txt"))
    everyone = [code for code in available if ALIASES.get(code, code) in supported]
    setups: list[tuple[str, Sequence[str], Sequence[str] | None, int]] = [
        ("(a) 7 languages, all candidates", SEVEN, None, args.limit),
        ("(b) 7 languages, --languages 7", SEVEN, SEVEN, args.limit),
        (f"(c) {len(everyone)} languages, all candidates", everyone, None, args.limit_all),
    ]
    rows: list[list[Any]] = []
    for title, codes, candidates, limit in setups:
        for kind in KINDS:
            items = load(args.data, kind, codes, limit)
            raw_acc, raw_ms = measure(raw_langdetect(candidates), items)
            our_acc, our_ms = measure(ours(candidates), items)
            rows.append([title, kind, len(items), raw_acc, our_acc, raw_ms, our_ms])
            print(f"{title} {kind}: langdetect {raw_acc:.1f}% ours {our_acc:.1f}%", file=sys.stderr)
    print("| setup | kind | texts | langdetect | ours | langdetect ms/text | ours ms/text |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for title, kind, count, raw_acc, our_acc, raw_ms, our_ms in rows:
        print(
            f"| {title} | {kind} | {count} | {raw_acc:.1f}% | {our_acc:.1f}% "
            f"| {raw_ms:.2f} | {our_ms:.2f} |"
        )
    print(f"\n(c) languages: {', '.join(everyone)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
