#!/usr/bin/env python3
"""Write the language detector's data: the n-gram table and the function-word index.

    python scripts/build_langid_table.py [--output-dir summarizer/data]

The n-gram table is langdetect's own model in the form the detector reads (see
``summarizer.langmodel.build_table``), the function-word index merges stopwordsiso's and
justext's lists (``build_function_words``). Rerunning this script writes the same bytes, and
tests/test_langmodel.py checks the shipped files against fresh builds.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from langdetect import detector_factory

from summarizer.langmodel import (
    FUNCTION_WORDS,
    TABLE,
    build_function_words,
    build_table,
    read_function_words,
    read_table,
)

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "summarizer" / "data"


def main() -> None:
    """Build the table and the index, and write them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    table = build_table(Path(detector_factory.PROFILES_DIRECTORY))
    header, ngrams = read_table(table)
    codes = header["codes"]
    words = build_function_words(codes)
    for name, data in ((TABLE, table), (FUNCTION_WORDS, words)):
        (args.output_dir / Path(name).name).write_bytes(data)
    size = sum(len(ngrams.section(name)) for name in ngrams.names)
    print(f"{TABLE}: {len(codes)} languages, {size} n-grams in {len(ngrams.names)} sections, "
          f"{len(table)} bytes")  # fmt: skip
    index = read_function_words(words, codes)
    print(f"{FUNCTION_WORDS}: {len(index)} words, {len(words)} bytes")


if __name__ == "__main__":
    main()
