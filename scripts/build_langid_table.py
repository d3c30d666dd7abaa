#!/usr/bin/env python3
"""Write the language detector's n-gram table from the installed langdetect's profiles.

    python scripts/build_langid_table.py [--output summarizer/data/langid-ngrams.txt.gz]

The table is langdetect's own model in the form the detector reads (see
``summarizer.langmodel.build_table``); rerunning this script writes the same bytes, and
tests/test_langmodel.py checks the shipped file against a fresh build.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from langdetect import detector_factory

from summarizer.langmodel import TABLE, build_table, read_table

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "summarizer" / TABLE


def main() -> None:
    """Build the table and write it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    data = build_table(Path(detector_factory.PROFILES_DIRECTORY))
    args.output.write_bytes(data)
    header, table = read_table(data)
    languages = len(header["codes"])
    print(f"{args.output}: {languages} languages, {len(table)} n-grams, {len(data)} bytes")


if __name__ == "__main__":
    main()
