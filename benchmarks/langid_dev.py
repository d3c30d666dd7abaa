"""The development set the language detector's few constants were chosen on.

Usage: python benchmarks/langid_dev.py

Built from the project's own articles (tests/data, examples; written for the project), never
from the benchmark data: every sentence of five words or more, every distinct pair of adjacent
lower-case words and every distinct lower-case word, for en/fr/de/es/it/pt/nl. Prints accuracy
and mean confidence (``und`` counts as wrong) with every language as a candidate and with those
7 only, so that TEMPERATURE can be read off as the value where confidence tracks accuracy.
"""

from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path

from summarizer import language

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "en": ["tests/data/battery-recycling-en.txt", "tests/data/one-sentence-en.txt",
           "examples/eu-chip-factory-en.txt"],
    "fr": ["tests/data/smartphone-reparation-fr.txt", "tests/data/scraped-glued-fr.txt",
           "examples/bytedance-huawei-fr.txt"],
    "de": ["tests/data/glasfaser-ausbau-de.txt", "examples/quantencomputer-de.md"],
    "es": ["tests/data/coches-autonomos-es.txt", "examples/centros-de-datos-es.txt"],
    "it": ["tests/data/intelligenza-artificiale-it.txt"],
    "pt": ["tests/data/energia-solar-pt.txt"],
    "nl": ["tests/data/fietsdeelsysteem-nl.txt"],
}  # fmt: skip
SEVEN = tuple(FILES)


def dev_set(kind: str) -> list[tuple[str, str]]:
    """(expected code, text) pairs of one kind: sentences, word-pairs or single-words."""
    items: list[tuple[str, str]] = []
    for code, names in FILES.items():
        text = " ".join((ROOT / name).read_text(encoding="utf-8") for name in names)
        if kind == "sentences":
            parts = re.split(r"(?<=[.!?])\s+|\n", text)
            items += [(code, part.strip()) for part in parts if len(part.split()) >= 5]
            continue
        words = [word for word in re.findall(r"[^\W\d_]+", text) if word.islower()]
        pairs = [f"{a} {b}" for a, b in itertools.pairwise(words)]
        units = words if kind == "single-words" else pairs
        items += [(code, unit) for unit in dict.fromkeys(units)]
    return items


def main() -> int:
    """Print accuracy and mean confidence per kind."""
    print("| candidates | kind | texts | accuracy | mean confidence |")
    print("|---|---|---:|---:|---:|")
    for label, candidates in (("all", None), ("7", SEVEN)):
        for kind in ("sentences", "word-pairs", "single-words"):
            items = dev_set(kind)
            found = [(language.detect(text, candidates), code) for code, text in items]
            accuracy = 100.0 * sum(lang.code == code for lang, code in found) / len(items)
            confidence = sum(lang.confidence for lang, _ in found) / len(items)
            print(f"| {label} | {kind} | {len(items)} | {accuracy:.1f}% | {confidence:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
